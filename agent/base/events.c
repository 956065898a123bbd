/*
 * JVMTI event dispatch: see events.h.
 */
#include "events.h"
#include "jvmti_util.h"

#include <pthread.h>
#include <string.h>

static cd_gc_hook gc_start_hook;
static cd_gc_hook gc_finish_hook;
static cd_vm_init_hook vm_init_hook;
static cd_vm_death_hook vm_death_hook;
static cd_resource_exhausted_hook resource_exhausted_hook;

static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static int callbacks_installed;

#define LOAD(hook) __atomic_load_n(&(hook), __ATOMIC_ACQUIRE)
#define STORE(hook, value) __atomic_store_n(&(hook), (value), __ATOMIC_RELEASE)

static void JNICALL on_gc_start(jvmtiEnv *jvmti)
{
    cd_gc_hook hook = LOAD(gc_start_hook);
    if (hook)
        hook(jvmti);
}

static void JNICALL on_gc_finish(jvmtiEnv *jvmti)
{
    cd_gc_hook hook = LOAD(gc_finish_hook);
    if (hook)
        hook(jvmti);
}

static void JNICALL on_vm_init(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread)
{
    cd_vm_init_hook hook = LOAD(vm_init_hook);
    if (hook)
        hook(jvmti, jni, thread);
}

static void JNICALL on_vm_death(jvmtiEnv *jvmti, JNIEnv *jni)
{
    cd_vm_death_hook hook = LOAD(vm_death_hook);
    if (hook)
        hook(jvmti, jni);
}

static void JNICALL on_resource_exhausted(jvmtiEnv *jvmti, JNIEnv *jni, jint flags,
                                          const void *reserved, const char *description)
{
    cd_resource_exhausted_hook hook = LOAD(resource_exhausted_hook);
    if (hook)
        hook(jvmti, jni, flags, description);
}

/* The callback table is set once; afterwards only hooks and enablement change. */
static int install_callbacks(cd_agent *agent, cd_error *err)
{
    pthread_mutex_lock(&events_lock);
    jvmtiError e = JVMTI_ERROR_NONE;
    if (!callbacks_installed) {
        jvmtiEventCallbacks callbacks;
        memset(&callbacks, 0, sizeof callbacks);
        callbacks.VMInit = on_vm_init;
        callbacks.VMDeath = on_vm_death;
        callbacks.GarbageCollectionStart = on_gc_start;
        callbacks.GarbageCollectionFinish = on_gc_finish;
        callbacks.ResourceExhausted = on_resource_exhausted;
        e = (*agent->jvmti)->SetEventCallbacks(agent->jvmti, &callbacks, (jint)sizeof callbacks);
        callbacks_installed = e == JVMTI_ERROR_NONE;
    }
    pthread_mutex_unlock(&events_lock);
    return e == JVMTI_ERROR_NONE ? 0 : cd_jvmti_fail(err, e, "cannot set event callbacks");
}

static int enable(cd_agent *agent, jvmtiEvent event, const char *what, cd_error *err)
{
    if (install_callbacks(agent, err) != 0)
        return -1;
    jvmtiError e =
        (*agent->jvmti)->SetEventNotificationMode(agent->jvmti, JVMTI_ENABLE, event, NULL);
    return e == JVMTI_ERROR_NONE ? 0 : cd_jvmti_fail(err, e, what);
}

int cd_events_hook_gc(cd_agent *agent, cd_gc_hook on_start, cd_gc_hook on_finish, cd_error *err)
{
    if (!agent->capabilities.can_generate_garbage_collection_events)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "this JVM does not report GC events to agents");
    STORE(gc_start_hook, on_start);
    STORE(gc_finish_hook, on_finish);
    if (enable(agent, JVMTI_EVENT_GARBAGE_COLLECTION_START, "enabling GC start events", err) != 0)
        return -1;
    return enable(agent, JVMTI_EVENT_GARBAGE_COLLECTION_FINISH, "enabling GC finish events", err);
}

int cd_events_hook_vm_init(cd_agent *agent, cd_vm_init_hook hook, cd_error *err)
{
    STORE(vm_init_hook, hook);
    return enable(agent, JVMTI_EVENT_VM_INIT, "enabling the VM start event", err);
}

int cd_events_hook_vm_death(cd_agent *agent, cd_vm_death_hook hook, cd_error *err)
{
    STORE(vm_death_hook, hook);
    return enable(agent, JVMTI_EVENT_VM_DEATH, "enabling the VM death event", err);
}

int cd_events_hook_resource_exhausted(cd_agent *agent, cd_resource_exhausted_hook hook,
                                      cd_error *err)
{
    if (!agent->capabilities.can_generate_resource_exhaustion_heap_events &&
        !agent->capabilities.can_generate_resource_exhaustion_threads_events)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "this JVM does not report resource exhaustion to agents");
    STORE(resource_exhausted_hook, hook);
    return enable(agent, JVMTI_EVENT_RESOURCE_EXHAUSTED, "enabling resource exhaustion events",
                  err);
}
