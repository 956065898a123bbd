/*
 * Part "classloaders": every class loader with the classes it defined, its
 * parent and identity, with totals and the VM's metaspace use, in
 * memoryinfo/class_loader_statistics.txt (+ .json). It replaces jmap -permstat
 * and serves where jcmd VM.classloader_stats cannot be run.
 *
 * Classes are attributed to their defining loader (JVMTI GetClassLoader; the
 * bootstrap loader is NULL). Array classes are left out, as they are not
 * defined by anyone; hidden classes (lambdas, method handle forms) count
 * with their loader and are also shown separately. Loaders are told apart by
 * tags in a JVMTI environment of the part's own. Each loader is named the way
 * Object.toString() names it (class@identity hash), plus ClassLoader.name
 * where it has one (JDK 9+), and its parent comes from ClassLoader.parent, so
 * loaders that define nothing themselves still appear as parents.
 *
 * "Bytes" is what the agent can know per loader: the heap size of the
 * loader's java.lang.Class objects, which hold the classes' static fields.
 * The class metadata itself lives in metaspace, which the VM reports only as
 * a whole (the Metaspace and Compressed Class Space pools, below the table).
 *
 * Java heap: the table needs none (JVMTI plus JNI field reads, found through
 * vm_fields.h). The metaspace figures come from MemoryPoolMXBean through JNI
 * and are left out, with the reason, under ctx->java_heap_exhausted.
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
#include "base/mxbeans.h"
#include "base/vm_fields.h"
#include "carbondump/histogram.h"
#include "vm.h"
#include "carbondump/array.h"

#define BOOTSTRAP 0 /* index of the bootstrap loader's row */

typedef struct loader_row {
    jobject loader; /* local reference; NULL for the bootstrap loader */
    char *class_name;
    char *name; /* ClassLoader.name, or NULL */
    jint identity_hash;
    long parent; /* row index, -1 for none (the bootstrap loader) */
    uint64_t classes, hidden, class_object_bytes;
} loader_row;

typedef struct loader_table {
    loader_row *rows;
    size_t count, capacity;
    jfieldID parent_field, name_field;
    uint64_t classes, hidden, class_object_bytes;
} loader_table;

typedef struct metaspace {
    int known;
    char missing[CD_ERROR_MESSAGE_MAX];
    cd_mx_usage metaspace, class_space;
    int has_class_space;
} metaspace;

/* ---------------------------------------------------------------- loaders */

/* The row of loader (NULL: bootstrap), added on first sight with its parent
 * chain. Returns the row index or -1 when out of memory. */
static long row_of(JNIEnv *jni, jvmtiEnv *walk_env, loader_table *t, jobject loader, int depth)
{
    if (!loader)
        return BOOTSTRAP;
    jlong tag = 0;
    (*walk_env)->GetTag(walk_env, loader, &tag);
    if (tag > 0) {
        (*jni)->DeleteLocalRef(jni, loader);
        return (long)tag - 1;
    }
    if (CD_ARRAY_ROOM_FOR_ONE(t->rows, t->capacity, t->count) != 0)
        return -1;
    long index = (long)t->count++;
    loader_row *row = &t->rows[index];
    memset(row, 0, sizeof *row);
    row->loader = loader;
    (*walk_env)->SetTag(walk_env, loader, (jlong)index + 1);
    (*walk_env)->GetObjectHashCode(walk_env, loader, &row->identity_hash);
    jclass cls = (*jni)->GetObjectClass(jni, loader);
    row->class_name = cd_class_name_of(walk_env, cls);
    if (cls)
        (*jni)->DeleteLocalRef(jni, cls);
    row->name = cd_jni_string_field(jni, loader, t->name_field);
    row->parent = BOOTSTRAP;
    /* a parent chain deeper than this is a loop or a pathology: cut it */
    if (t->parent_field && depth < 256) {
        jobject parent = (*jni)->GetObjectField(jni, loader, t->parent_field);
        long parent_row = row_of(jni, walk_env, t, parent, depth + 1);
        if (parent_row < 0)
            return -1;
        t->rows[index].parent = parent_row; /* rows may have moved */
    }
    return t->rows[index].class_name ? index : -1;
}

