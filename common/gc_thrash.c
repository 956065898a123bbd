/*
 * The GC-thrashing bucket: see include/carbondump/gc_thrash.h.
 */
#include "carbondump/gc_thrash.h"

void cd_gc_thrash_init(cd_gc_thrash *bucket, uint64_t threshold_ms, double weight)
{
    bucket->threshold_ns = (double)threshold_ms * 1e6;
    bucket->weight = weight;
    bucket->level_ns = 0;
    bucket->last_pause_end_ns = 0;
}

int cd_gc_thrash_pause(cd_gc_thrash *bucket, uint64_t start_ns, uint64_t end_ns)
{
    if (end_ns < start_ns)
        return 0; /* a clock that went backwards tells nothing */
    if (bucket->last_pause_end_ns && start_ns > bucket->last_pause_end_ns) {
        double running_ns = (double)(start_ns - bucket->last_pause_end_ns);
        bucket->level_ns -= running_ns * bucket->weight;
        if (bucket->level_ns < 0)
            bucket->level_ns = 0;
    }
    bucket->level_ns += (double)(end_ns - start_ns);
    bucket->last_pause_end_ns = end_ns;
    if (bucket->level_ns <= bucket->threshold_ns)
        return 0;
    bucket->level_ns = 0;
    return 1;
}
