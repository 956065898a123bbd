/*
 * Private JVMTI environments for heap walks and object tagging.
 *
 * Tags belong to the jvmtiEnv that set them and cost native memory (HotSpot
 * keeps them in a table per env). A part that tags classes, loaders or objects
 * therefore does it in an environment of its own, created for the one walk and
 * disposed right after it: every tag dies with it at once, nothing is left for
 * the next request to trip over, and the agent's main environment (shared by
 * every part and by the triggers) never carries tags.
 */
#ifndef CARBONDUMP_AGENT_HEAP_WALK_H
#define CARBONDUMP_AGENT_HEAP_WALK_H

#include "part.h"

/* Creates a new jvmtiEnv with can_tag_objects. Fails (CD_ERR_UNSUPPORTED) if
 * the VM grants no tagging to a new environment. */
int cd_walk_env_open(cd_agent *agent, jvmtiEnv **env, cd_error *err);

/* Disposes the environment, freeing all its tags. NULL is fine. */
void cd_walk_env_close(jvmtiEnv *env);

/* Runs JVMTI ForceGarbageCollection, the full collection jmap's :live asks for;
 * adds the time it took to *elapsed_ms. */
int cd_walk_force_gc(jvmtiEnv *env, uint64_t *elapsed_ms, cd_error *err);

#endif
