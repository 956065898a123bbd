/*
 * os_running_tasks.txt: a snapshot like `top -b -n 1`, from /proc.
 *
 * CPU use is a rate, so one reading is not enough: /proc/<pid>/stat (and the
 * machine's /proc/stat) are read twice, at least TASKS_SAMPLE_MS apart, and
 * each process's %CPU is the CPU time it used in between over the wall time
 * (100 = one CPU, as top shows it). The os section takes the first reading
 * before its other files, so that their time counts towards the wait.
 * Processes are listed busiest first.
 *
 * Command lines, of every process, are masked unless --no-redact: a
 * -Dkey.password=... argument keeps its key and loses its value, and so do
 * "--password VALUE", a URL's user:password@, a JDBC URL's ;password=
 * (carbondump/command_line_mask.h). A process in uninterruptible
 * sleep (state D) is not asked for its command line: reading it takes the
 * process's memory-map lock, which is what such a process may be stuck holding.
 */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "osinfo.h"

#define TASKS_SAMPLE_MS 500
#define TASKS_MAX 65536u
#define COMMAND_READ_MAX_BYTES (16u << 10)
#define COMMAND_SHOWN_MAX_CHARS 1024u

/* ---------------------------------------------------------------- parsing */

/* ---------------------------------------------------------------- user names */

static pthread_mutex_t user_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uid_t uid;
    char name[33];
} user_cache[128];
static size_t user_cache_count;

void cd_user_name(uid_t uid, char *out, size_t outlen)
{
    pthread_mutex_lock(&user_lock);
    for (size_t i = 0; i < user_cache_count; i++)
        if (user_cache[i].uid == uid) {
            snprintf(out, outlen, "%s", user_cache[i].name);
            pthread_mutex_unlock(&user_lock);
            return;
        }
    struct passwd pw, *found = NULL;
    char buf[2048];
    char name[33];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
        snprintf(name, sizeof name, "%s", found->pw_name);
    else
        snprintf(name, sizeof name, "%u", (unsigned)uid);
    if (user_cache_count < sizeof user_cache / sizeof *user_cache) {
        user_cache[user_cache_count].uid = uid;
        snprintf(user_cache[user_cache_count].name, sizeof user_cache->name, "%s", name);
        user_cache_count++;
    }
    pthread_mutex_unlock(&user_lock);
    snprintf(out, outlen, "%s", name);
}

/* ---------------------------------------------------------------- sampling */

typedef struct task {
    cd_proc_stat stat;
    uid_t uid;
    unsigned long long shared_pages;
    double cpu_percent;
    char *argv; /* /proc/<pid>/cmdline: NUL-separated; NULL: show [comm] */
    size_t argv_len;
} task;

typedef struct cpu_times {
    unsigned long long value[10]; /* user nice system idle iowait irq softirq steal guest gnice */
    int valid;
} cpu_times;

static void read_cpu_times(cpu_times *t)
{
    char *text = NULL;
    memset(t, 0, sizeof *t);
    if (cd_read_file("/proc/stat", 1u << 20, 1, &text, NULL, NULL) != 0)
        return;
    unsigned long long *v = t->value;
    t->valid = sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                      &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 4;
    free(text);
}

static int read_stat(int pid, cd_proc_stat *out)
{
    char path[64];
    char *text = NULL;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (cd_read_file(path, 4096, 1, &text, NULL, NULL) != 0)
        return -1;
    int rc = cd_parse_proc_stat(text, out);
    free(text);
    return rc;
}

typedef struct first_sample {
    int pid;
    unsigned long long start_ticks, cpu_ticks;
} first_sample;

typedef struct first_samples {
    first_sample *items;
    size_t count;
} first_samples;

static int compare_first_sample(const void *a, const void *b)
{
    return ((const first_sample *)a)->pid - ((const first_sample *)b)->pid;
}

static int add_first_sample(int proc_fd, int pid, void *ctx)
{
    first_samples *samples = ctx;
    cd_proc_stat st;
    if (samples->count == TASKS_MAX)
        return 1;
    if (read_stat(pid, &st) == 0) {
        first_sample *f = &samples->items[samples->count++];
        f->pid = st.pid;
        f->start_ticks = st.start_ticks;
        f->cpu_ticks = st.utime_ticks + st.stime_ticks;
    }
    return 0;
}

static unsigned long long read_shared_pages(int pid)
{
    char path[64];
    char *text = NULL;
    unsigned long long size, resident, shared = 0;
    snprintf(path, sizeof path, "/proc/%d/statm", pid);
    if (cd_read_file(path, 4096, 1, &text, NULL, NULL) == 0) {
        if (sscanf(text, "%llu %llu %llu", &size, &resident, &shared) != 3)
            shared = 0;
        free(text);
    }
    return shared;
}

