/*
 * summary.txt, and the overview that both reports show.
 *
 * summary.txt is for a terminal or a ticket: a heading, the count of findings
 * by severity, every finding most severe first (title, details, evidence, what
 * to do), then the overview: product, JVM, uptime, threads by state, heap, GC
 * and the limits the process runs against. Plain ASCII layout, lines of at
 * most about 100 columns except where a detail (a frame, a path) is longer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/threads_doc.h"
#include "findings/wording.h"
#include "report.h"

#define WRAP_COLUMNS 100
#define INDENT "          "

/* ---------------------------------------------------------------- overview */

static void add_row(cd_overview *overview, const char *label, const char *value)
{
    if (overview->count >= CD_OVERVIEW_ROWS || !value[0])
        return;
    snprintf(overview->label[overview->count], sizeof overview->label[0], "%s", label);
    snprintf(overview->value[overview->count], sizeof overview->value[0], "%s", value);
    overview->count++;
}

static void product_row(const cd_report_inputs *in, cd_overview *overview)
{
    char value[480] = "";
    const char *product = cd_json_string_at(in->carbon, "product/version_txt");
    const char *name = cd_json_string_at(in->carbon, "product/name");
    const char *version = cd_json_string_at(in->carbon, "product/version");
    if (product)
        cd_appendf(value, sizeof value, "%s", product);
    else if (name)
        cd_appendf(value, sizeof value, "%s %s", name, version ? version : "");
    const char *framework = cd_json_string_at(in->carbon, "carbon_framework");
    if (framework)
        cd_appendf(value, sizeof value, "%s%s", value[0] ? "; " : "", framework);
    double level;
    if (cd_json_number_at(in->carbon, "updates/update_level", &level))
        cd_appendf(value, sizeof value, "; update level %.0f", level);
    const char *home = cd_json_string_at(in->carbon, "carbon_home");
    if (home)
        cd_appendf(value, sizeof value, " (%s)", home);
    add_row(overview, "Product", value);
}

static void jvm_rows(const cd_report_inputs *in, cd_overview *overview)
{
    char value[480] = "";
    const char *vm = cd_json_string_at(in->jvm, "vm_name");
    const char *version = cd_json_string_at(in->jvm, "java_runtime_version");
    const char *vendor = cd_json_string_at(in->jvm, "vm_vendor");
    const char *home = cd_json_string_at(in->jvm, "java_home");
    double pid;
    if (vm)
        cd_appendf(value, sizeof value, "%s %s%s%s%s%s", vm, version ? version : "",
                   vendor ? ", " : "", vendor ? vendor : "", home ? " at " : "", home ? home : "");
    if (cd_json_number_at(in->jvm, "pid", &pid))
        cd_appendf(value, sizeof value, "%spid %.0f", value[0] ? "; " : "", pid);
    add_row(overview, "JVM", value);

    double uptime;
    value[0] = '\0';
    if (cd_json_number_at(in->jvm, "uptime_ms", &uptime)) {
        cd_format_duration(uptime, value, sizeof value);
        const char *since = cd_json_string_at(in->jvm, "start_time");
        if (since)
            cd_appendf(value, sizeof value, " (started %s)", since);
    }
    add_row(overview, "Uptime", value);
}

static void threads_row(const cd_report_inputs *in, cd_overview *overview)
{
    static const char *const states[] = {"RUNNABLE",      "BLOCKED", "WAITING",
                                         "TIMED_WAITING", "NEW",     "TERMINATED"};
    int counts[6] = {0}, total = 0;
    const cJSON *thread;
    cJSON_ArrayForEach(thread, cJSON_GetObjectItemCaseSensitive(in->threads, "threads"))
    {
        const char *state = cd_json_string_at(thread, "state");
        for (int s = 0; state && s < 6; s++)
            if (strcmp(state, states[s]) == 0)
                counts[s]++;
        total++;
    }
    char value[480] = "";
    if (in->threads) {
        cd_appendf(value, sizeof value, "%d Java threads:", total);
        for (int s = 0; s < 6; s++)
            if (counts[s])
                cd_appendf(value, sizeof value, " %s %d", states[s], counts[s]);
        int deadlocks =
            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(in->threads, "deadlocks"));
        if (deadlocks)
            cd_appendf(value, sizeof value, "; %d deadlock(s)", deadlocks);
    }
    double os_threads;
    if (cd_json_number_at(in->process, "threads/count", &os_threads))
        cd_appendf(value, sizeof value, "%s%.0f OS threads in the process", value[0] ? "; " : "",
                   os_threads);
    add_row(overview, "Threads", value);
}

