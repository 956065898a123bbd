/*
 * Calling Java from the agent, safely.
 *
 * Parts that read java.lang.management MXBeans (lock information after a late
 * attach, memory pools, GC counters) go through these helpers, which look the
 * class and method up, make the call, and turn a pending Java exception into a
 * cd_error ("java.lang.OutOfMemoryError: Java heap space") instead of leaving
 * it behind. Every function here allocates Java objects or may: none may be
 * used when cd_part_ctx.java_heap_exhausted is set, and none in heap callbacks.
 *
 * Local references: callers wrap a batch of calls in PushLocalFrame/PopLocalFrame
 * (cd_jni_frame_push/pop) so that a long loop cannot exhaust the local table.
 */
#ifndef CARBONDUMP_AGENT_JNI_UTIL_H
#define CARBONDUMP_AGENT_JNI_UTIL_H

#include <jni.h>

#include "carbondump/error.h"

/* Describes and clears a pending exception into err; returns -1 if there was
 * one, 0 if not. */
int cd_jni_check(JNIEnv *jni, const char *what, cd_error *err);

/* PushLocalFrame with room for capacity references; 0, or -1 with err. */
int cd_jni_frame_push(JNIEnv *jni, jint capacity, cd_error *err);
/* PopLocalFrame of the frame pushed last, dropping its references. */
void cd_jni_frame_pop(JNIEnv *jni);

/* JVMTI functions that return objects (GetLoadedClasses, GetObjectsWithTags)
 * make one local reference each behind JNI's back, so checked JNI
 * (-Xcheck:jni) would report the frame's capacity exceeded at the next JNI
 * call. Declares count such references in the current frame; call it right
 * after the JVMTI function. Costs nothing outside checked JNI. */
void cd_jni_declare_refs(JNIEnv *jni, jint count);

/* Static method returning an object; class_name in JNI form ("java/lang/Thread"). */
jobject cd_jni_static_object(JNIEnv *jni, const char *class_name, const char *method,
                             const char *signature, cd_error *err, ...);

/* Instance methods, resolved on the object's class. NULL / 0 with err on failure. */
jobject cd_jni_object(JNIEnv *jni, jobject target, const char *method, const char *signature,
                      cd_error *err, ...);
jlong cd_jni_long(JNIEnv *jni, jobject target, const char *method, const char *signature,
                  cd_error *err, ...);
jint cd_jni_int(JNIEnv *jni, jobject target, const char *method, const char *signature,
                cd_error *err, ...);
jboolean cd_jni_boolean(JNIEnv *jni, jobject target, const char *method, const char *signature,
                        cd_error *err, ...);

/* A malloc'd UTF-8 (modified UTF-8) copy of a Java string; NULL for null. */
char *cd_jni_utf(JNIEnv *jni, jstring string);

/* A malloc'd UTF-8 copy of the String in object's field; NULL if null or if
 * field is NULL (a field this JDK does not have). Reads
 * the field directly: no Java call, no Java allocation. */
char *cd_jni_string_field(JNIEnv *jni, jobject object, jfieldID field);

/* A malloc'd copy of String.valueOf(target.method()) for a no-argument method
 * returning an object (e.g. "getName", "()Ljava/lang/String;"). */
char *cd_jni_string_call(JNIEnv *jni, jobject target, const char *method, const char *signature,
                         cd_error *err);

/* A malloc'd copy of the String at index in a java.util.List of Strings. */
char *cd_jni_string_call_index(JNIEnv *jni, jobject list, jint index, cd_error *err);

/* Clears a pending Java exception, returning 1 if there was one. */
int cd_jni_clear_exception(JNIEnv *jni);

/* An exception pending on a thread the agent is called on but did not raise
 * (every JNI call made under one is a misuse): cd_jni_set_aside takes it off
 * the thread (NULL when there is none), cd_jni_put_back drops any exception
 * of the agent's own and puts the one set aside back. */
jthrowable cd_jni_set_aside(JNIEnv *jni);
void cd_jni_put_back(JNIEnv *jni, jthrowable set_aside);

/* A java.lang.Thread object to run an agent thread on (RunAgentThread needs one).
 * Allocates a Java object. */
jobject cd_jni_new_thread(JNIEnv *jni, const char *name, cd_error *err);

#endif
