/*
 * /proc stat parsing: see include/carbondump/procstat.h.
 */
#include "carbondump/procstat.h"

#include <stdio.h>
#include <string.h>

int cd_parse_proc_stat(const char *text, cd_proc_stat *out)
{
    memset(out, 0, sizeof *out);
    const char *open = strchr(text, '(');
    const char *close = strrchr(text, ')');
    if (!open || !close || close < open || sscanf(text, "%d", &out->pid) != 1)
        return -1;
    size_t comm_len = (size_t)(close - open - 1);
    if (comm_len >= sizeof out->comm)
        comm_len = sizeof out->comm - 1;
    memcpy(out->comm, open + 1, comm_len);
    out->comm[comm_len] = '\0';
    /* after ')': state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt
     * cmajflt utime(14) stime(15) cutime cstime priority(18) nice(19) num_threads(20)
     * itrealvalue starttime(22) vsize(23) rss(24) */
    long long ignored;
    int n =
        sscanf(close + 1,
               " %c %d %lld %lld %lld %lld %lld %lld %lld %lld %lld %llu %llu %lld %lld %ld %ld "
               "%ld %lld %llu %llu %lld",
               &out->state, &out->ppid, &ignored, &ignored, &ignored, &ignored, &ignored, &ignored,
               &ignored, &ignored, &ignored, &out->utime_ticks, &out->stime_ticks, &ignored,
               &ignored, &out->priority, &out->nice, &out->threads, &ignored, &out->start_ticks,
               &out->vsize_bytes, &out->rss_pages);
    return n == 22 ? 0 : -1;
}
