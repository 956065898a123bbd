/*
 * os_oom_killer.txt: what the kernel said when it ran out of memory.
 *
 * A JVM killed by the OOM killer leaves no hs_err file and no exception; the only
 * witness is the kernel log. It is read from /dev/kmsg (one record per read, opened
 * non-blocking so that reaching the end returns EAGAIN instead of waiting for new
 * messages), or, where /dev/kmsg is refused, with klogctl (the syslog(2) call that
 * dmesg uses). Both need root or CAP_SYSLOG when kernel.dmesg_restrict is 1, which
 * is the default on most distributions and in containers: the file then says so.
 * The count of OOM kills since boot (/proc/vmstat oom_kill) is readable by anyone
 * and always reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "carbondump/format.h"
#include "carbondump/fsutil.h"
#include "osinfo.h"

#define KMSG_RECORD_MAX_BYTES 8192
#define KMSG_MAX_RECORDS 1000000u
#define KMSG_DEADLINE_MS 3000u
#define OOM_LINES_MAX 20000u
#define KLOG_BUFFER_MAX_BYTES (64u << 20)

/* klogctl actions (syslog(2)); glibc has no names for them. */
#define KLOG_READ_ALL 3
#define KLOG_SIZE_BUFFER 10

/* ---------------------------------------------------------------- parsing */

int cd_parse_kmsg_record(const char *record, size_t len, cd_kmsg_record *out)
{
    memset(out, 0, sizeof *out);
    const char *semicolon = memchr(record, ';', len);
    if (!semicolon)
        return -1;
    char prefix[128];
    size_t prefix_len = (size_t)(semicolon - record);
    if (prefix_len >= sizeof prefix)
        return -1;
    memcpy(prefix, record, prefix_len);
    prefix[prefix_len] = '\0';
    if (sscanf(prefix, "%d,%llu,%llu", &out->priority, &out->sequence, &out->usec) != 3)
        return -1;
    out->message = semicolon + 1;
    const char *end = record + len;
    const char *newline = memchr(out->message, '\n', (size_t)(end - out->message));
    out->message_len = (size_t)((newline ? newline : end) - out->message);
    return 0;
}

static int contains(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(text + i, needle, n) == 0)
            return 1;
    return 0;
}

int cd_kernel_message_is_oom(const char *message, size_t len)
{
    static const char *const markers[] = {
        "invoked oom-killer",          /* "java invoked oom-killer: gfp_mask=..." */
        "Out of memory",               /* "Out of memory: Killed process 42 (java) ..." */
        "Memory cgroup out of memory", /* the limit of a container was reached */
        "oom-kill:",                   /* "oom-kill:constraint=CONSTRAINT_MEMCG,..." */
        "oom_reaper:",                 /* "oom_reaper: reaped process 42 (java) ..." */
        "Killed process",
        "memory: usage ", /* the cgroup's usage and limit, printed with the report */
    };
    for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
        if (contains(message, len, markers[i]))
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- reading */

typedef struct oom_report {
    cd_sink *lines; /* the matching lines, formatted */
    size_t records, matches;
    double boot_epoch_s; /* wall-clock seconds at boot, for readable times */
    int out_of_time, cut;
} oom_report;

static void add_line(oom_report *r, double seconds, const char *message, size_t len)
{
    r->matches++;
    if (r->matches > OOM_LINES_MAX) {
        r->cut = 1;
        return;
    }
    char when[40] = "";
    if (r->boot_epoch_s > 0)
        cd_format_iso8601((uint64_t)((r->boot_epoch_s + seconds) * 1000), when, sizeof when);
    cd_sink_printf(r->lines, "[%12.6f] %s  %.*s\n", seconds, when, (int)len, message);
}

/* Reads /dev/kmsg to its end. Returns 0, or -1 with errno when it cannot be read. */
static int read_kmsg(oom_report *r)
{
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char *record = malloc(KMSG_RECORD_MAX_BYTES);
    if (!record) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    uint64_t deadline = cd_monotonic_ms() + KMSG_DEADLINE_MS;
    int rc = 0;
    while (r->records < KMSG_MAX_RECORDS) {
        ssize_t n = read(fd, record, KMSG_RECORD_MAX_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EPIPE)
            continue; /* records were overwritten while we read: go on with the next */
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0) {
            rc = r->records == 0 ? -1 : 0;
            break;
        }
        if (n == 0)
            break;
        r->records++;
        cd_kmsg_record k;
        if (cd_parse_kmsg_record(record, (size_t)n, &k) == 0 &&
            cd_kernel_message_is_oom(k.message, k.message_len))
            add_line(r, (double)k.usec / 1e6, k.message, k.message_len);
        if ((r->records & 1023) == 0 && cd_monotonic_ms() > deadline) {
            r->out_of_time = 1;
            break;
        }
    }
    int saved = errno;
    free(record);
    close(fd);
    errno = saved;
    return rc;
}

