/*
 * The process section: how close the target is to the limits that end in "too
 * many open files", "unable to create native thread" and container OOM kills.
 *
 *   osinfo/process_limits.txt      /proc/<pid>/limits as the kernel prints it
 *   osinfo/process_status.txt      /proc/<pid>/status as the kernel prints it
 *   osinfo/process_open_files.txt  descriptors in use vs RLIMIT_NOFILE, by kind,
 *                                  the most repeated targets, then every fd -> target
 *                                  (sockets with their TCP/UDP endpoints)
 *   osinfo/process_threads.txt     threads vs RLIMIT_NPROC, the uid's tasks, per-thread
 *                                  names and states
 *   osinfo/process_cgroup.txt      cgroup limits and usage (process_cgroup.c)
 *   osinfo/process_info.json       the key numbers, for the findings report
 *
 * /proc/<pid>/limits and status are readable by anyone; fd and task details need
 * the target's user or root. What cannot be read is said in the text files and
 * listed in the JSON's "unreadable". The fd links are read with readlink only.
 *
 * process_info.json, schema 1. A number is a JSON number; a limit with no bound is
 * the string "unlimited"; null means it could not be read.
 *   {
 *     "schema": 1, "pid": 4242, "uid": 1000, "user": "wso2",  (uid: real uid)
 *     "memory": {"rss_bytes", "vm_size_bytes", "swap_bytes"},
 *     "fds": {
 *       "open": n | null,            entries of /proc/<pid>/fd
 *       "soft_limit", "hard_limit":  RLIMIT_NOFILE
 *       "by_kind": {"file", "socket", "pipe", "anon_inode", "other"} | null,
 *       "deleted": n | null,         open files whose path was deleted
 *       "fd_table_size": n | null    FDSize of status, readable even when fd is not
 *     },
 *     "threads": {
 *       "count": n | null,           Threads of status
 *       "nproc_soft_limit", "nproc_hard_limit":  RLIMIT_NPROC
 *       "uid_tasks": n | null,       processes + threads of the uid visible in /proc
 *       "uid_processes": n | null,
 *       "all_tasks": n | null,       every task visible in /proc
 *       "threads_max", "pid_max":    kernel.threads-max, kernel.pid_max
 *       "by_state": {"S": n, ...} | null
 *     },
 *     "cgroup": {                    keys of a controller not found are absent
 *       "memory_version": 1|2, "memory_limit_bytes", "memory_effective_limit_bytes"
 *       (the lowest over the ancestors), "memory_usage_bytes", "memory_peak_bytes",
 *       "memory_oom_events", "memory_oom_kill_events", "memory_failcnt" (v1),
 *       "cpu_version", "cpu_quota_us", "cpu_period_us", "cpu_effective_limit_cpus",
 *       "cpu_usage_usec", "cpu_throttled_usec", "cpu_periods", "cpu_throttled_periods",
 *       "pids_max", "pids_effective_max", "pids_current", "pids_max_events"
 *     },
 *     "unreadable": ["/proc/4242/fd: Permission denied", ...]
 *   }
 */
#include "process_info.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "carbondump/array.h"
#include "carbondump/fsutil.h"
#include "osinfo.h"

#define PROC_SMALL_MAX_BYTES (1u << 20)
#define FD_LIST_MAX 200000u
#define FD_LINK_MAX 4096
#define WALK_DEADLINE_MS 5000u
#define THREAD_LIST_MAX 100000u
#define TOP_TARGETS 20
#define LIMITS_MAX 32

/* ---------------------------------------------------------------- parsing */

int cd_parse_limits(const char *text, cd_limit *out, size_t max)
{
    /* "Limit                     Soft Limit           Hard Limit           Units     "
     * then rows printed "%-25s %-20s %-20s %-10s": names hold single spaces */
    if (strncmp(text, "Limit", 5) != 0)
        return -1;
    const char *line = strchr(text, '\n');
    size_t count = 0;
    while (line && *++line && count < max) {
        const char *newline = strchr(line, '\n');
        size_t len = newline ? (size_t)(newline - line) : strlen(line);
        char row[256];
        snprintf(row, sizeof row, "%.*s", (int)(len < sizeof row ? len : sizeof row - 1), line);
        char *gap = strstr(row, "  ");
        if (gap) {
            cd_limit *l = &out[count];
            memset(l, 0, sizeof *l);
            *gap = '\0';
            snprintf(l->name, sizeof l->name, "%s", row);
            char soft[32], hard[32], units[16] = "";
            int n = sscanf(gap + 1, "%31s %31s %15s", soft, hard, units);
            if (n >= 2) {
                l->soft = strcmp(soft, "unlimited") == 0 ? CD_UNLIMITED : strtoll(soft, NULL, 10);
                l->hard = strcmp(hard, "unlimited") == 0 ? CD_UNLIMITED : strtoll(hard, NULL, 10);
                snprintf(l->units, sizeof l->units, "%s", n == 3 ? units : "");
                count++;
            }
        }
        line = newline;
    }
    return (int)count;
}

