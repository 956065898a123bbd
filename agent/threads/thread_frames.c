/*
 * Frames to the parts jstack prints: "pkg.Class.method(module@version/File.java:N)".
 *
 * A thread dump has thousands of frames but few distinct methods, so each
 * method is resolved once per request (all samples) and kept in a cache
 * keyed by jmethodID: its class name (Class.getName() form, hidden classes
 * with their "/0x..." suffix), method name, source file, module and line
 * number table. A jmethodID stays valid while its class is loaded; JVMTI
 * answers INVALID_METHODID instead of crashing for an unloaded one, which
 * prints as an unknown method.
 *
 * Module names (JDK 9+) are read from java.lang.Module's and
 * ModuleDescriptor's fields with JNI, which allocates no Java object, so they
 * are there even under an exhausted heap; if this JDK has other field names,
 * Module.getDescriptor().toNameAndVersion() is called instead when Java
 * allocation is allowed, and otherwise the prefix is left out.
 *
 * Frames from java.lang.management (StackTraceElement) go through the same
 * cache, keyed by their text, so that both sources print alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/histogram.h"
#include "base/jni_util.h"
#include "threads_internal.h"
#include "base/jvmti_util.h"
#include "base/vm_fields.h"
#include "base/modules.h"

#define CLASS_NAME_MAX 4096

typedef struct method_entry {
    const void *key; /* jmethodID, or the interned text key */
    cd_method method;
    jvmtiLineNumberEntry *lines; /* sorted as JVMTI returns them; malloc'd */
    jint line_count;
    int lines_loaded;
} method_entry;

/* Open addressing, keys compared by pointer (jmethodID) or string. */
typedef struct table {
    method_entry **slots;
    size_t slot_count, used;
} table;

/* The fields of java.lang.StackTraceElement (JDK 8 to 25 alike; the module
 * ones from 9). Read directly: no Java call per frame, no allocation. */
typedef struct element_fields {
    jfieldID declaring_class, method_name, file_name, line_number, module_name, module_version;
} element_fields;

struct cd_method_cache {
    cd_arena arena; /* names and entries */
    table by_id;    /* jmethodID -> entry */
    table by_text;  /* StackTraceElement key -> entry */
    table classes;  /* class signature -> entry holding class name, file, module */
    int java_allowed;
    cd_module_reader modules;
    element_fields elements;
    int elements_ready; /* 1 resolved, -1 not on this JDK, 0 not tried */
    int lock_hints;     /* work out cd_method.may_lock (else it is 1) */
    cd_method unknown;
};

/* ---------------------------------------------------------------- tables */

static uint64_t hash_pointer(const void *p)
{
    return (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static method_entry **table_slot(table *t, const void *key, int by_text)
{
    uint64_t h = by_text ? hash_text(key) : hash_pointer(key);
    size_t mask = t->slot_count - 1;
    for (size_t i = (size_t)(h >> 7) & mask;; i = (i + 1) & mask) {
        method_entry *e = t->slots[i];
        if (!e || (by_text ? strcmp(e->key, key) == 0 : e->key == key))
            return &t->slots[i];
    }
}

static method_entry *table_get(table *t, const void *key, int by_text)
{
    return t->slot_count ? *table_slot(t, key, by_text) : NULL;
}

static int table_put(table *t, method_entry *entry, int by_text)
{
    if ((t->used + 1) * 2 > t->slot_count) {
        size_t count = t->slot_count ? t->slot_count * 2 : 256;
        table grown = {calloc(count, sizeof *grown.slots), count, 0};
        if (!grown.slots)
            return -1;
        for (size_t i = 0; i < t->slot_count; i++)
            if (t->slots[i]) {
                *table_slot(&grown, t->slots[i]->key, by_text) = t->slots[i];
                grown.used++;
            }
        free(t->slots);
        *t = grown;
    }
    *table_slot(t, entry->key, by_text) = entry;
    t->used++;
    return 0;
}

/* ---------------------------------------------------------------- cache */

cd_method_cache *cd_method_cache_new(jvmtiEnv *jvmti, JNIEnv *jni, int java_allowed,
                                     const cd_jdk_classes *classes)
{
    cd_method_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        return NULL;
    cache->java_allowed = java_allowed;
    cache->unknown.class_name = "<unknown class>";
    cache->unknown.method_name = "<unknown method>";
    cache->unknown.may_lock = 1;
    cd_module_reader_init(&cache->modules, jvmti, jni, classes->module, classes->module_descriptor,
                          classes->module_version, java_allowed);
    return cache;
}

void cd_method_cache_want_lock_hints(cd_method_cache *cache)
{
    cache->lock_hints = 1;
}

void cd_method_cache_free(cd_method_cache *cache, JNIEnv *jni)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->by_id.slot_count; i++)
        if (cache->by_id.slots[i])
            free(cache->by_id.slots[i]->lines);
    free(cache->by_id.slots);
    free(cache->by_text.slots);
    free(cache->classes.slots);
    cd_arena_free(&cache->arena);
    free(cache);
}

