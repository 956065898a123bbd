/*
 * hsperfdata counters (common/hsperf.c) and the heap summary built from them
 * when the Java heap is exhausted (agent/heap/heap_perfdata.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbondump/hsperf.h"
#include "heap/heap_perfdata.h"
#include "hsperf_fixture.h"

#define MIB (1024 * 1024)

/* ---------------------------------------------------------------- counters */

typedef struct seen {
    int count;
    int64_t used;
    const char *policy;
} seen;

static int note(const cd_hsperf_counter *c, void *arg)
{
    seen *s = arg;
    s->count++;
    if (strcmp(c->name, "sun.gc.generation.0.space.0.used") == 0 && c->is_long)
        s->used = c->value;
    if (strcmp(c->name, "sun.gc.policy.name") == 0)
        s->policy = c->text;
    return 0;
}

static void counters_come_with_their_values_and_strings(void **state)
{
    hsperf_fixture f;
    hsperf_begin(&f);
    hsperf_text(&f, "sun.gc.policy.name", "GarbageFirst");
    hsperf_long(&f, "sun.gc.generation.0.space.0.used", 4242);
    seen s = {0};
    assert_int_equal(cd_hsperf_each(f.bytes, f.used, note, &s), 0);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.used, 4242);
    assert_string_equal(s.policy, "GarbageFirst");
}

static void a_cut_file_ends_the_walk_and_a_foreign_one_is_refused(void **state)
{
    hsperf_fixture f;
    hsperf_begin(&f);
    hsperf_long(&f, "sun.gc.generation.0.space.0.used", 1);
    hsperf_long(&f, "sun.gc.generation.0.space.0.capacity", 2);
    seen s = {0};
    /* the second entry does not fit any more */
    assert_int_equal(cd_hsperf_each(f.bytes, f.used - 8, note, &s), 0);
    assert_int_equal(s.count, 1);
    /* an entry longer than the file */
    uint32_t huge = 1u << 30;
    memcpy(f.bytes + 32, &huge, 4);
    s.count = 0;
    assert_int_equal(cd_hsperf_each(f.bytes, f.used, note, &s), 0);
    assert_int_equal(s.count, 0);
    f.bytes[0] = 0;
    assert_int_equal(cd_hsperf_each(f.bytes, f.used, note, &s), -1);
    assert_int_equal(cd_hsperf_each(f.bytes, 16, note, &s), -1);
}

/* ---------------------------------------------------------------- heap */

static void space(hsperf_fixture *f, int g, int s, const char *name, uint64_t used,
                  uint64_t capacity, uint64_t max)
{
    char key[96];
    snprintf(key, sizeof key, "sun.gc.generation.%d.space.%d.name", g, s);
    hsperf_text(f, key, name);
    snprintf(key, sizeof key, "sun.gc.generation.%d.space.%d.used", g, s);
    hsperf_long(f, key, used);
    snprintf(key, sizeof key, "sun.gc.generation.%d.space.%d.capacity", g, s);
    hsperf_long(f, key, capacity);
    snprintf(key, sizeof key, "sun.gc.generation.%d.space.%d.maxCapacity", g, s);
    hsperf_long(f, key, max);
}

static void generation_max(hsperf_fixture *f, int g, uint64_t max)
{
    char key[64];
    snprintf(key, sizeof key, "sun.gc.generation.%d.maxCapacity", g);
    hsperf_long(f, key, max);
}

/* A G1 heap of 64 MiB right after an OutOfMemoryError, as JDK 17 counts it. */
static void g1_after_oom(hsperf_fixture *f)
{
    hsperf_begin(f);
    hsperf_text(f, "sun.gc.policy.name", "GarbageFirst");
    hsperf_long(f, "sun.os.hrt.frequency", 1000000000);
    hsperf_text(f, "sun.gc.collector.0.name", "G1 young collection pauses");
    hsperf_long(f, "sun.gc.collector.0.invocations", 40);
    hsperf_long(f, "sun.gc.collector.0.time", 1500000000);
    generation_max(f, 0, 64 * MIB + 24);
    space(f, 0, 0, "eden", 0, 0, 64 * MIB + 8);
    space(f, 0, 1, "s0", 0, 0, 8);
    space(f, 0, 2, "s1", 0, 0, 64 * MIB + 8);
    generation_max(f, 1, 64 * MIB + 8);
    space(f, 1, 0, "space", 63 * MIB, 64 * MIB, 64 * MIB + 8);
    hsperf_long(f, "sun.gc.metaspace.used", 10 * MIB);
    hsperf_long(f, "sun.gc.metaspace.capacity", 11 * MIB);
    hsperf_long(f, "sun.gc.metaspace.maxCapacity", 1024 * MIB);
}

