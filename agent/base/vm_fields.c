/*
 * Reading JDK objects' fields without Java allocation: see vm_fields.h.
 */
#include "vm_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/histogram.h"
#include "jni_util.h"
#include "jvmti_util.h"

#define ACC_STATIC 0x0008 /* JVMS access flag */

int cd_find_loaded_classes_jni(jvmtiEnv *jvmti, JNIEnv *jni, const char *const *signatures,
                               jclass *classes, size_t count, cd_error *err)
{
    /* Every loaded class comes back as a local reference: declared at once,
     * and the ones not kept deleted. */
    memset(classes, 0, count * sizeof *classes);
    jint n = 0;
    jclass *loaded = NULL;
    jvmtiError e = (*jvmti)->GetLoadedClasses(jvmti, &n, &loaded);
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetLoadedClasses");
    cd_jni_declare_refs(jni, n);
    size_t found = 0;
    for (jint i = 0; i < n; i++) {
        char *signature = NULL;
        int kept = 0;
        if (found < count &&
            (*jvmti)->GetClassSignature(jvmti, loaded[i], &signature, NULL) == JVMTI_ERROR_NONE)
            for (size_t k = 0; k < count && !kept; k++)
                if (!classes[k] && strcmp(signature, signatures[k]) == 0) {
                    classes[k] = loaded[i];
                    found++;
                    kept = 1;
                }
        cd_jvmti_free(jvmti, signature);
        if (!kept)
            (*jni)->DeleteLocalRef(jni, loaded[i]);
    }
    cd_jvmti_free(jvmti, loaded);
    return 0;
}

jfieldID cd_find_field(jvmtiEnv *jvmti, jclass cls, const char *name, int is_static)
{
    if (!cls)
        return NULL;
    jint n = 0;
    jfieldID *fields = NULL;
    if ((*jvmti)->GetClassFields(jvmti, cls, &n, &fields) != JVMTI_ERROR_NONE)
        return NULL;
    jfieldID match = NULL;
    for (jint i = 0; i < n && !match; i++) {
        char *field_name = NULL;
        jint modifiers = 0;
        if ((*jvmti)->GetFieldName(jvmti, cls, fields[i], &field_name, NULL, NULL) ==
                JVMTI_ERROR_NONE &&
            (*jvmti)->GetFieldModifiers(jvmti, cls, fields[i], &modifiers) == JVMTI_ERROR_NONE &&
            strcmp(field_name, name) == 0 && ((modifiers & ACC_STATIC) != 0) == (is_static != 0))
            match = fields[i];
        cd_jvmti_free(jvmti, field_name);
    }
    cd_jvmti_free(jvmti, fields);
    return match;
}

char *cd_class_name_of(jvmtiEnv *jvmti, jclass cls)
{
    char *signature = NULL;
    char name[CD_CLASS_NAME_MAX];
    if (!cls || (*jvmti)->GetClassSignature(jvmti, cls, &signature, NULL) != JVMTI_ERROR_NONE ||
        cd_class_name_from_signature(signature, name, sizeof name) != 0)
        snprintf(name, sizeof name, "<class without a name>");
    cd_jvmti_free(jvmti, signature);
    return strdup(name);
}

jfieldID cd_typed_field(jvmtiEnv *jvmti, jclass cls, const char *name, const char *signature,
                        int is_static)
{
    jfieldID id = cd_find_field(jvmti, cls, name, is_static);
    char *actual = NULL;
    if (id && ((*jvmti)->GetFieldName(jvmti, cls, id, NULL, &actual, NULL) != JVMTI_ERROR_NONE ||
               strcmp(actual, signature) != 0))
        id = NULL;
    cd_jvmti_free(jvmti, actual);
    return id;
}
