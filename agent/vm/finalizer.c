/*
 * Part "finalizer": objects awaiting finalization, counted per class, in
 * memoryinfo/objects_awaiting_finalization.txt (jmap -finalizerinfo's text)
 * and memoryinfo/objects_awaiting_finalization.json.
 *
 * "Awaiting finalization" means what jmap means: the collector found the
 * object unreachable, and its java.lang.ref.Finalizer sits in Finalizer's
 * ReferenceQueue, waiting for the finalizer thread. The part walks that
 * queue: Finalizer.queue (static) -> ReferenceQueue.head -> Reference.next
 * ... (the last element's next is itself), counting each element's referent
 * by class. An object whose finalize() is running right now has left the
 * queue and is not counted (nor by jmap).
 *
 * Java heap: the walk uses JNI field reads only (fields found through JVMTI,
 * see vm_fields.h): no Java call, no Java allocation. It therefore also runs
 * under ctx->java_heap_exhausted, where a finalizer backlog is a prime
 * suspect. The queue is read while the finalizer thread may be taking from
 * it: an element taken meanwhile ends the walk early (its next is then
 * itself), so the count is a snapshot that can only err low, by what the
 * finalizer thread consumed during the walk.
 *
 * JDK 18+ can run with finalization disabled (--finalization=disabled):
 * Finalizer.ENABLED is then false and the report says so.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "base/part_report.h"
#include "base/heap_walk.h"
#include "base/jni_util.h"
#include "base/vm_fields.h"
#include "vm.h"
#include "carbondump/array.h"

/* A bound on the walk, should the queue ever be corrupt or cyclic. */
#define MAX_QUEUE_ELEMENTS 100000000L

enum { FINALIZER, REFERENCE_QUEUE, REFERENCE, CLASS_COUNT };
static const char *const class_signatures[CLASS_COUNT] = {
    "Ljava/lang/ref/Finalizer;", "Ljava/lang/ref/ReferenceQueue;", "Ljava/lang/ref/Reference;"};

typedef struct queue_fields {
    jclass finalizer;
    jfieldID queue, head, next, referent, enabled, queue_length;
} queue_fields;

typedef struct class_entry {
    char *name;
    uint64_t instances;
} class_entry;

typedef struct backlog {
    int disabled;
    class_entry *classes; /* index = class tag - 1 in the walk environment */
    size_t class_count, capacity;
    uint64_t total;
    int64_t queue_length; /* ReferenceQueue.queueLength, -1 if absent */
    int truncated;
} backlog;

static int find_fields(jvmtiEnv *jvmti, JNIEnv *jni, queue_fields *f, cd_error *err)
{
    jclass classes[CLASS_COUNT];
    if (cd_find_loaded_classes_jni(jvmti, jni, class_signatures, classes, CLASS_COUNT, err) != 0)
        return -1;
    f->finalizer = classes[FINALIZER];
    f->queue = cd_find_field(jvmti, classes[FINALIZER], "queue", 1);
    f->enabled = cd_find_field(jvmti, classes[FINALIZER], "ENABLED", 1);
    f->head = cd_find_field(jvmti, classes[REFERENCE_QUEUE], "head", 0);
    f->queue_length = cd_find_field(jvmti, classes[REFERENCE_QUEUE], "queueLength", 0);
    f->next = cd_find_field(jvmti, classes[REFERENCE], "next", 0);
    f->referent = cd_find_field(jvmti, classes[REFERENCE], "referent", 0);
    if (!f->finalizer)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "java.lang.ref.Finalizer is not loaded");
    if (!f->queue || !f->head || !f->next || !f->referent)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "this JDK's finalizer queue has an unknown layout (Finalizer.queue, "
                       "ReferenceQueue.head, Reference.next/referent not all found)");
    return 0;
}

/* The entry for cls, added on first sight; classes are told apart by tags in
 * the walk environment. NULL when out of memory. */
static class_entry *entry_for(jvmtiEnv *walk_env, backlog *b, jclass cls)
{
    jlong tag = 0;
    (*walk_env)->GetTag(walk_env, cls, &tag);
    if (tag > 0 && (size_t)tag <= b->class_count)
        return &b->classes[tag - 1];
    if (CD_ARRAY_ROOM_FOR_ONE(b->classes, b->capacity, b->class_count) != 0)
        return NULL;
    class_entry *e = &b->classes[b->class_count];
    if (!(e->name = cd_class_name_of(walk_env, cls)))
        return NULL;
    e->instances = 0;
    b->class_count++;
    (*walk_env)->SetTag(walk_env, cls, (jlong)b->class_count);
    return e;
}

