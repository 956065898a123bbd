/*
 * Part "heap-summary": the collector in use, the heap's sizing flags and every
 * memory pool with its use, in memoryinfo/java_heap_summary.txt (+ .json).
 * It replaces `jmap -heap`, which modern JDKs no longer have.
 *
 *  - Collector: the VM flag that selects it (UseG1GC, UseParallelGC,
 *    UseSerialGC, UseZGC, UseShenandoahGC, UseConcMarkSweepGC, UseEpsilonGC)
 *    from HotSpotDiagnosticMXBean; if no flag answers, the names of the
 *    GarbageCollectorMXBeans decide.
 *  - Pools: MemoryPoolMXBean (used, committed, max, init), heap ones summed
 *    into young and old generation where the collector has generations;
 *    Metaspace and Compressed Class Space come out on their own.
 *
 * Uses JNI and allocates Java objects throughout (the MXBeans are Java).
 * Under ctx->java_heap_exhausted, right when an OutOfMemoryError makes the
 * summary most wanted, the same report comes from the JVM's hsperfdata
 * counters instead (heap_perfdata.h): generations and spaces, Metaspace and
 * the collectors, without the sizing flags (those need Java).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "base/part_report.h"
#include "base/mxbeans.h"
#include "heap.h"
#include "heap_perfdata.h"

/* The flags jmap -heap showed, and their modern companions. Flags this VM
 * does not have (MinHeapSize before JDK 13 ...) are left out. */
static const char *const sizing_flags[] = {
    "MinHeapFreeRatio",
    "MaxHeapFreeRatio",
    "MaxHeapSize",
    "SoftMaxHeapSize",
    "InitialHeapSize",
    "MinHeapSize",
    "NewSize",
    "MaxNewSize",
    "OldSize",
    "NewRatio",
    "SurvivorRatio",
    "MetaspaceSize",
    "MaxMetaspaceSize",
    "CompressedClassSpaceSize",
    "MaxDirectMemorySize",
    "G1HeapRegionSize",
    "ParallelGCThreads",
    "ConcGCThreads",
    "MaxRAMPercentage",
    "InitialRAMPercentage",
    "UseCompressedOops",
    "UseCompressedClassPointers",
};

/* Which flag selects which collector, in the words operators use. */
static const struct {
    const char *flag, *name;
} collector_flags[] = {
    {"UseG1GC", "G1"},           {"UseParallelGC", "Parallel"},     {"UseSerialGC", "Serial"},
    {"UseZGC", "ZGC"},           {"UseShenandoahGC", "Shenandoah"}, {"UseConcMarkSweepGC", "CMS"},
    {"UseEpsilonGC", "Epsilon"},
};

/* GarbageCollectorMXBean names (prefixes) of each collector, for a VM whose
 * flags cannot be read. */
static const struct {
    const char *bean_prefix, *name;
} collector_beans[] = {
    {"G1 ", "G1"},
    {"PS ", "Parallel"},
    {"Copy", "Serial"},
    {"MarkSweepCompact", "Serial"},
    {"ZGC", "ZGC"},
    {"Z ", "ZGC"}, /* hsperfdata's "Z concurrent cycle pauses" */
    {"Shenandoah", "Shenandoah"},
    {"ConcurrentMarkSweep", "CMS"},
    {"ParNew", "CMS"},
    {"Epsilon", "Epsilon"},
};

/* hsperfdata's sun.gc.policy.name of each collector that has one. */
static const struct {
    const char *policy, *name;
} collector_policies[] = {
    {"GarbageFirst", "G1"},
    {"ParScav:MSC", "Parallel"},
    {"Copy:MSC", "Serial"},
    {"ParNew:CMS", "CMS"},
};

typedef enum generation { GEN_NONE, GEN_YOUNG, GEN_OLD } generation;

/* A heap pool's generation from its name: Eden and Survivor spaces are young
 * ("PS Eden Space", "G1 Survivor Space", "ZGC Young Generation"), Old and
 * Tenured gens old; single-generation heaps (ZHeap, Shenandoah) are neither. */
static generation pool_generation(const cd_mx_pool *pool)
{
    if (!pool->heap || !pool->name)
        return GEN_NONE;
    if (strstr(pool->name, "Eden") || strstr(pool->name, "Survivor") || strstr(pool->name, "Young"))
        return GEN_YOUNG;
    if (strstr(pool->name, "Old") || strstr(pool->name, "Tenured"))
        return GEN_OLD;
    return GEN_NONE;
}

