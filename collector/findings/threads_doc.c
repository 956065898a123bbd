/*
 * Questions about threads/threads.json and thread_dump.txt that several
 * analyses and reports ask (threads_doc.h).
 */
#include "threads_doc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "wording.h"

/* ---------------------------------------------------------------- threads.json access */

const cJSON *cd_threads_array(const cJSON *doc)
{
    const cJSON *threads = cJSON_GetObjectItemCaseSensitive(doc, "threads");
    return cJSON_IsArray(threads) ? threads : NULL;
}

static const cJSON *frame_method(const cJSON *doc, const cJSON *thread, int depth, int *line)
{
    const cJSON *frame =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(thread, "frames"), depth);
    const cJSON *index = cJSON_GetArrayItem(frame, 0);
    const cJSON *line_item = cJSON_GetArrayItem(frame, 1);
    if (!cJSON_IsNumber(index))
        return NULL;
    *line = cJSON_IsNumber(line_item) ? line_item->valueint : -1;
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "methods"), index->valueint);
}

void cd_thread_frame_text(const cJSON *doc, const cJSON *thread, int depth, char *out,
                          size_t outlen)
{
    int line = -1;
    const cJSON *method = frame_method(doc, thread, depth, &line);
    out[0] = '\0';
    if (!method)
        return;
    const char *file = cd_json_string_at(method, "file");
    const cJSON *native = cJSON_GetObjectItemCaseSensitive(method, "native");
    char where[160];
    if (cJSON_IsTrue(native))
        snprintf(where, sizeof where, "Native Method");
    else if (file && line >= 0)
        snprintf(where, sizeof where, "%s:%d", file, line);
    else
        snprintf(where, sizeof where, "%s", file ? file : "Unknown Source");
    snprintf(out, outlen, "%s.%s(%s)", cd_json_string_or(method, "class", "?"),
             cd_json_string_or(method, "method", "?"), where);
}

int cd_is_platform_class(const char *name)
{
    static const char *const prefixes[] = {"java.", "javax.", "jdk.", "sun.", "com.sun.", NULL};
    for (int i = 0; prefixes[i]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

int cd_thread_app_frame(const cJSON *doc, const cJSON *thread)
{
    int count = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(thread, "frames"));
    for (int depth = 0; depth < count; depth++) {
        int line;
        const cJSON *method = frame_method(doc, thread, depth, &line);
        const char *cls = cd_json_string_at(method, "class");
        if (cls && !cd_is_platform_class(cls))
            return depth;
    }
    return count > 0 ? 0 : -1;
}

const cJSON *cd_thread_named(const cJSON *doc, const char *name)
{
    const cJSON *thread;
    cJSON_ArrayForEach(thread, cd_threads_array(doc))
    {
        const char *n = cd_json_string_at(thread, "name");
        if (n && strcmp(n, name) == 0)
            return thread;
    }
    return NULL;
}

/* Steps through text line by line: *line_start, *line_len; 0 at the end. */
static int next_line(const char **cursor, const char **line_start, size_t *line_len)
{
    const char *p = *cursor;
    if (!p || !*p)
        return 0;
    const char *end = strchr(p, '\n');
    *line_start = p;
    *line_len = end ? (size_t)(end - p) : strlen(p);
    *cursor = end ? end + 1 : p + *line_len;
    return 1;
}

/* ---------------------------------------------------------------- thread_dump.txt lines */

static int is_blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            return 0;
    return 1;
}

/* The java id of a jstack thread header ("\"name\" #12 daemon ..."), or -1.
 * The name may itself hold "\" #", so the last occurrence counts. */
static double header_java_id(const char *line, size_t len)
{
    if (len < 4 || line[0] != '"')
        return -1;
    const char *hit = NULL;
    for (const char *p = line + 1; (p = memmem(p, len - (size_t)(p - line), "\" #", 3)) != NULL;
         p += 3)
        hit = p;
    if (!hit)
        return -1;
    char *end;
    double id = strtod(hit + 3, &end);
    return end > hit + 3 ? id : -1;
}

int cd_dump_thread_lines(const char *dump_text, double java_id, int *first, int *last)
{
    const char *cursor = dump_text, *line;
    size_t len;
    int number = 0, found = 0, last_text = 0;
    while (next_line(&cursor, &line, &len)) {
        number++;
        if (found) {
            if ((len > 0 && line[0] == '"') || (len >= 5 && memcmp(line, "Found", 5) == 0))
                break;
            if (!is_blank(line, len))
                last_text = number;
        } else if (header_java_id(line, len) == java_id) {
            found = 1;
            *first = last_text = number;
        }
    }
    if (found)
        *last = last_text;
    return found;
}

/* Lines of the k-th (0-based) "Found one Java-level deadlock:" block. */
int cd_dump_deadlock_lines(const char *dump_text, int k, int *first, int *last)
{
    const char *cursor = dump_text, *line;
    size_t len;
    int number = 0, seen = -1, last_text = 0;
    while (next_line(&cursor, &line, &len)) {
        number++;
        int found_line = len >= 6 && memcmp(line, "Found ", 6) == 0;
        if (seen == k && found_line)
            break;
        if (found_line && len >= 30 && memcmp(line, "Found one Java-level deadlock:", 30) == 0 &&
            ++seen == k)
            *first = number;
        if (seen == k && !is_blank(line, len))
            last_text = number;
    }
    if (seen < k)
        return 0;
    *last = last_text;
    return 1;
}

/* ---------------------------------------------------------------- thread explosion */

static int compare_groups(const void *a, const void *b)
{
    return strcmp(((const cd_thread_group *)a)->pattern, ((const cd_thread_group *)b)->pattern);
}

size_t cd_thread_groups(const cJSON *doc, cd_thread_group *groups, size_t max)
{
    const cJSON *threads = cd_threads_array(doc);
    size_t n = (size_t)cJSON_GetArraySize(threads), count = 0;
    cd_thread_group *all = n ? calloc(n, sizeof *all) : NULL;
    if (!all || !max) {
        free(all);
        return 0;
    }
    /* one entry per thread, sorted by pattern, then folded into runs */
    const cJSON *thread;
    cJSON_ArrayForEach(thread, threads)
    {
        cd_thread_name_pattern(cd_json_string_or(thread, "name", ""), all[count].pattern,
                               sizeof all[count].pattern);
        snprintf(all[count].state_line, sizeof all[count].state_line, "%s",
                 cd_json_string_or(thread, "state_line", "?"));
        all[count++].count = 1;
    }
    qsort(all, count, sizeof *all, compare_groups);
    size_t runs = 0;
    for (size_t i = 0; i < count; i++) {
        if (runs && strcmp(all[runs - 1].pattern, all[i].pattern) == 0)
            all[runs - 1].count++;
        else
            all[runs++] = all[i];
    }
    size_t kept = 0;
    for (; kept < max && kept < runs; kept++) { /* the largest groups, largest first */
        size_t best = kept;
        for (size_t g = kept + 1; g < runs; g++)
            if (all[g].count > all[best].count)
                best = g;
        groups[kept] = all[best];
        all[best] = all[kept];
    }
    free(all);
    return kept;
}

void cd_finding_thread_groups(cd_finding *finding, const cd_thread_group *groups, size_t count)
{
    for (size_t g = 0; g < count; g++)
        cd_finding_detail(finding, "\"%s\": %d thread%s, e.g. %s", groups[g].pattern,
                          groups[g].count, cd_plural(groups[g].count), groups[g].state_line);
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
