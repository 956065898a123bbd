/*
 * The JVM's arguments, with secrets masked, for every part that reports them
 * (jvm_info.json, javainfo/vm_arguments.txt).
 *
 * Two sources: RuntimeMXBean.getInputArguments() (the VM's options as the
 * JVM parsed them, including JAVA_TOOL_OPTIONS), which needs Java allocation;
 * and /proc/self/cmdline (the launcher's argv), which does not and serves
 * under an exhausted Java heap. Values of "-Dkey=value" whose key names a
 * secret (carbondump/secrets.h) are replaced by CD_SECRET_MASK when redact is
 * set.
 */
#ifndef CARBONDUMP_AGENT_VM_ARGUMENTS_H
#define CARBONDUMP_AGENT_VM_ARGUMENTS_H

#include <cjson/cJSON.h>
#include <jni.h>

/* Appends arg to array as a string, masked if redact and it assigns a secret. */
void cd_vm_argument_add(cJSON *array, const char *arg, int redact);

/* RuntimeMXBean.getInputArguments() into array. Allocates Java objects.
 * Returns 0, or -1 if the bean could not be read. */
int cd_vm_arguments_from_mxbean(JNIEnv *jni, cJSON *array, int redact);

/* The launcher's argv from /proc/self/cmdline into array. No Java allocation. */
void cd_vm_arguments_from_proc(cJSON *array, int redact);

#endif
