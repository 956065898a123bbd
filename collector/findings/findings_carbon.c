/*
 * Findings about the Carbon installation and its logs:
 *
 *   patch-inconsistent   carbon_info.json's patch check found patched jars
 *                        that differ from, or are missing in,
 *                        repository/components/plugins: the server runs
 *                        without the patch
 *   log-errors           the ERROR entries of the copied logs by category, and
 *                        the exceptions ("x.y.SomeException: ..." starting a
 *                        trace, and "Caused by:") by class, most frequent
 *                        first, each with where it first appears (info: every
 *                        server logs some)
 *   log-resource-errors  OutOfMemoryError, "Too many open files" and "No space
 *                        left on device" in the logs: the server has already
 *                        hit a limit (warning)
 *
 * The logs are the copies in the bundle (masked, capped to their newest part),
 * read from their tail (CD_LOG_SCAN_BYTES each).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"
#include "findings.h"
#include "threads_doc.h"
#include "wording.h"

#define TOP_KEYS 5
#define DISTINCT_KEYS_MAX 512

/* ---------------------------------------------------------------- patches */

static void patches(const cd_report_inputs *in, cd_findings *out)
{
    const char *status = cd_json_string_at(in->carbon, "patch_consistency/status");
    if (!status || strcmp(status, "inconsistent") != 0)
        return;
    const cJSON *problems = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(in->carbon, "patch_consistency"), "problems");
    int count = cJSON_GetArraySize(problems);
    const cJSON *first = cJSON_GetArrayItem(problems, 0), *problem;
    const char *jar = cd_json_string_at(first, "jar");
    const char *dir = cd_json_string_at(first, "patch_dir");
    cd_finding *f =
        count == 1
            ? cd_findings_add(out, CD_SEVERITY_WARNING, "patch-inconsistent",
                              "Patch not in effect: %s of %s %s repository/components/plugins",
                              jar ? jar : "?", dir ? dir : "?",
                              strcmp(cd_json_string_at(first, "problem")
                                         ? cd_json_string_at(first, "problem")
                                         : "",
                                     "missing from plugins") == 0
                                  ? "is missing from"
                                  : "differs from the copy in")
            : cd_findings_add(out, CD_SEVERITY_WARNING, "patch-inconsistent",
                              "%d patched jars are not in effect in repository/components/plugins",
                              count);
    cJSON_ArrayForEach(problem, problems)
    {
        const char *p_jar = cd_json_string_at(problem, "jar");
        const char *p_dir = cd_json_string_at(problem, "patch_dir");
        const char *what = cd_json_string_at(problem, "problem");
        cd_finding_detail(f, "%s (%s): %s", p_jar ? p_jar : "?", p_dir ? p_dir : "?",
                          what ? what : "?");
    }
    cd_finding_recommend(f, "Carbon copies repository/components/patches/patchNNNN into "
                            "plugins/ when it starts: a jar that differs means the server runs "
                            "without the patch (it was added while the server ran, the copy "
                            "failed, or plugins/ was changed by hand). Restart the server and "
                            "check repository/logs/patches.log; if it persists, reapply the "
                            "patch or update.");
    cd_finding_pointer(f, "carbon_info.json", "/patch_consistency");
    cd_finding_lines(f, "repository/logs/patches.log", 0, 0);
    cd_finding_lines(f, "carbon_server_info.txt", 0, 0);
}

/* ---------------------------------------------------------------- log lines */

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || c == '.';
}

/* A qualified Java class name at p whose simple name ends like an exception
 * or error, followed by ':', whitespace or the end; its length, or 0. */
static size_t exception_name(const char *p, size_t len)
{
    size_t n = 0;
    while (n < len && is_name_char(p[n]))
        n++;
    if (n == 0 || !memchr(p, '.', n) || p[n - 1] == '.' || !isalpha((unsigned char)p[0]))
        return 0;
    if (n < len && p[n] != ':' && p[n] != ' ' && p[n] != '\t' && p[n] != '\r')
        return 0;
    const char *simple = p + n;
    while (simple > p && simple[-1] != '.')
        simple--;
    size_t simple_len = (size_t)(p + n - simple);
    static const char *const endings[] = {"Exception", "Error", "Throwable", "Fault", NULL};
    for (int i = 0; endings[i]; i++) {
        size_t m = strlen(endings[i]);
        if (simple_len >= m && memcmp(p + n - m, endings[i], m) == 0)
            return n;
    }
    return 0;
}

static void copy_key(char *key, size_t keylen, const char *from, size_t len)
{
    if (!keylen)
        return;
    if (len >= keylen)
        len = keylen - 1;
    memcpy(key, from, len);
    key[len] = '\0';
}

