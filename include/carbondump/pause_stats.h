/*
 * Summary statistics of GC pauses: count, total, maximum and percentiles.
 *
 * Percentiles use the nearest-rank definition: the p-th percentile of n sorted
 * values is the smallest value such that at least p percent of the values are
 * less than or equal to it, i.e. sorted[ceil(p / 100 * n) - 1]. It is always one
 * of the observed values (no interpolation), so "p99 = 42 ms" means a pause of
 * 42 ms really happened.
 */
#ifndef CARBONDUMP_PAUSE_STATS_H
#define CARBONDUMP_PAUSE_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct cd_pause_summary {
    uint64_t count;
    uint64_t total_ns;
    uint64_t max_ns;
    uint64_t p50_ns;
    uint64_t p99_ns;
} cd_pause_summary;

/* The nearest-rank p-th percentile (0 < p <= 100) of count values sorted in
 * ascending order; 0 when count is 0. */
uint64_t cd_percentile_sorted(const uint64_t *sorted, size_t count, double p);

/* Sorts durations_ns in place and summarises them. */
void cd_pause_summarize(uint64_t *durations_ns, size_t count, cd_pause_summary *out);

#endif
