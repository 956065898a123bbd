/*
 * The findings report's backbone (see findings.h): the finding list, reading
 * the staged bundle back into cd_report_inputs, the small pure helpers the
 * analyses share, and the run's report step that ties them to summary.txt,
 * index.html and the manifest.
 *
 * Inputs are read with size caps (a bundle of 10,000 threads has a threads.json
 * of a few MB; logs are read from their tail, CD_LOG_SCAN_BYTES each), and a
 * file that is missing or does not parse simply leaves its analysis without
 * data: a report about a half-collected bundle is still worth having.
 */
#include "findings.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "carbondump/fsutil.h"
#include "carbondump/json.h"
#include "findings_internal.h"
#include "progress.h"
#include "carbondump/format.h"
#include "carbondump/array.h"

#define JSON_MAX_BYTES (256u << 20)
#define TEXT_MAX_BYTES (64u << 20)
#define LOG_FILES_MAX 200
#define LOG_TOTAL_SCAN_BYTES (64u << 20)
#define LOG_DIR_DEPTH_MAX 4

/* ---------------------------------------------------------------- model */

const char *cd_severity_name(cd_severity severity)
{
    switch (severity) {
    case CD_SEVERITY_CRITICAL: return "critical";
    case CD_SEVERITY_WARNING: return "warning";
    case CD_SEVERITY_INFO: break;
    }
    return "info";
}

/* Formats into a new string in which control characters (thread names and
 * log lines can hold any) are spelled as thread_dump.txt spells them (\n,
 * \r, \t, \u0001), so that a title is always one line and a detail entry
 * one line of details. */
static char *vformat(const char *fmt, va_list ap)
{
    char *raw = NULL;
    if (vasprintf(&raw, fmt, ap) < 0)
        return NULL;
    size_t controls = 0, len = 0;
    for (; raw[len]; len++)
        controls += (unsigned char)raw[len] < 0x20 || raw[len] == 0x7f;
    if (!controls)
        return raw;
    char *text = malloc(len + controls * 6 + 1);
    if (!text) {
        free(raw);
        return NULL;
    }
    char *o = text;
    for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
        if (*p >= 0x20 && *p != 0x7f)
            *o++ = (char)*p;
        else if (*p == '\n' || *p == '\r' || *p == '\t') {
            *o++ = '\\';
            *o++ = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
        } else
            o += sprintf(o, "\\u%04x", *p);
    }
    *o = '\0';
    free(raw);
    return text;
}

cd_finding *cd_findings_add(cd_findings *list, cd_severity severity, const char *kind,
                            const char *title_fmt, ...)
{
    if (CD_ARRAY_ROOM_FOR_ONE(list->items, list->capacity, list->count) != 0) {
        list->incomplete = 1;
        return NULL;
    }
    va_list ap;
    va_start(ap, title_fmt);
    char *title = vformat(title_fmt, ap);
    va_end(ap);
    if (!title) {
        list->incomplete = 1;
        return NULL;
    }
    cd_finding *f = &list->items[list->count++];
    memset(f, 0, sizeof *f);
    f->severity = severity;
    f->kind = kind;
    f->title = title;
    return f;
}

void cd_finding_detail(cd_finding *finding, const char *fmt, ...)
{
    if (!finding)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    if (!line)
        return;
    if (!finding->detail) {
        finding->detail = line;
        return;
    }
    char *joined;
    if (asprintf(&joined, "%s\n%s", finding->detail, line) >= 0) {
        free(finding->detail);
        finding->detail = joined;
    }
    free(line);
}

void cd_finding_recommend(cd_finding *finding, const char *fmt, ...)
{
    if (!finding)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    if (!text)
        return;
    free(finding->recommendation);
    finding->recommendation = text;
}

static cd_evidence *next_evidence(cd_finding *finding, const char *path)
{
    if (!finding || finding->evidence_count >= CD_EVIDENCE_MAX)
        return NULL;
    cd_evidence *e = &finding->evidence[finding->evidence_count++];
    memset(e, 0, sizeof *e);
    snprintf(e->path, sizeof e->path, "%s", path);
    return e;
}