cd_log_line_kind cd_log_classify(const char *line, size_t len, char *key, size_t keylen)
{
    if (keylen)
        key[0] = '\0';
    if (len == 0 || line[0] == ' ' || line[0] == '\t')
        return CD_LOG_LINE_OTHER; /* "\tat ...", "\t... 12 more", continuation lines */
    static const char caused[] = "Caused by: ";
    if (len > sizeof caused - 1 && memcmp(line, caused, sizeof caused - 1) == 0) {
        size_t n = exception_name(line + sizeof caused - 1, len - (sizeof caused - 1));
        if (!n)
            return CD_LOG_LINE_OTHER;
        copy_key(key, keylen, line + sizeof caused - 1, n);
        return CD_LOG_LINE_CAUSED_BY;
    }
    static const char in_thread[] = "Exception in thread \"";
    if (len > sizeof in_thread - 1 && memcmp(line, in_thread, sizeof in_thread - 1) == 0) {
        const char *quote = memchr(line + sizeof in_thread - 1, '"', len - (sizeof in_thread - 1));
        if (quote && quote + 2 < line + len) {
            size_t n = exception_name(quote + 2, len - (size_t)(quote + 2 - line));
            if (n) {
                copy_key(key, keylen, quote + 2, n);
                return CD_LOG_LINE_EXCEPTION;
            }
        }
        return CD_LOG_LINE_OTHER;
    }
    size_t n = exception_name(line, len);
    if (n) {
        copy_key(key, keylen, line, n);
        return CD_LOG_LINE_EXCEPTION;
    }
    /* the level comes before the message: look for it in front of the first " - " */
    const char *dash = memmem(line, len, " - ", 3);
    size_t head = dash ? (size_t)(dash - line) + 1 : len;
    const char *level = NULL;
    static const char *const levels[] = {"ERROR", "FATAL", NULL};
    for (int i = 0; levels[i] && !level; i++) {
        if (head >= 6 && memcmp(line, levels[i], 5) == 0 && (line[5] == ' ' || line[5] == '\t'))
            level = line;
        for (const char *p = line;
             !level && (p = memmem(p, head - (size_t)(p - line), levels[i], 5)); p += 5)
            if (p > line && (p[-1] == ' ' || p[-1] == ']') && p + 5 < line + len &&
                (p[5] == ' ' || p[5] == '\t' || p[5] == ']'))
                level = p;
    }
    if (!level)
        return CD_LOG_LINE_OTHER;
    const char *p = level + 5, *end = line + len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == ']'))
        p++;
    if (p < end && *p == '{') {
        const char *close = memchr(p, '}', (size_t)(end - p));
        if (close) {
            copy_key(key, keylen, p + 1, (size_t)(close - p - 1));
            return CD_LOG_LINE_ERROR;
        }
    }
    if (p < end && *p != '-') {
        size_t token = 0;
        while (p + token < end && p[token] != ' ' && p[token] != '\t')
            token++;
        copy_key(key, keylen, p, token);
    } else {
        copy_key(key, keylen, "(no category)", 13);
    }
    return CD_LOG_LINE_ERROR;
}

/* ---------------------------------------------------------------- tallies */

typedef struct tally {
    char key[200];
    int count;
    const char *first_path; /* owned by the inputs */
    int first_line;
} tally;

typedef struct tally_list {
    tally *items;
    size_t count, capacity;
    int total;
} tally_list;

static void tally_add(tally_list *list, const char *key, const char *path, int line)
{
    list->total++;
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].key, key) == 0) {
            list->items[i].count++;
            return;
        }
    if (list->count >= DISTINCT_KEYS_MAX)
        return;
    if (CD_ARRAY_ROOM_FOR_ONE(list->items, list->capacity, list->count) != 0)
        return;
    tally *t = &list->items[list->count++];
    snprintf(t->key, sizeof t->key, "%s", key);
    t->count = 1;
    t->first_path = path;
    t->first_line = line;
}

static int compare_tallies(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    if (x->count != y->count)
        return y->count - x->count;
    return strcmp(x->key, y->key);
}

/* The resource errors worth a warning of their own, matched in any line. */
static const struct resource_marker {
    const char *text;
    const char *meaning;
} resource_markers[] = {
    {"OutOfMemoryError", "the JVM ran out of heap, metaspace or native threads"},
    {"Too many open files", "the process hit its open-files limit"},
    {"No space left on device", "a file system filled up"},
};
#define RESOURCE_MARKERS (sizeof resource_markers / sizeof *resource_markers)

typedef struct marker_hits {
    int count;
    const char *last_path;
    int last_line;
    char example[240];
} marker_hits;

/* ---------------------------------------------------------------- logs */

/* Counts the lines of log that hold marker, keeping the last one's number and
 * its text from the marker on. One memmem over the whole text, not one a line:
 * megabytes of logs are scanned while the operator waits. */
