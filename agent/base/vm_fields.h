/*
 * Reading JDK objects' fields without running Java or allocating on the Java
 * heap, for the parts that must work under an OutOfMemoryError (finalizer
 * queue, class loaders).
 *
 * Classes are found among the loaded ones by signature and fields by name
 * through JVMTI, never through FindClass or GetFieldID: those may run a class
 * loader or throw NoSuchFieldError, both of which allocate Java objects. A
 * field this JDK does not have is simply reported missing (NULL), so a caller
 * can tell "not in this version" (e.g. Finalizer.ENABLED before JDK 18) from
 * failure. The jfieldIDs returned are ordinary JNI field IDs, read with
 * Get<Type>Field / GetStatic<Type>Field, which create local references only.
 */
#ifndef CARBONDUMP_AGENT_VM_FIELDS_H
#define CARBONDUMP_AGENT_VM_FIELDS_H

#include "part.h"

/* For each of count signatures ("Ljava/lang/ref/Finalizer;"), the loaded
 * class with that signature (first match; a JNI local reference) or NULL.
 * Returns 0, or -1 if the classes cannot be listed. The local references to
 * the classes not kept are deleted, and declared to checked JNI first
 * (cd_jni_declare_refs). */
int cd_find_loaded_classes_jni(jvmtiEnv *jvmti, JNIEnv *jni, const char *const *signatures,
                               jclass *classes, size_t count, cd_error *err);

/* The field called name declared by cls itself (not inherited), static or
 * not as is_static says, or NULL if it has none. */
jfieldID cd_find_field(jvmtiEnv *jvmti, jclass cls, const char *name, int is_static);

/* The field cls itself declares with this name, type signature and kind, or
 * NULL: reading a field of another type would not be safe. */
jfieldID cd_typed_field(jvmtiEnv *jvmti, jclass cls, const char *name, const char *signature,
                        int is_static);

/* Longest class name the parts print; longer ones are cut. */
#define CD_CLASS_NAME_MAX 4096

/* A malloc'd copy of cls's name as Class.getName() and jmap print it (from
 * JVMTI GetClassSignature: no Java allocation); "<class without a name>" if
 * it has none. NULL only when out of memory. */
char *cd_class_name_of(jvmtiEnv *jvmti, jclass cls);

#endif