const cd_limit *cd_limits_find(const cd_limit *limits, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(limits[i].name, name) == 0)
            return &limits[i];
    return NULL;
}

const char *cd_fd_kind(const char *link_target)
{
    if (strncmp(link_target, "socket:[", 8) == 0)
        return "socket";
    if (strncmp(link_target, "pipe:[", 6) == 0)
        return "pipe";
    if (strncmp(link_target, "anon_inode:", 11) == 0)
        return "anon_inode";
    if (link_target[0] == '/')
        return "file";
    return "other";
}

/* ---------------------------------------------------------------- shared state */

typedef struct process_context {
    cd_run *run;
    int pid;
    char *status; /* /proc/<pid>/status, or NULL */
    size_t status_len;
    cd_error status_err; /* why status is NULL */
    cd_limit limits[LIMITS_MAX];
    size_t limit_count;
    cJSON *json;
    cJSON *unreadable; /* array in json */
} process_context;

static void note_unreadable(process_context *p, const char *what)
{
    cJSON_AddItemToArray(p->unreadable, cJSON_CreateString(what));
}

static long long status_value(const process_context *p, const char *key)
{
    long long value;
    if (p->status && cd_parse_keyed_value(p->status, key, &value) == 0)
        return value;
    return LLONG_MIN;
}

static void json_count(cJSON *json, const char *key, long long value)
{
    if (value == LLONG_MIN)
        cJSON_AddNullToObject(json, key);
    else if (value == CD_UNLIMITED)
        cJSON_AddStringToObject(json, key, "unlimited");
    else
        cJSON_AddNumberToObject(json, key, (double)value);
}

static void json_limit_pair(process_context *p, cJSON *json, const char *name, const char *soft_key,
                            const char *hard_key)
{
    const cd_limit *l = cd_limits_find(p->limits, p->limit_count, name);
    json_count(json, soft_key, l ? l->soft : LLONG_MIN);
    json_count(json, hard_key, l ? l->hard : LLONG_MIN);
}

static void limit_text(const cd_limit *l, int soft, char *out, size_t outlen)
{
    long long v = soft ? l->soft : l->hard;
    if (v == CD_UNLIMITED)
        snprintf(out, outlen, "unlimited");
    else
        snprintf(out, outlen, "%lld", v);
}

static int read_kernel_number(const char *path, long long *value)
{
    char *text = NULL;
    if (cd_read_file(path, 4096, 1, &text, NULL, NULL) != 0)
        return -1;
    char *end;
    *value = strtoll(text, &end, 10);
    int ok = end != text;
    free(text);
    return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- open files */

typedef struct fd_link {
    int fd;
    char *target;
} fd_link;

static int compare_fd(const void *a, const void *b)
{
    return ((const fd_link *)a)->fd - ((const fd_link *)b)->fd;
}

static int compare_target(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct fd_summary {
    long long open;
    size_t kinds[5]; /* file socket pipe anon_inode other */
    size_t deleted;
    int out_of_time;
} fd_summary;

static const char *const fd_kinds[5] = {"file", "socket", "pipe", "anon_inode", "other"};

static size_t kind_index(const char *kind)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(kind, fd_kinds[i]) == 0)
            return i;
    return 4;
}

typedef struct fd_reading {
    fd_link *links;
    size_t kept, capacity;
    fd_summary *summary;
} fd_reading;

