/*
 * The charts of index.html, as inline SVG written here: no script and no
 * charting library, so the report renders anywhere, offline, the same way.
 *
 * Three shapes serve all charts:
 *  - bars: one labelled horizontal bar per row, scaled to the largest value
 *    (threads by state, top classes, CPU per thread, time per collector);
 *  - gauges: used (and committed) against a limit on a track, coloured by how
 *    close to the limit (heap and pools, container memory, open files, tasks,
 *    disks);
 *  - a time line of GC pauses, when the agent recorded them.
 * Each chart is a <figure> with a caption and, where it helps, a note; a chart
 * without data says so instead of drawing an empty frame. Text from the bundle
 * is escaped, and long labels are shortened with the whole text kept in the
 * SVG <title> (a tooltip).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charts.h"
#include "findings/threads_doc.h"
#include "findings/wording.h"
#include "html_escape.h"

#define CHART_WIDTH 640
#define BAR_LABEL_CHARS 30
#define BAR_ROWS_MAX 12
#define GAUGE_ROWS_MAX 14

static const char *const GREEN = "#16a34a", *const AMBER = "#d97706", *const RED = "#dc2626",
                         *const BLUE = "#2563eb", *const LIGHT_BLUE = "#60a5fa",
                         *const GRAY = "#9ca3af", *const PURPLE = "#7c3aed",
                         *const TEAL = "#0d9488";

/* ---------------------------------------------------------------- frame */

static void figure_open(cd_sink *sink, const char *caption)
{
    cd_sink_puts(sink, "<figure><figcaption>");
    cd_html_escaped(sink, caption);
    cd_sink_puts(sink, "</figcaption>\n");
}

static int figure_close(cd_sink *sink, const char *note)
{
    if (note) {
        cd_sink_puts(sink, "<p>");
        cd_html_escaped(sink, note);
        cd_sink_puts(sink, "</p>");
    }
    cd_sink_puts(sink, "</figure>\n");
    return sink->failed ? -1 : 0;
}

static int no_data(cd_sink *sink, const char *caption, const char *why)
{
    figure_open(sink, caption);
    return figure_close(sink, why);
}

/* text, shortened to max_chars characters (UTF-8 aware) with an ellipsis. */
static void shorten(const char *text, size_t max_chars, char *out, size_t outlen)
{
    size_t chars = 0, i = 0;
    for (; text[i]; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80 && chars++ == max_chars)
            break;
    }
    if (!text[i]) {
        snprintf(out, outlen, "%s", text);
        return;
    }
    /* back up one character to make room for the ellipsis */
    while (i > 0 && ((unsigned char)text[--i] & 0xC0) == 0x80)
        ;
    snprintf(out, outlen, "%.*s\xe2\x80\xa6", (int)i, text);
}

static void svg_text(cd_sink *sink, double x, double y, const char *anchor, const char *style,
                     const char *text)
{
    cd_sink_printf(sink, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s%s>", x, y, anchor,
                   style ? " style=\"" : "", style ? style : "", style ? "\"" : "");
    cd_html_escaped(sink, text);
    cd_sink_puts(sink, "</text>");
}

/* ---------------------------------------------------------------- bars */

typedef struct bar_row {
    char label[256];
    double value;
    char value_text[64];
    const char *color;
} bar_row;

static void bar_chart(cd_sink *sink, const bar_row *rows, int count, double scale_max)
{
    const double label_width = 236, bar_x = 242, bar_max = 250, row_height = 24;
    double max = scale_max;
    for (int i = 0; i < count; i++)
        if (rows[i].value > max)
            max = rows[i].value;
    double height = count * row_height + 8;
    cd_sink_printf(sink,
                   "<svg viewBox=\"0 0 %d %.0f\" "
                   "font-family=\"DejaVu Sans,Arial,sans-serif\" font-size=\"12\" role=\"img\">",
                   CHART_WIDTH, height);
    for (int i = 0; i < count; i++) {
        double y = 4 + i * row_height;
        double width = max > 0 ? rows[i].value / max * bar_max : 0;
        if (rows[i].value > 0 && width < 1)
            width = 1;
        char label[300];
        shorten(rows[i].label, BAR_LABEL_CHARS, label, sizeof label);
        cd_sink_puts(sink, "<g><title>");
        cd_html_escaped(sink, rows[i].label);
        cd_sink_puts(sink, ": ");
        cd_html_escaped(sink, rows[i].value_text);
        cd_sink_puts(sink, "</title>");
        svg_text(sink, label_width, y + 15, "end", "fill:#374151", label);
        cd_sink_printf(sink,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" rx=\"2\" "
                       "fill=\"%s\"/>",
                       bar_x, y + 3, width, rows[i].color);
        svg_text(sink, bar_x + width + 6, y + 15, "start", "fill:#111827", rows[i].value_text);
        cd_sink_puts(sink, "</g>");
    }
    cd_sink_puts(sink, "</svg>\n");
}