typedef struct second_sample {
    task *tasks;
    size_t count;
    const first_samples *first;
    uint64_t elapsed_ms;
    long ticks_per_second;
    size_t without_command;
    int truncated;
} second_sample;

/* Reads one process for the listing; its %CPU from the ticks it used since the
 * first sample (0 for a process that started in between). */
static int add_task(int proc_fd, int pid, void *ctx)
{
    second_sample *sample = ctx;
    if (sample->count == TASKS_MAX) {
        sample->truncated = 1;
        return 1;
    }
    task *t = &sample->tasks[sample->count];
    if (read_stat(pid, &t->stat) != 0)
        return 0; /* exited in between */
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d", pid);
    t->uid = stat(path, &st) == 0 ? st.st_uid : (uid_t)-1;
    t->shared_pages = read_shared_pages(pid);
    first_sample key = {.pid = pid};
    const first_sample *before =
        bsearch(&key, sample->first->items, sample->first->count, sizeof key, compare_first_sample);
    unsigned long long now_ticks = t->stat.utime_ticks + t->stat.stime_ticks;
    unsigned long long used = 0;
    if (before && before->start_ticks == t->stat.start_ticks && now_ticks >= before->cpu_ticks)
        used = now_ticks - before->cpu_ticks;
    t->cpu_percent = 100.0 * (double)used * 1000.0 /
                     ((double)sample->ticks_per_second * (double)sample->elapsed_ms);
    if (t->stat.state == 'D') {
        sample->without_command++;
    } else {
        snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
        if (cd_read_file(path, COMMAND_READ_MAX_BYTES, 1, &t->argv, &t->argv_len, NULL) != 0 ||
            t->argv_len == 0) {
            free(t->argv);
            t->argv = NULL; /* a kernel thread, or a zombie */
        }
    }
    sample->count++;
    return 0;
}

static int compare_by_cpu(const void *a, const void *b)
{
    const task *x = a, *y = b;
    if (x->cpu_percent != y->cpu_percent)
        return x->cpu_percent < y->cpu_percent ? 1 : -1;
    if (x->stat.rss_pages != y->stat.rss_pages)
        return x->stat.rss_pages < y->stat.rss_pages ? 1 : -1;
    return x->stat.pid - y->stat.pid;
}

/* ---------------------------------------------------------------- summary lines */

static unsigned long long meminfo_kib(const char *text, const char *key)
{
    const char *p = text;
    size_t key_len = strlen(key);
    while ((p = strstr(p, key)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[key_len] == ':')
            return strtoull(p + key_len + 1, NULL, 10);
        p += key_len;
    }
    return 0;
}