static int read_fd_link(int fd_dir, int fd, void *ctx)
{
    fd_reading *r = ctx;
    char name[16], target[FD_LINK_MAX];
    snprintf(name, sizeof name, "%d", fd);
    ssize_t n = readlinkat(fd_dir, name, target, sizeof target - 1);
    if (n < 0)
        return 0; /* closed meanwhile */
    target[n] = '\0';
    fd_summary *summary = r->summary;
    summary->open++;
    summary->kinds[kind_index(cd_fd_kind(target))]++;
    size_t target_len = (size_t)n;
    if (target[0] == '/' && target_len > 10 && strcmp(target + target_len - 10, " (deleted)") == 0)
        summary->deleted++;
    if (r->kept >= FD_LIST_MAX)
        return 0;
    if (CD_ARRAY_ROOM_FOR_ONE(r->links, r->capacity, r->kept) != 0)
        return 0;
    char *copy = strdup(target);
    if (copy) {
        r->links[r->kept].fd = fd;
        r->links[r->kept].target = copy;
        r->kept++;
    }
    return 0;
}

/* Reads the fd links of pid: all are counted, the first FD_LIST_MAX kept, sorted
 * by fd. NULL with err when the directory cannot be read. */
static fd_link *read_fd_links(int pid, size_t *kept, fd_summary *summary, cd_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    fd_reading r = {NULL, 0, 0, summary};
    int rc = cd_proc_each_entry(path, cd_monotonic_ms() + WALK_DEADLINE_MS, read_fd_link, &r);
    if (rc < 0) {
        cd_fail_errno(err, CD_ERR_IO, errno, "%s", path);
        return NULL;
    }
    summary->out_of_time = rc == 1;
    if (!r.links)
        r.links = malloc(sizeof *r.links); /* no fd at all: an empty list, not an error */
    if (!r.links) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing %s", path);
        return NULL;
    }
    if (r.kept > 0)
        qsort(r.links, r.kept, sizeof *r.links, compare_fd);
    *kept = r.kept;
    return r.links;
}

static void write_top_targets(cd_sink *sink, const fd_link *links, size_t count)
{
    char **targets = malloc((count ? count : 1) * sizeof *targets);
    if (!targets)
        return;
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (links[i].target[0] == '/')
            targets[n++] = links[i].target;
    qsort(targets, n, sizeof *targets, compare_target);
    struct {
        const char *target;
        size_t count;
    } top[TOP_TARGETS] = {{0}};
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(targets[j], targets[i]) == 0)
            j++;
        size_t run_length = j - i;
        for (size_t t = 0; t < TOP_TARGETS && run_length >= 2; t++) {
            if (top[t].count >= run_length)
                continue;
            memmove(&top[t + 1], &top[t], (TOP_TARGETS - t - 1) * sizeof *top);
            top[t].target = targets[i];
            top[t].count = run_length;
            break;
        }
        i = j;
    }
    if (top[0].count) {
        cd_sink_puts(sink, "\nfiles open more than once (most first):\n");
        for (size_t t = 0; t < TOP_TARGETS && top[t].count; t++)
            cd_sink_printf(sink, "%8zu  %s\n", top[t].count, top[t].target);
    }
    free(targets);
}

static void write_socket_states(cd_sink *sink, const fd_link *links, size_t count,
                                const cd_socket_table *table)
{
    /* (proto, state name) pairs and their counts */
    struct {
        char key[32];
        size_t count;
    } states[64];
    size_t state_count = 0, unmatched = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned long long inode = cd_socket_inode_of_link(links[i].target);
        if (!inode)
            continue;
        const cd_net_socket *s = cd_socket_table_find(table, inode);
        if (!s) {
            unmatched++;
            continue;
        }
        char key[32];
        const char *state = cd_socket_state_name(s);
        snprintf(key, sizeof key, "%s %s", s->proto, state[0] ? state : "UNCONN");
        size_t k = 0;
        while (k < state_count && strcmp(states[k].key, key) != 0)
            k++;
        if (k == state_count && state_count < 64) {
            snprintf(states[k].key, sizeof states[k].key, "%s", key);
            states[k].count = 0;
            state_count++;
        }
        if (k < state_count)
            states[k].count++;
    }
    cd_sink_puts(sink, "sockets by state:");
    for (size_t k = 0; k < state_count; k++)
        cd_sink_printf(sink, "%s %s %zu", k ? "," : "", states[k].key, states[k].count);
    cd_sink_printf(sink, "%s unix or other %zu\n", state_count ? "," : "", unmatched);
}