/* ---------------------------------------------------------------- gauges */

typedef struct gauge_row {
    char label[96];
    double used, committed, limit; /* committed < 0: none */
    char text[128];
} gauge_row;

static const char *ratio_color(double ratio)
{
    return ratio >= 0.9 ? RED : ratio >= 0.7 ? AMBER : GREEN;
}

static void gauge_chart(cd_sink *sink, const gauge_row *rows, int count)
{
    const double label_width = 176, track_x = 182, track_width = 220, row_height = 26;
    cd_sink_printf(sink,
                   "<svg viewBox=\"0 0 %d %.0f\" "
                   "font-family=\"DejaVu Sans,Arial,sans-serif\" font-size=\"12\" role=\"img\">",
                   CHART_WIDTH, count * row_height + 8);
    for (int i = 0; i < count; i++) {
        const gauge_row *g = &rows[i];
        double y = 4 + i * row_height;
        double ratio = g->limit > 0 ? g->used / g->limit : 0;
        double used_width = (ratio > 1 ? 1 : ratio) * track_width;
        char label[128];
        shorten(g->label, 22, label, sizeof label);
        cd_sink_puts(sink, "<g><title>");
        cd_html_escaped(sink, g->label);
        cd_sink_puts(sink, ": ");
        cd_html_escaped(sink, g->text);
        cd_sink_puts(sink, "</title>");
        svg_text(sink, label_width, y + 16, "end", "fill:#374151", label);
        cd_sink_printf(sink,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" rx=\"3\" "
                       "fill=\"#e5e7eb\"/>",
                       track_x, y + 4, track_width);
        if (g->committed > 0 && g->limit > 0)
            cd_sink_printf(sink,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" rx=\"3\" "
                           "fill=\"#cbd5e1\"/>",
                           track_x, y + 4,
                           (g->committed > g->limit ? 1 : g->committed / g->limit) * track_width);
        cd_sink_printf(sink,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" rx=\"3\" "
                       "fill=\"%s\"/>",
                       track_x, y + 4, used_width, ratio_color(ratio));
        svg_text(sink, track_x + track_width + 8, y + 16, "start", "fill:#111827", g->text);
        cd_sink_puts(sink, "</g>");
    }
    cd_sink_puts(sink, "</svg>\n");
}

static void gauge_bytes(gauge_row *rows, int *count, const char *label, double used,
                        double committed, double limit, const char *limit_name)
{
    if (*count >= GAUGE_ROWS_MAX || used < 0 || limit <= 0)
        return;
    gauge_row *g = &rows[(*count)++];
    char u[32], l[32];
    cd_format_bytes(used, u, sizeof u);
    cd_format_bytes(limit, l, sizeof l);
    snprintf(g->label, sizeof g->label, "%s", label);
    g->used = used;
    g->committed = committed;
    g->limit = limit;
    snprintf(g->text, sizeof g->text, "%s / %s%s%s (%.0f%%)", u, l, limit_name[0] ? " " : "",
             limit_name, used / limit * 100);
}

static void gauge_count(gauge_row *rows, int *count, const char *label, double used, double limit)
{
    if (*count >= GAUGE_ROWS_MAX || used < 0 || limit <= 0)
        return;
    gauge_row *g = &rows[(*count)++];
    snprintf(g->label, sizeof g->label, "%s", label);
    g->used = used;
    g->committed = -1;
    g->limit = limit;
    snprintf(g->text, sizeof g->text, "%.0f / %.0f (%.0f%%)", used, limit, used / limit * 100);
}

