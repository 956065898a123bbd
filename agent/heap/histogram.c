/*
 * Part "histogram": instances and bytes per class, from one JVMTI heap walk, in
 * jmap -histo's text (memoryinfo/java_heap_histogram.txt) and as JSON
 * (memoryinfo/java_heap_histogram.json).
 *
 * How it counts: in a JVMTI environment of its own, every loaded class is
 * tagged with its index + 1; IterateThroughHeap then hands each object's class
 * tag to a callback that adds the object to that index of a counter array
 * allocated before the walk. The callback allocates nothing and calls nothing,
 * so native memory does not grow with the number of objects, and the walk
 * costs one safepoint. Disposing the environment afterwards drops every tag.
 *
 * A class loaded between the listing and the walk has no tag; its objects are
 * marked (object tag UNTAGGED_CLASS_MARK, at most MAX_MARKED of them) and
 * resolved to their class after the walk. Beyond that cap they get a row of
 * their own ("<objects of classes loaded during the walk>"), so the Total stays
 * true.
 *
 * With live=1, the filler objects HotSpot 19+ puts into known dead space
 * (jdk.internal.vm.FillerObject, [Ljdk.internal.vm.FillerElement;) are left
 * out and only counted in the JSON: the collection and the walk are two
 * safepoints, and every thread that allocates in between leaves the rest of
 * its TLAB as such a filler at the walk, which jmap -histo:live (collection
 * and count in one safepoint) does not have. On JDK 17 and older the fillers
 * are plain int[] arrays and cannot be told apart; running the collection
 * last before the walk keeps that window short.
 *
 * Java heap: the counting needs none. Module names ("java.base@17.0.15") come
 * from Module.getDescriptor().toNameAndVersion() through JNI, which allocates
 * Java objects; under ctx->java_heap_exhausted they are left out, and the JSON
 * says so. With request->live a full GC (JVMTI ForceGarbageCollection) runs
 * first, as jmap -histo:live does.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "base/part_report.h"
#include "base/vm_fields.h"
#include "base/heap_walk.h"
#include "base/jni_util.h"
#include "carbondump/fsutil.h"
#include "carbondump/histogram.h"
#include "heap.h"
#include "base/modules.h"
#include "carbondump/array.h"

#define UNTAGGED_CLASS_MARK ((jlong)-1)
#define MAX_MARKED 100000

typedef struct class_count {
    uint64_t instances;
    uint64_t bytes;
} class_count;

/* Shared between the part and the heap callback; counts[i] belongs to the
 * class tagged i + 1. */
typedef struct walk_state {
    class_count *counts;
    jlong class_count;
    uint64_t marked;               /* objects of untagged classes, marked for later */
    uint64_t unresolved_instances; /* ... and those beyond MAX_MARKED */
    uint64_t unresolved_bytes;
} walk_state;

/* The class table: the loaded classes (JNI local references) and their counts. */
typedef struct class_table {
    jclass *classes;
    class_count *counts;
    size_t count, capacity;
} class_table;

/* ---------------------------------------------------------------- the walk */

/* Runs inside the VM's heap iteration, at a safepoint: no JNI, no JVMTI, no
 * allocation. */
static jint JNICALL count_object(jlong class_tag, jlong size, jlong *tag_ptr, jint length,
                                 void *user_data)
{
    walk_state *walk = user_data;
    if (class_tag > 0 && class_tag <= walk->class_count) {
        class_count *c = &walk->counts[class_tag - 1];
        c->instances++;
        c->bytes += (uint64_t)size;
    } else if (walk->marked < MAX_MARKED) {
        *tag_ptr = UNTAGGED_CLASS_MARK;
        walk->marked++;
    } else {
        walk->unresolved_instances++;
        walk->unresolved_bytes += (uint64_t)size;
    }
    return JVMTI_VISIT_OBJECTS;
}

static int table_reserve(class_table *table, size_t capacity, cd_error *err)
{
    if (capacity <= table->capacity)
        return 0;
    jclass *classes = realloc(table->classes, capacity * sizeof *classes);
    if (classes)
        table->classes = classes;
    class_count *counts = classes ? realloc(table->counts, capacity * sizeof *counts) : NULL;
    if (!counts)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory for %zu classes", capacity);
    memset(counts + table->capacity, 0, (capacity - table->capacity) * sizeof *counts);
    table->counts = counts;
    table->capacity = capacity;
    return 0;
}

