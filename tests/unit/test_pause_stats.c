/*
 * GC pause statistics (include/carbondump/pause_stats.h): nearest-rank
 * percentiles, and the summary the gc part reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbondump/pause_stats.h"

static void percentile_of_nothing_is_zero(void **state)
{
    assert_int_equal(cd_percentile_sorted(NULL, 0, 50), 0);
}

static void percentile_of_one_value_is_that_value(void **state)
{
    uint64_t v[] = {42};
    assert_int_equal(cd_percentile_sorted(v, 1, 50), 42);
    assert_int_equal(cd_percentile_sorted(v, 1, 99), 42);
    assert_int_equal(cd_percentile_sorted(v, 1, 100), 42);
}

static void percentiles_of_one_to_hundred_are_their_rank(void **state)
{
    uint64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (uint64_t)i + 1;
    assert_int_equal(cd_percentile_sorted(v, 100, 50), 50);
    assert_int_equal(cd_percentile_sorted(v, 100, 99), 99);
    assert_int_equal(cd_percentile_sorted(v, 100, 100), 100);
    assert_int_equal(cd_percentile_sorted(v, 100, 1), 1);
}

static void percentile_rounds_the_rank_up(void **state)
{
    uint64_t v[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    /* 99 % of 10 values is rank 9.9 -> 10 */
    assert_int_equal(cd_percentile_sorted(v, 10, 99), 100);
    /* 50 % of 10 values is rank 5 exactly */
    assert_int_equal(cd_percentile_sorted(v, 10, 50), 50);
    /* 51 % is rank 5.1 -> 6 */
    assert_int_equal(cd_percentile_sorted(v, 10, 51), 60);
}

static void p50_of_an_odd_count_is_the_middle_value(void **state)
{
    uint64_t v[] = {1, 2, 3, 4, 1000};
    assert_int_equal(cd_percentile_sorted(v, 5, 50), 3);
}

static void summary_sorts_and_reports_count_total_max_and_percentiles(void **state)
{
    uint64_t d[] = {300, 100, 200, 5000, 400};
    cd_pause_summary s;
    cd_pause_summarize(d, 5, &s);
    assert_int_equal(s.count, 5);
    assert_int_equal(s.total_ns, 6000);
    assert_int_equal(s.max_ns, 5000);
    assert_int_equal(s.p50_ns, 300);
    assert_int_equal(s.p99_ns, 5000);
    uint64_t sorted[] = {100, 200, 300, 400, 5000};
    assert_memory_equal(d, sorted, sizeof sorted);
}

static void summary_of_no_pauses_is_all_zero(void **state)
{
    cd_pause_summary s;
    memset(&s, 0xff, sizeof s);
    cd_pause_summarize(NULL, 0, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.total_ns, 0);
    assert_int_equal(s.max_ns, 0);
    assert_int_equal(s.p50_ns, 0);
    assert_int_equal(s.p99_ns, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentile_of_nothing_is_zero),
        cmocka_unit_test(percentile_of_one_value_is_that_value),
        cmocka_unit_test(percentiles_of_one_to_hundred_are_their_rank),
        cmocka_unit_test(percentile_rounds_the_rank_up),
        cmocka_unit_test(p50_of_an_odd_count_is_the_middle_value),
        cmocka_unit_test(summary_sorts_and_reports_count_total_max_and_percentiles),
        cmocka_unit_test(summary_of_no_pauses_is_all_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
