/*
 * process_cgroup.txt: the memory, CPU and pids limits of the target's cgroups and
 * how much of each it uses. In a container these, not /proc/meminfo or the CPU
 * count, are what the JVM runs into: a heap sized for the host gets the container
 * OOM-killed, a CPU quota throttles GC threads.
 *
 * Finding the files: /proc/<pid>/cgroup names the target's cgroup in each hierarchy
 * ("0::/system.slice/x.service" for v2, "4:memory:/docker/abc" for v1), relative to
 * our own cgroup namespace. The mount table says where each hierarchy is mounted
 * and which of its directories the mount shows (its root). Our own mount table is
 * tried first, then the target's (/proc/<pid>/mountinfo, reached through
 * /proc/<pid>/root), for a collector that sees no cgroup file system itself.
 * A controller attached to a v1 hierarchy is read there; otherwise from v2.
 *
 * Limits can be set on any ancestor, so the effective one is the lowest found
 * walking from the target's cgroup up to the top of the mount.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "osinfo.h"
#include "process_info.h"

#define CGROUP_FILE_MAX_BYTES (64u << 10)
#define CGROUP_MOUNTS_MAX 64
#define CGROUP_LINES_MAX 64

/* cgroup v1 shows "no limit" as the largest page-aligned 63-bit number. */
#define V1_UNLIMITED_THRESHOLD (1LL << 62)

/* ---------------------------------------------------------------- parsing */

int cd_parse_cgroup_line(char *line, cd_cgroup_membership *out)
{
    memset(out, 0, sizeof *out);
    char *first = strchr(line, ':');
    if (!first)
        return -1;
    char *second = strchr(first + 1, ':');
    if (!second)
        return -1;
    *first = '\0';
    *second = '\0';
    char *end;
    long id = strtol(line, &end, 10);
    if (end == line || *end != '\0' || id < 0)
        return -1;
    out->hierarchy = (int)id;
    out->controllers = first + 1;
    out->path = second + 1;
    return out->path[0] == '/' ? 0 : -1;
}

int cd_list_has_word(const char *list, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t item = comma ? (size_t)(comma - p) : strlen(p);
        if (item == len && strncmp(p, word, len) == 0)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

int cd_parse_cgroup_value(const char *text, long long *value)
{
    while (isspace((unsigned char)*text))
        text++;
    if (strncmp(text, "max", 3) == 0 && (text[3] == '\0' || isspace((unsigned char)text[3]))) {
        *value = CD_UNLIMITED;
        return 0;
    }
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text || (*end && !isspace((unsigned char)*end)))
        return -1;
    *value = v < 0 || v >= V1_UNLIMITED_THRESHOLD ? CD_UNLIMITED : v;
    return 0;
}

int cd_parse_cgroup_cpu_max(const char *text, long long *quota_us, long long *period_us)
{
    char quota[32];
    long long period = 100000;
    int n = sscanf(text, "%31s %lld", quota, &period);
    if (n < 1 || period <= 0 || cd_parse_cgroup_value(quota, quota_us) != 0)
        return -1;
    *period_us = period;
    return 0;
}

int cd_parse_keyed_value(const char *text, const char *key, long long *value)
{
    size_t key_len = strlen(key);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, key, key_len) == 0 && (line[key_len] == ' ' || line[key_len] == '\t')) {
            char *end;
            long long v = strtoll(line + key_len, &end, 10);
            if (end != line + key_len) {
                *value = v;
                return 0;
            }
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

/* ---------------------------------------------------------------- locating */

typedef struct cgroup_mount {
    int v2;
    char super_options[256]; /* the controllers of a v1 hierarchy are among these */
    char root[PATH_MAX];
    char mount_point[PATH_MAX];
} cgroup_mount;

typedef struct cgroup_mounts {
    cgroup_mount items[CGROUP_MOUNTS_MAX];
    size_t count;
    char prefix[64]; /* "" or "/proc/<pid>/root": how we reach these mount points */
} cgroup_mounts;

static int load_cgroup_mounts(const char *mountinfo_path, const char *prefix, cgroup_mounts *out)
{
    out->count = 0;
    snprintf(out->prefix, sizeof out->prefix, "%s", prefix);
    char *text = NULL;
    if (cd_read_file(mountinfo_path, 16u << 20, 1, &text, NULL, NULL) != 0)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && out->count < CGROUP_MOUNTS_MAX;
         line = strtok_r(NULL, "\n", &save)) {
        cd_mountinfo m;
        if (cd_parse_mountinfo_line(line, &m) != 0)
            continue;
        int v2 = strcmp(m.fstype, "cgroup2") == 0;
        if (!v2 && strcmp(m.fstype, "cgroup") != 0)
            continue;
        cgroup_mount *c = &out->items[out->count++];
        c->v2 = v2;
        snprintf(c->super_options, sizeof c->super_options, "%s", m.super_options);
        snprintf(c->root, sizeof c->root, "%s", m.root);
        snprintf(c->mount_point, sizeof c->mount_point, "%s", m.mount_point);
    }
    free(text);
    return 0;
}

