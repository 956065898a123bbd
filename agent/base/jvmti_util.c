/*
 * Small JVMTI helpers shared by the parts (jvmti_util.h).
 */
#include <stdio.h>

#include "jvmti_util.h"

const char *cd_jvmti_error_name(jvmtiError error)
{
    switch (error) {
    case JVMTI_ERROR_NONE: return "no error";
    case JVMTI_ERROR_INVALID_THREAD: return "invalid thread";
    case JVMTI_ERROR_THREAD_NOT_ALIVE: return "thread not alive";
    case JVMTI_ERROR_INVALID_OBJECT: return "invalid object";
    case JVMTI_ERROR_INVALID_CLASS: return "invalid class";
    case JVMTI_ERROR_CLASS_NOT_PREPARED: return "class not prepared";
    case JVMTI_ERROR_INVALID_METHODID: return "invalid method id";
    case JVMTI_ERROR_NO_MORE_FRAMES: return "no more frames";
    case JVMTI_ERROR_OPAQUE_FRAME: return "opaque frame";
    case JVMTI_ERROR_NOT_AVAILABLE: return "not available";
    case JVMTI_ERROR_MUST_POSSESS_CAPABILITY: return "capability not held";
    case JVMTI_ERROR_NULL_POINTER: return "null pointer";
    case JVMTI_ERROR_ABSENT_INFORMATION: return "absent information";
    case JVMTI_ERROR_ILLEGAL_ARGUMENT: return "illegal argument";
    case JVMTI_ERROR_OUT_OF_MEMORY: return "out of memory";
    case JVMTI_ERROR_ACCESS_DENIED: return "access denied";
    case JVMTI_ERROR_WRONG_PHASE: return "wrong phase (VM starting or dying)";
    case JVMTI_ERROR_INTERNAL: return "internal JVMTI error";
    case JVMTI_ERROR_UNATTACHED_THREAD: return "thread not attached";
    case JVMTI_ERROR_INVALID_ENVIRONMENT: return "invalid JVMTI environment";
    case JVMTI_ERROR_UNSUPPORTED_VERSION: return "unsupported JVMTI version";
    default: return "JVMTI error";
    }
}

int cd_jvmti_fail(cd_error *err, jvmtiError error, const char *what)
{
    return cd_fail(err, error == JVMTI_ERROR_OUT_OF_MEMORY ? CD_ERR_NOMEM : CD_ERR_UNSUPPORTED,
                   "%s: %s (JVMTI error %d)", what, cd_jvmti_error_name(error), (int)error);
}

void cd_jvmti_free(jvmtiEnv *jvmti, void *memory)
{
    if (memory)
        (*jvmti)->Deallocate(jvmti, (unsigned char *)memory);
}