int cd_chart_limits(cd_sink *sink, const cd_report_inputs *in)
{
    gauge_row rows[GAUGE_ROWS_MAX];
    int count = 0;
    const cJSON *hs = in->heap_summary;
    double heap_max = cd_heap_max_bytes(in);
    gauge_bytes(rows, &count, "Java heap", cd_json_number_or(hs, "heap/used", -1),
                cd_json_number_or(hs, "heap/committed", -1), heap_max, "max");
    gauge_bytes(rows, &count, "old generation", cd_json_number_or(hs, "old/used", -1),
                cd_json_number_or(hs, "old/committed", -1), heap_max, "max");
    const cJSON *pool;
    cJSON_ArrayForEach(pool, cJSON_GetObjectItemCaseSensitive(hs, "pools"))
    {
        const char *type = cd_json_string_at(pool, "type");
        const char *name = cd_json_string_at(pool, "name");
        double max = cd_json_number_or(pool, "max", -1);
        if (!type || strcmp(type, "non_heap") != 0 || !name)
            continue;
        /* pools without a maximum (Metaspace by default) have no limit to show */
        if (max > 0)
            gauge_bytes(rows, &count, name, cd_json_number_or(pool, "used", -1),
                        cd_json_number_or(pool, "committed", -1), max, "max");
    }
    const cJSON *p = in->process;
    double limit = cd_json_number_or(p, "cgroup/memory_effective_limit_bytes", -1);
    gauge_bytes(rows, &count, "container memory",
                cd_json_number_or(p, "cgroup/memory_usage_bytes", -1), -1, limit, "limit");
    gauge_bytes(rows, &count, "process resident", cd_json_number_or(p, "memory/rss_bytes", -1), -1,
                limit, "limit");
    gauge_count(rows, &count, "open files", cd_json_number_or(p, "fds/open", -1),
                cd_json_number_or(p, "fds/soft_limit", -1));
    if (cd_json_number_or(p, "uid", 0) > 0)
        gauge_count(rows, &count, "tasks (RLIMIT_NPROC)",
                    cd_json_number_or(p, "threads/uid_tasks", -1),
                    cd_json_number_or(p, "threads/nproc_soft_limit", -1));
    gauge_count(rows, &count, "tasks (pids.max)", cd_json_number_or(p, "cgroup/pids_current", -1),
                cd_json_number_or(p, "cgroup/pids_effective_max", -1));
    cd_disk_row disks[CD_DISK_ROWS_MAX];
    size_t disk_count = cd_disk_rows(in->disk_space, disks, NULL, CD_DISK_ROWS_MAX);
    for (size_t d = 0; d < disk_count; d++) {
        char label[300];
        snprintf(label, sizeof label, "disk %s", disks[d].mount_point);
        gauge_bytes(rows, &count, label, (double)disks[d].used_kib * 1024, -1,
                    ((double)disks[d].used_kib + (double)disks[d].available_kib) * 1024, "");
    }
    if (!count)
        return no_data(sink, "Memory and limits",
                       "No heap summary or process limits in this bundle.");
    figure_open(sink, "Memory and limits");
    gauge_chart(sink, rows, count);
    return figure_close(sink, "Coloured: in use (green below 70%, amber below 90%, red above); "
                              "grey: committed; track: the limit.");
}

/* ---------------------------------------------------------------- threads */

int cd_chart_threads_by_state(cd_sink *sink, const cd_report_inputs *in)
{
    const char *caption = "Java threads by state";
    bar_row rows[BAR_ROWS_MAX];
    int count = 0;
    const cJSON *thread;
    cJSON_ArrayForEach(thread, cJSON_GetObjectItemCaseSensitive(in->threads, "threads"))
    {
        const char *line = cd_json_string_at(thread, "state_line");
        if (!line)
            continue;
        int r = 0;
        while (r < count && strcmp(rows[r].label, line) != 0)
            r++;
        if (r == count) {
            if (count == BAR_ROWS_MAX)
                continue;
            memset(&rows[r], 0, sizeof rows[r]);
            snprintf(rows[r].label, sizeof rows[r].label, "%s", line);
            rows[r].color = strncmp(line, "RUNNABLE", 8) == 0         ? GREEN
                            : strncmp(line, "BLOCKED", 7) == 0        ? RED
                            : strncmp(line, "WAITING", 7) == 0        ? BLUE
                            : strncmp(line, "TIMED_WAITING", 13) == 0 ? LIGHT_BLUE
                                                                      : GRAY;
            count++;
        }
        rows[r].value++;
    }
    if (!count)
        return no_data(sink, caption, "No thread dump in this bundle.");
    /* most threads first */
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && rows[j].value > rows[j - 1].value; j--) {
            bar_row t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    for (int r = 0; r < count; r++)
        snprintf(rows[r].value_text, sizeof rows[r].value_text, "%.0f", rows[r].value);
    figure_open(sink, caption);
    bar_chart(sink, rows, count, 0);
    return figure_close(sink, NULL);
}

