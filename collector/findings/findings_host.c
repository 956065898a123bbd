/*
 * Findings about the process and the host, from osinfo/process_info.json,
 * os_disk_space.txt, os_meminfo.txt and the JVM's flags:
 *
 *   thread-limit     tasks against RLIMIT_NPROC (not for root, whom the kernel
 *                    exempts), the cgroup's pids.max or the kernel's pid_max /
 *                    threads-max: warning from LIMIT_WARN_RATIO, critical from
 *                    LIMIT_CRITICAL_RATIO; names the largest thread groups
 *   open-files-limit descriptors against RLIMIT_NOFILE, same ratios; names the
 *                    directories most of them point into
 *   container-memory -Xmx at or above the container's memory limit
 *                    (critical), above HEAP_OF_LIMIT_WARN of it (too little
 *                    left for metaspace, threads, code and direct buffers), the
 *                    container's usage above LIMIT_WARN_RATIO, OOM kills in the
 *                    container; without a limit, -Xmx above the host's RAM
 *   disk-space       a file system that matters (output directory,
 *                    CARBON_HOME, /tmp, /, the JVM's working directory) used
 *                    >= DISK_WARN_RATIO (critical from DISK_CRITICAL_RATIO, or
 *                    less than DISK_CRITICAL_FREE_BYTES left), or its inodes
 *   jvm-settings     no -XX:+HeapDumpOnOutOfMemoryError, no explicit -Xmx
 *                    (info: worth fixing before the next incident, not a cause)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"
#include "findings.h"
#include "threads_doc.h"
#include "wording.h"

#define LIMIT_WARN_RATIO 0.80
#define LIMIT_CRITICAL_RATIO 0.95
#define HEAP_OF_LIMIT_WARN 0.80
#define DISK_WARN_RATIO 0.90
#define DISK_CRITICAL_RATIO 0.97
#define DISK_CRITICAL_FREE_BYTES (100.0 * 1024 * 1024)
#define GROUPS_LISTED 3
#define DIRECTORIES_LISTED 3

static const char *const PROCESS_JSON = "osinfo/process_info.json";

/* The value of "Key:   123 kB" style lines (os_meminfo.txt), or -1. */
static double meminfo_kib(const char *text, const char *key)
{
    int line = cd_text_find_line(text, key, 0, 1);
    const char *p = line ? cd_text_line_at(text, line) : NULL;
    if (!p)
        return -1;
    return atof(p + strlen(key));
}

/* ---------------------------------------------------------------- threads and files */

typedef struct limit_use {
    double used, limit;
    char what[160]; /* "tasks of uid 1000 (wso2)" */
    char limit_name[48];
    const char *pointer;
} limit_use;