typedef struct summary {
    const char *collector; /* "G1" ..., or NULL if unknown */
    const char *collector_flag;
    cd_mx_flag flags[sizeof sizing_flags / sizeof *sizing_flags];
    cd_mx_pool *pools;
    size_t pool_count;
    cd_mx_collector *collectors;
    size_t collector_count;
    cd_mx_usage heap, non_heap;
    cd_mx_usage young, old;
    int has_young, has_old;
    const char *source; /* "mxbeans", or "hsperfdata" when the heap is exhausted */
} summary;

static void add_usage(cd_mx_usage *sum, const cd_mx_usage *u)
{
    /* max is -1 (undefined) for some pools: then the sum's max is too */
    sum->init += u->init > 0 ? u->init : 0;
    sum->used += u->used > 0 ? u->used : 0;
    sum->committed += u->committed > 0 ? u->committed : 0;
    sum->max = sum->max < 0 || u->max < 0 ? -1 : sum->max + u->max;
}

/* The collector, from its beans' (or hsperfdata collectors') names. */
static void collector_from_names(summary *s)
{
    for (size_t c = 0; c < s->collector_count && !s->collector; c++)
        for (size_t i = 0; i < sizeof collector_beans / sizeof *collector_beans; i++)
            if (s->collectors[c].name &&
                strncmp(s->collectors[c].name, collector_beans[i].bean_prefix,
                        strlen(collector_beans[i].bean_prefix)) == 0) {
                s->collector = collector_beans[i].name;
                break;
            }
}

static void find_collector(JNIEnv *jni, summary *s)
{
    for (size_t i = 0; i < sizeof collector_flags / sizeof *collector_flags && !s->collector; i++) {
        cd_mx_flag flag;
        cd_error err = {0};
        if (cd_mx_vm_flag(jni, collector_flags[i].flag, &flag, &err) != 0)
            continue; /* not a flag of this VM (UseEpsilonGC needs unlocking ...) */
        if (flag.value && strcmp(flag.value, "true") == 0) {
            s->collector = collector_flags[i].name;
            s->collector_flag = collector_flags[i].flag;
        }
        cd_mx_flag_clear(&flag);
    }
    collector_from_names(s);
}

/* The young and old generation totals, from the pools' names. */
static void sum_generations(summary *s)
{
    for (size_t i = 0; i < s->pool_count; i++) {
        generation g = pool_generation(&s->pools[i]);
        if (g == GEN_YOUNG) {
            add_usage(&s->young, &s->pools[i].usage);
            s->has_young = 1;
        } else if (g == GEN_OLD) {
            add_usage(&s->old, &s->pools[i].usage);
            s->has_old = 1;
        }
    }
}

/* ---------------------------------------------------------------- text */

static void print_size(cd_sink *out, int64_t bytes)
{
    if (bytes < 0)
        cd_sink_printf(out, "%14s", "undefined");
    else
        cd_sink_printf(out, "%14lld", (long long)bytes);
}

static void print_usage_line(cd_sink *out, const char *label, const cd_mx_usage *u)
{
    cd_sink_printf(out, "  %-30s", label);
    print_size(out, u->used);
    print_size(out, u->committed);
    print_size(out, u->max);
    print_size(out, u->init);
    if (u->max > 0 && u->used >= 0)
        cd_sink_printf(out, "  %5.1f%% of max", 100.0 * (double)u->used / (double)u->max);
    cd_sink_puts(out, "\n");
}

static void print_usage_header(cd_sink *out)
{
    cd_sink_printf(out, "  %-30s%14s%14s%14s%14s\n", "", "used", "committed", "max", "init");
}

static const cd_mx_pool *pool_named(const summary *s, const char *name)
{
    for (size_t i = 0; i < s->pool_count; i++)
        if (s->pools[i].name && strcmp(s->pools[i].name, name) == 0)
            return &s->pools[i];
    return NULL;
}

