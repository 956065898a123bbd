/*
 * The bundle as the analyses and reports read it (inputs.h): the staged
 * documents parsed once, and the facts several of them derive.
 *
 * Inputs are read with size caps (a bundle of 10,000 threads has a threads.json
 * of a few MB; logs are read from their tail, CD_LOG_SCAN_BYTES each), and a
 * file that is missing or does not parse simply leaves its analysis without
 * data: a report about a half-collected bundle is still worth having.
 */
#include "inputs.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/progress.h"
#include "carbondump/array.h"
#include "carbondump/format.h"
#include "carbondump/fsutil.h"
#include "carbondump/json.h"
#include "wording.h"

#define JSON_MAX_BYTES (256u << 20)
#define TEXT_MAX_BYTES (64u << 20)
#define LOG_FILES_MAX 200
#define LOG_TOTAL_SCAN_BYTES (64u << 20)
#define LOG_DIR_DEPTH_MAX 4

/* ---------------------------------------------------------------- loading */

/* The first root holding relpath as a regular file, as a full path. */
static int locate(const char *const roots[], size_t root_count, const char *relpath, char *path,
                  size_t pathlen)
{
    for (size_t i = 0; i < root_count; i++) {
        struct stat st;
        snprintf(path, pathlen, "%s/%s", roots[i], relpath);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            return 1;
    }
    return 0;
}

/* 0 with *text NULL when the file is absent or unreadable; -1 out of memory. */
static int load_text(const char *const roots[], size_t root_count, const char *relpath,
                     size_t max_bytes, char **text, cd_error *err)
{
    char path[PATH_MAX];
    *text = NULL;
    if (!locate(roots, root_count, relpath, path, sizeof path))
        return 0;
    cd_error read_err = {0};
    if (cd_read_file(path, max_bytes, 1, text, NULL, &read_err) != 0) {
        *text = NULL;
        if (read_err.code == CD_ERR_NOMEM)
            return cd_fail(err, CD_ERR_NOMEM, "out of memory reading %s", relpath);
    }
    return 0;
}

static int load_json(const char *const roots[], size_t root_count, const char *relpath,
                     cJSON **json, cd_json_doc **doc, cd_error *err)
{
    char *text = NULL;
    *json = NULL;
    *doc = NULL;
    if (load_text(roots, root_count, relpath, JSON_MAX_BYTES, &text, err) != 0)
        return -1;
    if (text) {
        *doc = cd_json_doc_parse(text, strlen(text));
        *json = cd_json_doc_root(*doc);
        free(text);
        if (!*json)
            cd_progress_detail("findings: %s does not parse as JSON; not analysed", relpath);
    }
    return 0;
}

/* Reads the last CD_LOG_SCAN_BYTES of a log, from a line start, counting the
 * lines skipped so that evidence line numbers are the file's own. */
static int read_log_tail(const char *path, cd_log_text *log, size_t budget)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    size_t cap = budget < CD_LOG_SCAN_BYTES ? budget : CD_LOG_SCAN_BYTES;
    off_t skip = st.st_size > (off_t)cap ? st.st_size - (off_t)cap : 0;
    int lines_skipped = 0;
    _Alignas(CD_READ_BUFFER_ALIGN) char chunk[65536];
    for (off_t done = 0; done < skip;) {
        size_t want = (size_t)(skip - done) < sizeof chunk ? (size_t)(skip - done) : sizeof chunk;
        ssize_t n = read(fd, chunk, want);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            lines_skipped += chunk[i] == '\n';
        done += n;
    }
    size_t want = (size_t)(st.st_size - skip);
    char *text = cd_read_buffer(want + 1);
    size_t got = 0;
    while (text && got < want) {
        ssize_t n = read(fd, text + got, want - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!text)
        return -1;
    text[got] = '\0';
    size_t start = 0;
    if (skip > 0) { /* begin at the first whole line */
        char *nl = memchr(text, '\n', got);
        start = nl ? (size_t)(nl - text) + 1 : got;
        lines_skipped++;
    }
    memmove(text, text + start, got - start + 1);
    log->text = text;
    log->len = got - start;
    log->first_line = lines_skipped + 1;
    return 0;
}

