/*
 * The JVM's arguments, with secrets masked, for every part that reports them
 * (jvm_info.json, javainfo/vm_arguments.txt).
 *
 * Two sources: RuntimeMXBean.getInputArguments() (the VM's options as the
 * JVM parsed them, including JAVA_TOOL_OPTIONS), which needs Java allocation;
 * and /proc/self/cmdline (the launcher's argv), which does not and serves
 * under an exhausted Java heap. Their secrets (-Dx.password=..., a JDBC URL's
 * password, --token VALUE, ...: carbondump/command_line_mask.h) are replaced by
 * CD_SECRET_MASK unless the request says redact=0, and each masked key is
 * noted for redaction_log.txt.
 */
#ifndef CARBONDUMP_AGENT_VM_ARGUMENTS_H
#define CARBONDUMP_AGENT_VM_ARGUMENTS_H

#include <cjson/cJSON.h>
#include <jni.h>

#include "carbondump/command_line_mask.h"
#include "carbondump/redaction_notes.h"

/* How arguments are masked on their way into an array; NULL: not at all. */
typedef struct cd_vm_argument_mask {
    cd_argv_mask state;       /* from one argument to the next; zero at first */
    cd_redaction_place place; /* where masked keys are noted; a line other than 0
                                 advances with each argument */
} cd_vm_argument_mask;

/* Appends arg to array as a string, masked by mask (may be NULL). */
void cd_vm_argument_add(cJSON *array, const char *arg, cd_vm_argument_mask *mask);

/* RuntimeMXBean.getInputArguments() into array. Allocates Java objects.
 * Returns 0, or -1 if the bean could not be read. */
int cd_vm_arguments_from_mxbean(JNIEnv *jni, cJSON *array, cd_vm_argument_mask *mask);

/* The launcher's argv from /proc/self/cmdline into array. No Java allocation. */
void cd_vm_arguments_from_proc(cJSON *array, cd_vm_argument_mask *mask);

#endif