/* Lists and tags the loaded classes: class i gets tag i + 1. Their local
 * references stay in the table until the part's frame is popped. */
static int tag_loaded_classes(jvmtiEnv *walk_env, JNIEnv *jni, class_table *table, cd_error *err)
{
    jint n = 0;
    jclass *loaded = NULL;
    jvmtiError e = (*walk_env)->GetLoadedClasses(walk_env, &n, &loaded);
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetLoadedClasses");
    if (jni)
        cd_jni_declare_refs(jni, n);
    /* room for classes that turn up during the walk without reallocating */
    int rc = table_reserve(table, (size_t)n + 256, err);
    for (jint i = 0; rc == 0 && i < n; i++) {
        table->classes[i] = loaded[i];
        e = (*walk_env)->SetTag(walk_env, loaded[i], (jlong)i + 1);
        if (e != JVMTI_ERROR_NONE)
            rc = cd_jvmti_fail(err, e, "SetTag on a class");
    }
    table->count = rc == 0 ? (size_t)n : 0;
    cd_jvmti_free(walk_env, loaded);
    return rc;
}

/* Finds the classes of the objects the walk marked, adding classes the table
 * did not know, and counts those objects. Needs JNI (GetObjectClass), which
 * creates only local references. */
static int resolve_marked(jvmtiEnv *walk_env, JNIEnv *jni, class_table *table, walk_state *walk,
                          cd_error *err)
{
    if (walk->marked == 0)
        return 0;
    jlong mark = UNTAGGED_CLASS_MARK;
    jint n = 0;
    jobject *objects = NULL;
    jvmtiError e = (*walk_env)->GetObjectsWithTags(walk_env, 1, &mark, &n, &objects, NULL);
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetObjectsWithTags");
    if (jni)
        cd_jni_declare_refs(jni, n);
    for (jint i = 0; i < n; i++) {
        jclass cls = jni ? (*jni)->GetObjectClass(jni, objects[i]) : NULL;
        jlong tag = 0, size = 0;
        if (cls)
            (*walk_env)->GetTag(walk_env, cls, &tag);
        (*walk_env)->GetObjectSize(walk_env, objects[i], &size);
        cd_error no_room = {0}; /* without room the object stays unresolved */
        if (cls && tag == 0 &&
            table_reserve(table, table->count < table->capacity ? 0 : table->capacity * 2,
                          &no_room) == 0) {
            table->classes[table->count] = cls;
            tag = (jlong)++table->count;
            (*walk_env)->SetTag(walk_env, cls, tag);
        } else if (cls) {
            (*jni)->DeleteLocalRef(jni, cls);
        }
        if (tag > 0 && (size_t)tag <= table->count) {
            table->counts[tag - 1].instances++;
            table->counts[tag - 1].bytes += (uint64_t)size;
        } else {
            walk->unresolved_instances++;
            walk->unresolved_bytes += (uint64_t)size;
        }
        if (jni)
            (*jni)->DeleteLocalRef(jni, objects[i]);
    }
    cd_jvmti_free(walk_env, objects);
    return 0;
}

/* ---------------------------------------------------------------- modules */

/* "name@version" per module, computed once per module: modules are tagged in
 * the walk environment with their index + 1 in this cache. */
typedef struct module_cache {
    cd_module_reader reader;
    char **texts; /* NULL entry: the unnamed module */
    size_t count, capacity;
    int failed; /* a JNI call failed: stop asking */
    char reason[CD_ERROR_MESSAGE_MAX];
} module_cache;

/* The module suffix of cls, or NULL. Allocates Java objects (a String per
 * module), so only when the Java heap has room. */
