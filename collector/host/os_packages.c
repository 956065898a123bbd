/*
 * Installed packages, without dpkg -l or apk: the package databases are plain text
 * and are parsed here. Only rpm's database is binary, so `rpm -qa` runs when an rpm
 * executable exists, started with posix_spawn (no shell), its output capped and
 * the process killed if it has not finished within RPM_TIMEOUT_MS.
 *
 * The databases are read from the target's file system: in a container that is
 * where the JVM and its libraries come from. Each database found gives one file:
 * os_installed_software_dpkg.txt, os_installed_software_apk.txt,
 * os_installed_software_rpm.txt; a machine with none of them gets none.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "carbondump/array.h"
#include "carbondump/fsutil.h"
#include "osinfo.h"

#define PACKAGE_DB_MAX_BYTES (256u << 20)
#define RPM_TIMEOUT_MS 30000
#define RPM_OUTPUT_MAX_BYTES (32u << 20)

extern char **environ;

/* ---------------------------------------------------------------- package lists */

static int package_add(cd_package_list *list, const char *name, size_t name_len,
                       const char *version, size_t version_len, const char *arch, size_t arch_len,
                       const char *summary, size_t summary_len)
{
    if (CD_ARRAY_ROOM_FOR_ONE(list->items, list->capacity, list->count) != 0)
        return -1;
    cd_package *p = &list->items[list->count];
    p->name = strndup(name, name_len);
    p->version = strndup(version, version_len);
    p->arch = strndup(arch, arch_len);
    p->summary = strndup(summary, summary_len);
    if (!p->name || !p->version || !p->arch || !p->summary) {
        free(p->name);
        free(p->version);
        free(p->arch);
        free(p->summary);
        return -1;
    }
    list->count++;
    return 0;
}

void cd_package_list_free(cd_package_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].version);
        free(list->items[i].arch);
        free(list->items[i].summary);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

static int compare_packages(const void *a, const void *b)
{
    const cd_package *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->version, y->version);
}

void cd_package_list_sort(cd_package_list *list)
{
    if (list->count > 0)
        qsort(list->items, list->count, sizeof *list->items, compare_packages);
}

/* ---------------------------------------------------------------- stanza databases */

/* Which "Field:" of a stanza is which, for dpkg and apk. */
typedef struct stanza_keys {
    const char *name, *version, *arch, *summary;
    const char *status; /* NULL: every stanza is an installed package */
    int ignore_case;
} stanza_keys;

typedef struct field {
    const char *value;
    size_t len;
} field;

static int key_is(const char *line, size_t key_len, const char *key, int ignore_case)
{
    if (!key || strlen(key) != key_len)
        return 0;
    return ignore_case ? strncasecmp(line, key, key_len) == 0 : strncmp(line, key, key_len) == 0;
}

/* dpkg's Status is "want flag state"; the package is on disk when state is
 * "installed" (want may be install, hold, or deinstall not yet done). */
static int status_installed(const field *status)
{
    const char *end = status->value + status->len;
    const char *last = end;
    while (last > status->value && last[-1] != ' ')
        last--;
    return (size_t)(end - last) == 9 && memcmp(last, "installed", 9) == 0;
}

static int parse_stanzas(const char *text, const stanza_keys *keys, cd_package_list *out,
                         cd_error *err)
{
    field name = {0}, version = {0}, arch = {0}, summary = {0}, status = {0};
    const char *line = text;
    for (;;) {
        const char *newline = strchr(line, '\n');
        size_t len = newline ? (size_t)(newline - line) : strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len == 0) {
            /* the end of a stanza */
            int installed = keys->status ? status.value && status_installed(&status) : 1;
            if (name.value && installed &&
                package_add(out, name.value, name.len, version.value ? version.value : "",
                            version.len, arch.value ? arch.value : "", arch.len,
                            summary.value ? summary.value : "", summary.len) != 0)
                return cd_fail(err, CD_ERR_NOMEM, "out of memory listing packages");
            memset(&name, 0, sizeof name);
            version = arch = summary = status = name;
        } else if (line[0] != ' ' && line[0] != '\t') {
            const char *colon = memchr(line, ':', len);
            if (colon) {
                size_t key_len = (size_t)(colon - line);
                const char *value = colon + 1;
                while (value < line + len && (*value == ' ' || *value == '\t'))
                    value++;
                field f = {value, (size_t)(line + len - value)};
                if (key_is(line, key_len, keys->name, keys->ignore_case))
                    name = f;
                else if (key_is(line, key_len, keys->version, keys->ignore_case))
                    version = f;
                else if (key_is(line, key_len, keys->arch, keys->ignore_case))
                    arch = f;
                else if (key_is(line, key_len, keys->summary, keys->ignore_case))
                    summary = f;
                else if (key_is(line, key_len, keys->status, keys->ignore_case))
                    status = f;
            }
        }
        if (!newline) {
            if (len > 0) {
                line = "";
                continue; /* close the last stanza */
            }
            break;
        }
        line = newline + 1;
    }
    return 0;
}

