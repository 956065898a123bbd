/*
 * GC pause statistics: see include/carbondump/pause_stats.h.
 */
#include "carbondump/pause_stats.h"

#include <stdlib.h>
#include <string.h>

uint64_t cd_percentile_sorted(const uint64_t *sorted, size_t count, double p)
{
    if (count == 0)
        return 0;
    if (p <= 0)
        return sorted[0];
    /* ceil without libm: the agent links no maths library */
    double exact = p / 100.0 * (double)count;
    size_t rank = (size_t)exact;
    if ((double)rank < exact)
        rank++;
    size_t index = rank < 1 ? 0 : rank - 1;
    return sorted[index < count ? index : count - 1];
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void cd_pause_summarize(uint64_t *durations_ns, size_t count, cd_pause_summary *out)
{
    memset(out, 0, sizeof *out);
    if (count == 0)
        return;
    qsort(durations_ns, count, sizeof *durations_ns, compare_u64);
    out->count = count;
    for (size_t i = 0; i < count; i++)
        out->total_ns += durations_ns[i];
    out->max_ns = durations_ns[count - 1];
    out->p50_ns = cd_percentile_sorted(durations_ns, count, 50);
    out->p99_ns = cd_percentile_sorted(durations_ns, count, 99);
}
