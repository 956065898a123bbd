/*
 * The VM's management interfaces (java.lang.management and
 * com.sun.management) read through JNI into plain C structs, for the parts
 * that report memory pools, collectors and VM flags (heap-summary, gc, flags).
 *
 * Every function here calls Java and allocates Java objects: callers must not
 * use them under cd_part_ctx.java_heap_exhausted, nor in heap callbacks. Each
 * call manages its own JNI local frame. Strings in the results are malloc'd
 * (modified UTF-8) and released by the matching _free function.
 */
#ifndef CARBONDUMP_AGENT_MXBEANS_H
#define CARBONDUMP_AGENT_MXBEANS_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"

/* java.lang.management.MemoryUsage; -1 where the VM says "undefined". */
typedef struct cd_mx_usage {
    int64_t init, used, committed, max;
} cd_mx_usage;

typedef struct cd_mx_pool {
    char *name; /* "G1 Eden Space", "Metaspace" ... */
    int heap;   /* MemoryType.HEAP */
    cd_mx_usage usage;
    char *managers; /* the pool's memory managers, ", "-separated */
} cd_mx_pool;

typedef struct cd_mx_collector {
    char *name;      /* "G1 Young Generation", "PS MarkSweep" ... */
    int64_t count;   /* collections so far, -1 if unknown */
    int64_t time_ms; /* accumulated collection time, -1 if unknown */
    char *pools;     /* the pools it manages, ", "-separated */
} cd_mx_collector;

/* A VM flag as com.sun.management.VMOption describes it. */
typedef struct cd_mx_flag {
    char *name;
    char *value;
    char *origin;     /* jcmd's words: "default", "command line", "ergonomic" ... */
    const char *type; /* "bool", "integer", "double", "string" or NULL if unknown */
    int writeable;    /* manageable at run time */
} cd_mx_flag;

/* Every MemoryPoolMXBean, in the VM's order. */
int cd_mx_pools(JNIEnv *jni, cd_mx_pool **pools, size_t *count, cd_error *err);
void cd_mx_pools_free(cd_mx_pool *pools, size_t count);

/* MemoryMXBean's heap and non-heap usage. */
int cd_mx_memory(JNIEnv *jni, cd_mx_usage *heap, cd_mx_usage *non_heap, cd_error *err);

/* Every GarbageCollectorMXBean. */
int cd_mx_collectors(JNIEnv *jni, cd_mx_collector **collectors, size_t *count, cd_error *err);
void cd_mx_collectors_free(cd_mx_collector *collectors, size_t count);

/* HotSpotDiagnosticMXBean.getVMOption(name). Returns 0, or -1 when the flag
 * does not exist in this VM (CD_ERR_NOENT) or the bean cannot be reached. */
int cd_mx_vm_flag(JNIEnv *jni, const char *name, cd_mx_flag *flag, cd_error *err);

/* Every flag the VM's management interface lists (all product, manageable and
 * unlocked flags, as jcmd VM.flags -all does), with type and origin; sorted
 * by name. Uses the JDK's own flag table behind HotSpotDiagnosticMXBean
 * (com.sun.management.internal.Flag on 9+, sun.management.Flag on 8). */
int cd_mx_all_flags(JNIEnv *jni, cd_mx_flag **flags, size_t *count, cd_error *err);
void cd_mx_flag_clear(cd_mx_flag *flag);
void cd_mx_flags_free(cd_mx_flag *flags, size_t count);

#endif