int cd_parse_dpkg_status(const char *text, cd_package_list *out, cd_error *err)
{
    static const stanza_keys dpkg = {"Package",     "Version", "Architecture",
                                     "Description", "Status",  1};
    return parse_stanzas(text, &dpkg, out, err);
}

int cd_parse_apk_installed(const char *text, cd_package_list *out, cd_error *err)
{
    static const stanza_keys apk = {"P", "V", "A", "T", NULL, 0};
    return parse_stanzas(text, &apk, out, err);
}

/* ---------------------------------------------------------------- writing */

static void write_packages(cd_sink *sink, const cd_package_list *list)
{
    int name_width = 4, version_width = 7, arch_width = 12;
    for (size_t i = 0; i < list->count; i++) {
        int n = (int)strlen(list->items[i].name), v = (int)strlen(list->items[i].version);
        int a = (int)strlen(list->items[i].arch);
        name_width = n > name_width && n <= 48 ? n : name_width;
        version_width = v > version_width && v <= 40 ? v : version_width;
        arch_width = a > arch_width && a <= 16 ? a : arch_width;
    }
    cd_sink_printf(sink, "%-*s %-*s %-*s %s\n", name_width, "Name", version_width, "Version",
                   arch_width, "Architecture", "Description");
    for (size_t i = 0; i < list->count; i++) {
        const cd_package *p = &list->items[i];
        cd_sink_printf(sink, "%-*s %-*s %-*s %s\n", name_width, p->name, version_width, p->version,
                       arch_width, p->arch[0] ? p->arch : "-", p->summary);
    }
}

/* Writes osinfo/<file>: what stood in the way (problem, may be NULL), then the
 * packages found in source, sorted. Returns 1, 0 or -1 (see osinfo.h). */
static int write_package_file(cd_run *run, const char *file, const char *source,
                              const char *problem, cd_package_list *list, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, file, err);
    if (!sink)
        return -1;
    if (problem)
        cd_sink_printf(sink, "# %s\n", problem);
    if (list->count > 0 || !problem) {
        cd_package_list_sort(list);
        cd_sink_printf(sink, "# installed packages in %s: %zu\n", source, list->count);
        write_packages(sink, list);
    }
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return list->count > 0;
}

typedef int (*db_parser)(const char *text, cd_package_list *out, cd_error *err);

/* Writes file from the text database at root + db_path. Returns 1, 0 (also when
 * there is no database: then no file) or -1. */
static int write_text_database(cd_run *run, const char *file, const char *db_path, db_parser parse,
                               cd_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s", cd_osinfo_target_root(run), db_path);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    char *text = NULL;
    size_t len = 0;
    cd_error problem = {0};
    cd_package_list list = {0};
    if (cd_read_file(path, PACKAGE_DB_MAX_BYTES, 1, &text, &len, &problem) == 0 &&
        parse(text, &list, &problem) == 0 && len == PACKAGE_DB_MAX_BYTES)
        cd_fail(&problem, CD_ERR_IO, "%s was cut at %u bytes: the list is incomplete", path,
                PACKAGE_DB_MAX_BYTES);
    int rc = write_package_file(run, file, path, problem.code ? problem.message : NULL, &list, err);
    free(text);
    cd_package_list_free(&list);
    return rc;
}

/* ---------------------------------------------------------------- rpm */

/* The rpm executable on PATH (or the usual directories), or -1. */
static int find_rpm(char *out, size_t outlen)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin:/usr/sbin:/sbin";
    while (*path) {
        size_t len = strcspn(path, ":");
        if (len > 0) {
            snprintf(out, outlen, "%.*s/rpm", (int)len, path);
            if (access(out, X_OK) == 0)
                return 0;
        }
        path += len + (path[len] == ':');
    }
    return -1;
}

/* Runs argv[0] with stdout captured (at most max_bytes), stdin and stderr on
 * /dev/null; kills it after timeout_ms. Returns 0 with *status as from waitpid. */
