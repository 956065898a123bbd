/*
 * The os section's files that need no more than reading /proc and /sys: the kernel and distribution
 * (os_kernel.txt), loaded modules (os_module_list.txt like lsmod, os_module_info.txt like modinfo
 * from what /sys/module shows), meminfo, cpuinfo, and uptime with logged-in users
 * (os_system_up_time.txt like the header of `w`). See osinfo.h for the contract of
 * the file writers and the other files of the section.
 */
#include "osinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "carbondump/format.h"
#include "carbondump/fsutil.h"

/* Caps on what one /proc or /sys file may contribute. cpuinfo of a 512-CPU host is
 * about 1 MiB; a module parameter is a few bytes (arrays a few hundred). */
#define SMALL_FILE_MAX_BYTES (64u << 10)
#define MODULE_PARAMETER_MAX_BYTES 4096u
#define UTMP_MAX_RECORDS 10000
#define LOGINS_MAX 256u

/* ---------------------------------------------------------------- shared helpers */

cd_sink *cd_osinfo_open(cd_run *run, const char *name, cd_error *err)
{
    char relpath[256];
    snprintf(relpath, sizeof relpath, "osinfo/%s", name);
    return cd_staging_open(run->host_staging, relpath, err);
}

int cd_proc_each_entry(const char *dir, uint64_t deadline_ms,
                       int (*visit)(int dir_fd, int number, void *ctx), void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int out_of_time = 0;
    unsigned visited = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        size_t digits = strspn(name, "0123456789");
        if (digits == 0 || digits > 9 || name[digits] != '\0')
            continue;
        /* the clock is asked every 64 entries: a process may have a million fds */
        if (deadline_ms && (visited++ & 63) == 0 && cd_monotonic_ms() > deadline_ms) {
            out_of_time = 1;
            break;
        }
        if (visit(dirfd(d), atoi(name), ctx) != 0)
            break;
    }
    closedir(d);
    return out_of_time;
}

const char *cd_osinfo_target_root(const cd_run *run)
{
    if (!run->have_target || run->target.same_mount_ns)
        return "";
    return run->target.root;
}

int cd_osinfo_write_read(cd_run *run, const char *name, const char *header, const char *text,
                         size_t len, size_t max_bytes, const cd_error *read_err, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, name, err);
    if (!sink)
        return -1;
    if (header)
        cd_sink_puts(sink, header);
    if (text) {
        cd_sink_write(sink, text, len);
        if (len == max_bytes)
            cd_sink_printf(sink, "\n# cut after %zu bytes\n", max_bytes);
    } else {
        cd_sink_printf(sink, "# %s\n", read_err->message);
    }
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return text && len > 0 ? 1 : 0;
}

int cd_osinfo_copy(cd_run *run, const char *name, const char *source, size_t max_bytes,
                   const char *header, cd_error *err)
{
    char *text = NULL;
    size_t len = 0;
    cd_error read_err = {0};
    if (cd_read_file(source, max_bytes, 1, &text, &len, &read_err) != 0)
        text = NULL;
    int rc = cd_osinfo_write_read(run, name, header, text, len, max_bytes, &read_err, err);
    free(text);
    return rc;
}

/* The first line of a small file with the newline removed, or -1. */
static int read_line(const char *path, char *out, size_t outlen)
{
    char *text = NULL;
    if (cd_read_file(path, SMALL_FILE_MAX_BYTES, 1, &text, NULL, NULL) != 0)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    snprintf(out, outlen, "%s", text);
    free(text);
    return 0;
}

/* ---------------------------------------------------------------- os_kernel.txt */

