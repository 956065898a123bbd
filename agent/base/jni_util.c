/*
 * Calling Java from the agent, safely: see jni_util.h.
 */
#include "jni_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "java.lang.IllegalStateException: message" for a throwable, best effort. */
static void describe(JNIEnv *jni, jthrowable thrown, char *out, size_t outlen)
{
    snprintf(out, outlen, "a Java exception");
    jclass object_class = (*jni)->FindClass(jni, "java/lang/Object");
    jmethodID to_string =
        object_class ? (*jni)->GetMethodID(jni, object_class, "toString", "()Ljava/lang/String;")
                     : NULL;
    jstring text = to_string ? (jstring)(*jni)->CallObjectMethod(jni, thrown, to_string) : NULL;
    if ((*jni)->ExceptionCheck(jni)) {
        (*jni)->ExceptionClear(jni); /* e.g. OutOfMemoryError while describing */
        text = NULL;
    }
    const char *utf = text ? (*jni)->GetStringUTFChars(jni, text, NULL) : NULL;
    if (utf) {
        snprintf(out, outlen, "%s", utf);
        (*jni)->ReleaseStringUTFChars(jni, text, utf);
    }
    if (text)
        (*jni)->DeleteLocalRef(jni, text);
    if (object_class)
        (*jni)->DeleteLocalRef(jni, object_class);
}

int cd_jni_check(JNIEnv *jni, const char *what, cd_error *err)
{
    if (!(*jni)->ExceptionCheck(jni))
        return 0;
    jthrowable thrown = (*jni)->ExceptionOccurred(jni);
    (*jni)->ExceptionClear(jni);
    char message[300];
    describe(jni, thrown, message, sizeof message);
    if (thrown)
        (*jni)->DeleteLocalRef(jni, thrown);
    return cd_fail(err, strstr(message, "OutOfMemoryError") ? CD_ERR_NOMEM : CD_ERR_INTERNAL,
                   "%s: %s", what, message);
}

int cd_jni_frame_push(JNIEnv *jni, jint capacity, cd_error *err)
{
    if ((*jni)->PushLocalFrame(jni, capacity) == 0)
        return 0;
    cd_jni_check(jni, "PushLocalFrame", err);
    return cd_fail(err, CD_ERR_NOMEM, "no room for JNI local references");
}

void cd_jni_frame_pop(JNIEnv *jni)
{
    (*jni)->PopLocalFrame(jni, NULL);
}

/* Checked JNI raises a frame's capacity (to what is asked plus what is live)
 * only when asked for more than the frame already has; the agent's frames are
 * all smaller than DECLARE_SLACK. HotSpot refuses EnsureLocalCapacity beyond
 * MaxJNILocalCapacity (65536 by default). */
#define DECLARE_SLACK 256
#define DECLARE_MAX 65536

void cd_jni_declare_refs(JNIEnv *jni, jint count)
{
    jint wanted = count > DECLARE_MAX - DECLARE_SLACK ? DECLARE_MAX : count + DECLARE_SLACK;
    if ((*jni)->EnsureLocalCapacity(jni, wanted) != 0)
        (*jni)->ExceptionClear(jni); /* bookkeeping only: the table grows anyway */
}

jobject cd_jni_static_object(JNIEnv *jni, const char *class_name, const char *method,
                             const char *signature, cd_error *err, ...)
{
    jclass cls = (*jni)->FindClass(jni, class_name);
    if (!cls) {
        cd_jni_check(jni, class_name, err);
        return NULL;
    }
    jmethodID id = (*jni)->GetStaticMethodID(jni, cls, method, signature);
    jobject result = NULL;
    if (id) {
        va_list ap;
        va_start(ap, err);
        result = (*jni)->CallStaticObjectMethodV(jni, cls, id, ap);
        va_end(ap);
    }
    if (cd_jni_check(jni, method, err) != 0)
        result = NULL;
    else if (!id)
        cd_fail(err, CD_ERR_UNSUPPORTED, "%s.%s%s not found", class_name, method, signature);
    (*jni)->DeleteLocalRef(jni, cls);
    return result;
}

/* Resolves method on target's class; NULL with err if absent. */
static jmethodID instance_method(JNIEnv *jni, jobject target, const char *method,
                                 const char *signature, cd_error *err)
{
    if (!target) {
        cd_fail(err, CD_ERR_INTERNAL, "%s called on null", method);
        return NULL;
    }
    jclass cls = (*jni)->GetObjectClass(jni, target);
    jmethodID id = cls ? (*jni)->GetMethodID(jni, cls, method, signature) : NULL;
    if (cls)
        (*jni)->DeleteLocalRef(jni, cls);
    if (!id && cd_jni_check(jni, method, err) == 0)
        cd_fail(err, CD_ERR_UNSUPPORTED, "method %s%s not found", method, signature);
    return id;
}