static void find_marker(const cd_log_text *log, const char *marker, marker_hits *hits)
{
    const char *end = log->text + log->len, *counted = log->text, *hit = log->text;
    size_t marker_len = strlen(marker);
    int number = log->first_line; /* of the line holding counted */
    while ((hit = memmem(hit, (size_t)(end - hit), marker, marker_len)) != NULL) {
        for (const char *nl; (nl = memchr(counted, '\n', (size_t)(hit - counted))) != NULL;)
            counted = nl + 1, number++;
        const char *line_end = memchr(hit, '\n', (size_t)(end - hit));
        if (!line_end)
            line_end = end;
        size_t shown = (size_t)(line_end - hit);
        hits->count++;
        hits->last_path = log->path;
        hits->last_line = number;
        snprintf(hits->example, sizeof hits->example, "%.*s", (int)(shown < 200 ? shown : 200),
                 hit);
        hit = line_end; /* once a line */
    }
}

static void tally_lines(const cd_report_inputs *in, tally_list *errors, tally_list *exceptions,
                        marker_hits *markers)
{
    for (size_t f = 0; f < in->log_count; f++) {
        const cd_log_text *log = &in->logs[f];
        const char *p = log->text, *end = log->text + log->len;
        for (int number = log->first_line; p < end; number++) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            char key[200];
            switch (cd_log_classify(p, len, key, sizeof key)) {
            case CD_LOG_LINE_ERROR: tally_add(errors, key, log->path, number); break;
            case CD_LOG_LINE_EXCEPTION:
            case CD_LOG_LINE_CAUSED_BY: tally_add(exceptions, key, log->path, number); break;
            case CD_LOG_LINE_OTHER: break;
            }
            p = nl ? nl + 1 : end;
        }
        for (size_t m = 0; m < RESOURCE_MARKERS; m++)
            find_marker(log, resource_markers[m].text, &markers[m]);
    }
}

static void list_top(cd_finding *f, const char *heading, tally_list *list)
{
    if (!list->count)
        return;
    qsort(list->items, list->count, sizeof *list->items, compare_tallies);
    cd_finding_detail(f, "%s", heading);
    for (size_t i = 0; i < list->count && i < TOP_KEYS; i++)
        cd_finding_detail(f, "  %dx %s (first: %s:%d)", list->items[i].count, list->items[i].key,
                          list->items[i].first_path, list->items[i].first_line);
    if (list->count > TOP_KEYS)
        cd_finding_detail(f, "  ... and %zu other kinds", list->count - TOP_KEYS);
}

void cd_findings_logs(const cd_report_inputs *in, cd_findings *out)
{
    tally_list errors = {0}, exceptions = {0};
    marker_hits markers[RESOURCE_MARKERS] = {{0}};
    tally_lines(in, &errors, &exceptions, markers);

    for (size_t m = 0; m < RESOURCE_MARKERS; m++) {
        if (!markers[m].count)
            continue;
        cd_finding *f =
            cd_findings_add(out, CD_SEVERITY_WARNING, "log-resource-errors",
                            "\"%s\" in the logs %d time%s, last in %s:%d", resource_markers[m].text,
                            markers[m].count, cd_plural(markers[m].count), markers[m].last_path,
                            markers[m].last_line);
        cd_finding_detail(f, "%s", markers[m].example);
        cd_finding_recommend(f,
                             "This means %s. The other findings (heap, threads, open files, "
                             "disk space) show whether it still holds; the lines before the "
                             "last occurrence show what ran into it.",
                             resource_markers[m].meaning);
        cd_finding_lines(f, markers[m].last_path, markers[m].last_line, markers[m].last_line);
    }

    if (errors.total || exceptions.total) {
        if (errors.count)
            qsort(errors.items, errors.count, sizeof *errors.items, compare_tallies);
        if (exceptions.count)
            qsort(exceptions.items, exceptions.count, sizeof *exceptions.items, compare_tallies);
        char top[640] = "";
        if (errors.count)
            cd_appendf(top, sizeof top, "%s (%d)", errors.items[0].key, errors.items[0].count);
        if (exceptions.count)
            cd_appendf(top, sizeof top, "%s%s (%d)", top[0] ? ", " : "", exceptions.items[0].key,
                       exceptions.items[0].count);
        cd_finding *f = cd_findings_add(
            out, CD_SEVERITY_INFO, "log-errors",
            "Logs: %d ERROR entr%s and %d exception%s in %zu file%s; most frequent: %s",
            errors.total, errors.total == 1 ? "y" : "ies", exceptions.total,
            cd_plural(exceptions.total), in->log_count, cd_plural((double)in->log_count), top);
        list_top(f, "ERROR entries by category:", &errors);
        list_top(f, "exceptions by class (\"Caused by:\" included):", &exceptions);
        cd_finding_recommend(f, "Start from the earliest occurrence of each: the first ERROR "
                                "often names the cause that later ones only repeat, and the last "
                                "\"Caused by:\" of a trace is its root cause.");
        if (errors.count)
            cd_finding_lines(f, errors.items[0].first_path, errors.items[0].first_line,
                             errors.items[0].first_line);
        if (exceptions.count)
            cd_finding_lines(f, exceptions.items[0].first_path, exceptions.items[0].first_line,
                             exceptions.items[0].first_line);
    }
    free(errors.items);
    free(exceptions.items);
}

void cd_findings_carbon(const cd_report_inputs *in, cd_findings *out)
{
    patches(in, out);
}