/* "name@version", "name", or NULL for the unnamed module, into the arena. */
static const char *module_text(cd_method_cache *cache, JNIEnv *jni, jclass cls)
{
    char *text = cd_class_module_name(&cache->modules, jni, cls, NULL);
    const char *kept = cd_arena_strdup(&cache->arena, text);
    free(text);
    return kept;
}

/* The per-class part of a method (name, file, module), cached by signature. */
static const cd_method *class_info(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni, jclass cls)
{
    char *signature = NULL;
    if ((*jvmti)->GetClassSignature(jvmti, cls, &signature, NULL) != JVMTI_ERROR_NONE || !signature)
        return NULL;
    method_entry *e = table_get(&cache->classes, signature, 1);
    if (!e) {
        char name[CLASS_NAME_MAX];
        char *file = NULL;
        if (cd_class_name_from_signature(signature, name, sizeof name) != 0)
            snprintf(name, sizeof name, "%s", signature);
        (*jvmti)->GetSourceFileName(jvmti, cls, &file); /* absent for hidden classes */
        e = cd_arena_alloc(&cache->arena, sizeof *e);
        if (e) {
            e->key = cd_arena_strdup(&cache->arena, signature);
            e->method.class_name = cd_arena_strdup(&cache->arena, name);
            e->method.source_file = cd_arena_strdup(&cache->arena, file);
            e->method.module = module_text(cache, jni, cls);
            if (!e->key || !e->method.class_name || table_put(&cache->classes, e, 1) != 0)
                e = NULL;
        }
        cd_jvmti_free(jvmti, file);
    }
    cd_jvmti_free(jvmti, signature);
    return e ? &e->method : NULL;
}

/* Whether a frame of this method can hold a monitor it entered: the method
 * is synchronized, or its bytecode has a monitorenter. Answers 1 whenever it
 * cannot tell, so a thread is never wrongly taken for one holding nothing. */
static int method_may_lock(jvmtiEnv *jvmti, jmethodID id, int is_native)
{
    jint modifiers = 0;
    if ((*jvmti)->GetMethodModifiers(jvmti, id, &modifiers) != JVMTI_ERROR_NONE)
        return 1;
    if (modifiers & 0x0020) /* ACC_SYNCHRONIZED */
        return 1;
    if (is_native)
        return 0;
    jint len = 0;
    unsigned char *code = NULL;
    if ((*jvmti)->GetBytecodes(jvmti, id, &len, &code) != JVMTI_ERROR_NONE || !code)
        return 1;
    int may_lock = cd_bytecode_may_lock(code, (size_t)len);
    cd_jvmti_free(jvmti, code);
    return may_lock;
}

static method_entry *method_by_id(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni,
                                  jmethodID id)
{
    method_entry *e = table_get(&cache->by_id, id, 0);
    if (e)
        return e;
    jclass cls = NULL;
    char *name = NULL;
    if ((*jvmti)->GetMethodDeclaringClass(jvmti, id, &cls) != JVMTI_ERROR_NONE || !cls)
        return NULL;
    const cd_method *owner = class_info(cache, jvmti, jni, cls);
    (*jni)->DeleteLocalRef(jni, cls);
    jboolean is_native = JNI_FALSE;
    if (!owner || (*jvmti)->GetMethodName(jvmti, id, &name, NULL, NULL) != JVMTI_ERROR_NONE)
        return NULL;
    (*jvmti)->IsMethodNative(jvmti, id, &is_native);
    e = cd_arena_alloc(&cache->arena, sizeof *e);
    if (e) {
        e->key = id;
        e->method = *owner;
        e->method.method_name = cd_arena_strdup(&cache->arena, name);
        e->method.is_native = is_native == JNI_TRUE;
        e->method.may_lock =
            cache->lock_hints ? method_may_lock(jvmti, id, e->method.is_native) : 1;
        if (!e->method.method_name || table_put(&cache->by_id, e, 0) != 0)
            e = NULL;
    }
    cd_jvmti_free(jvmti, name);
    return e;
}

/* The source line of a bytecode index: the entry starting exactly there, or
 * else the last entry starting before it, as the VM itself picks. */
