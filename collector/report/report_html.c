/*
 * index.html: the findings report for a browser, in one self-contained file.
 *
 * Inline CSS and inline SVG (report_charts.c), no script, no font, image or
 * style sheet from anywhere: it opens from the unpacked bundle (or straight
 * from the ZIP in many viewers) on a support engineer's machine with no
 * network, and it cannot call home. Links to the raw files are relative, so
 * they work wherever the bundle is unpacked.
 *
 * Layout, top to bottom: a header naming the target; the count of findings by
 * severity; each finding (critical and warning ones open, info ones folded in
 * a <details> element, which needs no script) with its details, evidence links
 * and what to do; the overview table; the charts; every file of the bundle.
 *
 * Everything taken from the bundle (thread names, class names, log lines,
 * paths) goes through cd_html_escaped or, in links, percent-encoding.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "charts.h"
#include "findings/wording.h"
#include "html_escape.h"
#include "report.h"

static const char STYLE[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:14px/1.45 'DejaVu Sans',Arial,Helvetica,sans-serif;color:#1f2328;"
    "background:#f3f4f6}"
    "header{background:#1f2937;color:#fff;padding:18px 32px}"
    "header h1{margin:0;font-size:22px;font-weight:600}"
    "header p{margin:4px 0 0;color:#cbd5e1;font-size:13px}"
    "main{padding:8px 32px 32px}"
    "h2{font-size:17px;margin:22px 0 8px;color:#111827}"
    ".counts{margin:16px 0 4px;font-size:15px}"
    ".pill{display:inline-block;padding:3px 12px;border-radius:14px;margin-right:8px;color:#fff;"
    "font-weight:600}"
    ".critical .pill,.pill.critical{background:#c62828}"
    ".warning .pill,.pill.warning{background:#b45309}"
    ".info .pill,.pill.info{background:#1d4ed8}"
    ".pill.none{background:#e5e7eb;color:#6b7280}"
    ".ok{background:#e8f5e9;border:1px solid #a5d6a7;color:#1b5e20;padding:10px 14px;"
    "border-radius:6px;margin:10px 0}"
    "details.finding{background:#fff;border:1px solid #d1d5db;border-left:7px solid #1d4ed8;"
    "border-radius:6px;margin:8px 0;padding:8px 14px}"
    "details.critical{border-left-color:#c62828;background:#fff8f8}"
    "details.warning{border-left-color:#b45309;background:#fffbf2}"
    "summary{cursor:pointer;font-weight:600;font-size:15px}"
    "summary .pill{font-size:11px;text-transform:uppercase;letter-spacing:.04em;padding:2px 8px;"
    "vertical-align:2px}"
    ".detail{font:12.5px/1.45 'DejaVu Sans Mono',Menlo,Consolas,monospace;white-space:pre-wrap;"
    "overflow-wrap:anywhere;background:#f8fafc;border:1px solid #e5e7eb;border-radius:4px;"
    "padding:6px 9px;margin:8px 0}"
    ".evidence{font-size:13px;color:#4b5563;margin:4px 0}"
    ".evidence a{margin-right:4px}"
    ".todo{margin:4px 0 2px;font-size:13.5px}"
    ".todo b{color:#374151}"
    "a{color:#1d4ed8}"
    "table.overview{border-collapse:collapse;background:#fff;border:1px solid #d1d5db;"
    "width:100%}"
    ".overview th{text-align:left;width:110px;background:#f9fafb;color:#374151;font-weight:600}"
    ".overview th,.overview td{padding:6px 10px;border-top:1px solid #e5e7eb;vertical-align:top;"
    "overflow-wrap:anywhere}"
    ".charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}"
    "figure{margin:0;background:#fff;border:1px solid #d1d5db;border-radius:6px;"
    "padding:10px 14px}"
    "figcaption{font-weight:600;margin-bottom:6px}"
    "figure svg{width:100%;height:auto;display:block}"
    "figure p{font-size:12px;color:#6b7280;margin:6px 0 0}"
    ".files{columns:3;column-gap:24px;font-size:12.5px;background:#fff;border:1px solid #d1d5db;"
    "border-radius:6px;padding:10px 14px}"
    ".files a{display:block;overflow-wrap:anywhere}"
    "details.dir{margin:8px 0}"
    "details.dir summary{font-size:13.5px;margin-bottom:4px}"
    "footer{color:#6b7280;font-size:12px;padding:0 32px 24px}";

/* A relative link target: the path percent-encoded but for unreserved
 * characters and '/', so that no character of it means anything to HTML or
 * to URL parsing ('#', '?', ':' of a scheme). */