static int run_captured(char *const argv[], int timeout_ms, size_t max_bytes, char **out,
                        size_t *out_len, int *status, cd_error *err)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "pipe");
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE); /* the collector ignores it; a child should not */
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t child;
    int rc = posix_spawn(&child, argv[0], &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        return cd_fail_errno(err, CD_ERR_IO, rc, "cannot run %s", argv[0]);
    }

    size_t cap = 64 << 10, used = 0;
    char *buf = malloc(cap + 1);
    uint64_t deadline = cd_monotonic_ms() + (uint64_t)timeout_ms;
    int timed_out = 0, too_big = 0;
    while (buf) {
        uint64_t now = cd_monotonic_ms();
        if (now >= deadline) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = {pipe_fds[0], POLLIN, 0};
        int ready = poll(&pfd, 1, (int)(deadline - now));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            timed_out = ready == 0;
            break;
        }
        if (used == cap) {
            if (cap >= max_bytes) {
                too_big = 1;
                break;
            }
            char *grown = realloc(buf, cap * 2 + 1);
            if (!grown)
                break;
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(pipe_fds[0], buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(pipe_fds[0]);
    if (timed_out || too_big || !buf)
        kill(child, SIGKILL);
    while (waitpid(child, status, 0) < 0 && errno == EINTR)
        ;
    if (!buf)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory reading %s", argv[0]);
    if (timed_out) {
        free(buf);
        return cd_fail(err, CD_ERR_TIMEOUT, "%s did not finish within %d s (killed)", argv[0],
                       timeout_ms / 1000);
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    if (too_big)
        return cd_fail(err, CD_ERR_IO, "%s printed more than %zu bytes (killed)", argv[0],
                       max_bytes);
    return 0;
}

/* Parses "name\tversion-release\tarch\tsummary" lines that our --qf asks rpm for. */
static int parse_rpm_lines(char *text, cd_package_list *out)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *fields[4] = {line, "", "", ""};
        for (int i = 1; i < 4; i++) {
            char *tab = strchr(fields[i - 1], '\t');
            if (!tab)
                break;
            *tab = '\0';
            fields[i] = tab + 1;
        }
        if (package_add(out, fields[0], strlen(fields[0]), fields[1], strlen(fields[1]), fields[2],
                        strlen(fields[2]), fields[3], strlen(fields[3])) != 0)
            return -1;
    }
    return 0;
}

static int write_rpm(cd_run *run, cd_error *err)
{
    char rpm[PATH_MAX];
    if (find_rpm(rpm, sizeof rpm) != 0)
        return 0;
    const char *root = cd_osinfo_target_root(run);
    char root_option[PATH_MAX + 16];
    snprintf(root_option, sizeof root_option, "--root=%s", root);
    char query_format[] = "--queryformat=%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SUMMARY}\\n";
    char *argv[] = {rpm, "-qa", query_format, root[0] ? root_option : NULL, NULL};
    char source[PATH_MAX * 2 + 32];
    snprintf(source, sizeof source, "%s -qa%s%s", rpm, root[0] ? " " : "",
             root[0] ? root_option : "");

    char *text = NULL;
    size_t len = 0;
    int status = 0;
    cd_error problem = {0};
    cd_package_list list = {0};
    if (run_captured(argv, RPM_TIMEOUT_MS, RPM_OUTPUT_MAX_BYTES, &text, &len, &status, &problem) ==
            0 &&
        (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        cd_fail(&problem, CD_ERR_IO, "%s failed (exit status %d)", source,
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if (text && parse_rpm_lines(text, &list) != 0)
        cd_fail(&problem, CD_ERR_NOMEM, "out of memory listing rpm packages");
    int rc = write_package_file(run, "os_installed_software_rpm.txt", source,
                                problem.code ? problem.message : NULL, &list, err);
    free(text);
    cd_package_list_free(&list);
    return rc;
}

/* ---------------------------------------------------------------- the files */

int cd_os_write_installed_software(cd_run *run, cd_error *err)
{
    int dpkg = write_text_database(run, "os_installed_software_dpkg.txt", "/var/lib/dpkg/status",
                                   cd_parse_dpkg_status, err);
    if (dpkg < 0)
        return -1;
    int apk = write_text_database(run, "os_installed_software_apk.txt", "/lib/apk/db/installed",
                                  cd_parse_apk_installed, err);
    if (apk < 0)
        return -1;
    int rpm = write_rpm(run, err);
    if (rpm < 0)
        return -1;
    return dpkg > 0 || apk > 0 || rpm > 0;
}