#define INSTANCE_CALL(type, Call, zero)                                                      \
    jmethodID id = instance_method(jni, target, method, signature, err);                    \
    if (!id)                                                                                  \
        return zero;                                                                          \
    va_list ap;                                                                               \
    va_start(ap, err);                                                                        \
    type result = (*jni)->Call(jni, target, id, ap);                                          \
    va_end(ap);                                                                               \
    return cd_jni_check(jni, method, err) == 0 ? result : zero;

jobject cd_jni_object(JNIEnv *jni, jobject target, const char *method, const char *signature,
                      cd_error *err, ...)
{
    INSTANCE_CALL(jobject, CallObjectMethodV, NULL)
}

jlong cd_jni_long(JNIEnv *jni, jobject target, const char *method, const char *signature,
                  cd_error *err, ...)
{
    INSTANCE_CALL(jlong, CallLongMethodV, 0)
}

jint cd_jni_int(JNIEnv *jni, jobject target, const char *method, const char *signature,
                cd_error *err, ...)
{
    INSTANCE_CALL(jint, CallIntMethodV, 0)
}

jboolean cd_jni_boolean(JNIEnv *jni, jobject target, const char *method, const char *signature,
                        cd_error *err, ...)
{
    INSTANCE_CALL(jboolean, CallBooleanMethodV, JNI_FALSE)
}

char *cd_jni_utf(JNIEnv *jni, jstring string)
{
    if (!string)
        return NULL;
    const char *utf = (*jni)->GetStringUTFChars(jni, string, NULL);
    if (!utf) {
        (*jni)->ExceptionClear(jni);
        return NULL;
    }
    char *copy = strdup(utf);
    (*jni)->ReleaseStringUTFChars(jni, string, utf);
    return copy;
}

char *cd_jni_string_call(JNIEnv *jni, jobject target, const char *method, const char *signature,
                         cd_error *err)
{
    jobject value = cd_jni_object(jni, target, method, signature, err);
    if (!value)
        return NULL;
    jclass string_class = (*jni)->FindClass(jni, "java/lang/String");
    jstring text = NULL;
    if (string_class && (*jni)->IsInstanceOf(jni, value, string_class))
        text = (jstring)(*jni)->NewLocalRef(jni, value);
    else
        text = (jstring)cd_jni_object(jni, value, "toString", "()Ljava/lang/String;", err);
    char *copy = cd_jni_utf(jni, text);
    if (text)
        (*jni)->DeleteLocalRef(jni, text);
    if (string_class)
        (*jni)->DeleteLocalRef(jni, string_class);
    (*jni)->DeleteLocalRef(jni, value);
    return copy;
}

char *cd_jni_string_call_index(JNIEnv *jni, jobject list, jint index, cd_error *err)
{
    jobject item = cd_jni_object(jni, list, "get", "(I)Ljava/lang/Object;", err, index);
    if (!item)
        return NULL;
    /* GetStringUTFChars on anything but a String would crash the VM. */
    char *copy = cd_jni_string_call(jni, item, "toString", "()Ljava/lang/String;", err);
    (*jni)->DeleteLocalRef(jni, item);
    return copy;
}

int cd_jni_clear_exception(JNIEnv *jni)
{
    if (!(*jni)->ExceptionCheck(jni))
        return 0;
    (*jni)->ExceptionClear(jni);
    return 1;
}

jthrowable cd_jni_set_aside(JNIEnv *jni)
{
    jthrowable pending = (*jni)->ExceptionOccurred(jni);
    if (pending)
        (*jni)->ExceptionClear(jni);
    return pending;
}

void cd_jni_put_back(JNIEnv *jni, jthrowable set_aside)
{
    cd_jni_clear_exception(jni);
    if (!set_aside)
        return;
    (*jni)->Throw(jni, set_aside);
    (*jni)->DeleteLocalRef(jni, set_aside);
}

jobject cd_jni_new_thread(JNIEnv *jni, const char *name, cd_error *err)
{
    jclass thread_class = (*jni)->FindClass(jni, "java/lang/Thread");
    jmethodID init = thread_class
                         ? (*jni)->GetMethodID(jni, thread_class, "<init>", "(Ljava/lang/String;)V")
                         : NULL;
    jstring jname = init ? (*jni)->NewStringUTF(jni, name) : NULL;
    jobject thread = jname ? (*jni)->NewObject(jni, thread_class, init, jname) : NULL;
    if (cd_jni_clear_exception(jni) || !thread) {
        cd_fail(err, CD_ERR_NOMEM, "cannot create the agent thread object (Java heap full?)");
        thread = NULL;
    }
    if (jname)
        (*jni)->DeleteLocalRef(jni, jname);
    if (thread_class)
        (*jni)->DeleteLocalRef(jni, thread_class);
    return thread;
}

char *cd_jni_string_field(JNIEnv *jni, jobject object, jfieldID field)
{
    if (!field)
        return NULL;
    jstring s = (jstring)(*jni)->GetObjectField(jni, object, field);
    char *copy = cd_jni_utf(jni, s);
    if (s)
        (*jni)->DeleteLocalRef(jni, s);
    return copy;
}