int cd_chart_thread_cpu(cd_sink *sink, const cd_report_inputs *in)
{
    bar_row rows[10];
    int count = 0;
    const cJSON *top = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(in->threads, "hot_threads"), "top_cpu");
    const cJSON *entry;
    if (cJSON_GetArraySize(top) > 0) {
        cJSON_ArrayForEach(entry, top)
        {
            /* below a tenth of a percent the bars say nothing */
            if (count == 10 || (count > 0 && cd_json_number_or(entry, "percent_of_core", 0) < 0.1))
                break;
            bar_row *r = &rows[count++];
            const char *name = cd_json_string_at(entry, "name");
            snprintf(r->label, sizeof r->label, "%s", name ? name : "?");
            r->value = cd_json_number_or(entry, "percent_of_core", 0);
            snprintf(r->value_text, sizeof r->value_text, "%.1f%% of a core", r->value);
            r->color = r->value >= 50 ? RED : TEAL;
        }
        figure_open(sink, "CPU per thread between the samples");
        bar_chart(sink, rows, count, 100);
        char note[160];
        snprintf(note, sizeof note,
                 "Share of one core used between the first and the last "
                 "sample (%.1f s apart); see threads/hot_threads.txt.",
                 cd_json_number_or(in->threads, "hot_threads/wall_ms", 0) / 1000);
        return figure_close(sink, note);
    }
    /* without samples: CPU time since each thread started, the ten largest */
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(in->threads, "threads"))
    {
        double cpu_ms = cd_json_number_or(entry, "cpu_ns", -1) / 1e6;
        if (cpu_ms <= 0 || (count == 10 && cpu_ms <= rows[9].value))
            continue;
        int at = count < 10 ? count++ : 9; /* replaces the smallest when full */
        const char *name = cd_json_string_at(entry, "name");
        snprintf(rows[at].label, sizeof rows[at].label, "%s", name ? name : "?");
        rows[at].value = cpu_ms;
        rows[at].color = TEAL;
        for (int j = at; j > 0 && rows[j].value > rows[j - 1].value; j--) {
            bar_row t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    }
    if (!count)
        return no_data(sink, "CPU per thread", "No thread CPU times in this bundle.");
    for (int i = 0; i < count; i++)
        cd_format_duration(rows[i].value, rows[i].value_text, sizeof rows[i].value_text);
    figure_open(sink, "CPU time per thread since it started");
    bar_chart(sink, rows, count, 0);
    return figure_close(sink, "Total CPU time of each thread since it started. For what is busy "
                              "now, collect with --thread-samples 3.");
}

/* ---------------------------------------------------------------- heap */

int cd_chart_top_classes(cd_sink *sink, const cd_report_inputs *in)
{
    bar_row rows[10];
    int count = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(in->histogram, "classes"))
    {
        if (count == 10)
            break;
        bar_row *r = &rows[count++];
        const char *name = cd_json_string_at(row, "name");
        cd_java_type_name(name ? name : "?", r->label, sizeof r->label);
        r->value = cd_json_number_or(row, "bytes", 0);
        char bytes[32];
        cd_format_bytes(r->value, bytes, sizeof bytes);
        snprintf(r->value_text, sizeof r->value_text, "%s, %.0f objects", bytes,
                 cd_json_number_or(row, "instances", 0));
        r->color = PURPLE;
    }
    if (!count)
        return no_data(sink, "Top classes by bytes", "No heap histogram in this bundle.");
    figure_open(sink, "Top classes by bytes");
    bar_chart(sink, rows, count, 0);
    char note[160], total[32];
    cd_format_bytes(cd_json_number_or(in->histogram, "total_bytes", 0), total, sizeof total);
    snprintf(note, sizeof note,
             "Of %s in %.0f objects on the heap (%s); see "
             "memoryinfo/java_heap_histogram.txt.",
             total, cd_json_number_or(in->histogram, "total_instances", 0),
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in->histogram, "live"))
                 ? "live objects only"
                 : "live and not yet collected");
    return figure_close(sink, note);
}

/* ---------------------------------------------------------------- GC */