static void thread_limit(const cd_report_inputs *in, cd_findings *out)
{
    const cJSON *p = in->process;
    limit_use candidates[3];
    int n = 0;
    double uid = cd_json_number_or(p, "uid", -1);
    const char *user = cd_json_string_at(p, "user");
    if (uid > 0) {
        limit_use *c = &candidates[n++];
        c->used =
            cd_json_number_or(p, "threads/uid_tasks", cd_json_number_or(p, "threads/count", -1));
        c->limit = cd_json_number_or(p, "threads/nproc_soft_limit", -1);
        snprintf(c->what, sizeof c->what, "tasks of uid %.0f%s%s%s", uid, user ? " (" : "",
                 user ? user : "", user ? ")" : "");
        snprintf(c->limit_name, sizeof c->limit_name, "RLIMIT_NPROC");
        c->pointer = "/threads";
    }
    limit_use *c = &candidates[n++];
    c->used = cd_json_number_or(p, "cgroup/pids_current", -1);
    c->limit = cd_json_number_or(p, "cgroup/pids_effective_max", -1);
    snprintf(c->what, sizeof c->what, "tasks in the container");
    snprintf(c->limit_name, sizeof c->limit_name, "pids.max");
    c->pointer = "/cgroup";
    c = &candidates[n++];
    double pid_max = cd_json_number_or(p, "threads/pid_max", -1),
           threads_max = cd_json_number_or(p, "threads/threads_max", -1);
    int by_pid_max = pid_max > 0 && (threads_max <= 0 || pid_max <= threads_max);
    c->used = cd_json_number_or(p, "threads/all_tasks", -1);
    c->limit = by_pid_max ? pid_max : threads_max;
    snprintf(c->what, sizeof c->what, "tasks on the host");
    snprintf(c->limit_name, sizeof c->limit_name,
             by_pid_max ? "kernel.pid_max" : "kernel.threads-max");
    c->pointer = "/threads";

    const limit_use *worst = NULL;
    int severity = -1;
    for (int i = 0; i < n; i++) {
        int s = cd_ratio_severity(candidates[i].used, candidates[i].limit, LIMIT_WARN_RATIO,
                                  LIMIT_CRITICAL_RATIO);
        if (s > severity ||
            (s == severity && s >= 0 &&
             candidates[i].used / candidates[i].limit > worst->used / worst->limit)) {
            severity = s;
            worst = &candidates[i];
        }
    }
    if (severity < 0)
        return;
    cd_finding *f = cd_findings_add(out, (cd_severity)severity, "thread-limit",
                                    "Threads near the limit: %.0f %s of %s %.0f (%.0f%%)",
                                    worst->used, worst->what, worst->limit_name, worst->limit,
                                    worst->used / worst->limit * 100);
    double count = cd_json_number_or(p, "threads/count", -1);
    int java = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(in->threads, "threads"));
    if (count >= 0)
        cd_finding_detail(f, "the JVM has %.0f threads (%d Java threads)", count, java);
    cd_thread_group groups[GROUPS_LISTED];
    size_t group_count = cd_thread_groups(in->threads, groups, GROUPS_LISTED);
    cd_finding_thread_groups(f, groups, group_count);
    cd_finding_recommend(f, "At the limit, new threads fail with \"java.lang.OutOfMemoryError: "
                            "unable to create native thread\" (or fork fails). Find why threads "
                            "accumulate (the largest groups above: a pool without a bound, "
                            "threads per request), or raise the limit (ulimit -u, LimitNPROC= in "
                            "the systemd unit, the container's pids limit).");
    cd_finding_pointer(f, PROCESS_JSON, "%s", worst->pointer);
    cd_finding_lines(f, "osinfo/process_threads.txt", 1, 4);
    if (group_count)
        cd_finding_pointer(f, "threads/threads.json", "/threads");
}

/* The directories most descriptors point into, from process_open_files.txt's
 * "fd -> target" list. */
static void open_file_directories(const char *text, cd_finding *f, int *list_line)
{
    *list_line = cd_text_find_line(text, "fd -> target", 0, 1);
    if (!*list_line)
        return;
    struct dir_count {
        char dir[256];
        int count;
    } dirs[64];
    int n = 0;
    const char *p = cd_text_line_at(text, *list_line + 1);
    while (p && *p && *p != '\n') {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *arrow = memmem(p, len, " -> /", 5);
        if (arrow) {
            const char *path = arrow + 4;
            size_t path_len = len - (size_t)(path - p);
            const char *space = memchr(path, ' ', path_len);
            if (space)
                path_len = (size_t)(space - path);
            const char *slash = path + path_len;
            while (slash > path && *slash != '/')
                slash--;
            size_t dir_len = slash > path ? (size_t)(slash - path) : 1;
            char dir[256];
            snprintf(dir, sizeof dir, "%.*s", (int)dir_len, path);
            int d = 0;
            while (d < n && strcmp(dirs[d].dir, dir) != 0)
                d++;
            if (d == n && n < 64) {
                snprintf(dirs[n].dir, sizeof dirs[n].dir, "%s", dir);
                dirs[n++].count = 0;
            }
            if (d < n)
                dirs[d].count++;
        }
        p = end ? end + 1 : NULL;
    }
    for (int shown = 0; shown < DIRECTORIES_LISTED && shown < n; shown++) {
        int best = shown;
        for (int d = shown + 1; d < n; d++)
            if (dirs[d].count > dirs[best].count)
                best = d;
        struct dir_count chosen = dirs[best];
        dirs[best] = dirs[shown];
        dirs[shown] = chosen;
        cd_finding_detail(f, "%d open in %s", chosen.count, chosen.dir);
    }
}