/* Kernel settings that bound what a JVM can do: threads, maps, files, sockets. */
static const struct {
    const char *name;
    const char *path;
} kernel_settings[] = {
    {"kernel.pid_max", "/proc/sys/kernel/pid_max"},
    {"kernel.threads-max", "/proc/sys/kernel/threads-max"},
    {"vm.max_map_count", "/proc/sys/vm/max_map_count"},
    {"vm.overcommit_memory", "/proc/sys/vm/overcommit_memory"},
    {"vm.overcommit_ratio", "/proc/sys/vm/overcommit_ratio"},
    {"vm.swappiness", "/proc/sys/vm/swappiness"},
    {"fs.file-max", "/proc/sys/fs/file-max"},
    {"fs.nr_open", "/proc/sys/fs/nr_open"},
    {"fs.file-nr (allocated unused max)", "/proc/sys/fs/file-nr"},
    {"net.core.somaxconn", "/proc/sys/net/core/somaxconn"},
    {"net.ipv4.ip_local_port_range", "/proc/sys/net/ipv4/ip_local_port_range"},
    {"net.ipv4.tcp_fin_timeout", "/proc/sys/net/ipv4/tcp_fin_timeout"},
    {"kernel.yama.ptrace_scope", "/proc/sys/kernel/yama/ptrace_scope"},
    {"kernel.dmesg_restrict", "/proc/sys/kernel/dmesg_restrict"},
    {"transparent_hugepage.enabled", "/sys/kernel/mm/transparent_hugepage/enabled"},
    {"transparent_hugepage.defrag", "/sys/kernel/mm/transparent_hugepage/defrag"},
};

/* Release files, most informative first; all that exist are shown. */
static const char *const release_files[] = {
    "/etc/os-release",     "/etc/debian_version", "/etc/redhat-release",
    "/etc/alpine-release", "/etc/SuSE-release",
};

static void write_release_files(cd_sink *sink, const char *root, const char *title)
{
    int found = 0;
    for (size_t i = 0; i < sizeof release_files / sizeof *release_files; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s%s", root, release_files[i]);
        char *text = NULL;
        size_t len = 0;
        if (cd_read_file(path, SMALL_FILE_MAX_BYTES, 1, &text, &len, NULL) != 0) {
            /* os-release may live only in /usr/lib (a symlink target in most distributions) */
            if (i != 0)
                continue;
            snprintf(path, sizeof path, "%s/usr/lib/os-release", root);
            if (cd_read_file(path, SMALL_FILE_MAX_BYTES, 1, &text, &len, NULL) != 0)
                continue;
        }
        cd_sink_printf(sink, "\n== %s: %s\n", title, path);
        cd_sink_write(sink, text, len);
        if (len > 0 && text[len - 1] != '\n')
            cd_sink_puts(sink, "\n");
        free(text);
        found = 1;
    }
    if (!found)
        cd_sink_printf(sink,
                       "\n== %s\n# no release file (/etc/os-release and the like) under %s/\n",
                       title, root);
}

int cd_os_write_kernel(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, "os_kernel.txt", err);
    if (!sink)
        return -1;
    int have = 0;
    struct utsname u;
    if (uname(&u) == 0) {
        cd_sink_printf(sink, "uname: %s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version,
                       u.machine);
        have = 1;
    }
    char line[4096];
    if (read_line("/proc/version", line, sizeof line) == 0)
        cd_sink_printf(sink, "/proc/version: %s\n", line);
    if (read_line("/proc/cmdline", line, sizeof line) == 0)
        cd_sink_printf(sink, "kernel command line: %s\n", line);
    if (read_line("/proc/sys/kernel/tainted", line, sizeof line) == 0)
        cd_sink_printf(sink, "tainted: %s%s\n", line,
                       strcmp(line, "0") == 0 ? " (not tainted)" : "");

    write_release_files(sink, "", "distribution");
    const char *target_root = cd_osinfo_target_root(run);
    if (target_root[0]) {
        char title[128];
        snprintf(title, sizeof title, "distribution seen by pid %d (another mount namespace)",
                 (int)run->pid);
        write_release_files(sink, target_root, title);
    }

    cd_sink_puts(sink, "\n== kernel settings that bound a JVM\n");
    for (size_t i = 0; i < sizeof kernel_settings / sizeof *kernel_settings; i++) {
        if (read_line(kernel_settings[i].path, line, sizeof line) != 0)
            continue;
        for (char *tab = strchr(line, '\t'); tab; tab = strchr(tab, '\t'))
            *tab = ' ';
        cd_sink_printf(sink, "%s = %s\n", kernel_settings[i].name, line);
    }
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have;
}

/* ---------------------------------------------------------------- modules */