static const char *module_of(module_cache *cache, jvmtiEnv *walk_env, JNIEnv *jni, jclass cls)
{
    if (cache->failed)
        return NULL;
    jobject module = (*jni)->GetModule(jni, cls);
    if (!module)
        return NULL;
    jlong tag = 0;
    (*walk_env)->GetTag(walk_env, module, &tag);
    if (tag > 0 && (size_t)tag <= cache->count) {
        (*jni)->DeleteLocalRef(jni, module);
        return cache->texts[tag - 1];
    }
    cd_error err = {0};
    char *text = cd_module_name(&cache->reader, jni, module, &err);
    if (err.code == CD_OK && CD_ARRAY_ROOM_FOR_ONE(cache->texts, cache->capacity, cache->count) != 0)
        cd_fail(&err, CD_ERR_NOMEM, "out of memory");
    if (err.code != CD_OK) {
        free(text);
        cache->failed = 1;
        snprintf(cache->reason, sizeof cache->reason, "%s", err.message);
        (*jni)->DeleteLocalRef(jni, module);
        return NULL;
    }
    cache->texts[cache->count++] = text;
    (*walk_env)->SetTag(walk_env, module, (jlong)cache->count);
    (*jni)->DeleteLocalRef(jni, module);
    return text;
}

static void module_cache_free(module_cache *cache)
{
    for (size_t i = 0; i < cache->count; i++)
        free(cache->texts[i]);
    free(cache->texts);
}

/* ---------------------------------------------------------------- output */

typedef struct histogram {
    cd_histo_row *rows; /* names are malloc'd copies */
    size_t row_count;
    uint64_t fillers_instances, fillers_bytes; /* dead fillers left out (live only) */
} histogram;

static void histogram_free(histogram *h)
{
    for (size_t i = 0; i < h->row_count; i++)
        free((char *)h->rows[i].name);
    free(h->rows);
}

/* One row per class with instances, named as jmap names it, sorted; plus one
 * for objects whose class could not be found, if any. */
static int build_rows(cd_part_ctx *ctx, jvmtiEnv *walk_env, const class_table *table,
                      const walk_state *walk, module_cache *modules, histogram *h, cd_error *err)
{
    size_t with_instances = walk->unresolved_instances > 0;
    for (size_t i = 0; i < table->count; i++)
        with_instances += table->counts[i].instances > 0;
    h->rows = calloc(with_instances ? with_instances : 1, sizeof *h->rows);
    if (!h->rows)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory for %zu histogram rows", with_instances);
    int modules_wanted =
        !ctx->java_heap_exhausted && ctx->jni && (*ctx->jni)->GetVersion(ctx->jni) >= JNI_VERSION_9;
    if (modules_wanted) /* by toNameAndVersion: the heap has room */
        cd_module_reader_init(&modules->reader, walk_env, ctx->jni, NULL, NULL, NULL, 1);
    for (size_t i = 0; i < table->count; i++) {
        if (table->counts[i].instances == 0)
            continue;
        cd_histo_row *row = &h->rows[h->row_count];
        if (!(row->name = cd_class_name_of(walk_env, table->classes[i])))
            return cd_fail(err, CD_ERR_NOMEM, "out of memory for class names");
        if (ctx->request->live && cd_class_is_heap_filler(row->name)) {
            h->fillers_instances += table->counts[i].instances;
            h->fillers_bytes += table->counts[i].bytes;
            free((char *)row->name);
            continue;
        }
        h->row_count++;
        row->instances = table->counts[i].instances;
        row->bytes = table->counts[i].bytes;
        row->module =
            modules_wanted ? module_of(modules, walk_env, ctx->jni, table->classes[i]) : NULL;
    }
    /* A row jmap never prints, but the objects are there: leaving them out
     * would make the Total lie. Only after a capped number of late classes. */
    if (walk->unresolved_instances) {
        cd_histo_row *row = &h->rows[h->row_count];
        if (!(row->name = strdup("<objects of classes loaded during the walk>")))
            return cd_fail(err, CD_ERR_NOMEM, "out of memory for class names");
        h->row_count++;
        row->instances = walk->unresolved_instances;
        row->bytes = walk->unresolved_bytes;
    }
    cd_histo_sort(h->rows, h->row_count);
    return 0;
}