static void write_href(cd_sink *sink, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    /* "./" keeps a first segment with a colon from reading as a scheme */
    cd_sink_puts(sink, "./");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
            char c = (char)*p;
            cd_sink_write(sink, &c, 1);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            cd_sink_write(sink, enc, 3);
        }
    }
}

static void write_link(cd_sink *sink, const char *path)
{
    cd_sink_puts(sink, "<a href=\"");
    write_href(sink, path);
    cd_sink_puts(sink, "\">");
    cd_html_escaped(sink, path);
    cd_sink_puts(sink, "</a>");
}

static void write_finding(cd_sink *sink, const cd_finding *f)
{
    const char *severity = cd_severity_name(f->severity);
    cd_sink_printf(sink,
                   "<details class=\"finding %s\"%s><summary><span class=\"pill %s\">%s</span>",
                   severity, f->severity >= CD_SEVERITY_WARNING ? " open" : "", severity, severity);
    cd_html_escaped(sink, f->title);
    cd_sink_puts(sink, "</summary>\n");
    if (f->detail) {
        cd_sink_puts(sink, "<div class=\"detail\">");
        cd_html_escaped(sink, f->detail);
        cd_sink_puts(sink, "</div>\n");
    }
    if (f->evidence_count) {
        cd_sink_puts(sink, "<div class=\"evidence\">Evidence: ");
        for (int e = 0; e < f->evidence_count; e++) {
            const cd_evidence *ev = &f->evidence[e];
            if (e)
                cd_sink_puts(sink, " &middot; ");
            write_link(sink, ev->path);
            if (ev->first_line > 0 && ev->last_line > ev->first_line)
                cd_sink_printf(sink, " lines %d&ndash;%d", ev->first_line, ev->last_line);
            else if (ev->first_line > 0)
                cd_sink_printf(sink, " line %d", ev->first_line);
            if (ev->pointer[0]) {
                cd_sink_puts(sink, " at <code>");
                cd_html_escaped(sink, ev->pointer);
                cd_sink_puts(sink, "</code>");
            }
        }
        cd_sink_puts(sink, "</div>\n");
    }
    if (f->recommendation) {
        cd_sink_puts(sink, "<p class=\"todo\"><b>What to do:</b> ");
        cd_html_escaped(sink, f->recommendation);
        cd_sink_puts(sink, "</p>\n");
    }
    cd_sink_puts(sink, "</details>\n");
}

static void write_findings(cd_sink *sink, const cd_findings *findings)
{
    size_t critical = cd_findings_count(findings, CD_SEVERITY_CRITICAL);
    size_t warning = cd_findings_count(findings, CD_SEVERITY_WARNING) - critical;
    size_t info = findings->count - critical - warning;
    /* a zero count is greyed, so the eye goes to what is there */
    cd_sink_printf(sink,
                   "<div class=\"counts\"><span class=\"pill %s\">%zu critical</span>"
                   "<span class=\"pill %s\">%zu warning</span>"
                   "<span class=\"pill %s\">%zu info</span></div>\n",
                   critical ? "critical" : "none", critical, warning ? "warning" : "none", warning,
                   info ? "info" : "none", info);
    if (!critical && !warning)
        cd_sink_puts(sink, "<div class=\"ok\">No problem found that needs attention.</div>\n");
    if (findings->incomplete)
        cd_sink_puts(sink, "<p>Out of memory during the analysis: some findings may be "
                           "missing.</p>\n");
    for (size_t i = 0; i < findings->count; i++)
        write_finding(sink, &findings->items[i]);
}