/* Writes top's five summary lines; returns how many lines it wrote. */
static long write_summary(cd_sink *sink, const task *tasks, size_t count, const cpu_times *before,
                          const cpu_times *after, unsigned long long *mem_total_kib)
{
    long lines = 0;
    char clock[32];
    char *text = NULL;
    double load[3] = {0};
    if (cd_read_file("/proc/loadavg", 4096, 1, &text, NULL, NULL) == 0) {
        sscanf(text, "%lf %lf %lf", &load[0], &load[1], &load[2]);
        free(text);
    }
    double up_seconds = 0;
    if (cd_read_file("/proc/uptime", 4096, 1, &text, NULL, NULL) == 0) {
        sscanf(text, "%lf", &up_seconds);
        free(text);
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    char up[64];
    cd_format_uptime(up_seconds, up, sizeof up);
    cd_sink_printf(sink, "top - %s up %s,  load average: %.2f, %.2f, %.2f\n", clock, up, load[0],
                   load[1], load[2]);
    lines++;

    size_t running = 0, sleeping = 0, stopped = 0, zombie = 0;
    for (size_t i = 0; i < count; i++) {
        switch (tasks[i].stat.state) {
        case 'R': running++; break;
        case 'T':
        case 't': stopped++; break;
        case 'Z': zombie++; break;
        default: sleeping++; break;
        }
    }
    cd_sink_printf(sink,
                   "Tasks: %zu total, %3zu running, %3zu sleeping, %3zu stopped, %3zu zombie\n",
                   count, running, sleeping, stopped, zombie);
    lines++;

    if (before->valid && after->valid) {
        double delta[8], total = 0;
        for (int i = 0; i < 8; i++) {
            delta[i] = after->value[i] >= before->value[i]
                           ? (double)(after->value[i] - before->value[i])
                           : 0;
            total += delta[i];
        }
        if (total <= 0)
            total = 1;
        cd_sink_printf(sink,
                       "%%Cpu(s): %4.1f us, %4.1f sy, %4.1f ni, %4.1f id, %4.1f wa, %4.1f hi, "
                       "%4.1f si, %4.1f st\n",
                       100 * delta[0] / total, 100 * delta[2] / total, 100 * delta[1] / total,
                       100 * delta[3] / total, 100 * delta[4] / total, 100 * delta[5] / total,
                       100 * delta[6] / total, 100 * delta[7] / total);
        lines++;
    }
    if (cd_read_file("/proc/meminfo", 1u << 20, 1, &text, NULL, NULL) == 0) {
        double total = (double)meminfo_kib(text, "MemTotal");
        double free_kib = (double)meminfo_kib(text, "MemFree");
        double cache = (double)(meminfo_kib(text, "Buffers") + meminfo_kib(text, "Cached") +
                                meminfo_kib(text, "SReclaimable"));
        double swap_total = (double)meminfo_kib(text, "SwapTotal");
        double swap_free = (double)meminfo_kib(text, "SwapFree");
        double available = (double)meminfo_kib(text, "MemAvailable");
        *mem_total_kib = meminfo_kib(text, "MemTotal");
        cd_sink_printf(sink, "MiB Mem : %9.1f total, %9.1f free, %9.1f used, %9.1f buff/cache\n",
                       total / 1024, free_kib / 1024, (total - free_kib - cache) / 1024,
                       cache / 1024);
        cd_sink_printf(sink, "MiB Swap: %9.1f total, %9.1f free, %9.1f used. %9.1f avail Mem\n",
                       swap_total / 1024, swap_free / 1024, (swap_total - swap_free) / 1024,
                       available / 1024);
        lines += 2;
        free(text);
    }
    return lines;
}

/* ---------------------------------------------------------------- the file */

static void format_cpu_time(unsigned long long ticks, long ticks_per_second, char *out,
                            size_t outlen)
{
    unsigned long long hundredths = ticks * 100 / (unsigned long long)ticks_per_second;
    snprintf(out, outlen, "%llu:%02llu.%02llu", hundredths / 6000, (hundredths / 100) % 60,
             hundredths % 100);
}

/* Writes argv joined by spaces, its secrets masked (an argument and the one
 * before it: "--password VALUE"), cut at COMMAND_SHOWN_MAX_CHARS. */
static void write_command(cd_sink *sink, const task *t, cd_masked_note *note)
{
    cd_sink *buffer = cd_sink_buffer();
    if (!buffer)
        return;
    char subject[32];
    snprintf(subject, sizeof subject, "pid %d", t->stat.pid);
    note->subject = subject;
    cd_argv_mask state = {0};
    for (size_t at = 0; at < t->argv_len;) {
        size_t arg_len = strnlen(t->argv + at, t->argv_len - at);
        if (at > 0)
            cd_sink_puts(buffer, " ");
        cd_command_write_argument(buffer, &state, t->argv + at, arg_len, note->run->cli->redact,
                                  cd_osinfo_note_masked, note);
        at += arg_len + 1;
    }
    size_t len = 0;
    char *command = cd_sink_buffer_take(buffer, &len);
    if (!command)
        return;
    if (len > COMMAND_SHOWN_MAX_CHARS)
        strcpy(command + COMMAND_SHOWN_MAX_CHARS - 4, "...");
    cd_sink_puts(sink, command);
    free(command);
}

static void free_tasks(task *tasks, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(tasks[i].argv);
    free(tasks);
}

struct cd_os_tasks_first {
    first_samples samples;
    cpu_times cpu;
    uint64_t taken_ms; /* monotonic */
};

cd_os_tasks_first *cd_os_tasks_first_take(void)
{
    cd_os_tasks_first *first = calloc(1, sizeof *first);
    if (!first || !(first->samples.items = malloc(TASKS_MAX * sizeof *first->samples.items))) {
        free(first);
        return NULL;
    }
    read_cpu_times(&first->cpu);
    first->taken_ms = cd_monotonic_ms();
    cd_proc_each_entry("/proc", 0, add_first_sample, &first->samples);
    if (first->samples.count > 0)
        qsort(first->samples.items, first->samples.count, sizeof *first->samples.items,
              compare_first_sample);
    return first;
}

void cd_os_tasks_first_free(cd_os_tasks_first *first)
{
    if (first)
        free(first->samples.items);
    free(first);
}

/* Sleeps until TASKS_SAMPLE_MS have passed since the first reading. */
static void wait_out_sample(const cd_os_tasks_first *first)
{
    uint64_t elapsed = cd_monotonic_ms() - first->taken_ms;
    if (elapsed >= TASKS_SAMPLE_MS)
        return;
    uint64_t left_ms = TASKS_SAMPLE_MS - elapsed;
    struct timespec pause = {0, (long)left_ms * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
        ;
}

int cd_os_write_running_tasks(cd_run *run, cd_os_tasks_first *first, cd_error *err)
{
    long ticks_per_second = sysconf(_SC_CLK_TCK);
    long page_kib = sysconf(_SC_PAGESIZE) / 1024;
    if (ticks_per_second <= 0)
        ticks_per_second = 100;
    if (page_kib <= 0)
        page_kib = 4;

    task *tasks = first ? calloc(TASKS_MAX, sizeof *tasks) : NULL;
    if (!tasks) {
        cd_os_tasks_first_free(first);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory sampling processes");
    }
    wait_out_sample(first);
    cpu_times cpu_after;
    const cpu_times cpu_before = first->cpu;
    read_cpu_times(&cpu_after);
    second_sample second = {
        .tasks = tasks, .first = &first->samples, .ticks_per_second = ticks_per_second};
    second.elapsed_ms = cd_monotonic_ms() - first->taken_ms;
    if (second.elapsed_ms == 0)
        second.elapsed_ms = 1;
    cd_proc_each_entry("/proc", 0, add_task, &second);
    cd_os_tasks_first_free(first);
    size_t count = second.count;
    if (count > 0)
        qsort(tasks, count, sizeof *tasks, compare_by_cpu);

    cd_sink *sink = cd_osinfo_open(run, "os_running_tasks.txt", err);
    if (!sink) {
        free_tasks(tasks, count);
        return -1;
    }
    unsigned long long mem_total_kib = 0;
    long line = write_summary(sink, tasks, count, &cpu_before, &cpu_after, &mem_total_kib);
    cd_sink_printf(sink,
                   "# %%CPU measured over %llu ms (100 = one CPU); VIRT, RES, SHR in KiB; "
                   "THR = threads\n\n",
                   (unsigned long long)second.elapsed_ms);
    cd_sink_printf(sink, "%7s %-9s %3s %3s %9s %8s %8s %c %5s %5s %10s %5s %s\n", "PID", "USER",
                   "PR", "NI", "VIRT", "RES", "SHR", 'S', "%CPU", "%MEM", "TIME+", "THR",
                   "COMMAND");
    line += 3;
    cd_masked_note note = {run, "osinfo/os_running_tasks.txt", 0, NULL};
    for (size_t i = 0; i < count; i++) {
        const task *t = &tasks[i];
        char user[33], time_text[32], priority[8];
        cd_user_name(t->uid, user, sizeof user);
        format_cpu_time(t->stat.utime_ticks + t->stat.stime_ticks, ticks_per_second, time_text,
                        sizeof time_text);
        if (t->stat.priority < -99)
            snprintf(priority, sizeof priority, "rt");
        else
            snprintf(priority, sizeof priority, "%ld", t->stat.priority);
        unsigned long long rss_kib =
            (unsigned long long)(t->stat.rss_pages > 0 ? t->stat.rss_pages : 0) *
            (unsigned long long)page_kib;
        double mem_percent = mem_total_kib ? 100.0 * (double)rss_kib / (double)mem_total_kib : 0.0;
        cd_sink_printf(sink, "%7d %-9.9s %3s %3ld %9llu %8llu %8llu %c %5.1f %5.1f %10s %5ld ",
                       t->stat.pid, user, priority, t->stat.nice, t->stat.vsize_bytes / 1024,
                       rss_kib, t->shared_pages * (unsigned long long)page_kib, t->stat.state,
                       t->cpu_percent, mem_percent, time_text, t->stat.threads);
        note.line = ++line;
        if (t->argv)
            write_command(sink, t, &note);
        else
            cd_sink_printf(sink, "[%s]", t->stat.comm);
        cd_sink_puts(sink, "\n");
    }
    if (second.without_command)
        cd_sink_printf(sink,
                       "# %zu processes in uninterruptible sleep (D): command line not read, "
                       "name in brackets\n",
                       second.without_command);
    if (second.truncated)
        cd_sink_printf(sink, "# stopped after %u processes\n", TASKS_MAX);
    free_tasks(tasks, count);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return count > 0;
}