static int write_open_files(process_context *p, cd_error *err)
{
    cJSON *fds = cJSON_AddObjectToObject(p->json, "fds");
    fd_summary summary = {0};
    size_t kept = 0;
    cd_error list_err = {0};
    fd_link *links = read_fd_links(p->pid, &kept, &summary, &list_err);
    const cd_limit *nofile = cd_limits_find(p->limits, p->limit_count, "Max open files");
    long long fd_table = status_value(p, "FDSize:");

    cd_sink *sink = cd_osinfo_open(p->run, "process_open_files.txt", err);
    if (!sink) {
        for (size_t i = 0; i < kept; i++)
            free(links[i].target);
        free(links);
        return -1;
    }
    char soft[32] = "?", hard[32] = "?";
    if (nofile) {
        limit_text(nofile, 1, soft, sizeof soft);
        limit_text(nofile, 0, hard, sizeof hard);
    }
    if (links) {
        cd_sink_printf(sink, "open file descriptors of pid %d: %lld", p->pid, summary.open);
        if (nofile && nofile->soft > 0)
            cd_sink_printf(sink, " of soft limit %s (%.1f%% used); hard limit %s\n", soft,
                           100.0 * (double)summary.open / (double)nofile->soft, hard);
        else
            cd_sink_printf(sink, " (soft limit %s, hard limit %s)\n", soft, hard);
        cd_sink_puts(sink, "by kind:");
        for (size_t k = 0; k < 5; k++)
            cd_sink_printf(sink, "%s %s %zu", k ? "," : "", fd_kinds[k], summary.kinds[k]);
        cd_sink_printf(sink, "\ndeleted files still open: %zu\n", summary.deleted);
        cd_socket_table table = {0};
        cd_error table_err = {0};
        int have_table = summary.kinds[1] && cd_socket_table_load(p->pid, &table, &table_err) == 0;
        if (have_table)
            write_socket_states(sink, links, kept, &table);
        else if (summary.kinds[1])
            cd_sink_printf(sink, "# sockets: %s\n", table_err.message);
        write_top_targets(sink, links, kept);
        cd_sink_puts(sink, "\nfd -> target\n");
        for (size_t i = 0; i < kept; i++) {
            cd_sink_printf(sink, "%d -> %s", links[i].fd, links[i].target);
            const cd_net_socket *s =
                have_table ? cd_socket_table_find(&table, cd_socket_inode_of_link(links[i].target))
                           : NULL;
            if (s) {
                char local[64], remote[64];
                cd_format_endpoint(s->family, s->local_addr, s->local_port, 0, local, sizeof local);
                cd_format_endpoint(s->family, s->remote_addr, s->remote_port, 1, remote,
                                   sizeof remote);
                cd_sink_printf(sink, "  %s %s %s %s", s->proto, local, remote,
                               cd_socket_state_name(s));
            }
            cd_sink_puts(sink, "\n");
        }
        if (have_table)
            cd_socket_table_free(&table);
        if ((long long)kept < summary.open)
            cd_sink_printf(sink, "# %lld more descriptors not listed (counted above)\n",
                           summary.open - (long long)kept);
        if (summary.out_of_time)
            cd_sink_printf(sink, "# stopped reading descriptors after %u ms: counts are partial\n",
                           WALK_DEADLINE_MS);
    } else {
        cd_sink_printf(sink,
                       "# the descriptors of pid %d cannot be listed: %s (run carbondump "
                       "as the target's user or root)\n",
                       p->pid, list_err.message);
        cd_sink_printf(sink,
                       "fd table size of pid %d (FDSize in status): %s; soft limit %s, "
                       "hard limit %s\n",
                       p->pid, fd_table == LLONG_MIN ? "?" : "", soft, hard);
        if (fd_table != LLONG_MIN)
            cd_sink_printf(sink, "(an upper bound of the descriptors in use: %lld)\n", fd_table);
        note_unreadable(p, list_err.message);
    }

    json_count(fds, "open", links ? summary.open : LLONG_MIN);
    json_limit_pair(p, fds, "Max open files", "soft_limit", "hard_limit");
    if (links) {
        cJSON *by_kind = cJSON_AddObjectToObject(fds, "by_kind");
        for (size_t k = 0; k < 5; k++)
            cJSON_AddNumberToObject(by_kind, fd_kinds[k], (double)summary.kinds[k]);
        cJSON_AddNumberToObject(fds, "deleted", (double)summary.deleted);
    } else {
        cJSON_AddNullToObject(fds, "by_kind");
        cJSON_AddNullToObject(fds, "deleted");
    }
    json_count(fds, "fd_table_size", fd_table);
    for (size_t i = 0; i < kept; i++)
        free(links[i].target);
    free(links);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return 1;
}

