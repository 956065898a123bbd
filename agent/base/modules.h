/*
 * The module of a class, named as jstack and jmap name it: "name@version",
 * "name" when it has no version, nothing for the unnamed module. One reader
 * serves the histogram and the stack frames.
 *
 * Where the JDK's Module, ModuleDescriptor and ModuleDescriptor.Version
 * classes are given, names are read from their fields: no Java call and no
 * Java allocation, so this works under an exhausted heap. Without them (or on
 * a JDK whose fields differ) the reader asks ModuleDescriptor.toNameAndVersion,
 * which allocates, and only when Java allocation is allowed. Before JDK 9
 * there are no modules and every name is NULL.
 *
 *   cd_module_reader_init  set up, once per request
 *   cd_module_name         the name of a java.lang.Module
 *   cd_class_module_name   the name of a class's module
 */
#ifndef CARBONDUMP_AGENT_MODULES_H
#define CARBONDUMP_AGENT_MODULES_H

#include <jni.h>
#include <jvmti.h>

#include "carbondump/error.h"

typedef struct cd_module_reader {
    int jni_modules;  /* JNIEnv has GetModule (JNI 9+) */
    int java_allowed; /* may fall back to a Java call */
    jfieldID name, descriptor, descriptor_version, descriptor_raw_version, version_text;
    int fields; /* all five resolved */
} cd_module_reader;

/* Sets up reader. module, descriptor and version are the JDK classes
 * java.lang.Module, java.lang.module.ModuleDescriptor and its Version, or
 * NULL when the caller does not have them. */
void cd_module_reader_init(cd_module_reader *reader, jvmtiEnv *jvmti, JNIEnv *jni, jclass module,
                           jclass descriptor, jclass version, int java_allowed);

/* A malloc'd "name@version" or "name" for module; NULL for the unnamed
 * module, when it cannot be read, or when out of memory. A Java call that
 * failed is described in err (which may be NULL); any Java exception is
 * cleared. */
char *cd_module_name(const cd_module_reader *reader, JNIEnv *jni, jobject module, cd_error *err);

/* cd_module_name of the module cls belongs to. */
char *cd_class_module_name(const cd_module_reader *reader, JNIEnv *jni, jclass cls,
                           cd_error *err);

#endif
