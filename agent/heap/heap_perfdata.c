/*
 * The heap summary from hsperfdata counters (heap_perfdata.h).
 *
 * How the counters add up depends on the collector. Parallel and Serial
 * split the heap into a young and an old generation, each with its own
 * maximum: the heap's maximum is their sum. G1 and generational ZGC share
 * one heap of regions between their generations, and each generation's
 * maximum is the whole heap: the heap's maximum is the largest of them, and
 * the young spaces' maximum is undefined, as their MXBeans have it. The
 * collector is told by the policy counter (G1: "GarbageFirst"), or, for the
 * collectors without one, by their collectors' names.
 */
#include "heap_perfdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbondump/hsperf.h"

#define GENERATIONS_MAX 4
#define SPACES_MAX 8
#define COLLECTORS_MAX 8

typedef struct space_counters {
    const char *name;
    int64_t used, capacity, max, init;
    int seen;
} space_counters;

typedef struct generation_counters {
    int64_t max;
    space_counters spaces[SPACES_MAX];
} generation_counters;

typedef struct collector_counters {
    const char *name;
    int64_t invocations, ticks;
    int seen;
} collector_counters;

typedef struct counters {
    const char *policy;
    int64_t ticks_per_second; /* sun.os.hrt.frequency */
    generation_counters generations[GENERATIONS_MAX];
    collector_counters collectors[COLLECTORS_MAX];
    space_counters metaspace, class_space;
} counters;

/* ---------------------------------------------------------------- counters */

/* Parses "<index>." at *name, below limit; advances past it. -1 if not one. */
static int index_at(const char **name, int limit)
{
    char *end;
    long index = strtol(*name, &end, 10);
    if (end == *name || *end != '.' || index < 0 || index >= limit)
        return -1;
    *name = end + 1;
    return (int)index;
}

/* Stores a space's counter ("used", "capacity" ...). */
static void space_counter(space_counters *space, const char *what, const cd_hsperf_counter *c)
{
    int64_t *slot = strcmp(what, "used") == 0           ? &space->used
                    : strcmp(what, "capacity") == 0     ? &space->capacity
                    : strcmp(what, "maxCapacity") == 0  ? &space->max
                    : strcmp(what, "initCapacity") == 0 ? &space->init
                    : strcmp(what, "minCapacity") == 0  ? &space->init
                                                        : NULL;
    if (slot && c->is_long) {
        *slot = c->value;
        space->seen = 1;
    } else if (strcmp(what, "name") == 0 && c->text) {
        space->name = c->text;
    }
}

