/*
 * The `process` section: the target's resource limits and how close it is to each
 * (osinfo/process_*.txt and osinfo/process_info.json). process_info.c writes the
 * limits, status, open files and threads and the JSON (its top comment documents
 * the schema); process_cgroup.c writes process_cgroup.txt and the JSON's "cgroup".
 *
 * The pure parsers below take text and are unit-tested with fixed input
 * (tests/unit/test_osinfo.c).
 */
#ifndef CARBONDUMP_COLLECTOR_PROCESS_INFO_H
#define CARBONDUMP_COLLECTOR_PROCESS_INFO_H

#include <stddef.h>

#include "base/run_context.h"
#include "carbondump/error.h"

/* The process section (section_runner.c; needs a target). Fails only when nothing
 * about the target could be read (it exited, or /proc hides it entirely). */
int cd_process_section(cd_run *run, cd_error *err);

/* A value of "no limit": "unlimited" in /proc/<pid>/limits, "max" in cgroup v2,
 * -1 or a near-2^63 page-rounded number in cgroup v1. */
#define CD_UNLIMITED (-1LL)

/* ---------------------------------------------------------------- /proc/<pid>/limits */

typedef struct cd_limit {
    char name[32];        /* "Max open files" */
    long long soft, hard; /* CD_UNLIMITED for "unlimited" */
    char units[16];       /* "files", "bytes", "" */
} cd_limit;

/* Parses /proc/<pid>/limits (a header line, then one fixed-width row per limit).
 * Stores at most max rows in out and returns how many, or -1 if the text is not a
 * limits table. */
int cd_parse_limits(const char *text, cd_limit *out, size_t max);

/* The row called name, or NULL. */
const cd_limit *cd_limits_find(const cd_limit *limits, size_t count, const char *name);

/* ---------------------------------------------------------------- file descriptors */

/* The kind of an open file from its /proc/<pid>/fd link: "socket", "pipe",
 * "anon_inode", "file" (a path: regular files, directories, devices) or "other". */
const char *cd_fd_kind(const char *link_target);

/* ---------------------------------------------------------------- cgroups */

struct cJSON;

/* Writes osinfo/process_cgroup.txt for the target and fills the "cgroup" object of
 * process_info.json (json is that object). Returns 1 when some cgroup data was
 * read, 0 when none could be, -1 when the file could not be written. */
int cd_process_write_cgroup(cd_run *run, struct cJSON *json, cd_error *err);

/* One line of /proc/<pid>/cgroup: "hierarchy-id:controller-list:path", pointing
 * into the (modified) line. cgroup v2 has id 0 and an empty controller list. */
typedef struct cd_cgroup_membership {
    int hierarchy;
    const char *controllers; /* "memory", "cpu,cpuacct", "name=systemd", "" */
    const char *path;        /* relative to the reader's cgroup namespace root */
} cd_cgroup_membership;

/* Parses one line in place. Returns 0, or -1 for a malformed line. */
int cd_parse_cgroup_line(char *line, cd_cgroup_membership *out);

/* 1 when the comma-separated list contains word ("cpu" is in "cpu,cpuacct", not in
 * "cpuset"). */
int cd_list_has_word(const char *list, const char *word);

/* Parses a single-value cgroup file ("536870912\n", "max\n", "-1\n", v1's
 * 9223372036854771712 for no limit). Returns 0, or -1 if it is not a number. */
int cd_parse_cgroup_value(const char *text, long long *value);

/* Parses cgroup v2 cpu.max: "max 100000" or "150000 100000" (quota, period in
 * microseconds). A missing period means the default 100000. Returns 0 or -1. */
int cd_parse_cgroup_cpu_max(const char *text, long long *quota_us, long long *period_us);

/* Finds "key value" in a flat keyed file (memory.events, cpu.stat, memory.stat,
 * v1 memory.oom_control). Returns 0 with *value, or -1 when key is absent. */
int cd_parse_keyed_value(const char *text, const char *key, long long *value);

#endif