static void memory_rows(const cd_report_inputs *in, cd_overview *overview)
{
    char value[480] = "";
    double used = cd_json_number_or(in->heap_summary, "heap/used", -1);
    double committed = cd_json_number_or(in->heap_summary, "heap/committed", -1);
    double max = cd_heap_max_bytes(in);
    if (used >= 0) {
        char u[32], c[32], m[32];
        cd_format_bytes(used, u, sizeof u);
        cd_format_bytes(committed, c, sizeof c);
        cd_format_bytes(max, m, sizeof m);
        cd_appendf(value, sizeof value, "%s used", u);
        if (max > 0)
            cd_appendf(value, sizeof value, " of %s max (%.0f%%)", m, used / max * 100);
        cd_appendf(value, sizeof value, ", %s committed", c);
        const char *collector = cd_json_string_at(in->heap_summary, "collector");
        if (collector)
            cd_appendf(value, sizeof value, "; collector %s", collector);
    }
    add_row(overview, "Heap", value);

    value[0] = '\0';
    double meta = cd_json_number_or(in->heap_summary, "metaspace/used", -1);
    double non_heap = cd_json_number_or(in->heap_summary, "non_heap/used", -1);
    if (non_heap >= 0) {
        char n[32], mt[32];
        cd_format_bytes(non_heap, n, sizeof n);
        cd_format_bytes(meta, mt, sizeof mt);
        cd_appendf(value, sizeof value, "%s used (metaspace %s)", n, mt);
    }
    double rss = cd_json_number_or(in->process, "memory/rss_bytes", -1);
    if (rss >= 0) {
        char r[32];
        cd_format_bytes(rss, r, sizeof r);
        cd_appendf(value, sizeof value, "%sprocess resident %s", value[0] ? "; " : "", r);
    }
    add_row(overview, "Non-heap", value);

    value[0] = '\0';
    double gc_ms = 0, collections = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(in->gc, "collectors"))
    {
        char time[32];
        const char *name = cd_json_string_at(c, "name");
        cd_format_duration(cd_json_number_or(c, "time_ms", 0), time, sizeof time);
        cd_appendf(value, sizeof value, "%s%s %.0f in %s", value[0] ? ", " : "", name ? name : "?",
                   cd_json_number_or(c, "collections", 0), time);
        gc_ms += cd_json_number_or(c, "time_ms", 0);
        collections += cd_json_number_or(c, "collections", 0);
    }
    double uptime = cd_json_number_or(in->jvm, "uptime_ms", 0);
    if (collections > 0 && uptime > 0)
        cd_appendf(value, sizeof value, " (%.1f%% of uptime)", gc_ms / uptime * 100);
    double pauses = cd_json_number_or(in->gc, "pauses/count", 0);
    if (pauses > 0)
        cd_appendf(value, sizeof value, "; %.0f pause%s seen by the agent, longest %.1f ms", pauses,
                   cd_plural(pauses), cd_json_number_or(in->gc, "pauses/max_ms", 0));
    add_row(overview, "GC", value);
}

static void limit_text(const cJSON *process, const char *path, char *out, size_t outlen)
{
    double value;
    if (cd_json_number_at(process, path, &value)) {
        snprintf(out, outlen, "%.0f", value);
        return;
    }
    const char *text = cd_json_string_at(process, path);
    snprintf(out, outlen, "%s", text ? text : "?");
}

static void limits_row(const cd_report_inputs *in, cd_overview *overview)
{
    char value[480] = "", a[32], b[32];
    if (in->process) {
        limit_text(in->process, "fds/open", a, sizeof a);
        limit_text(in->process, "fds/soft_limit", b, sizeof b);
        cd_appendf(value, sizeof value, "open files %s of %s", a, b);
        limit_text(in->process, "threads/uid_tasks", a, sizeof a);
        limit_text(in->process, "threads/nproc_soft_limit", b, sizeof b);
        cd_appendf(value, sizeof value, "; tasks of the uid %s of %s (RLIMIT_NPROC)", a, b);
        double limit;
        if (cd_json_number_at(in->process, "cgroup/memory_effective_limit_bytes", &limit)) {
            cd_format_bytes(limit, a, sizeof a);
            cd_appendf(value, sizeof value, "; container memory limit %s", a);
        } else if (cd_json_string_at(in->process, "cgroup/memory_effective_limit_bytes")) {
            cd_appendf(value, sizeof value, "; no container memory limit");
        }
        if (cd_json_number_at(in->process, "cgroup/pids_effective_max", &limit))
            cd_appendf(value, sizeof value, "; pids.max %.0f", limit);
    }
    double cpus = cd_available_cpus(in);
    if (cpus > 0)
        cd_appendf(value, sizeof value, "%s%.4g CPUs", value[0] ? "; " : "", cpus);
    add_row(overview, "Limits", value);
}