static void write_overview(cd_sink *sink, const cd_overview *overview)
{
    if (!overview->count)
        return;
    cd_sink_puts(sink, "<h2>Overview</h2>\n<table class=\"overview\">\n");
    for (int r = 0; r < overview->count; r++) {
        cd_sink_puts(sink, "<tr><th>");
        cd_html_escaped(sink, overview->label[r]);
        cd_sink_puts(sink, "</th><td>");
        cd_html_escaped(sink, overview->value[r]);
        cd_sink_puts(sink, "</td></tr>\n");
    }
    cd_sink_puts(sink, "</table>\n");
}

/* The bundle's files: those at the top level, then one folding block per
 * directory (open when it is short; repository/ with the copied configuration
 * can hold hundreds). files is sorted, so each directory's files are adjacent. */
static void write_files(cd_sink *sink, const char *const *files)
{
    if (!files || !files[0])
        return;
    cd_sink_puts(sink, "<h2>Files in this bundle</h2>\n<div class=\"files\">\n");
    for (size_t i = 0; files[i]; i++)
        if (!strchr(files[i], '/')) {
            write_link(sink, files[i]);
            cd_sink_puts(sink, "\n");
        }
    cd_sink_puts(sink, "</div>\n");
    for (size_t i = 0; files[i];) {
        const char *slash = strchr(files[i], '/');
        if (!slash) {
            i++;
            continue;
        }
        size_t dir_len = (size_t)(slash - files[i]) + 1, end = i;
        while (files[end] && strncmp(files[end], files[i], dir_len) == 0)
            end++;
        cd_sink_printf(sink, "<details class=\"dir\"%s><summary>", end - i <= 20 ? " open" : "");
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%.*s", (int)dir_len, files[i]);
        cd_html_escaped(sink, dir);
        cd_sink_printf(sink, " (%zu files)</summary><div class=\"files\">\n", end - i);
        for (; i < end; i++) {
            write_link(sink, files[i]);
            cd_sink_puts(sink, "\n");
        }
        cd_sink_puts(sink, "</div></details>\n");
    }
}

int cd_report_write_html(cd_sink *sink, const cd_findings *findings, const cd_overview *overview,
                         const cd_report_inputs *in, const cd_report_context *context)
{
    cd_sink_puts(sink, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<title>carbondump: ");
    cd_html_escaped(sink, context->target);
    cd_sink_printf(sink,
                   "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>carbondump "
                   "findings for ",
                   STYLE);
    cd_html_escaped(sink, context->target);
    cd_sink_puts(sink, "</h1><p>");
    cd_html_escaped(sink, context->bundle_name);
    cd_sink_puts(sink, " &middot; captured ");
    cd_html_escaped(sink, context->captured_at);
    cd_sink_puts(sink, " &middot; <a style=\"color:#cbd5e1\" href=\"./summary.txt\">summary.txt</a>"
                       " &middot; <a style=\"color:#cbd5e1\" href=\"./manifest.json\">"
                       "manifest.json</a></p></header>\n<main>\n<h2>Findings</h2>\n");
    write_findings(sink, findings);
    write_overview(sink, overview);
    cd_sink_puts(sink, "<h2>Charts</h2>\n<div class=\"charts\">\n");
    cd_chart_threads_by_state(sink, in);
    cd_chart_thread_cpu(sink, in);
    cd_chart_limits(sink, in);
    cd_chart_top_classes(sink, in);
    cd_chart_gc(sink, in);
    cd_sink_puts(sink, "</div>\n");
    write_files(sink, context->files);
    cd_sink_puts(sink, "</main>\n<footer>Written by carbondump from the files of this bundle; "
                       "thresholds are described in carbondump's README.</footer>\n"
                       "</body></html>\n");
    return sink->failed ? -1 : 0;
}