/* Reads the ring buffer with klogctl: lines "<6>[   12.345678] message". */
static int read_klogctl(oom_report *r)
{
    int size = klogctl(KLOG_SIZE_BUFFER, NULL, 0);
    if (size <= 0)
        return -1;
    if ((unsigned)size > KLOG_BUFFER_MAX_BYTES)
        size = (int)KLOG_BUFFER_MAX_BYTES;
    char *buffer = malloc((size_t)size + 1);
    if (!buffer) {
        errno = ENOMEM;
        return -1;
    }
    int n = klogctl(KLOG_READ_ALL, buffer, size);
    if (n < 0) {
        int saved = errno;
        free(buffer);
        errno = saved;
        return -1;
    }
    buffer[n] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(buffer, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        r->records++;
        char *message = line;
        if (*message == '<') {
            char *close = strchr(message, '>');
            if (close)
                message = close + 1;
        }
        double seconds = 0;
        if (*message == '[') {
            sscanf(message + 1, "%lf", &seconds);
            char *close = strchr(message, ']');
            if (close)
                message = close + 1 + (close[1] == ' ');
        }
        size_t len = strlen(message);
        if (cd_kernel_message_is_oom(message, len))
            add_line(r, seconds, message, len);
    }
    free(buffer);
    return 0;
}

static double boot_epoch_seconds(void)
{
    char *text = NULL;
    double up = 0;
    if (cd_read_file("/proc/uptime", 4096, 1, &text, NULL, NULL) != 0)
        return 0;
    int ok = sscanf(text, "%lf", &up) == 1;
    free(text);
    return ok ? (double)cd_wall_ms() / 1000.0 - up : 0;
}

/* The oom_kill counter of /proc/vmstat, or -1 (kernels before 4.13 have none). */
static long long oom_kills_since_boot(void)
{
    char *text = NULL;
    long long count = -1;
    if (cd_read_file("/proc/vmstat", 1u << 20, 1, &text, NULL, NULL) != 0)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (sscanf(line, "oom_kill %lld", &count) == 1)
            break;
    free(text);
    return count;
}

int cd_os_write_oom_killer(cd_run *run, cd_error *err)
{
    oom_report report = {0};
    report.lines = cd_sink_buffer();
    if (!report.lines)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    report.boot_epoch_s = boot_epoch_seconds();
    const char *source = "/dev/kmsg";
    int kmsg_errno = 0, klog_errno = 0;
    int have_log = read_kmsg(&report) == 0;
    if (!have_log) {
        kmsg_errno = errno;
        report.records = report.matches = 0;
        source = "klogctl";
        have_log = read_klogctl(&report) == 0;
        if (!have_log)
            klog_errno = errno;
    }
    size_t lines_len = 0;
    char *lines = cd_sink_buffer_take(report.lines, &lines_len);

    cd_sink *sink = cd_osinfo_open(run, "os_oom_killer.txt", err);
    if (!sink) {
        free(lines);
        return -1;
    }
    long long kills = oom_kills_since_boot();
    if (kills >= 0)
        cd_sink_printf(sink, "OOM kills since boot: %lld (oom_kill in /proc/vmstat)\n", kills);
    else
        cd_sink_puts(sink, "# /proc/vmstat has no oom_kill counter on this kernel\n");
    if (have_log) {
        cd_sink_printf(sink,
                       "OOM-killer lines in the kernel log (%s): %zu of %zu records; "
                       "[seconds since boot] wall-clock time (approximate)\n",
                       source, report.matches, report.records);
        if (report.matches == 0)
            cd_sink_puts(sink, "# none: the kernel log holds no OOM-killer report (it may have "
                               "rotated out of the ring buffer)\n");
        if (lines)
            cd_sink_write(sink, lines, lines_len);
        if (report.cut)
            cd_sink_printf(sink, "# only the first %u lines are shown\n", OOM_LINES_MAX);
        if (report.out_of_time)
            cd_sink_printf(sink, "# stopped reading after %u ms\n", KMSG_DEADLINE_MS);
    } else {
        char restrict_text[16] = "?";
        char *text = NULL;
        if (cd_read_file("/proc/sys/kernel/dmesg_restrict", 64, 1, &text, NULL, NULL) == 0) {
            text[strcspn(text, "\n")] = '\0';
            snprintf(restrict_text, sizeof restrict_text, "%s", text);
            free(text);
        }
        cd_sink_printf(sink,
                       "# the kernel log is not readable by uid %u: /dev/kmsg: %s; klogctl: %s "
                       "(kernel.dmesg_restrict = %s; reading it needs root or CAP_SYSLOG)\n",
                       (unsigned)geteuid(), strerror(kmsg_errno), strerror(klog_errno),
                       restrict_text);
    }
    free(lines);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have_log || kills >= 0;
}