int cd_parse_module_line(const char *line, cd_module *out)
{
    memset(out, 0, sizeof *out);
    char refcount[24], used_by[sizeof out->used_by], state[sizeof out->state];
    int n = sscanf(line, "%63s %llu %23s %511s %15s", out->name, &out->size_bytes, refcount,
                   used_by, state);
    if (n < 3)
        return -1;
    char *end;
    out->refcount = strcmp(refcount, "-") == 0 ? -1 : strtol(refcount, &end, 10);
    if (out->refcount != -1 && *end != '\0')
        return -1;
    if (n >= 4 && strcmp(used_by, "-") != 0) {
        size_t len = strlen(used_by);
        if (len > 0 && used_by[len - 1] == ',')
            used_by[len - 1] = '\0';
        snprintf(out->used_by, sizeof out->used_by, "%s", used_by);
    }
    snprintf(out->state, sizeof out->state, "%s", n >= 5 ? state : "");
    return 0;
}

static const char no_modules_note[] =
    "# /proc/modules does not exist: this kernel has no loadable module support (or /proc\n"
    "# hides it); everything it runs is built in (see os_module_info.txt for /sys/module)\n";

int cd_os_write_module_list(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, "os_module_list.txt", err);
    if (!sink)
        return -1;
    char *text = NULL;
    cd_error read_err = {0};
    int have = 0;
    if (cd_read_file("/proc/modules", CD_PROC_TEXT_MAX_BYTES, 1, &text, NULL, &read_err) != 0) {
        if (read_err.code == CD_ERR_NOENT)
            cd_sink_puts(sink, no_modules_note);
        else
            cd_sink_printf(sink, "# %s\n", read_err.message);
    } else {
        cd_sink_printf(sink, "%-19s %8s  %s\n", "Module", "Size", "Used by");
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            cd_module m;
            if (cd_parse_module_line(line, &m) != 0) {
                cd_sink_printf(sink, "# unparsable line: %s\n", line);
                continue;
            }
            char count[24];
            snprintf(count, sizeof count, "%ld", m.refcount);
            cd_sink_printf(sink, "%-19s %8llu  %s%s%s", m.name, m.size_bytes,
                           m.refcount < 0 ? "-" : count, m.used_by[0] ? " " : "", m.used_by);
            if (m.state[0] && strcmp(m.state, "Live") != 0)
                cd_sink_printf(sink, " [%s]", m.state);
            cd_sink_puts(sink, "\n");
            have = 1;
        }
        if (!have)
            cd_sink_puts(sink, "# no module is loaded\n");
        free(text);
    }
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have;
}

/* Writes "label: value" for a one-line attribute of /sys/module/<name>, if any. */
static void module_attribute(cd_sink *sink, const char *dir, const char *file, const char *label)
{
    char path[PATH_MAX], value[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (read_line(path, value, sizeof value) == 0)
        cd_sink_printf(sink, "%-16s%s\n", label, value);
}

/* Writes the names in dir/sub (holders), space-separated. */
static void module_holders(cd_sink *sink, const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/holders", dir);
    DIR *d = opendir(path);
    if (!d)
        return;
    cd_sink_printf(sink, "%-16s", "holders:");
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            cd_sink_printf(sink, " %s", e->d_name);
    cd_sink_puts(sink, "\n");
    closedir(d);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Writes "parm: name = value" for each readable parameter, sorted by name. */
static void module_parameters(cd_sink *sink, const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/parameters", dir);
    DIR *d = opendir(path);
    if (!d)
        return;
    char *names[512];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < sizeof names / sizeof *names)
        if (e->d_name[0] != '.' && (names[count] = strdup(e->d_name)) != NULL)
            count++;
    closedir(d);
    qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        char file[PATH_MAX];
        snprintf(file, sizeof file, "%s/%s", path, names[i]);
        char *value = NULL;
        if (cd_read_file(file, MODULE_PARAMETER_MAX_BYTES, 1, &value, NULL, NULL) == 0) {
            value[strcspn(value, "\n")] = '\0';
            cd_sink_printf(sink, "%-16s%s = %s\n", "parm:", names[i], value);
            free(value);
        } else {
            cd_sink_printf(sink, "%-16s%s (not readable)\n", "parm:", names[i]);
        }
        free(names[i]);
    }
}