static int is_compressed(const char *name)
{
    static const char *const suffixes[] = {".gz", ".zip", ".bz2", ".xz", ".zst", ".jar", NULL};
    size_t n = strlen(name);
    for (int i = 0; suffixes[i]; i++) {
        size_t m = strlen(suffixes[i]);
        if (n >= m && strcmp(name + n - m, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

static int compare_logs(const void *a, const void *b)
{
    return strcmp(((const cd_log_text *)a)->path, ((const cd_log_text *)b)->path);
}

static int collect_logs(cd_report_inputs *in, const char *dir, const char *relpath, int depth,
                        size_t *budget, cd_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL && in->log_count < LOG_FILES_MAX) {
        if (de->d_name[0] == '.' || is_compressed(de->d_name))
            continue;
        char path[PATH_MAX], rel[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(rel, sizeof rel, "%s/%s", relpath, de->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < LOG_DIR_DEPTH_MAX)
                rc = collect_logs(in, path, rel, depth + 1, budget, err);
            continue;
        }
        if (!S_ISREG(st.st_mode) || *budget == 0)
            continue;
        if (CD_ARRAY_ROOM_FOR_ONE(in->logs, in->log_capacity, in->log_count) != 0) {
            rc = cd_fail(err, CD_ERR_NOMEM, "out of memory listing logs");
            break;
        }
        cd_log_text *log = &in->logs[in->log_count];
        memset(log, 0, sizeof *log);
        if (read_log_tail(path, log, *budget) != 0)
            continue;
        log->path = strdup(rel);
        if (!log->path) {
            free(log->text);
            rc = cd_fail(err, CD_ERR_NOMEM, "out of memory listing logs");
            break;
        }
        *budget -= log->len < *budget ? log->len : *budget;
        in->log_count++;
    }
    closedir(d);
    return rc;
}

int cd_report_inputs_load(cd_report_inputs *in, const char *const roots[], size_t root_count,
                          cd_error *err)
{
    memset(in, 0, sizeof *in);
    if (root_count > CD_REPORT_ROOTS_MAX)
        return cd_fail(err, CD_ERR_USAGE, "%zu staging areas to read, at most %d", root_count,
                       CD_REPORT_ROOTS_MAX);
    for (size_t i = 0; i < root_count; i++)
        in->roots[i] = roots[i];
    in->root_count = root_count;
    const struct {
        const char *path;
        cJSON **json;
    } jsons[] = {
        {"threads/threads.json", &in->threads},
        {"memoryinfo/java_heap_histogram.json", &in->histogram},
        {"memoryinfo/java_heap_summary.json", &in->heap_summary},
        {"memoryinfo/gc_statistics.json", &in->gc},
        {"memoryinfo/objects_awaiting_finalization.json", &in->finalizer},
        {"osinfo/process_info.json", &in->process},
        {"carbon_info.json", &in->carbon},
        {"javainfo/jvm_info.json", &in->jvm},
    };
    struct {
        const char *path;
        char **text;
    } texts[] = {
        {"thread_dump.txt", &in->thread_dump},
        {"javainfo/vm_flags.txt", &in->vm_flags},
        {"osinfo/os_disk_space.txt", &in->disk_space},
        {"osinfo/process_open_files.txt", &in->open_files},
        {"osinfo/os_meminfo.txt", &in->meminfo},
        {"osinfo/os_cpuinfo.txt", &in->cpuinfo},
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof jsons / sizeof *jsons; i++)
        rc = load_json(roots, root_count, jsons[i].path, jsons[i].json, &in->docs[i], err);
    for (size_t i = 0; rc == 0 && i < sizeof texts / sizeof *texts; i++)
        rc = load_text(roots, root_count, texts[i].path, TEXT_MAX_BYTES, texts[i].text, err);
    size_t budget = LOG_TOTAL_SCAN_BYTES;
    for (size_t i = 0; rc == 0 && i < root_count; i++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/repository/logs", roots[i]);
        rc = collect_logs(in, dir, "repository/logs", 0, &budget, err);
    }
    if (in->log_count > 1)
        qsort(in->logs, in->log_count, sizeof *in->logs, compare_logs);
    if (rc != 0)
        cd_report_inputs_free(in);
    return rc;
}

void cd_report_inputs_free(cd_report_inputs *in)
{
    cJSON *jsons[] = {in->threads,   in->histogram, in->heap_summary, in->gc,
                      in->finalizer, in->process,   in->carbon,       in->jvm};
    _Static_assert(sizeof jsons / sizeof *jsons == sizeof in->docs / sizeof *in->docs,
                   "one document slot per tree");
    for (size_t i = 0; i < sizeof jsons / sizeof *jsons; i++) {
        if (in->docs[i])
            cd_json_doc_free(in->docs[i]);
        else
            cJSON_Delete(jsons[i]);
    }
    char *texts[] = {in->thread_dump, in->vm_flags, in->disk_space,
                     in->open_files,  in->meminfo,  in->cpuinfo};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        free(texts[i]);
    for (size_t i = 0; i < in->log_count; i++) {
        free(in->logs[i].path);
        free(in->logs[i].text);
    }
    free(in->logs);
    memset(in, 0, sizeof *in);
}

int cd_report_inputs_has(const cd_report_inputs *in, const char *relpath)
{
    char path[PATH_MAX];
    return locate(in->roots, in->root_count, relpath, path, sizeof path);
}

/* ---------------------------------------------------------------- reading */

/* ---------------------------------------------------------------- helpers */

static const cJSON *json_at(const cJSON *root, const char *path)
{
    const cJSON *node = root;
    char key[128];
    while (node && *path) {
        size_t n = strcspn(path, "/");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, key);
        path += n;
        if (*path == '/')
            path++;
    }
    return node;
}

int cd_json_number_at(const cJSON *root, const char *path, double *out)
{
    const cJSON *node = json_at(root, path);
    if (!cJSON_IsNumber(node))
        return 0;
    *out = node->valuedouble;
    return 1;
}

double cd_json_number_or(const cJSON *root, const char *path, double fallback)
{
    double value;
    return cd_json_number_at(root, path, &value) ? value : fallback;
}

const char *cd_json_string_or(const cJSON *root, const char *path, const char *fallback)
{
    const char *value = cd_json_string_at(root, path);
    return value ? value : fallback;
}

const char *cd_json_string_at(const cJSON *root, const char *path)
{
    const cJSON *node = json_at(root, path);
    return cJSON_IsString(node) ? node->valuestring : NULL;
}

int cd_text_find_line(const char *text, const char *needle, int anywhere, int from_line)
{
    if (!text)
        return 0;
    size_t needle_len = strlen(needle);
    int line = 1;
    for (const char *p = text; *p; line++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (line >= from_line) {
            if (anywhere ? memmem(p, len, needle, needle_len) != NULL
                         : len >= needle_len && memcmp(p, needle, needle_len) == 0)
                return line;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

const char *cd_text_line_at(const char *text, int line)
{
    const char *p = text;
    for (int i = 1; p && i < line; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return p && (*p || line == 1) ? p : NULL;
}

/* ---------------------------------------------------------------- derived facts */

double cd_heap_max_bytes(const cd_report_inputs *in)
{
    double max = cd_json_number_or(in->heap_summary, "heap/max", -1);
    if (max > 0)
        return max;
    const char *flag = cd_json_string_at(in->heap_summary, "flags/MaxHeapSize/value");
    if (flag && atof(flag) > 0)
        return atof(flag);
    /* "  integer MaxHeapSize    = 268435456    {command line}" */
    int line = cd_text_find_line(in->vm_flags, " MaxHeapSize ", 1, 1);
    const char *p = line ? cd_text_line_at(in->vm_flags, line) : NULL;
    const char *eq = p ? strchr(p, '=') : NULL;
    return eq ? atof(eq + 1) : 0;
}

double cd_available_cpus(const cd_report_inputs *in)
{
    double cpus;
    if (cd_json_number_at(in->process, "cgroup/cpu_effective_limit_cpus", &cpus) && cpus > 0)
        return cpus;
    int count = 0;
    for (int line = 1; (line = cd_text_find_line(in->cpuinfo, "processor", 0, line)) > 0; line++)
        count++;
    return count;
}

/* ---------------------------------------------------------------- disk space */

int cd_parse_disk_row(const char *line, cd_disk_row *row)
{
    memset(row, 0, sizeof *row);
    char type[64], size[32], used[32], avail[32], use[16], inodes[32], ifree[32], iuse[16];
    int consumed = 0;
    if (line[0] == '#' || line[0] == '=' || strncmp(line, "Filesystem", 10) == 0)
        return -1;
    if (sscanf(line, "%127s %63s %31s %31s %31s %15s %31s %31s %15s %n", row->filesystem, type,
               size, used, avail, use, inodes, ifree, iuse, &consumed) != 9 ||
        consumed == 0)
        return -1;
    char *end;
    row->size_kib = strtoull(size, &end, 10);
    if (*end)
        return -1;
    row->used_kib = strtoull(used, &end, 10);
    if (*end)
        return -1;
    row->available_kib = strtoull(avail, &end, 10);
    if (*end)
        return -1;
    row->inodes = strtoull(inodes, &end, 10);
    if (*end)
        row->inodes = 0;
    row->inodes_free = strtoull(ifree, &end, 10);
    if (*end)
        row->inodes = row->inodes_free = 0;
    /* "<mount point>  (<role>: <path>)"; the mount point may hold spaces */
    const char *rest = line + consumed;
    const char *open = strstr(rest, "  (");
    size_t mount_len = open ? (size_t)(open - rest) : strcspn(rest, "\n");
    snprintf(row->mount_point, sizeof row->mount_point, "%.*s", (int)mount_len, rest);
    if (open) {
        const char *role = open + 3;
        size_t role_len = strcspn(role, "\n");
        if (role_len && role[role_len - 1] == ')')
            role_len--;
        snprintf(row->role, sizeof row->role, "%.*s", (int)role_len, role);
    }
    return 0;
}

size_t cd_disk_rows(const char *text, cd_disk_row *rows, int *lines, size_t max)
{
    int header = cd_text_find_line(text, "== the file systems that matter", 0, 1);
    const char *p = header ? cd_text_line_at(text, header + 1) : NULL;
    size_t count = 0;
    for (int number = header + 1; p && *p && *p != '\n' && count < max; number++) {
        const char *end = strchr(p, '\n');
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
        p = end ? end + 1 : NULL;
        if (cd_parse_disk_row(line, &rows[count]) != 0)
            continue;
        size_t same = 0;
        while (same < count && strcmp(rows[same].mount_point, rows[count].mount_point) != 0)
            same++;
        if (same < count) { /* one file system, several roles: name them all */
            cd_appendf(rows[same].role, sizeof rows[same].role, "; %s", rows[count].role);
            continue;
        }
        if (lines)
            lines[count] = number;
        count++;
    }
    return count;
}
