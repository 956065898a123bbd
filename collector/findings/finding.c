/*
 * The findings list (finding.h): findings with severity, title, details,
 * recommendation and evidence, kept in order of severity.
 */
#include "finding.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"
#include "inputs.h"

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