/* Where a controller's files are for the target: dir (the target's cgroup) and top
 * (the mount point: ancestors above it are not visible). */
typedef struct cgroup_place {
    int found;
    int version;
    char path[PATH_MAX]; /* as /proc/<pid>/cgroup names it */
    char dir[PATH_MAX];
    char top[PATH_MAX];
} cgroup_place;

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of cgroup path under mount m, if m shows it. */
static int directory_under(const cgroup_mounts *mounts, const cgroup_mount *m, const char *path,
                           cgroup_place *place)
{
    const char *relative = path;
    size_t root_len = strlen(m->root);
    if (strcmp(m->root, "/") != 0) {
        if (strncmp(path, m->root, root_len) != 0 ||
            (path[root_len] != '/' && path[root_len] != '\0'))
            return -1;
        relative = path + root_len;
    }
    if (strcmp(relative, "/") == 0)
        relative = "";
    snprintf(place->top, sizeof place->top, "%s%s", mounts->prefix, m->mount_point);
    snprintf(place->dir, sizeof place->dir, "%s%s", place->top, relative);
    return is_directory(place->dir) ? 0 : -1;
}

/* A v2 controller's files exist in a cgroup when its parent enables it; the root
 * cgroup has none of the limit files, only the list of cgroup.controllers. */
static int v2_controller_enabled(const cgroup_place *place, const char *path,
                                 const char *controller, const char *probe_file)
{
    char probe[PATH_MAX + 64];
    if (strcmp(path, "/") != 0 || !controller) {
        snprintf(probe, sizeof probe, "%s/%s", place->dir, probe_file ? probe_file : ".");
        return access(probe, F_OK) == 0;
    }
    snprintf(probe, sizeof probe, "%s/cgroup.controllers", place->dir);
    char *text = NULL;
    if (cd_read_file(probe, CGROUP_FILE_MAX_BYTES, 1, &text, NULL, NULL) != 0)
        return 0;
    int enabled = 0;
    char *save = NULL;
    for (char *word = strtok_r(text, " \n", &save); word && !enabled;
         word = strtok_r(NULL, " \n", &save))
        enabled = strcmp(word, controller) == 0;
    free(text);
    return enabled;
}

/* Finds the controller in memberships and mounts: in a v1 hierarchy that has it,
 * else in v2 where it is enabled. */
