/*
 * Small JVMTI helpers every part uses: error names, failures as cd_error
 * values, and freeing JVMTI-allocated memory.
 *
 *   cd_jvmti_error_name   "JVMTI_ERROR_WRONG_PHASE" for a jvmtiError
 *   cd_jvmti_fail         fill a cd_error from a failed JVMTI call
 *   cd_jvmti_free         Deallocate, NULL-safe
 */
#ifndef CARBONDUMP_AGENT_JVMTI_UTIL_H
#define CARBONDUMP_AGENT_JVMTI_UTIL_H

#include <jvmti.h>

#include "carbondump/error.h"

/* Message for a jvmtiError ("JVMTI_ERROR_WRONG_PHASE"). */
const char *cd_jvmti_error_name(jvmtiError error);

/* Fills err from a failed JVMTI call and returns -1. */
int cd_jvmti_fail(cd_error *err, jvmtiError error, const char *what);

/* Deallocates JVMTI-allocated memory; NULL is fine. */
void cd_jvmti_free(jvmtiEnv *jvmti, void *memory);

#endif