static void write_text(cd_sink *out, const void *data)
{
    const summary *s = data;
    if (strcmp(s->source, "hsperfdata") == 0)
        cd_sink_puts(out, "From the JVM's hsperfdata counters: the Java heap is exhausted, and "
                          "the memory MXBeans need Java allocation.\n\n");
    cd_sink_printf(out, "Garbage collector: %s", s->collector ? s->collector : "unknown");
    if (s->collector_flag)
        cd_sink_printf(out, " (-XX:+%s)", s->collector_flag);
    cd_sink_puts(out, "\n");
    for (size_t i = 0; i < s->collector_count; i++) {
        const cd_mx_collector *c = &s->collectors[i];
        if (c->pools && *c->pools)
            cd_sink_printf(out, "  %s: %s\n", c->name ? c->name : "?", c->pools);
        else /* hsperfdata names no pools: what the collector did instead */
            cd_sink_printf(out, "  %s: %lld collections, %lld ms\n", c->name ? c->name : "?",
                           (long long)c->count, (long long)c->time_ms);
    }

    cd_sink_puts(out, "\nHeap Configuration:\n");
    if (strcmp(s->source, "hsperfdata") == 0)
        cd_sink_puts(out, "   (the VM flags are read through Java: not while the heap is "
                          "exhausted)\n");
    for (size_t i = 0; i < sizeof sizing_flags / sizeof *sizing_flags; i++) {
        const cd_mx_flag *f = &s->flags[i];
        if (!f->name)
            continue;
        cd_sink_printf(out, "   %-26s = %s", f->name, f->value);
        char *end = NULL;
        long long v = strtoll(f->value, &end, 10);
        if (end && *end == '\0' && v >= 1024 * 1024 && strstr(f->name, "Size"))
            cd_sink_printf(out, " (%.1fMB)", (double)v / (1024.0 * 1024.0));
        cd_sink_printf(out, "  {%s}\n", f->origin);
    }

    cd_sink_puts(out, "\nHeap Usage (bytes):\n");
    print_usage_header(out);
    for (size_t i = 0; i < s->pool_count; i++)
        if (s->pools[i].heap)
            print_usage_line(out, s->pools[i].name ? s->pools[i].name : "?", &s->pools[i].usage);
    if (s->has_young)
        print_usage_line(out, "Young generation (total)", &s->young);
    if (s->has_old)
        print_usage_line(out, "Old generation (total)", &s->old);
    if (!s->has_young && !s->has_old)
        cd_sink_puts(out, "  (this collector has a single generation)\n");
    print_usage_line(out, "Heap (total)", &s->heap);

    cd_sink_puts(out, "\nNon-heap Usage (bytes):\n");
    print_usage_header(out);
    for (size_t i = 0; i < s->pool_count; i++)
        if (!s->pools[i].heap)
            print_usage_line(out, s->pools[i].name ? s->pools[i].name : "?", &s->pools[i].usage);
    print_usage_line(out, "Non-heap (total)", &s->non_heap);

    const cd_mx_pool *metaspace = pool_named(s, "Metaspace");
    const cd_mx_pool *class_space = pool_named(s, "Compressed Class Space");
    cd_sink_puts(out, "\nMetaspace:\n");
    if (metaspace)
        cd_sink_printf(out, "  Metaspace              used %lld, committed %lld, max %lld\n",
                       (long long)metaspace->usage.used, (long long)metaspace->usage.committed,
                       (long long)metaspace->usage.max);
    else
        cd_sink_puts(out, "  no Metaspace pool (JDK 7 or older: PermGen)\n");
    if (class_space)
        cd_sink_printf(out, "  Compressed Class Space used %lld, committed %lld, max %lld\n",
                       (long long)class_space->usage.used, (long long)class_space->usage.committed,
                       (long long)class_space->usage.max);
    else
        cd_sink_puts(out, "  no Compressed Class Space (compressed class pointers are off)\n");
}

/* ---------------------------------------------------------------- json */

static cJSON *usage_json(const cd_mx_usage *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "used", (double)u->used);
    cJSON_AddNumberToObject(o, "committed", (double)u->committed);
    cJSON_AddNumberToObject(o, "max", (double)u->max);
    cJSON_AddNumberToObject(o, "init", (double)u->init);
    return o;
}

