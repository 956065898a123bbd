/*
 * JVMTI events, dispatched from one place.
 *
 * A jvmtiEnv has a single table of event callbacks, so the modules that react
 * to events (GC statistics, the GC-thrashing and OOM triggers, start-up) do not
 * set it themselves: each installs its hook here, which also enables the event.
 * Hooks are plain function pointers read atomically by the dispatchers; setting
 * one again replaces it.
 *
 * Hooks obey the rules of their event: GC start/finish run inside a GC with the
 * world stopped (no JNI, no JVMTI but raw monitors, no allocation that could
 * block); ResourceExhausted runs on the thread that hit the limit.
 */
#ifndef CARBONDUMP_AGENT_EVENTS_H
#define CARBONDUMP_AGENT_EVENTS_H

#include "part.h"

typedef void (*cd_gc_hook)(jvmtiEnv *jvmti);
typedef void (*cd_vm_init_hook)(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread);
typedef void (*cd_vm_death_hook)(jvmtiEnv *jvmti, JNIEnv *jni);
typedef void (*cd_resource_exhausted_hook)(jvmtiEnv *jvmti, JNIEnv *jni, jint flags,
                                           const char *description);

/* Calls on_start/on_finish (either may be NULL) at every GC start and finish, from the
 * VM thread at a safepoint. 0, or -1 with err when the event cannot be had. */
int cd_events_hook_gc(cd_agent *agent, cd_gc_hook on_start, cd_gc_hook on_finish, cd_error *err);
/* Calls hook once the VM has initialised. 0, or -1 with err. */
int cd_events_hook_vm_init(cd_agent *agent, cd_vm_init_hook hook, cd_error *err);
/* Calls hook when the VM is about to die. 0, or -1 with err. */
int cd_events_hook_vm_death(cd_agent *agent, cd_vm_death_hook hook, cd_error *err);
/* Calls hook on the thread that ran out of heap, threads or other resources. 0, or -1 with err. */
int cd_events_hook_resource_exhausted(cd_agent *agent, cd_resource_exhausted_hook hook,
                                      cd_error *err);

#endif