static int take_counter(const cd_hsperf_counter *c, void *arg)
{
    counters *k = arg;
    const char *name = c->name;
    if (strcmp(name, "sun.gc.policy.name") == 0) {
        k->policy = c->text;
    } else if (strcmp(name, "sun.os.hrt.frequency") == 0 && c->is_long) {
        k->ticks_per_second = c->value;
    } else if (strncmp(name, "sun.gc.metaspace.", 17) == 0) {
        space_counter(&k->metaspace, name + 17, c);
    } else if (strncmp(name, "sun.gc.compressedclassspace.", 28) == 0) {
        space_counter(&k->class_space, name + 28, c);
    } else if (strncmp(name, "sun.gc.generation.", 18) == 0) {
        const char *rest = name + 18;
        int g = index_at(&rest, GENERATIONS_MAX);
        if (g < 0)
            return 0;
        if (strcmp(rest, "maxCapacity") == 0 && c->is_long)
            k->generations[g].max = c->value;
        int s = strncmp(rest, "space.", 6) == 0 ? (rest += 6, index_at(&rest, SPACES_MAX)) : -1;
        if (s >= 0)
            space_counter(&k->generations[g].spaces[s], rest, c);
    } else if (strncmp(name, "sun.gc.collector.", 17) == 0) {
        const char *rest = name + 17;
        int n = index_at(&rest, COLLECTORS_MAX);
        collector_counters *collector = n >= 0 ? &k->collectors[n] : NULL;
        if (!collector)
            return 0;
        if (strcmp(rest, "name") == 0 && c->text) {
            collector->name = c->text;
            collector->seen = 1;
        } else if (strcmp(rest, "invocations") == 0 && c->is_long) {
            collector->invocations = c->value;
        } else if (strcmp(rest, "time") == 0 && c->is_long) {
            collector->ticks = c->value;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- pools */

/* Whether the generations share one heap of regions (G1, generational ZGC). */
static int generations_share_the_heap(const counters *k)
{
    if (k->policy)
        return strcmp(k->policy, "GarbageFirst") == 0;
    for (int n = 0; n < COLLECTORS_MAX; n++)
        if (k->collectors[n].name && strncmp(k->collectors[n].name, "ZGC ", 4) == 0)
            return 1;
    return 0;
}

/* The pool's name: "Eden Space", "Survivor Space 0", "Old Generation", or
 * "Heap" for a collector of one generation, as the heap summary groups them. */
static char *pool_name(const space_counters *space, int young, int generations)
{
    const char *name = space->name ? space->name : "space";
    char text[96];
    if (generations < 2)
        snprintf(text, sizeof text, "Heap");
    else if (young && strcmp(name, "eden") == 0)
        snprintf(text, sizeof text, "Eden Space");
    else if (young && (strcmp(name, "s0") == 0 || strcmp(name, "s1") == 0))
        snprintf(text, sizeof text, "Survivor Space %c", name[1]);
    else
        snprintf(text, sizeof text, "%s Generation%s%s", young ? "Young" : "Old",
                 strcmp(name, "space") == 0 || strcmp(name, "old") == 0 ? "" : ": ",
                 strcmp(name, "space") == 0 || strcmp(name, "old") == 0 ? "" : name);
    return strdup(text);
}

static int has_spaces(const generation_counters *generation)
{
    for (int s = 0; s < SPACES_MAX; s++)
        if (generation->spaces[s].seen)
            return 1;
    return 0;
}

static int add_pool(cd_perf_memory *out, char *name, int heap, const space_counters *space)
{
    if (!name)
        return -1;
    cd_mx_pool *pool = &out->pools[out->pool_count++];
    pool->name = name;
    pool->heap = heap;
    pool->usage = (cd_mx_usage){space->init, space->used, space->capacity, space->max};
    pool->managers = strdup("");
    return pool->managers ? 0 : -1;
}

static int build_pools(const counters *k, cd_perf_memory *out)
{
    int generations = 0, first = -1;
    for (int g = 0; g < GENERATIONS_MAX; g++)
        if (has_spaces(&k->generations[g])) {
            generations++;
            first = first < 0 ? g : first;
        }
    out->pools = calloc(GENERATIONS_MAX * SPACES_MAX + 2, sizeof *out->pools);
    if (!out->pools)
        return -1;
    int shared = generations_share_the_heap(k);
    out->heap = (cd_mx_usage){-1, 0, 0, 0};
    for (int g = 0; g < GENERATIONS_MAX; g++) {
        const generation_counters *generation = &k->generations[g];
        if (!has_spaces(generation))
            continue;
        for (int s = 0; s < SPACES_MAX; s++) {
            const space_counters *space = &generation->spaces[s];
            if (!space->seen)
                continue;
            if (add_pool(out, pool_name(space, g == first, generations), 1, space) != 0)
                return -1;
            if (shared && g == first && generations > 1) /* as G1's young pool MXBeans say */
                out->pools[out->pool_count - 1].usage.max = -1;
            out->heap.used += space->used;
            out->heap.committed += space->capacity;
        }
        out->heap.max = shared ? (generation->max > out->heap.max ? generation->max : out->heap.max)
                               : out->heap.max + generation->max;
    }
    if (k->metaspace.seen) {
        if (add_pool(out, strdup("Metaspace"), 0, &k->metaspace) != 0)
            return -1;
        out->non_heap =
            (cd_mx_usage){k->metaspace.init, k->metaspace.used, k->metaspace.capacity, -1};
    }
    if (k->class_space.seen &&
        add_pool(out, strdup("Compressed Class Space"), 0, &k->class_space) != 0)
        return -1;
    return 0;
}

static int build_collectors(const counters *k, cd_perf_memory *out)
{
    out->collectors = calloc(COLLECTORS_MAX, sizeof *out->collectors);
    if (!out->collectors)
        return -1;
    for (int n = 0; n < COLLECTORS_MAX; n++) {
        const collector_counters *c = &k->collectors[n];
        if (!c->seen)
            continue;
        cd_mx_collector *to = &out->collectors[out->collector_count++];
        to->name = strdup(c->name);
        to->pools = strdup("");
        to->count = c->invocations;
        to->time_ms = k->ticks_per_second > 0 ? c->ticks * 1000 / k->ticks_per_second : -1;
        if (!to->name || !to->pools)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- entry points */

int cd_perf_memory_parse(const unsigned char *data, size_t len, cd_perf_memory *out, cd_error *err)
{
    memset(out, 0, sizeof *out);
    counters k;
    memset(&k, 0, sizeof k);
    if (cd_hsperf_each(data, len, take_counter, &k) != 0)
        return cd_fail(err, CD_ERR_PROTOCOL, "the hsperfdata file is not one");
    int spaces = 0;
    for (int g = 0; g < GENERATIONS_MAX; g++)
        spaces += has_spaces(&k.generations[g]);
    if (!spaces)
        return cd_fail(err, CD_ERR_NOENT, "the hsperfdata file has no heap counters");
    if ((k.policy && !(out->policy = strdup(k.policy))) || build_pools(&k, out) != 0 ||
        build_collectors(&k, out) != 0) {
        cd_perf_memory_free(out);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    }
    return 0;
}

int cd_perf_memory_read_self(cd_perf_memory *out, cd_error *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    if (cd_hsperf_load("", getpid(), geteuid(), &data, &len) != 0)
        return cd_fail(err, CD_ERR_NOENT,
                       "this JVM has no hsperfdata file in /tmp (-XX:-UsePerfData?)");
    int rc = cd_perf_memory_parse(data, len, out, err);
    free(data);
    return rc;
}

void cd_perf_memory_free(cd_perf_memory *memory)
{
    cd_mx_pools_free(memory->pools, memory->pool_count);
    cd_mx_collectors_free(memory->collectors, memory->collector_count);
    free(memory->policy);
    memset(memory, 0, sizeof *memory);
}