static int count_classes(cd_part_ctx *ctx, jvmtiEnv *walk_env, loader_table *t, cd_error *err)
{
    JNIEnv *jni = ctx->jni;
    jint n = 0;
    jclass *classes = NULL;
    jvmtiError e = (*walk_env)->GetLoadedClasses(walk_env, &n, &classes);
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetLoadedClasses");
    cd_jni_declare_refs(jni, n);
    int rc = 0;
    for (jint i = 0; i < n && rc == 0; i++) {
        char *signature = NULL;
        if ((*walk_env)->GetClassSignature(walk_env, classes[i], &signature, NULL) !=
                JVMTI_ERROR_NONE ||
            signature[0] == '[') {
            cd_jvmti_free(walk_env, signature);
            (*jni)->DeleteLocalRef(jni, classes[i]);
            continue;
        }
        int hidden = cd_class_signature_is_hidden(signature);
        cd_jvmti_free(walk_env, signature);
        jobject loader = NULL;
        jlong size = 0;
        (*walk_env)->GetClassLoader(walk_env, classes[i], &loader);
        (*walk_env)->GetObjectSize(walk_env, classes[i], &size);
        long row = row_of(jni, walk_env, t, loader, 0);
        if (row < 0) {
            rc = cd_fail(err, CD_ERR_NOMEM, "out of memory for the class loader table");
            break;
        }
        t->rows[row].classes++;
        t->rows[row].hidden += hidden;
        t->rows[row].class_object_bytes += (uint64_t)size;
        t->classes++;
        t->hidden += hidden;
        t->class_object_bytes += (uint64_t)size;
        (*jni)->DeleteLocalRef(jni, classes[i]);
    }
    cd_jvmti_free(walk_env, classes);
    return rc;
}

/* ---------------------------------------------------------------- output */

static void loader_label(const loader_table *t, long index, char *out, size_t outlen)
{
    if (index < 0) {
        snprintf(out, outlen, "-");
        return;
    }
    const loader_row *r = &t->rows[index];
    if (index == BOOTSTRAP)
        snprintf(out, outlen, "<bootstrap>");
    else if (r->name)
        snprintf(out, outlen, "%s@%x \"%s\"", r->class_name, (unsigned)r->identity_hash, r->name);
    else
        snprintf(out, outlen, "%s@%x", r->class_name, (unsigned)r->identity_hash);
}

static int compare_rows_by_classes(const void *a, const void *b, void *table)
{
    const loader_table *t = table;
    const loader_row *x = &t->rows[*(const long *)a], *y = &t->rows[*(const long *)b];
    if (x->classes != y->classes)
        return x->classes > y->classes ? -1 : 1;
    return *(const long *)a < *(const long *)b ? -1 : 1;
}

static void print_usage(cd_sink *out, const char *label, const cd_mx_usage *u)
{
    cd_sink_printf(out, "  %-24s used %lld, committed %lld, max %lld\n", label, (long long)u->used,
                   (long long)u->committed, (long long)u->max);
}

/* What the report shows: the table in display order, and metaspace. */
typedef struct loader_report {
    const loader_table *t;
    const long *order;
    const metaspace *m;
} loader_report;

static void write_text(cd_sink *out, const void *data)
{
    const loader_report *report = data;
    const loader_table *t = report->t;
    const long *order = report->order;
    const metaspace *m = report->m;
    cd_sink_puts(out, "Class loaders (classes by defining loader; array classes not counted;\n"
                      "bytes = heap size of the loader's java.lang.Class objects)\n\n");
    cd_sink_printf(out, "%10s %8s %14s  %s  ->  %s\n", "classes", "hidden", "bytes", "loader",
                   "parent");
    for (size_t i = 0; i < t->count; i++) {
        const loader_row *r = &t->rows[order[i]];
        char loader[CD_CLASS_NAME_MAX + 64], parent[CD_CLASS_NAME_MAX + 64];
        loader_label(t, order[i], loader, sizeof loader);
        loader_label(t, order[i] == BOOTSTRAP ? -1 : r->parent, parent, sizeof parent);
        cd_sink_printf(out, "%10llu %8llu %14llu  %s  ->  %s\n", (unsigned long long)r->classes,
                       (unsigned long long)r->hidden, (unsigned long long)r->class_object_bytes,
                       loader, parent);
    }
    cd_sink_printf(out, "\nTotal: %zu class loaders, %llu classes (%llu hidden), %llu bytes\n",
                   t->count, (unsigned long long)t->classes, (unsigned long long)t->hidden,
                   (unsigned long long)t->class_object_bytes);
    cd_sink_puts(out, "\nMetaspace (MemoryPoolMXBean, bytes):\n");
    if (!m->known) {
        cd_sink_printf(out, "  not available: %s\n", m->missing);
        return;
    }
    print_usage(out, "Metaspace", &m->metaspace);
    if (m->has_class_space)
        print_usage(out, "Compressed Class Space", &m->class_space);
}

static cJSON *usage_json(const cd_mx_usage *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "used", (double)u->used);
    cJSON_AddNumberToObject(o, "committed", (double)u->committed);
    cJSON_AddNumberToObject(o, "max", (double)u->max);
    return o;
}

