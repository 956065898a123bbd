/*
 * The JVM's arguments, with secrets masked: see vm_arguments.h.
 */
#include "vm_arguments.h"

#include <stdlib.h>
#include <string.h>

#include "base/jni_util.h"
#include "carbondump/fsutil.h"
#include "carbondump/secrets.h"

void cd_vm_argument_add(cJSON *array, const char *arg, cd_vm_argument_mask *mask)
{
    if (!mask) {
        cJSON_AddItemToArray(array, cJSON_CreateString(arg));
        return;
    }
    char *masked = cd_masked_argument(&mask->state, arg, strlen(arg), cd_redaction_place_note,
                                      &mask->place, NULL);
    /* out of memory: leave the argument out rather than show it unmasked */
    cJSON_AddItemToArray(array, cJSON_CreateString(masked ? masked : CD_SECRET_MASK));
    free(masked);
    if (mask->place.line) /* a file of lines: one argument a line */
        mask->place.line++;
}

/* RuntimeMXBean.getInputArguments() through JNI. Allocates Java objects. */
int cd_vm_arguments_from_mxbean(JNIEnv *jni, cJSON *array, cd_vm_argument_mask *mask)
{
    cd_error err = {0};
    if (cd_jni_frame_push(jni, 64, &err) != 0)
        return -1;
    int rc = -1;
    jobject bean =
        cd_jni_static_object(jni, "java/lang/management/ManagementFactory", "getRuntimeMXBean",
                             "()Ljava/lang/management/RuntimeMXBean;", &err);
    jobject list =
        bean ? cd_jni_object(jni, bean, "getInputArguments", "()Ljava/util/List;", &err) : NULL;
    jint n = list ? cd_jni_int(jni, list, "size", "()I", &err) : 0;
    if (list && err.code == CD_OK) {
        rc = 0;
        for (jint i = 0; i < n && rc == 0; i++) {
            char *arg = cd_jni_string_call_index(jni, list, i, &err);
            if (!arg) {
                rc = -1;
                break;
            }
            cd_vm_argument_add(array, arg, mask);
            free(arg);
        }
    }
    cd_jni_frame_pop(jni);
    return rc;
}

/* The launcher's argv, for when Java allocation is not allowed. */
void cd_vm_arguments_from_proc(cJSON *array, cd_vm_argument_mask *mask)
{
    char *cmdline = NULL;
    size_t len = 0;
    if (cd_read_file("/proc/self/cmdline", 1 << 20, 1, &cmdline, &len, NULL) != 0)
        return;
    for (size_t at = 0; at < len; at += strlen(cmdline + at) + 1)
        cd_vm_argument_add(array, cmdline + at, mask);
    free(cmdline);
}