static void open_files_limit(const cd_report_inputs *in, cd_findings *out)
{
    double open = cd_json_number_or(in->process, "fds/open", -1);
    double limit = cd_json_number_or(in->process, "fds/soft_limit", -1);
    int severity = cd_ratio_severity(open, limit, LIMIT_WARN_RATIO, LIMIT_CRITICAL_RATIO);
    if (severity < 0)
        return;
    cd_finding *f =
        cd_findings_add(out, (cd_severity)severity, "open-files-limit",
                        "Open files near the limit: %.0f of RLIMIT_NOFILE %.0f (%.0f%%)", open,
                        limit, open / limit * 100);
    const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(in->process, "fds"), "by_kind");
    if (cJSON_IsObject(kinds)) {
        char line[256] = "by kind:";
        const cJSON *kind;
        cJSON_ArrayForEach(kind, kinds)
        {
            if (cJSON_IsNumber(kind) && kind->valuedouble > 0)
                cd_appendf(line, sizeof line, " %s %.0f", kind->string, kind->valuedouble);
        }
        cd_finding_detail(f, "%s", line);
    }
    double deleted = cd_json_number_or(in->process, "fds/deleted", 0);
    if (deleted > 0)
        cd_finding_detail(f, "%.0f of them are deleted files still held open", deleted);
    int list_line = 0;
    if (in->open_files)
        open_file_directories(in->open_files, f, &list_line);
    cd_finding_recommend(f, "At the limit, accept() and every file open fail with \"Too many "
                            "open files\". If the count grows from one dump to the next, "
                            "something does not close its streams or sockets (the directories "
                            "above point at it); otherwise raise the limit (ulimit -n, "
                            "LimitNOFILE= in the systemd unit).");
    cd_finding_pointer(f, PROCESS_JSON, "/fds");
    if (in->open_files)
        cd_finding_lines(f, "osinfo/process_open_files.txt", 1, list_line > 1 ? list_line - 1 : 1);
}

/* ---------------------------------------------------------------- memory vs limits */