/* ---------------------------------------------------------------- threads */

typedef struct uid_tasks {
    long long tasks, processes, all_tasks;
    int out_of_time;
} uid_tasks;

typedef struct uid_count {
    uid_t uid;
    uid_tasks *tasks;
} uid_count;

static int count_task(int proc_fd, int pid, void *ctx)
{
    uid_count *count = ctx;
    char path[64];
    char *text = NULL;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if (cd_read_file(path, PROC_SMALL_MAX_BYTES, 1, &text, NULL, NULL) != 0)
        return 0;
    long long real_uid, threads;
    if (cd_parse_keyed_value(text, "Uid:", &real_uid) == 0 &&
        cd_parse_keyed_value(text, "Threads:", &threads) == 0) {
        count->tasks->all_tasks += threads;
        if ((uid_t)real_uid == count->uid) {
            count->tasks->tasks += threads;
            count->tasks->processes++;
        }
    }
    free(text);
    return 0;
}

/* Counts the tasks of uid (real uid, as RLIMIT_NPROC does) over /proc. */
static int count_uid_tasks(uid_t uid, uid_tasks *out)
{
    memset(out, 0, sizeof *out);
    uid_count count = {uid, out};
    int rc = cd_proc_each_entry("/proc", cd_monotonic_ms() + WALK_DEADLINE_MS, count_task, &count);
    out->out_of_time = rc == 1;
    return rc < 0 ? -1 : 0;
}

typedef struct thread_row {
    int tid;
    char state;
    char name[64];
} thread_row;

static int compare_tid(const void *a, const void *b)
{
    return ((const thread_row *)a)->tid - ((const thread_row *)b)->tid;
}

typedef struct thread_reading {
    thread_row *rows;
    size_t count, capacity;
} thread_reading;

static int read_thread(int task_dir, int tid, void *ctx)
{
    thread_reading *r = ctx;
    if (r->count == THREAD_LIST_MAX)
        return 1;
    char name[32];
    snprintf(name, sizeof name, "%d/stat", tid);
    int fd = openat(task_dir, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0; /* ended meanwhile */
    char text[1024];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    cd_proc_stat st;
    if (n <= 0)
        return 0;
    text[n] = '\0';
    if (cd_parse_proc_stat(text, &st) != 0)
        return 0;
    if (CD_ARRAY_ROOM_FOR_ONE(r->rows, r->capacity, r->count) != 0)
        return 1;
    thread_row *row = &r->rows[r->count++];
    row->tid = st.pid;
    row->state = st.state;
    snprintf(row->name, sizeof row->name, "%s", st.comm);
    return 0;
}

/* Reads every thread's name and state from /proc/<pid>/task/<tid>/stat, sorted by
 * tid. NULL with err when the directory cannot be read. */
static thread_row *read_threads(int pid, size_t *count, cd_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    thread_reading r = {0};
    *count = 0;
    if (cd_proc_each_entry(path, cd_monotonic_ms() + WALK_DEADLINE_MS, read_thread, &r) < 0) {
        cd_fail_errno(err, CD_ERR_IO, errno, "%s", path);
        free(r.rows);
        return NULL;
    }
    if (!r.rows)
        r.rows = malloc(sizeof *r.rows);
    if (!r.rows) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing %s", path);
        return NULL;
    }
    if (r.count > 0)
        qsort(r.rows, r.count, sizeof *r.rows, compare_tid);
    *count = r.count;
    return r.rows;
}