static void module_details(cd_sink *sink, const char *name, const cd_module *loaded)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "/sys/module/%s", name);
    cd_sink_printf(sink, "%-16s%s\n", "name:", name);
    if (loaded) {
        cd_sink_printf(sink, "%-16s%s\n", "state:", loaded->state);
        cd_sink_printf(sink, "%-16s%llu\n", "size:", loaded->size_bytes);
        if (loaded->used_by[0])
            cd_sink_printf(sink, "%-16s%s\n", "used by:", loaded->used_by);
    } else {
        cd_sink_printf(sink, "%-16s%s\n", "state:", "built into the kernel");
    }
    module_attribute(sink, dir, "version", "version:");
    module_attribute(sink, dir, "srcversion", "srcversion:");
    module_attribute(sink, dir, "refcnt", "refcnt:");
    module_attribute(sink, dir, "initstate", "initstate:");
    module_attribute(sink, dir, "taint", "taint:");
    module_attribute(sink, dir, "coresize", "coresize:");
    module_holders(sink, dir);
    module_parameters(sink, dir);
    cd_sink_puts(sink, "\n");
}

int cd_os_write_module_info(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, "os_module_info.txt", err);
    if (!sink)
        return -1;
    int have = 0;
    char *text = NULL;
    char **loaded_names = NULL;
    size_t loaded_count = 0;
    if (cd_read_file("/proc/modules", CD_PROC_TEXT_MAX_BYTES, 1, &text, NULL, NULL) == 0) {
        size_t lines = 1;
        for (const char *p = text; *p; p++)
            lines += *p == '\n';
        loaded_names = calloc(lines, sizeof *loaded_names);
        cd_sink_puts(sink, "== loaded modules (/proc/modules, /sys/module)\n\n");
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line && loaded_names;
             line = strtok_r(NULL, "\n", &save)) {
            cd_module m;
            if (cd_parse_module_line(line, &m) != 0)
                continue;
            module_details(sink, m.name, &m);
            if ((loaded_names[loaded_count] = strdup(m.name)) != NULL)
                loaded_count++;
            have = 1;
        }
        free(text);
    } else {
        cd_sink_puts(sink, no_modules_note);
    }
    if (loaded_names)
        qsort(loaded_names, loaded_count, sizeof *loaded_names, compare_names);

    /* Built-in modules appear in /sys/module only when they have parameters or a
     * version; they are part of what the kernel runs, so they are listed too. */
    DIR *d = opendir("/sys/module");
    if (d) {
        char *builtin[4096];
        size_t count = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL && count < sizeof builtin / sizeof *builtin) {
            const char *name = e->d_name;
            if (name[0] == '.' || (loaded_names && bsearch(&name, loaded_names, loaded_count,
                                                           sizeof *loaded_names, compare_names)))
                continue;
            if ((builtin[count] = strdup(name)) != NULL)
                count++;
        }
        closedir(d);
        qsort(builtin, count, sizeof *builtin, compare_names);
        cd_sink_printf(sink, "== built-in modules (/sys/module): %zu\n\n", count);
        for (size_t i = 0; i < count; i++) {
            module_details(sink, builtin[i], NULL);
            free(builtin[i]);
        }
        have = have || count > 0;
    } else {
        cd_sink_printf(sink, "# /sys/module cannot be read: %s\n", strerror(errno));
    }
    for (size_t i = 0; i < loaded_count; i++)
        free(loaded_names[i]);
    free(loaded_names);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have;
}

/* ---------------------------------------------------------------- uptime and users */

void cd_format_uptime(double seconds, char *out, size_t outlen)
{
    long total_minutes = (long)(seconds / 60);
    long days = total_minutes / (60 * 24);
    long hours = (total_minutes / 60) % 24;
    long minutes = total_minutes % 60;
    char day_part[32] = "";
    if (days > 0)
        snprintf(day_part, sizeof day_part, "%ld day%s, ", days, days == 1 ? "" : "s");
    if (hours > 0)
        snprintf(out, outlen, "%s%2ld:%02ld", day_part, hours, minutes);
    else
        snprintf(out, outlen, "%s%ld min", day_part, minutes);
}

/* Idle time of a terminal from its last access, like w: "3:05m", "12.00s", "2days". */
static void format_idle(const char *tty, time_t now, char *out, size_t outlen)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "/dev/%s", tty);
    if (stat(path, &st) != 0 || now < st.st_atime) {
        snprintf(out, outlen, "?");
        return;
    }
    long idle = (long)(now - st.st_atime);
    if (idle >= 2 * 86400)
        snprintf(out, outlen, "%lddays", idle / 86400);
    else if (idle >= 3600)
        snprintf(out, outlen, "%ld:%02ldm", idle / 3600, (idle / 60) % 60);
    else if (idle >= 60)
        snprintf(out, outlen, "%ld:%02ld", idle / 60, idle % 60);
    else
        snprintf(out, outlen, "%ld.00s", idle);
}