/* Milliseconds since the epoch of "2026-11-26T08:57:57.505Z", or -1. */
static double iso8601_ms(const char *text)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int millis = 0;
    if (!text || sscanf(text, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) < 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm) * 1000 + millis;
}

static void pause_timeline(cd_sink *sink, const cJSON *last)
{
    const double left = 56, right = CHART_WIDTH - 12, top = 12, bottom = 170;
    double first = -1, end = -1, max_ms = 0;
    const cJSON *pause;
    cJSON_ArrayForEach(pause, last)
    {
        double at = iso8601_ms(cd_json_string_at(pause, "started"));
        double ms = cd_json_number_or(pause, "duration_ms", 0);
        if (at < 0)
            continue;
        if (first < 0 || at < first)
            first = at;
        if (at + ms > end)
            end = at + ms;
        if (ms > max_ms)
            max_ms = ms;
    }
    double span = end > first ? end - first : 1;
    cd_sink_printf(sink,
                   "<svg viewBox=\"0 0 %d 200\" "
                   "font-family=\"DejaVu Sans,Arial,sans-serif\" font-size=\"12\" role=\"img\">"
                   "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#9ca3af\"/>"
                   "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#9ca3af\"/>",
                   CHART_WIDTH, left, bottom, right, bottom, left, top, left, bottom);
    char text[64];
    snprintf(text, sizeof text, max_ms < 10 ? "%.1f ms" : "%.0f ms", max_ms);
    svg_text(sink, left - 6, top + 10, "end", "fill:#374151", text);
    svg_text(sink, left - 6, bottom, "end", "fill:#374151", "0");
    svg_text(sink, left, bottom + 18, "start", "fill:#374151", "0 s");
    cd_format_duration(span, text, sizeof text);
    svg_text(sink, right, bottom + 18, "end", "fill:#374151", text);
    cJSON_ArrayForEach(pause, last)
    {
        double at = iso8601_ms(cd_json_string_at(pause, "started"));
        double ms = cd_json_number_or(pause, "duration_ms", 0);
        if (at < 0)
            continue;
        double x = left + (at - first) / span * (right - left - 4);
        double h = max_ms > 0 ? ms / max_ms * (bottom - top) : 0;
        cd_sink_printf(sink,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"3\" height=\"%.1f\" fill=\"%s\">"
                       "<title>%.1f ms</title></rect>",
                       x, bottom - (h < 1 ? 1 : h), h < 1 ? 1 : h,
                       ms >= 1000  ? RED
                       : ms >= 200 ? AMBER
                                   : BLUE,
                       ms);
    }
    cd_sink_puts(sink, "</svg>\n");
}

int cd_chart_gc(cd_sink *sink, const cd_report_inputs *in)
{
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(in->gc, "pauses"), "last");
    if (cJSON_GetArraySize(last) >= 2) {
        figure_open(sink, "GC pauses over time");
        pause_timeline(sink, last);
        char note[200];
        snprintf(note, sizeof note,
                 "The last %d stop-the-world pauses the agent saw; p50 %.1f ms, "
                 "p99 %.1f ms, longest %.1f ms.",
                 cJSON_GetArraySize(last), cd_json_number_or(in->gc, "pauses/p50_ms", 0),
                 cd_json_number_or(in->gc, "pauses/p99_ms", 0),
                 cd_json_number_or(in->gc, "pauses/max_ms", 0));
        return figure_close(sink, note);
    }
    bar_row rows[BAR_ROWS_MAX];
    int count = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(in->gc, "collectors"))
    {
        if (count == BAR_ROWS_MAX)
            break;
        bar_row *r = &rows[count++];
        const char *name = cd_json_string_at(c, "name");
        snprintf(r->label, sizeof r->label, "%s", name ? name : "?");
        r->value = cd_json_number_or(c, "time_ms", 0);
        char time[32];
        cd_format_duration(r->value, time, sizeof time);
        double collections = cd_json_number_or(c, "collections", 0);
        snprintf(r->value_text, sizeof r->value_text, "%s in %.0f collection%s", time, collections,
                 cd_plural(collections));
        r->color = BLUE;
    }
    if (!count)
        return no_data(sink, "Garbage collection", "No GC statistics in this bundle.");
    figure_open(sink, "Time in garbage collection since the JVM started");
    bar_chart(sink, rows, count, 0);
    return figure_close(sink, "Pause times over time are known when the agent was loaded at "
                              "start-up (-agentpath); these are the collectors' totals.");
}