void cd_finding_lines(cd_finding *finding, const char *path, int first_line, int last_line)
{
    cd_evidence *e = next_evidence(finding, path);
    if (!e || first_line <= 0)
        return;
    e->first_line = first_line;
    e->last_line = last_line >= first_line ? last_line : first_line;
}

void cd_finding_pointer(cd_finding *finding, const char *path, const char *pointer_fmt, ...)
{
    cd_evidence *e = next_evidence(finding, path);
    if (!e)
        return;
    va_list ap;
    va_start(ap, pointer_fmt);
    vsnprintf(e->pointer, sizeof e->pointer, pointer_fmt, ap);
    va_end(ap);
}

void cd_findings_sort(cd_findings *list)
{
    /* insertion sort: stable, and lists are short */
    for (size_t i = 1; i < list->count; i++) {
        cd_finding moving = list->items[i];
        size_t j = i;
        while (j > 0 && list->items[j - 1].severity < moving.severity) {
            list->items[j] = list->items[j - 1];
            j--;
        }
        list->items[j] = moving;
    }
}

size_t cd_findings_count(const cd_findings *list, cd_severity minimum)
{
    size_t n = 0;
    for (size_t i = 0; list && i < list->count; i++)
        if (list->items[i].severity >= minimum)
            n++;
    return n;
}

void cd_findings_free(cd_findings *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].title);
        free(list->items[i].detail);
        free(list->items[i].recommendation);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

cJSON *cd_findings_json(const cd_findings *list)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && list && i < list->count; i++) {
        const cd_finding *f = &list->items[i];
        cJSON *item = cJSON_CreateObject();
        if (!item)
            break;
        cJSON_AddStringToObject(item, "severity", cd_severity_name(f->severity));
        cJSON_AddStringToObject(item, "kind", f->kind);
        cJSON_AddStringToObject(item, "title", f->title);
        if (f->detail)
            cJSON_AddStringToObject(item, "detail", f->detail);
        cJSON *evidence = cJSON_AddArrayToObject(item, "evidence");
        for (int e = 0; evidence && e < f->evidence_count; e++) {
            const cd_evidence *ev = &f->evidence[e];
            cJSON *ref = cJSON_CreateObject();
            cJSON_AddStringToObject(ref, "path", ev->path);
            if (ev->first_line > 0) {
                int lines[2] = {ev->first_line, ev->last_line};
                cJSON_AddItemToObject(ref, "lines", cJSON_CreateIntArray(lines, 2));
            }
            if (ev->pointer[0])
                cJSON_AddStringToObject(ref, "pointer", ev->pointer);
            cJSON_AddItemToArray(evidence, ref);
        }
        if (f->recommendation)
            cJSON_AddStringToObject(item, "recommendation", f->recommendation);
        cJSON_AddItemToArray(array, item);
    }
    return array;
}

void cd_findings_analyze(const cd_report_inputs *in, cd_findings *out)
{
    cd_findings_threads(in, out);
    cd_findings_memory(in, out);
    cd_findings_host(in, out);
    cd_findings_carbon(in, out);
    cd_findings_logs(in, out);
    cd_findings_sort(out);
}

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

const char *cd_json_string_at(const cJSON *root, const char *path)
{
    const cJSON *node = json_at(root, path);
    return cJSON_IsString(node) ? node->valuestring : NULL;
}

int cd_ratio_severity(double used, double limit, double warn_ratio, double critical_ratio)
{
    if (!(limit > 0) || used < 0)
        return -1;
    double ratio = used / limit;
    if (ratio >= critical_ratio)
        return CD_SEVERITY_CRITICAL;
    if (ratio >= warn_ratio)
        return CD_SEVERITY_WARNING;
    return -1;
}

void cd_format_bytes(double bytes, char *out, size_t outlen)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(out, outlen, "%.0f B", bytes < 0 ? 0 : bytes);
        return;
    }
    int unit = -1;
    while (bytes >= 1024 && unit < 3) {
        bytes /= 1024;
        unit++;
    }
    snprintf(out, outlen, "%.1f %s", bytes, units[unit]);
}

