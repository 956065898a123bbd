/*
 * The deadlock watch: see deadlock_watch.h.
 *
 * A deadlock is identified by the sorted ids of its threads, hashed; the hashes
 * of reported deadlocks are kept in a small ring, enough for a JVM that
 * deadlocks in a few different places.
 */
#include "deadlock_watch.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/jni_util.h"

#define REMEMBERED 64

static uint64_t reported[REMEMBERED];
static size_t reported_count;

static int compare_ids(const void *a, const void *b)
{
    jlong x = *(const jlong *)a, y = *(const jlong *)b;
    return x < y ? -1 : x > y;
}

/* FNV-1a over the sorted thread ids. */
static uint64_t signature(jlong *ids, jsize n)
{
    qsort(ids, (size_t)n, sizeof *ids, compare_ids);
    uint64_t h = 14695981039346656037ull;
    for (jsize i = 0; i < n; i++)
        for (int b = 0; b < 8; b++) {
            h ^= (uint64_t)((unsigned long long)ids[i] >> (8 * b)) & 0xff;
            h *= 1099511628211ull;
        }
    return h;
}

static int seen(uint64_t sig)
{
    size_t n = reported_count < REMEMBERED ? reported_count : REMEMBERED;
    for (size_t i = 0; i < n; i++)
        if (reported[i] == sig)
            return 1;
    return 0;
}

int cd_deadlock_watch_check(JNIEnv *jni, cd_error *err)
{
    if (cd_jni_frame_push(jni, 16, err) != 0)
        return -1;
    int rc = 0;
    jobject bean = cd_jni_static_object(jni, "java/lang/management/ManagementFactory",
                                        "getThreadMXBean",
                                        "()Ljava/lang/management/ThreadMXBean;", err);
    jlongArray found = bean ? (jlongArray)cd_jni_object(jni, bean, "findDeadlockedThreads",
                                                        "()[J", err)
                            : NULL;
    if (!bean || (err->code != CD_OK)) {
        rc = -1;
    } else if (found) {
        jsize n = (*jni)->GetArrayLength(jni, found);
        jlong *ids = n > 0 ? malloc((size_t)n * sizeof *ids) : NULL;
        if (ids) {
            (*jni)->GetLongArrayRegion(jni, found, 0, n, ids);
            uint64_t sig = signature(ids, n);
            free(ids);
            if (!seen(sig)) {
                reported[reported_count++ % REMEMBERED] = sig;
                rc = 1;
            }
        }
    }
    cd_jni_frame_pop(jni);
    return rc;
}