typedef struct login {
    char user[sizeof(((struct utmpx *)0)->ut_user) + 1];
    char tty[sizeof(((struct utmpx *)0)->ut_line) + 1];
    char host[sizeof(((struct utmpx *)0)->ut_host) + 1];
    time_t since;
    pid_t pid;
} login;

/* Reads the login sessions from utmp; returns how many were stored in logins. */
static size_t read_logins(login *logins, size_t max)
{
    size_t count = 0;
    setutxent();
    struct utmpx *u;
    for (int records = 0; (u = getutxent()) != NULL && records < UTMP_MAX_RECORDS; records++) {
        if (u->ut_type != USER_PROCESS || count >= max)
            continue;
        login *l = &logins[count++];
        snprintf(l->user, sizeof l->user, "%.*s", (int)sizeof u->ut_user, u->ut_user);
        snprintf(l->tty, sizeof l->tty, "%.*s", (int)sizeof u->ut_line, u->ut_line);
        snprintf(l->host, sizeof l->host, "%.*s", (int)sizeof u->ut_host, u->ut_host);
        l->since = (time_t)u->ut_tv.tv_sec;
        l->pid = u->ut_pid;
    }
    endutxent();
    return count;
}

int cd_os_write_system_up_time(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, "os_system_up_time.txt", err);
    if (!sink)
        return -1;
    char uptime_text[128], loadavg[256];
    double up_seconds = 0;
    int have_uptime = read_line("/proc/uptime", uptime_text, sizeof uptime_text) == 0 &&
                      sscanf(uptime_text, "%lf", &up_seconds) == 1;
    int have_load = read_line("/proc/loadavg", loadavg, sizeof loadavg) == 0;

    login *logins = calloc(LOGINS_MAX, sizeof *logins);
    size_t users = logins ? read_logins(logins, LOGINS_MAX) : 0;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char clock[16];
    strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    char up[64] = "?";
    if (have_uptime)
        cd_format_uptime(up_seconds, up, sizeof up);
    double load1 = 0, load5 = 0, load15 = 0;
    if (have_load)
        sscanf(loadavg, "%lf %lf %lf", &load1, &load5, &load15);
    cd_sink_printf(sink, " %s up %s,  %zu user%s,  load average: %.2f, %.2f, %.2f\n", clock, up,
                   users, users == 1 ? "" : "s", load1, load5, load15);
    cd_sink_printf(sink, "%-8s %-8s %-16s %-12s %7s %s\n", "USER", "TTY", "FROM", "LOGIN@", "IDLE",
                   "PID");
    for (size_t i = 0; i < users; i++) {
        char since[32], idle[16];
        struct tm login_tm;
        localtime_r(&logins[i].since, &login_tm);
        strftime(since, sizeof since, "%Y-%m-%d %H:%M", &login_tm);
        format_idle(logins[i].tty, now, idle, sizeof idle);
        cd_sink_printf(sink, "%-8s %-8s %-16s %-12s %7s %d\n", logins[i].user, logins[i].tty,
                       logins[i].host[0] ? logins[i].host : "-", since, idle, (int)logins[i].pid);
    }
    if (users == 0 && access(_PATH_UTMPX, R_OK) != 0)
        cd_sink_printf(sink, "# no login records: %s: %s (usual in a container)\n", _PATH_UTMPX,
                       strerror(errno));

    cd_sink_puts(sink, "\n");
    if (have_uptime) {
        char booted[40];
        cd_format_iso8601(cd_wall_ms() - (uint64_t)(up_seconds * 1000), booted, sizeof booted);
        cd_sink_printf(sink, "booted: %s (up %.0f s)\n", booted, up_seconds);
    } else {
        cd_sink_puts(sink, "# /proc/uptime cannot be read\n");
    }
    if (have_load)
        cd_sink_printf(sink, "/proc/loadavg: %s (1, 5, 15 min; runnable/total tasks; last pid)\n",
                       loadavg);
    else
        cd_sink_puts(sink, "# /proc/loadavg cannot be read\n");
    free(logins);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have_uptime || have_load;
}