static void container_memory(const cd_report_inputs *in, cd_findings *out)
{
    double limit = cd_json_number_or(in->process, "cgroup/memory_effective_limit_bytes", -1);
    double heap_max = cd_heap_max_bytes(in);
    double usage = cd_json_number_or(in->process, "cgroup/memory_usage_bytes", -1);
    double rss = cd_json_number_or(in->process, "memory/rss_bytes", -1);
    double heap_committed = cd_json_number_or(in->heap_summary, "heap/committed", -1);
    double non_heap_committed = cd_json_number_or(in->heap_summary, "non_heap/committed", -1);
    char limit_text[32], heap_text[32], rss_text[32], usage_text[32];
    cd_format_bytes(limit, limit_text, sizeof limit_text);
    cd_format_bytes(heap_max, heap_text, sizeof heap_text);
    cd_format_bytes(rss, rss_text, sizeof rss_text);
    cd_format_bytes(usage, usage_text, sizeof usage_text);

    if (limit <= 0) {
        double ram = meminfo_kib(in->meminfo, "MemTotal:") * 1024;
        if (heap_max > 0 && ram > 0 && heap_max > ram) {
            char ram_text[32];
            cd_format_bytes(ram, ram_text, sizeof ram_text);
            cd_finding *f = cd_findings_add(out, CD_SEVERITY_WARNING, "container-memory",
                                            "Heap maximum %s is larger than the host's memory %s",
                                            heap_text, ram_text);
            cd_finding_recommend(f,
                                 "The heap can never be used in full: the host swaps or the "
                                 "kernel's OOM killer ends the JVM first. Set -Xmx well below "
                                 "the RAM, leaving room for the JVM's native memory and the OS.");
            cd_finding_lines(f, "osinfo/os_meminfo.txt", 1, 1);
            cd_finding_pointer(f, "memoryinfo/java_heap_summary.json", "/heap");
        }
        return;
    }
    cd_finding *f = NULL;
    if (heap_max > 0 && heap_max >= limit)
        f = cd_findings_add(out, CD_SEVERITY_CRITICAL, "container-memory",
                            "Heap maximum %s is at or above the container's memory limit %s",
                            heap_text, limit_text);
    else if (heap_max > 0 && heap_max > HEAP_OF_LIMIT_WARN * limit)
        f = cd_findings_add(out, CD_SEVERITY_WARNING, "container-memory",
                            "Heap maximum %s is %.0f%% of the container's memory limit %s, "
                            "leaving little for the JVM's native memory",
                            heap_text, heap_max / limit * 100, limit_text);
    double used = usage > rss ? usage : rss;
    int use_severity = cd_ratio_severity(used, limit, LIMIT_WARN_RATIO, LIMIT_CRITICAL_RATIO);
    if (!f && use_severity >= 0)
        f = cd_findings_add(out, (cd_severity)use_severity, "container-memory",
                            "Container memory %.0f%% used: %s of its limit %s", used / limit * 100,
                            usage > rss ? usage_text : rss_text, limit_text);
    double kills = cd_json_number_or(in->process, "cgroup/memory_oom_kill_events", 0);
    if (!f && kills > 0)
        f = cd_findings_add(out, CD_SEVERITY_WARNING, "container-memory",
                            "The kernel's OOM killer ended %.0f process(es) in this container",
                            kills);
    if (!f)
        return;
    cd_finding_detail(f, "container limit %s; usage %s; JVM resident %s", limit_text, usage_text,
                      rss_text);
    if (heap_committed >= 0 && rss > 0) {
        char heap_c[32], non_heap[32], native[32];
        cd_format_bytes(heap_committed, heap_c, sizeof heap_c);
        cd_format_bytes(non_heap_committed, non_heap, sizeof non_heap);
        double other = rss - heap_committed - (non_heap_committed > 0 ? non_heap_committed : 0);
        cd_format_bytes(other > 0 ? other : 0, native, sizeof native);
        cd_finding_detail(f,
                          "heap committed %s (max %s), non-heap committed %s, other native "
                          "(threads, buffers, malloc) about %s",
                          heap_c, heap_text, non_heap, native);
    }
    if (kills > 0)
        cd_finding_detail(f, "OOM kills in this cgroup: %.0f", kills);
    cd_finding_recommend(f,
                         "The container is killed without an OutOfMemoryError when the JVM's "
                         "whole footprint (heap plus metaspace, thread stacks, code cache, "
                         "direct buffers) reaches the limit. Keep -Xmx (or -XX:MaxRAMPercentage) "
                         "at about 75%% of the limit or less, or raise the limit.");
    cd_finding_pointer(f, PROCESS_JSON, "/cgroup");
    cd_finding_lines(f, "osinfo/process_cgroup.txt", 0, 0);
    cd_finding_pointer(f, "memoryinfo/java_heap_summary.json", "/heap");
}

static void disk_space(const cd_report_inputs *in, cd_findings *out)
{
    cd_disk_row rows[CD_DISK_ROWS_MAX];
    int lines[CD_DISK_ROWS_MAX];
    size_t count = cd_disk_rows(in->disk_space, rows, lines, CD_DISK_ROWS_MAX);
    for (size_t i = 0; i < count; i++) {
        const cd_disk_row *row = &rows[i];
        /* df's Use%: used of what non-root users can have */
        double usable = (double)row->used_kib + (double)row->available_kib;
        double free_bytes = (double)row->available_kib * 1024;
        int severity =
            cd_ratio_severity((double)row->used_kib, usable, DISK_WARN_RATIO, DISK_CRITICAL_RATIO);
        if (usable > 0 && free_bytes < DISK_CRITICAL_FREE_BYTES)
            severity = CD_SEVERITY_CRITICAL;
        double inodes_used = (double)(row->inodes - row->inodes_free);
        int inode_severity = row->inodes ? cd_ratio_severity(inodes_used, (double)row->inodes,
                                                             DISK_WARN_RATIO, DISK_CRITICAL_RATIO)
                                         : -1;
        if (severity < 0 && inode_severity < 0)
            continue;
        char free_text[32];
        cd_format_bytes(free_bytes, free_text, sizeof free_text);
        cd_finding *f =
            severity >= inode_severity
                ? cd_findings_add(out, (cd_severity)severity, "disk-space",
                                  "Disk almost full: %s %.0f%% used, %s free (%s)",
                                  row->mount_point, (double)row->used_kib / usable * 100, free_text,
                                  row->role)
                : cd_findings_add(out, (cd_severity)inode_severity, "disk-space",
                                  "Inodes almost used up on %s: %.0f%% (%s)", row->mount_point,
                                  inodes_used / (double)row->inodes * 100, row->role);
        cd_finding_recommend(f, "A full file system stops logging, database writes and heap "
                                "dumps, and Carbon misbehaves in odd ways. Remove old logs "
                                "(repository/logs), heap dumps and temporary files, or grow "
                                "the volume.");
        cd_finding_lines(f, "osinfo/os_disk_space.txt", lines[i], lines[i]);
    }
}