static int line_of(method_entry *e, jvmtiEnv *jvmti, jmethodID id, jlocation location)
{
    if (location < 0 || e->method.is_native)
        return -1;
    if (!e->lines_loaded) {
        e->lines_loaded = 1;
        jvmtiLineNumberEntry *table = NULL;
        jint count = 0;
        if ((*jvmti)->GetLineNumberTable(jvmti, id, &count, &table) == JVMTI_ERROR_NONE && table) {
            e->lines = malloc((size_t)count * sizeof *e->lines);
            if (e->lines) {
                memcpy(e->lines, table, (size_t)count * sizeof *e->lines);
                e->line_count = count;
            }
        }
        cd_jvmti_free(jvmti, table);
    }
    int line = -1;
    jlocation best = -1;
    for (jint i = 0; i < e->line_count; i++) {
        if (e->lines[i].start_location == location)
            return e->lines[i].line_number;
        if (e->lines[i].start_location < location && e->lines[i].start_location >= best) {
            best = e->lines[i].start_location;
            line = e->lines[i].line_number;
        }
    }
    return line;
}

int cd_frames_from_jvmti(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni,
                         const jvmtiFrameInfo *frames, int count, cd_thread_dump *dump,
                         cd_frame **out)
{
    *out = NULL;
    if (count <= 0)
        return 0;
    cd_frame *result = cd_arena_alloc(&dump->arena, (size_t)count * sizeof *result);
    if (!result)
        return -1;
    for (int i = 0; i < count; i++) {
        method_entry *e = method_by_id(cache, jvmti, jni, frames[i].method);
        result[i].method = e ? &e->method : &cache->unknown;
        result[i].line = e ? line_of(e, jvmti, frames[i].method, frames[i].location) : -1;
    }
    *out = result;
    return 0;
}

/* ---------------------------------------------------------------- StackTraceElement */

static int element_fields_init(cd_method_cache *cache, JNIEnv *jni, cd_error *err)
{
    if (cache->elements_ready)
        return cache->elements_ready > 0 ? 0
                                         : cd_fail(err, CD_ERR_UNSUPPORTED, "%s",
                                                   "StackTraceElement has an unknown layout");
    element_fields *f = &cache->elements;
    jclass cls = (*jni)->FindClass(jni, "java/lang/StackTraceElement");
    if (cls) {
        f->declaring_class = (*jni)->GetFieldID(jni, cls, "declaringClass", "Ljava/lang/String;");
        f->method_name = (*jni)->GetFieldID(jni, cls, "methodName", "Ljava/lang/String;");
        f->file_name = (*jni)->GetFieldID(jni, cls, "fileName", "Ljava/lang/String;");
        f->line_number = (*jni)->GetFieldID(jni, cls, "lineNumber", "I");
        cd_jni_clear_exception(jni);
        f->module_name = (*jni)->GetFieldID(jni, cls, "moduleName", "Ljava/lang/String;");
        cd_jni_clear_exception(jni); /* JDK 8: no modules */
        f->module_version = (*jni)->GetFieldID(jni, cls, "moduleVersion", "Ljava/lang/String;");
        cd_jni_clear_exception(jni);
        (*jni)->DeleteLocalRef(jni, cls);
    }
    cd_jni_clear_exception(jni);
    int ok = f->declaring_class && f->method_name && f->file_name && f->line_number;
    cache->elements_ready = ok ? 1 : -1;
    return ok ? 0 : cd_fail(err, CD_ERR_UNSUPPORTED, "StackTraceElement has an unknown layout");
}

/* A String field as a malloc'd copy, NULL for null. */
static char *element_string(JNIEnv *jni, jobject element, jfieldID field)
{
    return field ? cd_jni_string_field(jni, element, field) : NULL;
}

/* The cached method for an element's text parts. */
static const cd_method *method_by_text(cd_method_cache *cache, const char *cls, const char *method,
                                       const char *module, const char *file, int is_native)
{
    size_t len = strlen(cls) + strlen(method) + (module ? strlen(module) : 0) +
                 (file ? strlen(file) : 0) + 8;
    char *key = malloc(len);
    if (!key)
        return NULL;
    snprintf(key, len, "%s\n%s\n%s\n%s\n%d", cls, method, module ? module : "", file ? file : "",
             is_native);
    method_entry *e = table_get(&cache->by_text, key, 1);
    if (!e && (e = cd_arena_alloc(&cache->arena, sizeof *e)) != NULL) {
        e->key = cd_arena_strdup(&cache->arena, key);
        e->method.class_name = cd_arena_strdup(&cache->arena, cls);
        e->method.method_name = cd_arena_strdup(&cache->arena, method);
        e->method.module = cd_arena_strdup(&cache->arena, module);
        e->method.source_file = cd_arena_strdup(&cache->arena, file);
        e->method.is_native = is_native;
        e->method.may_lock = 1;
        if (!e->key || !e->method.class_name || !e->method.method_name ||
            table_put(&cache->by_text, e, 1) != 0)
            e = NULL;
    }
    free(key);
    return e ? &e->method : NULL;
}