static int write_threads(process_context *p, cd_error *err)
{
    cJSON *threads = cJSON_AddObjectToObject(p->json, "threads");
    long long count = status_value(p, "Threads:");
    long long uid = status_value(p, "Uid:");
    const cd_limit *nproc = cd_limits_find(p->limits, p->limit_count, "Max processes");
    uid_tasks tasks;
    int have_tasks = uid != LLONG_MIN && count_uid_tasks((uid_t)uid, &tasks) == 0;
    long long threads_max = LLONG_MIN, pid_max = LLONG_MIN;
    read_kernel_number("/proc/sys/kernel/threads-max", &threads_max);
    read_kernel_number("/proc/sys/kernel/pid_max", &pid_max);
    size_t row_count = 0;
    cd_error rows_err = {0};
    thread_row *rows = read_threads(p->pid, &row_count, &rows_err);

    cd_sink *sink = cd_osinfo_open(p->run, "process_threads.txt", err);
    if (!sink) {
        free(rows);
        return -1;
    }
    char user[64] = "?";
    if (uid != LLONG_MIN)
        cd_user_name((uid_t)uid, user, sizeof user);
    if (count != LLONG_MIN)
        cd_sink_printf(sink, "threads of pid %d: %lld (Threads in /proc/%d/status)\n", p->pid,
                       count, p->pid);
    else
        cd_sink_printf(sink, "# the thread count of pid %d is unknown (status not readable)\n",
                       p->pid);
    char soft[32] = "?", hard[32] = "?";
    if (nproc) {
        limit_text(nproc, 1, soft, sizeof soft);
        limit_text(nproc, 0, hard, sizeof hard);
    }
    cd_sink_printf(sink,
                   "process limit of uid %lld (%s), RLIMIT_NPROC of pid %d: soft %s, hard %s\n",
                   uid, user, p->pid, soft, hard);
    if (have_tasks) {
        cd_sink_printf(sink,
                       "tasks (processes and threads) of uid %lld visible in /proc: %lld in "
                       "%lld processes",
                       uid, tasks.tasks, tasks.processes);
        if (nproc && nproc->soft > 0)
            cd_sink_printf(sink, " (%.1f%% of the soft limit)",
                           100.0 * (double)tasks.tasks / (double)nproc->soft);
        cd_sink_puts(sink, "\n");
        cd_sink_puts(sink, "# the kernel counts the uid's tasks in every pid namespace (other "
                           "containers of the same uid too); only this one is visible here\n");
        cd_sink_printf(sink, "all tasks visible in /proc: %lld", tasks.all_tasks);
        if (threads_max != LLONG_MIN)
            cd_sink_printf(sink, "; kernel.threads-max %lld", threads_max);
        if (pid_max != LLONG_MIN)
            cd_sink_printf(sink, "; kernel.pid_max %lld", pid_max);
        cd_sink_puts(sink, "\n");
        if (tasks.out_of_time)
            cd_sink_printf(sink, "# stopped counting after %u ms: counts are partial\n",
                           WALK_DEADLINE_MS);
    }

    cJSON *by_state = NULL;
    if (rows) {
        size_t states[128] = {0};
        for (size_t i = 0; i < row_count; i++)
            states[(unsigned char)rows[i].state & 127]++;
        by_state = cJSON_CreateObject();
        cd_sink_puts(sink, "by state:");
        int first = 1;
        for (int s = 0; s < 128; s++) {
            if (!states[s])
                continue;
            char key[2] = {(char)s, '\0'};
            cJSON_AddNumberToObject(by_state, key, (double)states[s]);
            cd_sink_printf(sink, "%s %c %zu", first ? "" : ",", s, states[s]);
            first = 0;
        }
        cd_sink_printf(sink, "\n\n%7s %s %s\n", "TID", "S", "NAME");
        for (size_t i = 0; i < row_count; i++)
            cd_sink_printf(sink, "%7d %c %s\n", rows[i].tid, rows[i].state, rows[i].name);
        if (count != LLONG_MIN && (long long)row_count < count)
            cd_sink_printf(sink, "# %lld threads not listed\n", count - (long long)row_count);
    } else {
        cd_sink_printf(sink, "# threads cannot be listed: %s\n", rows_err.message);
        note_unreadable(p, rows_err.message);
    }

    json_count(threads, "count", count);
    json_limit_pair(p, threads, "Max processes", "nproc_soft_limit", "nproc_hard_limit");
    json_count(threads, "uid_tasks", have_tasks ? tasks.tasks : LLONG_MIN);
    json_count(threads, "uid_processes", have_tasks ? tasks.processes : LLONG_MIN);
    json_count(threads, "all_tasks", have_tasks ? tasks.all_tasks : LLONG_MIN);
    json_count(threads, "threads_max", threads_max);
    json_count(threads, "pid_max", pid_max);
    if (by_state)
        cJSON_AddItemToObject(threads, "by_state", by_state);
    else
        cJSON_AddNullToObject(threads, "by_state");
    free(rows);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return count != LLONG_MIN || rows;
}