const char *cd_plural(double count)
{
    return count == 1 ? "" : "s";
}

void cd_format_duration(double ms, char *out, size_t outlen)
{
    if (ms < 1000)
        snprintf(out, outlen, "%.0f ms", ms < 0 ? 0 : ms);
    else if (ms < 60e3)
        snprintf(out, outlen, "%.1f s", ms / 1e3);
    else if (ms < 3600e3)
        snprintf(out, outlen, "%.1f min", ms / 60e3);
    else if (ms < 86400e3)
        snprintf(out, outlen, "%.1f h", ms / 3600e3);
    else
        snprintf(out, outlen, "%.1f d", ms / 86400e3);
}

void cd_java_type_name(const char *jvm_name, char *out, size_t outlen)
{
    int dims = 0;
    while (jvm_name[dims] == '[')
        dims++;
    if (dims == 0) {
        snprintf(out, outlen, "%s", jvm_name);
        return;
    }
    const char *element = jvm_name + dims;
    const char *base = NULL;
    size_t base_len = 0;
    switch (*element) {
    case 'Z': base = "boolean"; break;
    case 'B': base = "byte"; break;
    case 'C': base = "char"; break;
    case 'S': base = "short"; break;
    case 'I': base = "int"; break;
    case 'J': base = "long"; break;
    case 'F': base = "float"; break;
    case 'D': base = "double"; break;
    case 'L':
        base = element + 1;
        base_len = strcspn(base, ";");
        break;
    default: snprintf(out, outlen, "%s", jvm_name); return;
    }
    if (!base_len)
        base_len = strlen(base);
    int n = snprintf(out, outlen, "%.*s", (int)base_len, base);
    for (int d = 0; d < dims && n >= 0 && (size_t)n + 2 < outlen; d++)
        n += snprintf(out + n, outlen - (size_t)n, "[]");
}

void cd_thread_name_pattern(const char *name, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = name; *p && o + 1 < outlen;) {
        if (isdigit((unsigned char)*p)) {
            out[o++] = 'N';
            while (isdigit((unsigned char)*p))
                p++;
        } else {
            out[o++] = *p++;
        }
    }
    if (outlen)
        out[o < outlen ? o : outlen - 1] = '\0';
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