/* The method of one element, read from its strings. */
static const cd_method *element_method_slow(cd_method_cache *cache, JNIEnv *jni, jobject element,
                                            int is_native)
{
    const element_fields *f = &cache->elements;
    char *cls = element_string(jni, element, f->declaring_class);
    char *method = element_string(jni, element, f->method_name);
    char *file = element_string(jni, element, f->file_name);
    char *module = element_string(jni, element, f->module_name);
    char *version = module ? element_string(jni, element, f->module_version) : NULL;
    char module_text[512] = "";
    if (module)
        snprintf(module_text, sizeof module_text, "%s%s%s", module, version ? "@" : "",
                 version ? version : "");
    const cd_method *result =
        cls && method
            ? method_by_text(cache, cls, method, module ? module_text : NULL, file, is_native)
            : NULL;
    free(cls);
    free(method);
    free(file);
    free(module);
    free(version);
    return result;
}

static uint32_t identity(jvmtiEnv *jvmti, JNIEnv *jni, jobject element, jfieldID field)
{
    jobject value = (*jni)->GetObjectField(jni, element, field);
    jint hash = 0;
    if (value) {
        (*jvmti)->GetObjectHashCode(jvmti, value, &hash);
        (*jni)->DeleteLocalRef(jni, value);
    }
    return (uint32_t)hash;
}

/* The method of one element. The VM fills elements with the same String
 * objects for the same class, method and file (class names and interned
 * symbols), so their identity hashes key the cache and the strings are read
 * once per method, not once per frame. */
static const cd_method *element_method(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni,
                                       jobject element, int is_native)
{
    const element_fields *f = &cache->elements;
    char key[64];
    snprintf(key, sizeof key, "\001%08x.%08x.%08x.%d",
             identity(jvmti, jni, element, f->declaring_class),
             identity(jvmti, jni, element, f->method_name),
             identity(jvmti, jni, element, f->file_name), is_native);
    method_entry *e = table_get(&cache->by_text, key, 1);
    if (e)
        return &e->method;
    const cd_method *method = element_method_slow(cache, jni, element, is_native);
    if (method && (e = cd_arena_alloc(&cache->arena, sizeof *e)) != NULL) {
        e->key = cd_arena_strdup(&cache->arena, key);
        e->method = *method;
        if (!e->key || table_put(&cache->by_text, e, 1) != 0)
            return method;
    }
    return method;
}

int cd_frames_from_java(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni, jobjectArray elements,
                        cd_thread_dump *dump, cd_frame **out, int *count, cd_error *err)
{
    *out = NULL;
    *count = 0;
    if (!elements)
        return 0;
    if (element_fields_init(cache, jni, err) != 0)
        return -1;
    jsize n = (*jni)->GetArrayLength(jni, elements);
    cd_frame *frames = n ? cd_arena_alloc(&dump->arena, (size_t)n * sizeof *frames) : NULL;
    if (n && !frames)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    for (jsize i = 0; i < n; i++) {
        jobject e = (*jni)->GetObjectArrayElement(jni, elements, i);
        if (!e)
            continue;
        jint line = (*jni)->GetIntField(jni, e, cache->elements.line_number);
        const cd_method *method = element_method(cache, jvmti, jni, e, line == -2);
        frames[*count].method = method ? method : &cache->unknown;
        frames[*count].line = line >= 0 ? line : -1; /* -2: native, -1: unknown */
        (*count)++;
        (*jni)->DeleteLocalRef(jni, e);
    }
    *out = frames;
    return 0;
}

/* ---------------------------------------------------------------- objects */

const char *cd_object_class_name(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni,
                                 jobject object, cd_thread_dump *dump)
{
    if (!object)
        return NULL;
    jclass cls = (*jni)->GetObjectClass(jni, object);
    if (!cls)
        return NULL;
    const cd_method *info = class_info(cache, jvmti, jni, cls);
    (*jni)->DeleteLocalRef(jni, cls);
    return info ? info->class_name : NULL;
}
