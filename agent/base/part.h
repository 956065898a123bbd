/*
 * The contract of the agent's parts, and the state they share.
 *
 * A part produces one section of the bundle inside the JVM (jvm, threads,
 * histogram, ...). Each is a function of a cd_part_ctx that writes its files
 * under ctx->request->dir through sinks (cd_staging_open), and can be called
 * alike from an attach request, the control-file poller or the OOM handler
 * (runtime/ runs them; threads/, heap/ and vm/ hold them).
 *
 * Rules for parts (they run inside a production JVM at its worst moment):
 *  - Never crash, never block indefinitely, never exit: report errors as values.
 *  - When ctx->java_heap_exhausted is set, allocate no Java objects: no JNI
 *    object creation, no Java calls. A part that needs them returns
 *    CD_PART_SKIPPED with the reason.
 *  - JVMTI heap callbacks run at a safepoint: no JNI and no JVMTI there but raw
 *    monitors and memory.
 *  - A part's work is done when it returns: what it costs the JVM counts in
 *    its duration, where the operator sees it.
 */
#ifndef CARBONDUMP_AGENT_PART_H
#define CARBONDUMP_AGENT_PART_H

#include <jni.h>
#include <jvmti.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/redaction_notes.h"
#include "carbondump/request.h"
#include "carbondump/sections.h"

/* What the agent knows about the VM it lives in, set up once (runtime/). */
typedef struct cd_agent {
    JavaVM *vm;
    jvmtiEnv *jvmti;
    jint jvmti_version;
    jvmtiCapabilities capabilities; /* what this env actually holds */
    int loaded_at_startup;          /* Agent_OnLoad ran: start-up-only capabilities */
    jrawMonitorID request_lock;     /* one request at a time */
    uint64_t loaded_wall_ms;
} cd_agent;

typedef struct cd_part_ctx {
    cd_agent *agent;
    jvmtiEnv *jvmti;
    JNIEnv *jni;
    const cd_request *request;
    int java_heap_exhausted;        /* set under OutOfMemoryError: no Java allocation */
    cd_redaction_notes *redactions; /* where each value masked goes (redaction_notes.h) */
} cd_part_ctx;

/* A part returns 0 (ok), -1 (failed: err says why) or CD_PART_SKIPPED (err says
 * why it could not run here, e.g. not implemented or needs the Java heap). */
#define CD_PART_SKIPPED 1

typedef int (*cd_part_fn)(cd_part_ctx *ctx, cd_error *err);

#endif