static cJSON *json_report(const cd_part_ctx *ctx, const histogram *h, const walk_state *walk,
                          size_t loaded_classes, uint64_t gc_ms, uint64_t walk_ms,
                          const module_cache *modules)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "live", ctx->request->live != 0);
    cJSON_AddNumberToObject(root, "loaded_classes", (double)loaded_classes);
    if (ctx->request->live)
        cJSON_AddNumberToObject(root, "gc_ms", (double)gc_ms);
    cJSON_AddNumberToObject(root, "walk_ms", (double)walk_ms);
    uint64_t instances = 0, bytes = 0;
    for (size_t i = 0; i < h->row_count; i++) {
        instances += h->rows[i].instances;
        bytes += h->rows[i].bytes;
    }
    cJSON_AddNumberToObject(root, "total_instances", (double)instances);
    cJSON_AddNumberToObject(root, "total_bytes", (double)bytes);
    if (h->fillers_instances) {
        cJSON *fillers = cJSON_AddObjectToObject(root, "dead_fillers_left_out");
        cJSON_AddNumberToObject(fillers, "instances", (double)h->fillers_instances);
        cJSON_AddNumberToObject(fillers, "bytes", (double)h->fillers_bytes);
    }
    if (walk->unresolved_instances) {
        cJSON_AddNumberToObject(root, "unresolved_instances", (double)walk->unresolved_instances);
        cJSON_AddNumberToObject(root, "unresolved_bytes", (double)walk->unresolved_bytes);
    }
    if (ctx->java_heap_exhausted)
        cJSON_AddStringToObject(root, "modules_omitted",
                                "the Java heap is exhausted: module names need Java allocation");
    else if (modules->failed)
        cJSON_AddStringToObject(root, "modules_omitted", modules->reason);
    cJSON *rows = cd_histo_rows_json(h->rows, h->row_count);
    if (!rows || !cJSON_AddItemToObject(root, "classes", rows)) {
        cJSON_Delete(rows);
        cJSON_Delete(root);
        return NULL; /* cd_part_report_write reports it as out of memory */
    }
    return root;
}

static void write_text(cd_sink *out, const void *data)
{
    const histogram *h = data;
    cd_histo_write_text(out, h->rows, h->row_count);
}

/* ---------------------------------------------------------------- the part */

int cd_part_histogram(cd_part_ctx *ctx, cd_error *err)
{
    JNIEnv *jni = ctx->jni;
    /* The class list comes back as local references: one frame frees them all. */
    if (jni && cd_jni_frame_push(jni, 64, err) != 0)
        return -1;
    jvmtiEnv *walk_env = NULL;
    class_table table = {0};
    walk_state walk = {0};
    module_cache modules = {0};
    histogram h = {0};
    uint64_t gc_ms = 0, walk_ms = 0;
    int rc = -1;

    if (cd_walk_env_open(ctx->agent, &walk_env, err) != 0)
        goto out;
    if (tag_loaded_classes(walk_env, jni, &table, err) != 0)
        goto out;
    /* The collection runs last before the walk, to keep the window for dead
     * TLAB fillers short (see the top of this file). */
    if (ctx->request->live && cd_walk_force_gc(walk_env, &gc_ms, err) != 0)
        goto out;
    size_t loaded = table.count;

    walk.counts = table.counts;
    walk.class_count = (jlong)table.count;
    jvmtiHeapCallbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.heap_iteration_callback = count_object;
    uint64_t t0 = cd_monotonic_ms();
    jvmtiError e = (*walk_env)->IterateThroughHeap(walk_env, 0, NULL, &callbacks, &walk);
    walk_ms = cd_monotonic_ms() - t0;
    if (e != JVMTI_ERROR_NONE) {
        cd_jvmti_fail(err, e, "IterateThroughHeap");
        goto out;
    }
    if (resolve_marked(walk_env, jni, &table, &walk, err) != 0)
        goto out;
    if (build_rows(ctx, walk_env, &table, &walk, &modules, &h, err) != 0)
        goto out;
    rc = cd_part_report_write(ctx, "memoryinfo/java_heap_histogram.txt", write_text, &h,
                              "memoryinfo/java_heap_histogram.json",
                              json_report(ctx, &h, &walk, loaded, gc_ms, walk_ms, &modules), err);
out:
    histogram_free(&h);
    module_cache_free(&modules);
    cd_walk_env_close(walk_env);
    free(table.classes);
    free(table.counts);
    if (jni)
        cd_jni_frame_pop(jni);
    return rc;
}
