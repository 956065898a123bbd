/*
 * /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat, parsed once for everyone:
 * the collector's running tasks, the agent's thread dump (nice, start time,
 * kernel state) and its jvm part (process start time).
 */
#ifndef CARBONDUMP_PROCSTAT_H
#define CARBONDUMP_PROCSTAT_H

typedef struct cd_proc_stat {
    int pid;
    char comm[64];
    char state;
    int ppid;
    unsigned long long utime_ticks, stime_ticks;
    long priority, nice;
    long threads;
    unsigned long long start_ticks; /* since boot */
    unsigned long long vsize_bytes;
    long long rss_pages;
} cd_proc_stat;

/* Parses /proc/<pid>/stat. The command name is in parentheses and may itself hold
 * spaces and parentheses, so fields are counted from the last ')'.
 * Returns 0, or -1 for malformed text. */
int cd_parse_proc_stat(const char *text, cd_proc_stat *out);

#endif