static void locate(const cd_cgroup_membership *lines, size_t line_count,
                   const cgroup_mounts *const *tables, size_t table_count, const char *controller,
                   const char *v2_probe_file, cgroup_place *place)
{
    memset(place, 0, sizeof *place);
    for (int want_v2 = 0; want_v2 <= 1 && !place->found; want_v2++) {
        for (size_t l = 0; l < line_count && !place->found; l++) {
            const cd_cgroup_membership *line = &lines[l];
            int line_v2 = line->hierarchy == 0 && line->controllers[0] == '\0';
            if (line_v2 != want_v2 ||
                (!want_v2 && !cd_list_has_word(line->controllers, controller)))
                continue;
            for (size_t t = 0; t < table_count && !place->found; t++) {
                const cgroup_mounts *mounts = tables[t];
                for (size_t i = 0; i < mounts->count && !place->found; i++) {
                    const cgroup_mount *m = &mounts->items[i];
                    if (m->v2 != want_v2 ||
                        (!want_v2 && !cd_list_has_word(m->super_options, controller)))
                        continue;
                    if (directory_under(mounts, m, line->path, place) != 0)
                        continue;
                    if (want_v2 &&
                        !v2_controller_enabled(place, line->path, controller, v2_probe_file))
                        continue;
                    place->found = 1;
                    place->version = want_v2 ? 2 : 1;
                    snprintf(place->path, sizeof place->path, "%s", line->path);
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- reading */

/* Reads dir/file whole; NULL when absent or unreadable. The caller frees. */
static char *read_cgroup_file(const char *dir, const char *file)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *text = NULL;
    if (cd_read_file(path, CGROUP_FILE_MAX_BYTES, 1, &text, NULL, NULL) != 0)
        return NULL;
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        text[--len] = '\0';
    return text;
}

/* Writes "file = value" (or a block, indented, for multi-line files). Returns the
 * text (the caller frees) or NULL. */
static char *show(cd_sink *sink, const char *dir, const char *file)
{
    char *text = read_cgroup_file(dir, file);
    if (!text)
        return NULL;
    if (!strchr(text, '\n')) {
        cd_sink_printf(sink, "%s = %s\n", file, text);
        return text;
    }
    cd_sink_printf(sink, "%s:\n", file);
    for (const char *line = text; line && *line;) {
        const char *newline = strchr(line, '\n');
        size_t len = newline ? (size_t)(newline - line) : strlen(line);
        cd_sink_printf(sink, "    %.*s\n", (int)len, line);
        line = newline ? newline + 1 : NULL;
    }
    return text;
}

static void show_only(cd_sink *sink, const char *dir, const char *file)
{
    free(show(sink, dir, file));
}

/* Reads a limit of one directory as a number (bytes, tasks or CPUs): 0 with
 * *limit (INFINITY for none), -1 when the directory has no such file. */
typedef int (*limit_reader)(const char *dir, const char *file, double *limit);

static int read_plain_limit(const char *dir, const char *file, double *limit)
{
    char *text = read_cgroup_file(dir, file);
    long long value;
    int rc = text && cd_parse_cgroup_value(text, &value) == 0 ? 0 : -1;
    if (rc == 0)
        *limit = value == CD_UNLIMITED ? INFINITY : (double)value;
    free(text);
    return rc;
}

static int read_cpu_max_limit(const char *dir, const char *file, double *limit)
{
    char *text = read_cgroup_file(dir, file);
    long long quota, period;
    int rc = text && cd_parse_cgroup_cpu_max(text, &quota, &period) == 0 ? 0 : -1;
    if (rc == 0)
        *limit = quota == CD_UNLIMITED ? INFINITY : (double)quota / (double)period;
    free(text);
    return rc;
}

static int read_cfs_limit(const char *dir, const char *file, double *limit)
{
    char *quota_text = read_cgroup_file(dir, file);
    char *period_text = read_cgroup_file(dir, "cpu.cfs_period_us");
    long long quota, period;
    int rc = quota_text && period_text && cd_parse_cgroup_value(quota_text, &quota) == 0 &&
                     cd_parse_cgroup_value(period_text, &period) == 0 && period > 0
                 ? 0
                 : -1;
    if (rc == 0)
        *limit = quota == CD_UNLIMITED ? INFINITY : (double)quota / (double)period;
    free(quota_text);
    free(period_text);
    return rc;
}

/* The lowest limit from place->dir up to place->top; *where gets the cgroup path
 * that sets it. Returns -1 when no level has the file. */
static int lowest_limit(const cgroup_place *place, const char *file, limit_reader reader,
                        double *lowest, char *where, size_t wherelen)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", place->dir);
    size_t top_len = strlen(place->top);
    int found = 0;
    *lowest = INFINITY;
    snprintf(where, wherelen, "-");
    for (;;) {
        double limit;
        if (reader(dir, file, &limit) == 0) {
            if (!found || limit < *lowest) {
                *lowest = limit;
                snprintf(where, wherelen, "%s", dir[top_len] ? dir + top_len : "/");
            }
            found = 1;
        }
        char *slash = strrchr(dir, '/');
        if (strlen(dir) <= top_len || !slash || (size_t)(slash - dir) < top_len)
            break;
        *slash = '\0';
    }
    if (!found && strcmp(place->path, "/") == 0) {
        /* the root cgroup has no limit files: nothing limits it */
        snprintf(where, wherelen, "/");
        return 0;
    }
    return found ? 0 : -1;
}

/* ---------------------------------------------------------------- JSON helpers */

static void json_number(cJSON *json, const char *key, long long value)
{
    if (value == CD_UNLIMITED)
        cJSON_AddStringToObject(json, key, "unlimited");
    else
        cJSON_AddNumberToObject(json, key, (double)value);
}

static void json_file_value(cJSON *json, const char *key, const char *text)
{
    long long value;
    if (text && cd_parse_cgroup_value(text, &value) == 0)
        json_number(json, key, value);
    else
        cJSON_AddNullToObject(json, key);
}

/* A limit file's value; in the root cgroup, which has no limit files, "unlimited". */
static void json_limit_file(cJSON *json, const char *key, const char *text,
                            const cgroup_place *place)
{
    if (!text && strcmp(place->path, "/") == 0)
        cJSON_AddStringToObject(json, key, "unlimited");
    else
        json_file_value(json, key, text);
}

static void json_keyed(cJSON *json, const char *json_key, const char *text, const char *key)
{
    long long value;
    if (text && cd_parse_keyed_value(text, key, &value) == 0)
        cJSON_AddNumberToObject(json, json_key, (double)value);
    else
        cJSON_AddNullToObject(json, json_key);
}

static void json_limit(cJSON *json, const char *key, int found, double limit)
{
    if (!found)
        cJSON_AddNullToObject(json, key);
    else if (isinf(limit))
        cJSON_AddStringToObject(json, key, "unlimited");
    else
        cJSON_AddNumberToObject(json, key, limit);
}

static void write_effective(cd_sink *sink, const char *what, int found, double limit,
                            const char *where, const char *unit)
{
    if (!found)
        return;
    if (isinf(limit))
        cd_sink_printf(sink, "effective %s limit: none (no limit up to the top of the hierarchy)\n",
                       what);
    else if (strcmp(unit, "bytes") == 0)
        cd_sink_printf(sink, "effective %s limit: %.0f bytes (%.1f MiB), set at %s\n", what, limit,
                       limit / 1048576.0, where);
    else if (strcmp(unit, "tasks") == 0)
        cd_sink_printf(sink, "effective %s limit: %.0f %s, set at %s\n", what, limit, unit, where);
    else
        cd_sink_printf(sink, "effective %s limit: %.2f %s, set at %s\n", what, limit, unit, where);
}

/* ---------------------------------------------------------------- controllers */

static void section_header(cd_sink *sink, const char *controller, const cgroup_place *place)
{
    cd_sink_printf(sink, "\n== %s: cgroup v%d %s (%s)\n", controller, place->version, place->path,
                   place->dir);
}

static void write_memory(cd_sink *sink, const cgroup_place *place, cJSON *json)
{
    section_header(sink, "memory", place);
    cJSON_AddNumberToObject(json, "memory_version", place->version);
    double effective;
    char where[PATH_MAX];
    if (place->version == 2) {
        char *max = show(sink, place->dir, "memory.max");
        show_only(sink, place->dir, "memory.high");
        char *current = show(sink, place->dir, "memory.current");
        char *peak = show(sink, place->dir, "memory.peak");
        show_only(sink, place->dir, "memory.swap.max");
        show_only(sink, place->dir, "memory.swap.current");
        char *events = show(sink, place->dir, "memory.events");
        show_only(sink, place->dir, "memory.stat");
        int found = lowest_limit(place, "memory.max", read_plain_limit, &effective, where,
                                 sizeof where) == 0;
        write_effective(sink, "memory", found, effective, where, "bytes");
        json_limit_file(json, "memory_limit_bytes", max, place);
        json_limit(json, "memory_effective_limit_bytes", found, effective);
        json_file_value(json, "memory_usage_bytes", current);
        json_file_value(json, "memory_peak_bytes", peak);
        json_keyed(json, "memory_oom_events", events, "oom");
        json_keyed(json, "memory_oom_kill_events", events, "oom_kill");
        cJSON_AddNullToObject(json, "memory_failcnt");
        free(max);
        free(current);
        free(peak);
        free(events);
        return;
    }
    char *limit = show(sink, place->dir, "memory.limit_in_bytes");
    show_only(sink, place->dir, "memory.soft_limit_in_bytes");
    char *usage = show(sink, place->dir, "memory.usage_in_bytes");
    char *peak = show(sink, place->dir, "memory.max_usage_in_bytes");
    char *failcnt = show(sink, place->dir, "memory.failcnt");
    show_only(sink, place->dir, "memory.memsw.limit_in_bytes");
    show_only(sink, place->dir, "memory.memsw.usage_in_bytes");
    char *oom_control = show(sink, place->dir, "memory.oom_control");
    char *stat = show(sink, place->dir, "memory.stat");
    /* v1 works out the effective limit itself */
    long long hierarchical;
    int found = stat && cd_parse_keyed_value(stat, "hierarchical_memory_limit", &hierarchical) == 0;
    if (found) {
        effective = hierarchical >= V1_UNLIMITED_THRESHOLD ? INFINITY : (double)hierarchical;
        snprintf(where, sizeof where, "%s or an ancestor (hierarchical_memory_limit)", place->path);
    } else {
        found = lowest_limit(place, "memory.limit_in_bytes", read_plain_limit, &effective, where,
                             sizeof where) == 0;
    }
    write_effective(sink, "memory", found, effective, where, "bytes");
    json_limit_file(json, "memory_limit_bytes", limit, place);
    json_limit(json, "memory_effective_limit_bytes", found, effective);
    json_file_value(json, "memory_usage_bytes", usage);
    json_file_value(json, "memory_peak_bytes", peak);
    cJSON_AddNullToObject(json, "memory_oom_events");
    json_keyed(json, "memory_oom_kill_events", oom_control, "oom_kill");
    json_file_value(json, "memory_failcnt", failcnt);
    free(limit);
    free(usage);
    free(peak);
    free(failcnt);
    free(oom_control);
    free(stat);
}

static void write_cpu(cd_sink *sink, const cgroup_place *place, const cgroup_place *cpuacct,
                      cJSON *json)
{
    section_header(sink, "cpu", place);
    cJSON_AddNumberToObject(json, "cpu_version", place->version);
    double effective;
    char where[PATH_MAX];
    int found;
    long long quota = 0, period = 0;
    int have_quota = 0;
    char *stat;
    if (place->version == 2) {
        char *max = show(sink, place->dir, "cpu.max");
        show_only(sink, place->dir, "cpu.weight");
        stat = show(sink, place->dir, "cpu.stat");
        show_only(sink, place->dir, "cpuset.cpus.effective");
        have_quota = max && cd_parse_cgroup_cpu_max(max, &quota, &period) == 0;
        found = lowest_limit(place, "cpu.max", read_cpu_max_limit, &effective, where,
                             sizeof where) == 0;
        json_keyed(json, "cpu_usage_usec", stat, "usage_usec");
        json_keyed(json, "cpu_throttled_usec", stat, "throttled_usec");
        free(max);
    } else {
        char *quota_text = show(sink, place->dir, "cpu.cfs_quota_us");
        char *period_text = show(sink, place->dir, "cpu.cfs_period_us");
        show_only(sink, place->dir, "cpu.shares");
        stat = show(sink, place->dir, "cpu.stat");
        have_quota = quota_text && period_text && cd_parse_cgroup_value(quota_text, &quota) == 0 &&
                     cd_parse_cgroup_value(period_text, &period) == 0;
        found = lowest_limit(place, "cpu.cfs_quota_us", read_cfs_limit, &effective, where,
                             sizeof where) == 0;
        char *usage = cpuacct->found ? show(sink, cpuacct->dir, "cpuacct.usage") : NULL;
        long long usage_ns;
        if (usage && cd_parse_cgroup_value(usage, &usage_ns) == 0 && usage_ns >= 0)
            cJSON_AddNumberToObject(json, "cpu_usage_usec", (double)(usage_ns / 1000));
        else
            cJSON_AddNullToObject(json, "cpu_usage_usec");
        long long throttled_ns;
        if (stat && cd_parse_keyed_value(stat, "throttled_time", &throttled_ns) == 0)
            cJSON_AddNumberToObject(json, "cpu_throttled_usec", (double)(throttled_ns / 1000));
        else
            cJSON_AddNullToObject(json, "cpu_throttled_usec");
        free(usage);
        free(quota_text);
        free(period_text);
    }
    write_effective(sink, "CPU", found, effective, where, "CPUs");
    if (have_quota) {
        json_number(json, "cpu_quota_us", quota);
        cJSON_AddNumberToObject(json, "cpu_period_us", (double)period);
    } else {
        json_limit_file(json, "cpu_quota_us", NULL, place);
        cJSON_AddNullToObject(json, "cpu_period_us");
    }
    json_limit(json, "cpu_effective_limit_cpus", found, effective);
    json_keyed(json, "cpu_periods", stat, "nr_periods");
    json_keyed(json, "cpu_throttled_periods", stat, "nr_throttled");
    free(stat);
}

static void write_pids(cd_sink *sink, const cgroup_place *place, cJSON *json)
{
    section_header(sink, "pids", place);
    char *max = show(sink, place->dir, "pids.max");
    char *current = show(sink, place->dir, "pids.current");
    show_only(sink, place->dir, "pids.peak");
    char *events = show(sink, place->dir, "pids.events");
    double effective;
    char where[PATH_MAX];
    int found =
        lowest_limit(place, "pids.max", read_plain_limit, &effective, where, sizeof where) == 0;
    write_effective(sink, "pids", found, effective, where, "tasks");
    json_limit_file(json, "pids_max", max, place);
    json_limit(json, "pids_effective_max", found, effective);
    json_file_value(json, "pids_current", current);
    json_keyed(json, "pids_max_events", events, "max");
    free(max);
    free(current);
    free(events);
}

/* ---------------------------------------------------------------- the file */

int cd_process_write_cgroup(cd_run *run, cJSON *json, cd_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)run->pid);
    char *text = NULL;
    cd_error read_err = {0};
    int have_lines = cd_read_file(path, CGROUP_FILE_MAX_BYTES, 1, &text, NULL, &read_err) == 0;

    cd_sink *sink = cd_osinfo_open(run, "process_cgroup.txt", err);
    if (!sink) {
        free(text);
        return -1;
    }
    if (!have_lines) {
        cd_sink_printf(sink, "# %s\n", read_err.message);
        cJSON_AddStringToObject(json, "problem", read_err.message);
        return cd_sink_close(sink, err) != 0 ? -1 : 0;
    }
    cd_sink_printf(sink, "cgroups of pid %d (%s):\n", (int)run->pid, path);
    cd_cgroup_membership lines[CGROUP_LINES_MAX];
    size_t line_count = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && line_count < CGROUP_LINES_MAX;
         line = strtok_r(NULL, "\n", &save)) {
        cd_sink_printf(sink, "    %s\n", line);
        if (cd_parse_cgroup_line(line, &lines[line_count]) == 0)
            line_count++;
    }

    cgroup_mounts *ours = malloc(sizeof *ours), *theirs = malloc(sizeof *theirs);
    const cgroup_mounts *tables[2];
    size_t table_count = 0;
    if (ours && load_cgroup_mounts("/proc/self/mountinfo", "", ours) == 0)
        tables[table_count++] = ours;
    char theirs_path[64];
    snprintf(theirs_path, sizeof theirs_path, "/proc/%d/mountinfo", (int)run->pid);
    if (theirs && !run->target.same_mount_ns &&
        load_cgroup_mounts(theirs_path, run->target.root, theirs) == 0)
        tables[table_count++] = theirs;

    cgroup_place memory, cpu, cpuacct, pids;
    locate(lines, line_count, tables, table_count, "memory", "memory.max", &memory);
    locate(lines, line_count, tables, table_count, "cpu", "cpu.max", &cpu);
    locate(lines, line_count, tables, table_count, "cpuacct", NULL, &cpuacct);
    locate(lines, line_count, tables, table_count, "pids", "pids.max", &pids);
    if (cpuacct.version == 2)
        cpuacct.found = 0; /* v2 folds it into cpu.stat */

    int have = 0;
    if (memory.found) {
        write_memory(sink, &memory, json);
        have = 1;
    } else {
        cd_sink_puts(sink, "\n== memory: no memory controller found for this cgroup "
                           "(the root cgroup has no limits)\n");
    }
    if (cpu.found) {
        write_cpu(sink, &cpu, &cpuacct, json);
        have = 1;
    } else {
        cd_sink_puts(sink, "\n== cpu: no cpu controller found for this cgroup "
                           "(the root cgroup has no limits)\n");
    }
    if (pids.found) {
        write_pids(sink, &pids, json);
        have = 1;
    } else {
        cd_sink_puts(sink, "\n== pids: no pids controller found for this cgroup "
                           "(the root cgroup has no limits)\n");
    }
    if (table_count == 0)
        cd_sink_puts(sink, "# no cgroup file system is mounted where carbondump or the target "
                           "can see it\n");
    free(ours);
    free(theirs);
    free(text);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have;
}