void cd_appendf(char *buffer, size_t size, const char *fmt, ...)
{
    size_t used = strnlen(buffer, size);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buffer + used, size - used, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- inputs */

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
    char chunk[65536];
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
    char *text = malloc(want + 1);
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
        cd_log_text *grown = realloc(in->logs, (in->log_count + 1) * sizeof *grown);
        if (!grown) {
            rc = cd_fail(err, CD_ERR_NOMEM, "out of memory listing logs");
            break;
        }
        in->logs = grown;
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

/* ---------------------------------------------------------------- the run's step */

/* Evidence must point at what the bundle really holds: references to files
 * that a skipped or failed section never wrote are dropped. */
static void drop_missing_evidence(cd_findings *list, const char *const roots[], size_t root_count)
{
    char path[PATH_MAX];
    for (size_t i = 0; i < list->count; i++) {
        cd_finding *f = &list->items[i];
        int kept = 0;
        for (int e = 0; e < f->evidence_count; e++)
            if (locate(roots, root_count, f->evidence[e].path, path, sizeof path))
                f->evidence[kept++] = f->evidence[e];
        f->evidence_count = kept;
    }
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Bundle paths of every staged file plus those written after the analysis
 * (the reports themselves and the manifest), sorted, for index.html's links. */
static char **bundle_file_list(const char *const roots[], size_t root_count)
{
    /* the agent's own files stay out of the bundle (run.c leaves them out too) */
    static const char *const agent_private[] = {"agent-result.json", "libcarbondump.so", NULL};
    static const char *const added_later[] = {"index.html", "manifest.json", "summary.txt"};
    cd_bundle_entries entries = {0};
    cd_error err = {0};
    for (size_t i = 0; i < root_count; i++)
        if (cd_bundle_collect(roots[i], i == 0 ? NULL : agent_private, &entries, &err) != 0)
            break;
    size_t n = entries.count + sizeof added_later / sizeof *added_later;
    char **files = calloc(n + 1, sizeof *files);
    size_t count = 0;
    for (size_t i = 0; files && i < entries.count; i++) {
        files[count] = entries.items[i].path;
        entries.items[i].path = NULL;
        if (strcmp(files[count], "index.html") && strcmp(files[count], "summary.txt") &&
            strcmp(files[count], "manifest.json"))
            count++;
        else
            free(files[count]);
    }
    for (size_t i = 0; files && i < sizeof added_later / sizeof *added_later; i++)
        if ((files[count] = strdup(added_later[i])) != NULL)
            count++;
    cd_bundle_entries_free(&entries);
    if (files) {
        files[count] = NULL;
        qsort(files, count, sizeof *files, compare_strings);
    }
    return files;
}

static void free_file_list(char **files)
{
    for (size_t i = 0; files && files[i]; i++)
        free(files[i]);
    free(files);
}

typedef enum report_format { REPORT_TEXT, REPORT_HTML } report_format;

static int write_report(const char *root, const char *relpath, report_format format,
                        const cd_findings *findings, const cd_overview *overview,
                        const cd_report_inputs *in, const cd_report_context *context, cd_error *err)
{
    cd_sink *sink = cd_staging_open(root, relpath, err);
    if (!sink)
        return -1;
    if (format == REPORT_HTML)
        cd_report_write_html(sink, findings, overview, in, context);
    else
        cd_report_write_text(sink, findings, overview, context);
    if (cd_sink_close(sink, err) != 0)
        return cd_error_wrap(err, "%s", relpath);
    return 0;
}

int cd_findings_report(cd_run *run, cd_error *err)
{
    const char *roots[2];
    size_t root_count = 0;
    roots[root_count++] = run->host_staging;
    if (run->agent_staging[0])
        roots[root_count++] = run->agent_staging;

    cd_report_inputs in;
    if (cd_report_inputs_load(&in, roots, root_count, err) != 0)
        return -1;
    cd_findings *findings = calloc(1, sizeof *findings);
    if (!findings) {
        cd_report_inputs_free(&in);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory analysing the bundle");
    }
    cd_findings_analyze(&in, findings);
    drop_missing_evidence(findings, roots, root_count);
    run->findings = findings;

    cd_overview overview;
    cd_overview_build(&in, &overview);
    char captured_at[40], target[320];
    cd_format_iso8601(run->started_wall_ms, captured_at, sizeof captured_at);
    const char *product = cd_json_string_at(in.carbon, "product/version_txt");
    if (run->pid)
        snprintf(target, sizeof target, "pid %d%s%s%s", (int)run->pid, product ? " (" : "",
                 product ? product : "", product ? ")" : "");
    else
        snprintf(target, sizeof target, "%s", product ? product : "no JVM");
    char **files = bundle_file_list(roots, root_count);
    cd_report_context context = {.bundle_name = run->bundle_name,
                                 .captured_at = captured_at,
                                 .target = target,
                                 .files = (const char *const *)files};

    int rc = write_report(run->host_staging, "summary.txt", REPORT_TEXT, findings, &overview, &in,
                          &context, err);
    cd_error html_err = {0};
    if (write_report(run->host_staging, "index.html", REPORT_HTML, findings, &overview, &in,
                     &context, &html_err) != 0 &&
        rc == 0) {
        *err = html_err;
        rc = -1;
    }
    free_file_list(files);
    cd_report_inputs_free(&in);
    cd_progress("findings      %zu critical, %zu warning, %zu info",
                cd_findings_count(findings, CD_SEVERITY_CRITICAL),
                cd_findings_count(findings, CD_SEVERITY_WARNING) -
                    cd_findings_count(findings, CD_SEVERITY_CRITICAL),
                findings->count - cd_findings_count(findings, CD_SEVERITY_WARNING));
    return rc;
}

void cd_findings_release(cd_run *run)
{
    cd_findings_free(run->findings);
    free(run->findings);
    run->findings = NULL;
}