void cd_overview_build(const cd_report_inputs *in, cd_overview *overview)
{
    memset(overview, 0, sizeof *overview);
    product_row(in, overview);
    jvm_rows(in, overview);
    threads_row(in, overview);
    memory_rows(in, overview);
    limits_row(in, overview);
    if (in->log_count) {
        char value[64];
        snprintf(value, sizeof value, "%zu files scanned under repository/logs", in->log_count);
        add_row(overview, "Logs", value);
    }
}

/* ---------------------------------------------------------------- summary.txt */

/* Writes text wrapped at WRAP_COLUMNS, every line after the first indented. */
static void write_wrapped(cd_sink *sink, const char *text, size_t first_width)
{
    size_t width = first_width;
    const char *p = text;
    while (*p) {
        size_t len = strlen(p);
        if (len <= width) {
            cd_sink_printf(sink, "%s\n", p);
            return;
        }
        size_t cut = width;
        while (cut > 0 && p[cut] != ' ')
            cut--;
        if (cut == 0)
            cut = width;
        cd_sink_printf(sink, "%.*s\n" INDENT, (int)cut, p);
        p += cut;
        while (*p == ' ')
            p++;
        width = WRAP_COLUMNS - sizeof INDENT + 1;
    }
}

static void write_evidence(cd_sink *sink, const cd_finding *f)
{
    cd_sink_puts(sink, INDENT "evidence: ");
    for (int e = 0; e < f->evidence_count; e++) {
        const cd_evidence *ev = &f->evidence[e];
        cd_sink_printf(sink, "%s%s", e ? "; " : "", ev->path);
        if (ev->first_line > 0 && ev->last_line > ev->first_line)
            cd_sink_printf(sink, " lines %d-%d", ev->first_line, ev->last_line);
        else if (ev->first_line > 0)
            cd_sink_printf(sink, " line %d", ev->first_line);
        if (ev->pointer[0])
            cd_sink_printf(sink, "#%s", ev->pointer);
    }
    cd_sink_puts(sink, "\n");
}

int cd_report_write_text(cd_sink *sink, const cd_findings *findings, const cd_overview *overview,
                         const cd_report_context *context)
{
    size_t critical = cd_findings_count(findings, CD_SEVERITY_CRITICAL);
    size_t warning = cd_findings_count(findings, CD_SEVERITY_WARNING) - critical;
    size_t info = findings->count - critical - warning;
    cd_sink_printf(sink, "carbondump findings for %s\n", context->target);
    cd_sink_printf(sink, "bundle %s, captured %s\n\n", context->bundle_name, context->captured_at);
    cd_sink_printf(sink, "%zu critical, %zu warning, %zu info\n", critical, warning, info);
    if (!critical && !warning)
        cd_sink_puts(sink, "No problem found that needs attention.\n");
    if (findings->incomplete)
        cd_sink_puts(sink, "(out of memory during the analysis: some findings may be missing)\n");
    for (size_t i = 0; i < findings->count; i++) {
        const cd_finding *f = &findings->items[i];
        char label[16];
        snprintf(label, sizeof label, "%-10s",
                 f->severity == CD_SEVERITY_CRITICAL  ? "CRITICAL"
                 : f->severity == CD_SEVERITY_WARNING ? "WARNING"
                                                      : "INFO");
        cd_sink_printf(sink, "\n%s%s\n", label, f->title);
        for (const char *line = f->detail; line && *line;) {
            const char *end = strchr(line, '\n');
            cd_sink_printf(sink, INDENT "%.*s\n", (int)(end ? end - line : (long)strlen(line)),
                           line);
            line = end ? end + 1 : NULL;
        }
        if (f->evidence_count)
            write_evidence(sink, f);
        if (f->recommendation) {
            cd_sink_puts(sink, INDENT "what to do: ");
            write_wrapped(sink, f->recommendation, WRAP_COLUMNS - sizeof INDENT + 1 - 12);
        }
    }
    cd_sink_puts(sink, "\nOverview\n");
    for (int r = 0; r < overview->count; r++)
        cd_sink_printf(sink, "  %-9s %s\n", overview->label[r], overview->value[r]);
    cd_sink_puts(sink, "\nThe same with charts and links to the raw files: index.html\n");
    return sink->failed ? -1 : 0;
}
