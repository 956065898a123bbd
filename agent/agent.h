/*
 * The agent's shared state and the contract of its parts.
 *
 * A part produces one section of the bundle inside the JVM (jvm, threads,
 * histogram, ...). Each is a function of a cd_part_ctx that writes its files
 * under ctx->request->dir through sinks (cd_staging_open), and can be called
 * alike from an attach request, the control-file poller or the OOM handler.
 *
 * Rules for parts (they run inside a production JVM at its worst moment):
 *  - Never crash, never block indefinitely, never exit: report errors as values.
 *  - When ctx->java_heap_exhausted is set, allocate no Java objects: no JNI
 *    object creation, no Java calls. A part that needs them returns
 *    CD_PART_SKIPPED with the reason.
 *  - JVMTI heap callbacks run at a safepoint: no JNI and no JVMTI there but raw
 *    monitors and memory.
 */
#ifndef CARBONDUMP_AGENT_H
#define CARBONDUMP_AGENT_H

#include <jni.h>
#include <jvmti.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/redaction_notes.h"
#include "carbondump/request.h"
#include "carbondump/sections.h"

/* What the agent knows about the VM it lives in, set up once. */
typedef struct cd_agent {
    JavaVM *vm;
    jvmtiEnv *jvmti;
    jint jvmti_version;
    jvmtiCapabilities capabilities; /* what this env actually holds */
    int loaded_at_startup;          /* Agent_OnLoad ran: start-up-only capabilities */
    jrawMonitorID request_lock;     /* one request at a time */
    uint64_t loaded_wall_ms;
} cd_agent;

/* Work a part leaves for after agent-result.json is written, so that the
 * collector need not wait for it: freeing the tags of a heap walk over tens of
 * millions of objects takes seconds and changes no file. */
#define CD_PART_DEFERRED_MAX 4
typedef struct cd_deferred {
    void (*run)(void *arg);
    void *arg;
} cd_deferred;

typedef struct cd_part_ctx {
    cd_agent *agent;
    jvmtiEnv *jvmti;
    JNIEnv *jni;
    const cd_request *request;
    int java_heap_exhausted; /* set under OutOfMemoryError: no Java allocation */
    cd_redaction_notes *redactions; /* where each value masked goes (redaction_notes.h) */
    cd_deferred deferred[CD_PART_DEFERRED_MAX];
    int deferred_count;
} cd_part_ctx;

/* Runs run(arg) once the request's result is written (at once when the list
 * is full). Still on the request's thread, under its lock. */
void cd_part_defer(cd_part_ctx *ctx, void (*run)(void *arg), void *arg);

/* A part returns 0 (ok), -1 (failed: err says why) or CD_PART_SKIPPED (err says
 * why it could not run here, e.g. not implemented or needs the Java heap). */
#define CD_PART_SKIPPED 1

typedef int (*cd_part_fn)(cd_part_ctx *ctx, cd_error *err);

/* The part producing section, or NULL if this agent has none. */
cd_part_fn cd_agent_part(cd_section section);

/* ---- parts (one file each) */
int cd_part_jvm(cd_part_ctx *ctx, cd_error *err);
int cd_part_threads(cd_part_ctx *ctx, cd_error *err);
int cd_part_histogram(cd_part_ctx *ctx, cd_error *err);
int cd_part_heap_summary(cd_part_ctx *ctx, cd_error *err);
int cd_part_finalizer(cd_part_ctx *ctx, cd_error *err);
int cd_part_classloaders(cd_part_ctx *ctx, cd_error *err);
int cd_part_gc(cd_part_ctx *ctx, cd_error *err);
int cd_part_flags(cd_part_ctx *ctx, cd_error *err);
int cd_part_heapdump(cd_part_ctx *ctx, cd_error *err);

/* ---- runtime (agent.c) */

/* Sets up the JVMTI environment and capabilities, once per process; later calls
 * return the same agent. Safe to call from OnLoad and from each OnAttach. */
cd_agent *cd_agent_get(JavaVM *vm, int at_startup, cd_error *err);

/* Runs request on a new agent thread, so that the attach listener is free at
 * once (the request is copied). When the Java heap has no room for the thread
 * object, runs it right here instead, as under OutOfMemoryError. */
int cd_agent_start_request(cd_agent *agent, JNIEnv *jni, const cd_request *request,
                           cd_error *err);

/* Runs request's parts now, on the calling thread, one request at a time, and
 * writes agent-result.json into request->dir. With java_heap_exhausted, parts
 * that need Java allocation are skipped. */
void cd_agent_run_request(cd_agent *agent, JNIEnv *jni, const cd_request *request,
                          int java_heap_exhausted);

/* A java.lang.Thread object to run an agent thread on (RunAgentThread needs one).
 * Allocates a Java object. */
jthread cd_agent_new_thread(JNIEnv *jni, const char *name, cd_error *err);

/* Writes agent-result.json into dir, recording a request that failed before
 * any part ran (e.g. bad options). Best effort. */
void cd_agent_write_failure(const char *dir, const char *id, const cd_error *err);

/* ---- small JVMTI helpers (jvmti_util.c) */

/* Message for a jvmtiError ("JVMTI_ERROR_WRONG_PHASE"). */
const char *cd_jvmti_error_name(jvmtiError error);

/* Fills err from a failed JVMTI call and returns -1. */
int cd_jvmti_fail(cd_error *err, jvmtiError error, const char *what);

/* Deallocates JVMTI-allocated memory; NULL is fine. */
void cd_jvmti_free(jvmtiEnv *jvmti, void *memory);

/* Clears a pending Java exception, returning 1 if there was one. */
int cd_jni_clear_exception(JNIEnv *jni);

#endif
