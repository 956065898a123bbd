/*
 * Private JVMTI environments for heap walks: see heap_walk.h.
 */
#include "heap_walk.h"

#include <string.h>

#include "carbondump/fsutil.h"
#include "jvmti_util.h"

int cd_walk_env_open(cd_agent *agent, jvmtiEnv **env, cd_error *err)
{
    *env = NULL;
    jvmtiEnv *walk = NULL;
    JavaVM *vm = agent->vm;
    /* Each GetEnv call for JVMTI hands out a fresh environment. */
    if ((*vm)->GetEnv(vm, (void **)&walk, JVMTI_VERSION_1_2) != JNI_OK || !walk)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "the JVM refused a JVMTI environment for the walk");
    jvmtiCapabilities wanted;
    memset(&wanted, 0, sizeof wanted);
    wanted.can_tag_objects = 1;
    jvmtiError e = (*walk)->AddCapabilities(walk, &wanted);
    if (e != JVMTI_ERROR_NONE) {
        (*walk)->DisposeEnvironment(walk);
        return cd_jvmti_fail(err, e, "cannot tag objects (can_tag_objects)");
    }
    *env = walk;
    return 0;
}

void cd_walk_env_close(jvmtiEnv *env)
{
    if (env)
        (*env)->DisposeEnvironment(env);
}

int cd_walk_force_gc(jvmtiEnv *env, uint64_t *elapsed_ms, cd_error *err)
{
    uint64_t t0 = cd_monotonic_ms();
    jvmtiError e = (*env)->ForceGarbageCollection(env);
    *elapsed_ms += cd_monotonic_ms() - t0;
    return e == JVMTI_ERROR_NONE ? 0 : cd_jvmti_fail(err, e, "ForceGarbageCollection");
}