static cJSON *json_report(const summary *s)
{
    static const char *const generation_names[] = {"none", "young", "old"};
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "source", s->source);
    /* the summary was taken at an OutOfMemoryError of the Java heap */
    cJSON_AddBoolToObject(root, "java_heap_exhausted", strcmp(s->source, "hsperfdata") == 0);
    if (s->collector)
        cJSON_AddStringToObject(root, "collector", s->collector);
    else
        cJSON_AddNullToObject(root, "collector");
    if (s->collector_flag)
        cJSON_AddStringToObject(root, "collector_flag", s->collector_flag);
    cJSON *beans = cJSON_AddArrayToObject(root, "garbage_collector_beans");
    for (size_t i = 0; i < s->collector_count; i++)
        cJSON_AddItemToArray(
            beans, cJSON_CreateString(s->collectors[i].name ? s->collectors[i].name : ""));
    cJSON *flags = cJSON_AddObjectToObject(root, "flags");
    for (size_t i = 0; i < sizeof sizing_flags / sizeof *sizing_flags; i++) {
        if (!s->flags[i].name)
            continue;
        cJSON *f = cJSON_AddObjectToObject(flags, s->flags[i].name);
        cJSON_AddStringToObject(f, "value", s->flags[i].value);
        cJSON_AddStringToObject(f, "origin", s->flags[i].origin);
    }
    cJSON *pools = cJSON_AddArrayToObject(root, "pools");
    for (size_t i = 0; i < s->pool_count; i++) {
        cJSON *p = usage_json(&s->pools[i].usage);
        cJSON_AddStringToObject(p, "name", s->pools[i].name ? s->pools[i].name : "");
        cJSON_AddStringToObject(p, "type", s->pools[i].heap ? "heap" : "non_heap");
        cJSON_AddStringToObject(p, "generation", generation_names[pool_generation(&s->pools[i])]);
        cJSON_AddStringToObject(p, "managers", s->pools[i].managers ? s->pools[i].managers : "");
        cJSON_AddItemToArray(pools, p);
    }
    if (s->has_young)
        cJSON_AddItemToObject(root, "young", usage_json(&s->young));
    if (s->has_old)
        cJSON_AddItemToObject(root, "old", usage_json(&s->old));
    cJSON_AddItemToObject(root, "heap", usage_json(&s->heap));
    cJSON_AddItemToObject(root, "non_heap", usage_json(&s->non_heap));
    const cd_mx_pool *metaspace = pool_named(s, "Metaspace");
    const cd_mx_pool *class_space = pool_named(s, "Compressed Class Space");
    if (metaspace)
        cJSON_AddItemToObject(root, "metaspace", usage_json(&metaspace->usage));
    if (class_space)
        cJSON_AddItemToObject(root, "compressed_class_space", usage_json(&class_space->usage));
    return root;
}

/* ---------------------------------------------------------------- the part */

/* The summary from hsperfdata: no Java code, no Java allocation. */
static int summary_from_perfdata(cd_part_ctx *ctx, cd_error *err)
{
    cd_perf_memory memory;
    if (cd_perf_memory_read_self(&memory, err) != 0) {
        cd_error_wrap(err, "the Java heap is exhausted and the memory MXBeans need Java "
                           "allocation; the hsperfdata counters cannot replace them");
        return CD_PART_SKIPPED;
    }
    summary s = {0};
    s.source = "hsperfdata";
    s.pools = memory.pools;
    s.pool_count = memory.pool_count;
    s.collectors = memory.collectors;
    s.collector_count = memory.collector_count;
    s.heap = memory.heap;
    s.non_heap = memory.non_heap;
    for (size_t i = 0; memory.policy && i < sizeof collector_policies / sizeof *collector_policies;
         i++)
        if (strcmp(memory.policy, collector_policies[i].policy) == 0)
            s.collector = collector_policies[i].name;
    collector_from_names(&s);
    sum_generations(&s);
    int rc = cd_part_report_write(ctx, "memoryinfo/java_heap_summary.txt", write_text, &s,
                             "memoryinfo/java_heap_summary.json", json_report(&s), err);
    cd_perf_memory_free(&memory);
    return rc;
}

int cd_part_heap_summary(cd_part_ctx *ctx, cd_error *err)
{
    if (ctx->java_heap_exhausted)
        return summary_from_perfdata(ctx, err);
    if (!ctx->jni) {
        cd_fail(err, CD_ERR_UNSUPPORTED, "no JNI environment on the agent thread");
        return CD_PART_SKIPPED;
    }
    JNIEnv *jni = ctx->jni;
    summary s = {0};
    s.source = "mxbeans";
    int rc = -1;
    if (cd_mx_pools(jni, &s.pools, &s.pool_count, err) != 0 ||
        cd_mx_memory(jni, &s.heap, &s.non_heap, err) != 0 ||
        cd_mx_collectors(jni, &s.collectors, &s.collector_count, err) != 0)
        goto out;
    find_collector(jni, &s);
    for (size_t i = 0; i < sizeof sizing_flags / sizeof *sizing_flags; i++) {
        cd_error missing = {0}; /* a flag this JDK does not have is simply left out */
        if (cd_mx_vm_flag(jni, sizing_flags[i], &s.flags[i], &missing) != 0 &&
            missing.code != CD_ERR_NOENT) {
            *err = missing;
            goto out;
        }
    }
    sum_generations(&s);

    rc = cd_part_report_write(ctx, "memoryinfo/java_heap_summary.txt", write_text, &s,
                              "memoryinfo/java_heap_summary.json", json_report(&s), err);
out:
    for (size_t i = 0; i < sizeof sizing_flags / sizeof *sizing_flags; i++)
        cd_mx_flag_clear(&s.flags[i]);
    cd_mx_pools_free(s.pools, s.pool_count);
    cd_mx_collectors_free(s.collectors, s.collector_count);
    return rc;
}