static cJSON *json_report(const loader_table *t, const long *order, const metaspace *m)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *loaders = cJSON_AddArrayToObject(root, "loaders");
    for (size_t i = 0; i < t->count; i++) {
        const loader_row *r = &t->rows[order[i]];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "id", (double)order[i]);
        if (order[i] == BOOTSTRAP) {
            cJSON_AddStringToObject(item, "class", "<bootstrap>");
            cJSON_AddNullToObject(item, "parent_id");
        } else {
            char hash[16];
            snprintf(hash, sizeof hash, "%x", (unsigned)r->identity_hash);
            cJSON_AddStringToObject(item, "class", r->class_name);
            cJSON_AddStringToObject(item, "identity_hash", hash);
            if (r->name)
                cJSON_AddStringToObject(item, "name", r->name);
            cJSON_AddNumberToObject(item, "parent_id", (double)r->parent);
        }
        cJSON_AddNumberToObject(item, "classes", (double)r->classes);
        cJSON_AddNumberToObject(item, "hidden_classes", (double)r->hidden);
        cJSON_AddNumberToObject(item, "class_object_bytes", (double)r->class_object_bytes);
        cJSON_AddItemToArray(loaders, item);
    }
    cJSON *totals = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(totals, "loaders", (double)t->count);
    cJSON_AddNumberToObject(totals, "classes", (double)t->classes);
    cJSON_AddNumberToObject(totals, "hidden_classes", (double)t->hidden);
    cJSON_AddNumberToObject(totals, "class_object_bytes", (double)t->class_object_bytes);
    if (m->known) {
        cJSON *meta = cJSON_AddObjectToObject(root, "metaspace");
        cJSON_AddItemToObject(meta, "metaspace", usage_json(&m->metaspace));
        if (m->has_class_space)
            cJSON_AddItemToObject(meta, "compressed_class_space", usage_json(&m->class_space));
    } else {
        cJSON_AddStringToObject(root, "metaspace_missing", m->missing);
    }
    return root;
}

/* Metaspace pools through MemoryPoolMXBean: Java allocation. */
static void read_metaspace(cd_part_ctx *ctx, metaspace *m)
{
    if (ctx->java_heap_exhausted) {
        snprintf(m->missing, sizeof m->missing,
                 "the Java heap is exhausted and MemoryPoolMXBean needs Java allocation");
        return;
    }
    cd_mx_pool *pools = NULL;
    size_t count = 0;
    cd_error err = {0};
    if (cd_mx_pools(ctx->jni, &pools, &count, &err) != 0) {
        snprintf(m->missing, sizeof m->missing, "%s", err.message);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        if (!pools[i].name)
            continue;
        if (strcmp(pools[i].name, "Metaspace") == 0) {
            m->metaspace = pools[i].usage;
            m->known = 1;
        } else if (strcmp(pools[i].name, "Compressed Class Space") == 0) {
            m->class_space = pools[i].usage;
            m->has_class_space = 1;
        }
    }
    if (!m->known)
        snprintf(m->missing, sizeof m->missing, "this JVM has no Metaspace pool");
    cd_mx_pools_free(pools, count);
}

/* ---------------------------------------------------------------- the part */

int cd_part_classloaders(cd_part_ctx *ctx, cd_error *err)
{
    JNIEnv *jni = ctx->jni;
    if (cd_jni_frame_push(jni, 64, err) != 0)
        return -1;
    jvmtiEnv *walk_env = NULL;
    loader_table t = {0};
    metaspace m = {0};
    long *order = NULL;
    int rc = -1;
    static const char *const class_loader_signature[] = {"Ljava/lang/ClassLoader;"};
    jclass class_loader = NULL;
    if (cd_find_loaded_classes_jni(ctx->jvmti, jni, class_loader_signature, &class_loader, 1,
                                   err) != 0)
        goto out;
    t.parent_field = cd_find_field(ctx->jvmti, class_loader, "parent", 0);
    t.name_field = cd_find_field(ctx->jvmti, class_loader, "name", 0);
    t.capacity = 64;
    t.rows = calloc(t.capacity, sizeof *t.rows);
    if (!t.rows) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
        goto out;
    }
    t.count = 1; /* the bootstrap loader's row, all zero */
    t.rows[BOOTSTRAP].parent = -1;
    if (cd_walk_env_open(ctx->agent, &walk_env, err) != 0 ||
        count_classes(ctx, walk_env, &t, err) != 0)
        goto out;
    read_metaspace(ctx, &m);

    order = malloc(t.count * sizeof *order);
    if (!order) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < t.count; i++)
        order[i] = (long)i;
    qsort_r(order, t.count, sizeof *order, compare_rows_by_classes, &t);

    loader_report report = {&t, order, &m};
    rc = cd_part_report_write(ctx, "memoryinfo/class_loader_statistics.txt", write_text, &report,
                              "memoryinfo/class_loader_statistics.json", json_report(&t, order, &m),
                              err);
out:
    cd_walk_env_close(walk_env);
    for (size_t i = 0; i < t.count; i++) {
        free(t.rows[i].class_name);
        free(t.rows[i].name);
    }
    free(t.rows);
    free(order);
    cd_jni_frame_pop(jni);
    return rc;
}
