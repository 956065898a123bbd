/*
 * The agent's runtime: one JVMTI environment per process, and requests run on
 * agent threads. Called by the entry points (entry.c) and the start-up
 * triggers (triggers/).
 *
 *   cd_agent_get            the process's agent, set up on first use
 *   cd_agent_start_request  run a request on a new agent thread
 *   cd_agent_run_request    run a request here and now
 *   cd_agent_write_failure  agent-result.json for a request that could not start
 *   cd_agent_part           the function producing a section (parts.c)
 */
#ifndef CARBONDUMP_AGENT_RUNTIME_H
#define CARBONDUMP_AGENT_RUNTIME_H

#include "base/part.h"

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

/* Writes agent-result.json into dir, recording a request that failed before
 * any part ran (e.g. bad options). Best effort. */
void cd_agent_write_failure(const char *dir, const char *id, const cd_error *err);

/* The part producing section, or NULL if this agent has none. */
cd_part_fn cd_agent_part(cd_section section);

#endif
