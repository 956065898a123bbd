/*
 * /proc stat parsing: see include/carbondump/procstat.h.
 *
 * By hand rather than with sscanf: the agent parses one file per thread of
 * the JVM for each thread dump, and sscanf's format interpretation cost more
 * than reading the files.
 */
#include "carbondump/procstat.h"

#include <string.h>

/* The next space-separated decimal field at *p (an optional '-'), moving *p
 * past it. Returns 0, or -1 when there is none. */
static int next_field(const char **p, long long *out)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    int negative = *s == '-';
    const char *digits = s + negative;
    if (*digits < '0' || *digits > '9')
        return -1;
    unsigned long long value = 0;
    for (; *digits >= '0' && *digits <= '9'; digits++)
        value = value * 10 + (unsigned long long)(*digits - '0'); /* wraps like %llu */
    if (*digits && *digits != ' ' && *digits != '\n')
        return -1;
    *out = negative ? -(long long)value : (long long)value;
    *p = digits;
    return 0;
}

int cd_parse_proc_stat(const char *text, cd_proc_stat *out)
{
    memset(out, 0, sizeof *out);
    const char *open = strchr(text, '(');
    const char *close = strrchr(text, ')');
    const char *p = text;
    long long pid;
    if (!open || !close || close < open || next_field(&p, &pid) != 0 || p > open)
        return -1;
    out->pid = (int)pid;
    size_t comm_len = (size_t)(close - open - 1);
    if (comm_len >= sizeof out->comm)
        comm_len = sizeof out->comm - 1;
    memcpy(out->comm, open + 1, comm_len);
    out->comm[comm_len] = '\0';
    /* after ')': state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt
     * cmajflt utime(14) stime(15) cutime cstime priority(18) nice(19) num_threads(20)
     * itrealvalue starttime(22) vsize(23) rss(24) */
    p = close + 1;
    while (*p == ' ')
        p++;
    if (!*p || *p == '\n')
        return -1;
    out->state = *p++;
    long long field[25];
    for (int n = 4; n <= 24; n++)
        if (next_field(&p, &field[n]) != 0)
            return -1;
    out->ppid = (int)field[4];
    out->utime_ticks = (unsigned long long)field[14];
    out->stime_ticks = (unsigned long long)field[15];
    out->priority = (long)field[18];
    out->nice = (long)field[19];
    out->threads = (long)field[20];
    out->start_ticks = (unsigned long long)field[22];
    out->vsize_bytes = (unsigned long long)field[23];
    out->rss_pages = field[24];
    return 0;
}