/* ---------------------------------------------------------------- the section */

static int write_json(process_context *p, cd_error *err)
{
    char *text = cJSON_Print(p->json);
    if (!text)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory writing process_info.json");
    int rc =
        cd_staging_write(p->run->host_staging, "osinfo/process_info.json", text, strlen(text), err);
    cJSON_free(text);
    return rc;
}

static void add_basics(process_context *p)
{
    cJSON_AddNumberToObject(p->json, "schema", 1);
    cJSON_AddNumberToObject(p->json, "pid", p->pid);
    long long uid = status_value(p, "Uid:");
    json_count(p->json, "uid", uid);
    char user[64];
    if (uid != LLONG_MIN) {
        cd_user_name((uid_t)uid, user, sizeof user);
        cJSON_AddStringToObject(p->json, "user", user);
    } else {
        cJSON_AddNullToObject(p->json, "user");
    }
    cJSON *memory = cJSON_AddObjectToObject(p->json, "memory");
    static const struct {
        const char *status_key, *json_key;
    } fields[] = {{"VmRSS:", "rss_bytes"}, {"VmSize:", "vm_size_bytes"}, {"VmSwap:", "swap_bytes"}};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        long long kib = status_value(p, fields[i].status_key);
        json_count(memory, fields[i].json_key, kib == LLONG_MIN ? LLONG_MIN : kib * 1024);
    }
}

int cd_process_section(cd_run *run, cd_error *err)
{
    process_context p = {.run = run, .pid = (int)run->pid};
    p.json = cJSON_CreateObject();
    if (!p.json)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    p.unreadable = cJSON_CreateArray();

    char path[64];
    cd_error read_err = {0};
    snprintf(path, sizeof path, "/proc/%d/status", p.pid);
    if (cd_read_file(path, PROC_SMALL_MAX_BYTES, 1, &p.status, &p.status_len, &p.status_err) != 0) {
        note_unreadable(&p, p.status_err.message);
        p.status = NULL;
    }
    char *limits_text = NULL;
    size_t limits_len = 0;
    snprintf(path, sizeof path, "/proc/%d/limits", p.pid);
    cd_error_clear(&read_err);
    if (cd_read_file(path, PROC_SMALL_MAX_BYTES, 1, &limits_text, &limits_len, &read_err) == 0) {
        int n = cd_parse_limits(limits_text, p.limits, LIMITS_MAX);
        p.limit_count = n > 0 ? (size_t)n : 0;
    } else {
        limits_text = NULL;
        note_unreadable(&p, read_err.message);
    }
    if (!p.status && p.limit_count == 0) {
        cd_fail(err, read_err.code, "nothing about pid %d is readable (%s)", p.pid,
                read_err.message);
        free(p.status);
        free(limits_text);
        cJSON_Delete(p.unreadable);
        cJSON_Delete(p.json);
        return -1;
    }
    add_basics(&p);

    /* the files are the very texts the JSON was read from, so that the two agree
     * while threads come and go */
    int rc = 0;
    if (cd_osinfo_write_read(run, "process_limits.txt", NULL, limits_text, limits_len,
                             PROC_SMALL_MAX_BYTES, &read_err, err) < 0)
        rc = -1;
    free(limits_text);
    if (rc == 0 && cd_osinfo_write_read(run, "process_status.txt", NULL, p.status, p.status_len,
                                        PROC_SMALL_MAX_BYTES, &p.status_err, err) < 0)
        rc = -1;
    if (rc == 0 && write_open_files(&p, err) < 0)
        rc = -1;
    if (rc == 0 && write_threads(&p, err) < 0)
        rc = -1;
    if (rc == 0) {
        cJSON *cgroup = cJSON_AddObjectToObject(p.json, "cgroup");
        if (cd_process_write_cgroup(run, cgroup, err) < 0)
            rc = -1;
    }
    cJSON_AddItemToObject(p.json, "unreadable", p.unreadable);
    if (rc == 0)
        rc = write_json(&p, err);
    free(p.status);
    cJSON_Delete(p.json);
    return rc;
}