/* ---------------------------------------------------------------- JVM settings */

/* "true"/"false" of a boolean flag in vm_flags.txt, or of its -XX:+/- in the
 * JVM's arguments; -1 when neither says. *line gets the flag's line. */
static int boolean_flag(const cd_report_inputs *in, const char *name, int *line)
{
    char needle[96];
    snprintf(needle, sizeof needle, " %s ", name);
    *line = cd_text_find_line(in->vm_flags, needle, 1, 1);
    if (*line) {
        const char *p = cd_text_line_at(in->vm_flags, *line);
        const char *eq = p ? strchr(p, '=') : NULL;
        while (eq && *++eq == ' ')
            ;
        return eq && strncmp(eq, "true", 4) == 0;
    }
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(in->jvm, "input_arguments"), *arg;
    if (!args)
        return -1;
    int value = 0; /* HotSpot's defaults for the flags asked about here are false */
    char on[96], off[96];
    snprintf(on, sizeof on, "-XX:+%s", name);
    snprintf(off, sizeof off, "-XX:-%s", name);
    cJSON_ArrayForEach(arg, args)
    {
        if (cJSON_IsString(arg) && strcmp(arg->valuestring, on) == 0)
            value = 1;
        else if (cJSON_IsString(arg) && strcmp(arg->valuestring, off) == 0)
            value = 0;
    }
    return value;
}

static void jvm_settings(const cd_report_inputs *in, cd_findings *out)
{
    int line = 0;
    if (boolean_flag(in, "HeapDumpOnOutOfMemoryError", &line) == 0) {
        cd_finding *f = cd_findings_add(out, CD_SEVERITY_INFO, "jvm-settings",
                                        "No heap dump on OutOfMemoryError: "
                                        "-XX:+HeapDumpOnOutOfMemoryError is not set");
        cd_finding_recommend(f, "Add -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=<a "
                                "directory with room for the whole heap> to the server's JVM "
                                "options (bin/wso2server.sh or JAVA_OPTS), or load carbondump's "
                                "agent at start-up with on-oom=bundle, so the next "
                                "OutOfMemoryError leaves its evidence.");
        if (line)
            cd_finding_lines(f, "javainfo/vm_flags.txt", line, line);
        else
            cd_finding_pointer(f, "javainfo/jvm_info.json", "/input_arguments");
    }
    const char *origin = cd_json_string_at(in->heap_summary, "flags/MaxHeapSize/origin");
    if (origin && strcmp(origin, "command line") != 0) {
        char heap_text[32];
        cd_format_bytes(cd_heap_max_bytes(in), heap_text, sizeof heap_text);
        cd_finding *f =
            cd_findings_add(out, CD_SEVERITY_INFO, "jvm-settings",
                            "No -Xmx: the JVM sized the heap itself (%s, %s)", heap_text, origin);
        cd_finding_recommend(f, "Without -Xmx the JVM takes a share of the memory it sees "
                                "(MaxRAMPercentage, 25%% by default), which changes with the host "
                                "or container. Set -Xms and -Xmx explicitly for a server.");
        cd_finding_pointer(f, "memoryinfo/java_heap_summary.json", "/flags/MaxHeapSize");
    }
}

void cd_findings_host(const cd_report_inputs *in, cd_findings *out)
{
    thread_limit(in, out);
    open_files_limit(in, out);
    container_memory(in, out);
    disk_space(in, out);
    jvm_settings(in, out);
}
