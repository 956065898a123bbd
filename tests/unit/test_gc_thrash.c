/*
 * The GC-thrashing bucket: fires on sustained GC time, never on healthy GC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "carbondump/gc_thrash.h"

#define MS 1000000ull

/* Feeds n pauses of pause_ms separated by run_ms; returns the index of the
 * first firing (1-based), or 0. */
static int feed(cd_gc_thrash *b, int n, uint64_t pause_ms, uint64_t run_ms, uint64_t *clock)
{
    for (int i = 1; i <= n; i++) {
        uint64_t start = *clock;
        *clock += pause_ms * MS;
        int fired = cd_gc_thrash_pause(b, start, *clock);
        *clock += run_ms * MS;
        if (fired)
            return i;
    }
    return 0;
}

static void healthy_gc_never_fires(void **state)
{
    cd_gc_thrash b;
    cd_gc_thrash_init(&b, 5000, 0.2);
    uint64_t clock = 1000 * MS;
    /* 50 ms pauses every 2 s: 2.5% of the time in GC */
    assert_int_equal(feed(&b, 10000, 50, 2000, &clock), 0);
}

static void back_to_back_pauses_fire_once_the_threshold_is_passed(void **state)
{
    cd_gc_thrash b;
    cd_gc_thrash_init(&b, 5000, 0.2);
    uint64_t clock = 1000 * MS;
    /* 200 ms pauses with 100 ms of running: each adds 200 - 20 = 180 ms */
    assert_int_equal(feed(&b, 100, 200, 100, &clock), 28);
}

static void one_pause_longer_than_the_threshold_fires_at_once(void **state)
{
    cd_gc_thrash b;
    cd_gc_thrash_init(&b, 5000, 0.2);
    uint64_t clock = 1000 * MS;
    assert_int_equal(feed(&b, 1, 6000, 0, &clock), 1);
}

static void firing_empties_the_bucket(void **state)
{
    cd_gc_thrash b;
    cd_gc_thrash_init(&b, 1000, 0.2);
    uint64_t clock = 1000 * MS;
    assert_int_equal(feed(&b, 100, 600, 0, &clock), 2);
    assert_true(b.level_ns == 0);
    assert_int_equal(feed(&b, 100, 600, 0, &clock), 2);
}

static void running_drains_the_bucket(void **state)
{
    cd_gc_thrash b;
    cd_gc_thrash_init(&b, 5000, 0.5);
    uint64_t clock = 1000 * MS;
    assert_int_equal(feed(&b, 1, 4000, 0, &clock), 0);
    clock += 10000 * MS; /* 10 s of running drain 5 s */
    assert_int_equal(feed(&b, 1, 1500, 0, &clock), 0);
    assert_true(b.level_ns == 1500.0 * MS);
}

static void a_clock_going_backwards_is_ignored(void **state)
{
    cd_gc_thrash b;
    cd_gc_thrash_init(&b, 1000, 0.2);
    assert_int_equal(cd_gc_thrash_pause(&b, 5000 * MS, 4000 * MS), 0);
    assert_true(b.level_ns == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthy_gc_never_fires),
        cmocka_unit_test(back_to_back_pauses_fire_once_the_threshold_is_passed),
        cmocka_unit_test(one_pause_longer_than_the_threshold_fires_at_once),
        cmocka_unit_test(firing_empties_the_bucket),
        cmocka_unit_test(running_drains_the_bucket),
        cmocka_unit_test(a_clock_going_backwards_is_ignored),
    };
    return cmocka_run_group_tests_name("gc_thrash", tests, NULL, NULL);
}