static void g1_generations_share_one_heap(void **state)
{
    hsperf_fixture f;
    g1_after_oom(&f);
    cd_perf_memory m;
    cd_error err = {0};
    assert_int_equal(cd_perf_memory_parse(f.bytes, f.used, &m, &err), 0);
    assert_string_equal(m.policy, "GarbageFirst");
    assert_int_equal(m.heap.used, 63 * MIB);
    assert_int_equal(m.heap.committed, 64 * MIB);
    assert_int_equal(m.heap.max, 64 * MIB + 24); /* the largest generation, not their sum */
    assert_int_equal(m.pool_count, 5);
    assert_string_equal(m.pools[0].name, "Eden Space");
    assert_int_equal(m.pools[0].usage.max, -1); /* young spaces share the heap too */
    assert_string_equal(m.pools[1].name, "Survivor Space 0");
    assert_string_equal(m.pools[3].name, "Old Generation");
    assert_int_equal(m.pools[3].usage.used, 63 * MIB);
    assert_true(m.pools[3].heap);
    assert_string_equal(m.pools[4].name, "Metaspace");
    assert_false(m.pools[4].heap);
    assert_int_equal(m.non_heap.used, 10 * MIB);
    assert_int_equal(m.collector_count, 1);
    assert_string_equal(m.collectors[0].name, "G1 young collection pauses");
    assert_int_equal(m.collectors[0].count, 40);
    assert_int_equal(m.collectors[0].time_ms, 1500);
    cd_perf_memory_free(&m);
}

static void parallel_generations_add_up(void **state)
{
    hsperf_fixture f;
    hsperf_begin(&f);
    hsperf_text(&f, "sun.gc.policy.name", "ParScav:MSC");
    generation_max(&f, 0, 20 * MIB);
    space(&f, 0, 0, "eden", 5 * MIB, 10 * MIB, 18 * MIB);
    generation_max(&f, 1, 44 * MIB);
    space(&f, 1, 0, "old", 40 * MIB, 44 * MIB, 44 * MIB);
    cd_perf_memory m;
    cd_error err = {0};
    assert_int_equal(cd_perf_memory_parse(f.bytes, f.used, &m, &err), 0);
    assert_int_equal(m.heap.max, 64 * MIB);
    assert_int_equal(m.heap.used, 45 * MIB);
    assert_string_equal(m.pools[1].name, "Old Generation");
    cd_perf_memory_free(&m);
}

static void one_generation_is_the_heap(void **state)
{
    hsperf_fixture f;
    hsperf_begin(&f);
    hsperf_text(&f, "sun.gc.collector.2.name", "Z concurrent cycle pauses");
    generation_max(&f, 1, 512 * MIB);
    space(&f, 1, 0, "space", 100 * MIB, 200 * MIB, 512 * MIB);
    cd_perf_memory m;
    cd_error err = {0};
    assert_int_equal(cd_perf_memory_parse(f.bytes, f.used, &m, &err), 0);
    assert_null(m.policy);
    assert_string_equal(m.pools[0].name, "Heap");
    assert_int_equal(m.heap.max, 512 * MIB);
    cd_perf_memory_free(&m);
}

static void a_file_without_heap_counters_says_so(void **state)
{
    hsperf_fixture f;
    hsperf_begin(&f);
    hsperf_long(&f, "sun.gc.metaspace.used", 1);
    cd_perf_memory m;
    cd_error err = {0};
    assert_int_equal(cd_perf_memory_parse(f.bytes, f.used, &m, &err), -1);
    assert_string_equal(err.message, "the hsperfdata file has no heap counters");
    f.bytes[1] = 0;
    assert_int_equal(cd_perf_memory_parse(f.bytes, f.used, &m, &err), -1);
    assert_string_equal(err.message, "the hsperfdata file is not one");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_come_with_their_values_and_strings),
        cmocka_unit_test(a_cut_file_ends_the_walk_and_a_foreign_one_is_refused),
        cmocka_unit_test(g1_generations_share_one_heap),
        cmocka_unit_test(parallel_generations_add_up),
        cmocka_unit_test(one_generation_is_the_heap),
        cmocka_unit_test(a_file_without_heap_counters_says_so),
    };
    return cmocka_run_group_tests_name("heap_perfdata", tests, NULL, NULL);
}
