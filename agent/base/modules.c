/*
 * Module names (modules.h).
 */
#include "modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jni_util.h"
#include "vm_fields.h"

void cd_module_reader_init(cd_module_reader *reader, jvmtiEnv *jvmti, JNIEnv *jni, jclass module,
                           jclass descriptor, jclass version, int java_allowed)
{
    memset(reader, 0, sizeof *reader);
    reader->java_allowed = java_allowed;
    reader->jni_modules = (*jni)->GetVersion(jni) >= JNI_VERSION_9;
    if (!reader->jni_modules || !module || !descriptor || !version)
        return;
    const char *string = "Ljava/lang/String;";
    reader->name = cd_typed_field(jvmti, module, "name", string, 0);
    reader->descriptor =
        cd_typed_field(jvmti, module, "descriptor", "Ljava/lang/module/ModuleDescriptor;", 0);
    reader->descriptor_version = cd_typed_field(jvmti, descriptor, "version",
                                                "Ljava/lang/module/ModuleDescriptor$Version;", 0);
    reader->descriptor_raw_version =
        cd_typed_field(jvmti, descriptor, "rawVersionString", string, 0);
    reader->version_text = cd_typed_field(jvmti, version, "version", string, 0);
    reader->fields = reader->name && reader->descriptor && reader->descriptor_version &&
                     reader->descriptor_raw_version && reader->version_text;
}

/* The name from the fields: the parsed version's text, else the raw one, as
 * StackTraceElement and the VM's own module table have it. */
static char *name_from_fields(const cd_module_reader *reader, JNIEnv *jni, jobject module)
{
    char *name = cd_jni_string_field(jni, module, reader->name);
    if (!name)
        return NULL;
    jobject descriptor = (*jni)->GetObjectField(jni, module, reader->descriptor);
    char *version = NULL;
    if (descriptor) {
        jobject v = (*jni)->GetObjectField(jni, descriptor, reader->descriptor_version);
        version = v ? cd_jni_string_field(jni, v, reader->version_text)
                    : cd_jni_string_field(jni, descriptor, reader->descriptor_raw_version);
        if (v)
            (*jni)->DeleteLocalRef(jni, v);
        (*jni)->DeleteLocalRef(jni, descriptor);
    }
    if (!version)
        return name;
    size_t len = strlen(name) + 1 + strlen(version);
    char *text = malloc(len + 1);
    if (text)
        snprintf(text, len + 1, "%s@%s", name, version);
    free(name);
    free(version);
    return text;
}

char *cd_module_name(const cd_module_reader *reader, JNIEnv *jni, jobject module, cd_error *err)
{
    cd_error ignored = {0};
    if (!err)
        err = &ignored;
    char *text = NULL;
    if (reader->fields) {
        text = name_from_fields(reader, jni, module);
    } else if (reader->java_allowed) {
        jobject descriptor = cd_jni_object(jni, module, "getDescriptor",
                                           "()Ljava/lang/module/ModuleDescriptor;", err);
        if (descriptor) {
            text = cd_jni_string_call(jni, descriptor, "toNameAndVersion", "()Ljava/lang/String;",
                                      err);
            (*jni)->DeleteLocalRef(jni, descriptor);
        }
    }
    cd_jni_clear_exception(jni);
    return text;
}

char *cd_class_module_name(const cd_module_reader *reader, JNIEnv *jni, jclass cls,
                           cd_error *err)
{
    if (!reader->jni_modules)
        return NULL;
    jobject module = (*jni)->GetModule(jni, cls);
    if (!module) {
        cd_jni_clear_exception(jni);
        return NULL;
    }
    char *text = cd_module_name(reader, jni, module, err);
    (*jni)->DeleteLocalRef(jni, module);
    return text;
}