/* Follows the queue from its head, counting referents by class. */
static int walk_queue(JNIEnv *jni, jvmtiEnv *walk_env, const queue_fields *f, backlog *b,
                      cd_error *err)
{
    jobject queue = (*jni)->GetStaticObjectField(jni, f->finalizer, f->queue);
    if (!queue)
        return 0; /* never created: nothing was ever finalizable */
    b->queue_length =
        f->queue_length ? (int64_t)(*jni)->GetLongField(jni, queue, f->queue_length) : -1;
    jobject node = (*jni)->GetObjectField(jni, queue, f->head);
    (*jni)->DeleteLocalRef(jni, queue);
    for (long seen = 0; node; seen++) {
        if (seen == MAX_QUEUE_ELEMENTS) {
            b->truncated = 1;
            break;
        }
        jobject referent = (*jni)->GetObjectField(jni, node, f->referent);
        if (referent) {
            jclass cls = (*jni)->GetObjectClass(jni, referent);
            class_entry *e = cls ? entry_for(walk_env, b, cls) : NULL;
            if (cls && !e) {
                (*jni)->DeleteLocalRef(jni, node);
                return cd_fail(err, CD_ERR_NOMEM, "out of memory counting the finalizer queue");
            }
            if (e) {
                e->instances++;
                b->total++;
            }
            if (cls)
                (*jni)->DeleteLocalRef(jni, cls);
            (*jni)->DeleteLocalRef(jni, referent);
        }
        jobject next = (*jni)->GetObjectField(jni, node, f->next);
        int last = !next || (*jni)->IsSameObject(jni, next, node);
        (*jni)->DeleteLocalRef(jni, node);
        node = next;
        if (last) {
            if (node)
                (*jni)->DeleteLocalRef(jni, node);
            break;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- output */

static int compare_entries(const void *a, const void *b)
{
    const class_entry *x = a, *y = b;
    if (x->instances != y->instances)
        return x->instances > y->instances ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void write_text(cd_sink *out, const void *data)
{
    const backlog *b = data;
    if (b->disabled) {
        cd_sink_puts(out, "Finalization is disabled (--finalization=disabled): no object is "
                          "waiting for finalization and none ever will.\n");
        return;
    }
    if (b->total == 0) {
        cd_sink_puts(out, "No instances waiting for finalization found\n");
        return;
    }
    cd_sink_puts(out, "Unreachable instances waiting for finalization\n");
    cd_sink_puts(out, "#instances  class name\n");
    cd_sink_puts(out, "-----------------------\n");
    for (size_t i = 0; i < b->class_count; i++)
        cd_sink_printf(out, "%10llu  %s\n", (unsigned long long)b->classes[i].instances,
                       b->classes[i].name);
}

static cJSON *json_report(const backlog *b)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "finalization_enabled", !b->disabled);
    cJSON_AddNumberToObject(root, "total", (double)b->total);
    if (b->queue_length >= 0)
        cJSON_AddNumberToObject(root, "queue_length", (double)b->queue_length);
    if (b->truncated)
        cJSON_AddBoolToObject(root, "truncated", 1);
    cJSON *classes = cJSON_AddArrayToObject(root, "classes");
    for (size_t i = 0; i < b->class_count; i++) {
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "name", b->classes[i].name);
        cJSON_AddNumberToObject(item, "instances", (double)b->classes[i].instances);
        cJSON_AddItemToArray(classes, item);
    }
    return root;
}

/* ---------------------------------------------------------------- the part */

int cd_part_finalizer(cd_part_ctx *ctx, cd_error *err)
{
    /* JNI field reads only: allowed under java_heap_exhausted (see top). */
    JNIEnv *jni = ctx->jni;
    if (cd_jni_frame_push(jni, 64, err) != 0)
        return -1;
    backlog b = {.queue_length = -1};
    queue_fields f = {0};
    jvmtiEnv *walk_env = NULL;
    int rc = -1;
    if (find_fields(ctx->jvmti, jni, &f, err) != 0)
        goto out;
    b.disabled = f.enabled && !(*jni)->GetStaticBooleanField(jni, f.finalizer, f.enabled);
    if (!b.disabled) {
        if (cd_walk_env_open(ctx->agent, &walk_env, err) != 0 ||
            walk_queue(jni, walk_env, &f, &b, err) != 0)
            goto out;
        qsort(b.classes, b.class_count, sizeof *b.classes, compare_entries);
    }
    rc =
        cd_part_report_write(ctx, "memoryinfo/objects_awaiting_finalization.txt", write_text, &b,
                             "memoryinfo/objects_awaiting_finalization.json", json_report(&b), err);
out:
    cd_walk_env_close(walk_env);
    for (size_t i = 0; i < b.class_count; i++)
        free(b.classes[i].name);
    free(b.classes);
    cd_jni_frame_pop(jni);
    return rc;
}
