/*
 * The GC-thrashing detector: a leaky bucket over stop-the-world GC time.
 *
 * Every pause pours its duration into the bucket; the run time between pauses
 * drains it at `weight` (a weight of 0.2 means one second of running drains
 * 200 ms of pause). A JVM that spends more than weight/(1+weight) of its time
 * in GC fills the bucket steadily, and the detector fires when the level
 * passes the threshold: a few long pauses or many short ones back to back both
 * qualify; occasional pauses in a healthy JVM never do. After firing the
 * bucket is emptied, so a JVM that keeps thrashing fires again only after
 * filling it anew.
 *
 * Pure arithmetic (no clock, no locks), so that the GC event listener can call
 * it at a safepoint and the unit tests can drive it with fixed numbers.
 */
#ifndef CARBONDUMP_GC_THRASH_H
#define CARBONDUMP_GC_THRASH_H

#include <stdint.h>

typedef struct cd_gc_thrash {
    double threshold_ns;
    double weight;
    double level_ns;
    uint64_t last_pause_end_ns; /* 0 before the first pause */
} cd_gc_thrash;

/* An empty bucket that fires past threshold_ms of pause time and drains at weight. */
void cd_gc_thrash_init(cd_gc_thrash *bucket, uint64_t threshold_ms, double weight);

/* Feeds one pause (start and end on a monotonic clock, nanoseconds). Returns 1
 * when the level passed the threshold (and empties the bucket), else 0. */
int cd_gc_thrash_pause(cd_gc_thrash *bucket, uint64_t start_ns, uint64_t end_ns);

#endif
