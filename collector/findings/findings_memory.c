/*
 * Findings about memory and garbage collection, from the heap summary,
 * histogram, GC statistics and finalizer JSONs (memoryinfo/):
 *
 *   heap-full        heap used >= HEAP_WARN_RATIO of its maximum while the old
 *                    generation alone holds >= HEAP_OLD_WARN_RATIO (so that
 *                    young garbage waiting for the next collection does not
 *                    count); critical from HEAP_CRITICAL_RATIO of old (or of
 *                    all, for collectors without generations), and from the
 *                    warning ratios when the summary was taken at an
 *                    OutOfMemoryError of the Java heap (a collector that gave
 *                    up keeps some room it could not use). Names the top
 *                    classes by bytes and the largest application class.
 *   memory-pool-full a non-heap pool with a maximum (Metaspace with
 *                    MaxMetaspaceSize, the code cache ...) >= POOL_WARN_RATIO full
 *   gc-overhead      the share of uptime spent in collections (GC_SHARE_*,
 *                    once GC_MIN_TIME_MS have been spent) and the longest
 *                    pause the agent saw (GC_PAUSE_*_MS)
 *   finalizer-backlog FINALIZER_WARN objects awaiting finalization, or
 *                    FINALIZER_STUCK_WARN while the Finalizer thread is
 *                    blocked inside a finalize() method
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"
#include "findings.h"
#include "threads_doc.h"
#include "wording.h"

#define HEAP_WARN_RATIO 0.85
#define HEAP_OLD_WARN_RATIO 0.75
#define HEAP_CRITICAL_RATIO 0.95
#define TOP_CLASSES 5
#define POOL_WARN_RATIO 0.90
#define POOL_CRITICAL_RATIO 0.98
#define GC_MIN_TIME_MS 1000.0
#define GC_SHARE_INFO 0.05
#define GC_SHARE_WARN 0.10
#define GC_SHARE_CRITICAL 0.30
#define GC_PAUSE_INFO_MS 500.0
#define GC_PAUSE_WARN_MS 1000.0
#define FINALIZER_STUCK_WARN 100.0
#define FINALIZER_WARN 1000.0
#define FINALIZER_CRITICAL 100000.0

static const char *const HEAP_SUMMARY_JSON = "memoryinfo/java_heap_summary.json";
static const char *const HISTOGRAM_TXT = "memoryinfo/java_heap_histogram.txt";

/* ---------------------------------------------------------------- heap */

/* Not an array and not the JDK's own: where a leak usually has its name. */
static int is_application_class(const char *name)
{
    return name[0] != '[' && !cd_is_platform_class(name);
}

static void heap_full(const cd_report_inputs *in, cd_findings *out)
{
    double used = cd_json_number_or(in->heap_summary, "heap/used", -1);
    double max = cd_heap_max_bytes(in);
    if (used < 0 || max <= 0)
        return;
    double old_used = cd_json_number_or(in->heap_summary, "old/used", -1);
    double ratio = used / max, old_ratio = old_used >= 0 ? old_used / max : ratio;
    int exhausted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in->heap_summary,
                                                                  "java_heap_exhausted"));
    cd_severity severity;
    if (old_ratio >= HEAP_CRITICAL_RATIO)
        severity = CD_SEVERITY_CRITICAL;
    else if (ratio >= HEAP_WARN_RATIO && old_ratio >= HEAP_OLD_WARN_RATIO)
        severity = exhausted ? CD_SEVERITY_CRITICAL : CD_SEVERITY_WARNING;
    else
        return;

    const cJSON *classes = cJSON_GetObjectItemCaseSensitive(in->histogram, "classes");
    const cJSON *largest = cJSON_GetArrayItem(classes, 0), *app = NULL, *row;
    cJSON_ArrayForEach(row, classes)
    {
        const char *name = cd_json_string_at(row, "name");
        if (name && is_application_class(name)) {
            app = row;
            break;
        }
    }
    char used_text[32], max_text[32], tail[768] = "";
    cd_format_bytes(used, used_text, sizeof used_text);
    cd_format_bytes(max, max_text, sizeof max_text);
    if (largest) {
        char type[256], bytes[32];
        cd_java_type_name(cd_json_string_at(largest, "name") ? cd_json_string_at(largest, "name")
                                                             : "?",
                          type, sizeof type);
        cd_format_bytes(cd_json_number_or(largest, "bytes", 0), bytes, sizeof bytes);
        cd_appendf(tail, sizeof tail, "; largest: %s (%s)", type, bytes);
    }
    if (app && app != largest) {
        char bytes[32];
        cd_format_bytes(cd_json_number_or(app, "bytes", 0), bytes, sizeof bytes);
        cd_appendf(tail, sizeof tail, "; top application class: %s (%.0f objects, %s)",
                   cd_json_string_at(app, "name"), cd_json_number_or(app, "instances", 0), bytes);
    }
    cd_finding *f =
        cd_findings_add(out, severity, "heap-full", "Java heap %.0f%% full%s: %s used of %s max%s",
                        ratio * 100, exhausted ? " at an OutOfMemoryError" : "", used_text,
                        max_text, tail);
    if (old_used >= 0) {
        char old_text[32];
        cd_format_bytes(old_used, old_text, sizeof old_text);
        cd_finding_detail(f, "old generation: %s (%.0f%% of the maximum)", old_text,
                          old_ratio * 100);
    }
    int rank = 0;
    cJSON_ArrayForEach(row, classes)
    {
        if (rank++ >= TOP_CLASSES)
            break;
        char type[256], bytes[32];
        const char *name = cd_json_string_at(row, "name");
        cd_java_type_name(name ? name : "?", type, sizeof type);
        cd_format_bytes(cd_json_number_or(row, "bytes", 0), bytes, sizeof bytes);
        cd_finding_detail(f, "%d. %s: %s in %.0f objects", rank, type, bytes,
                          cd_json_number_or(row, "instances", 0));
    }
    cd_finding_recommend(f, "Find what keeps these objects alive: open "
                            "memoryinfo/java_heap_memory_dump.hprof.gz in Eclipse MAT (dominator "
                            "tree, path to GC roots of the top classes). A live set that keeps "
                            "growing between dumps is a leak; if it is legitimate, raise -Xmx "
                            "within what the host or container allows. An OutOfMemoryError is "
                            "near.");
    cd_finding_pointer(f, HEAP_SUMMARY_JSON, "/heap");
    if (classes)
        cd_finding_lines(f, HISTOGRAM_TXT, 1, 2 + TOP_CLASSES);
    cd_finding_lines(f, "memoryinfo/java_heap_memory_dump.hprof.gz", 0, 0);
}

static void pools_full(const cd_report_inputs *in, cd_findings *out)
{
    const cJSON *pool;
    int index = 0;
    cJSON_ArrayForEach(pool, cJSON_GetObjectItemCaseSensitive(in->heap_summary, "pools"))
    {
        const char *type = cd_json_string_at(pool, "type");
        double used = cd_json_number_or(pool, "used", -1), max = cd_json_number_or(pool, "max", -1);
        int severity = cd_ratio_severity(used, max, POOL_WARN_RATIO, POOL_CRITICAL_RATIO);
        if (type && strcmp(type, "non_heap") == 0 && severity >= 0) {
            char used_text[32], max_text[32];
            const char *name = cd_json_string_at(pool, "name");
            cd_format_bytes(used, used_text, sizeof used_text);
            cd_format_bytes(max, max_text, sizeof max_text);
            cd_finding *f = cd_findings_add(out, (cd_severity)severity, "memory-pool-full",
                                            "%s %.0f%% full: %s of %s", name ? name : "?",
                                            used / max * 100, used_text, max_text);
            cd_finding_recommend(
                f, "A full Metaspace or Compressed Class Space ends in OutOfMemoryError "
                   "(classes loaded again and again: redeployments, generated proxies); a "
                   "full code cache stops the JIT compiler and the server slows down. "
                   "Compare memoryinfo/class_loader_statistics.txt with a healthy server, "
                   "or raise the pool's limit (-XX:MaxMetaspaceSize, "
                   "-XX:ReservedCodeCacheSize).");
            cd_finding_pointer(f, HEAP_SUMMARY_JSON, "/pools/%d", index);
        }
        index++;
    }
}

/* ---------------------------------------------------------------- GC */

static int severity_at_least(double value, double info, double warn, double critical)
{
    if (critical > 0 && value >= critical)
        return CD_SEVERITY_CRITICAL;
    if (value >= warn)
        return CD_SEVERITY_WARNING;
    if (value >= info)
        return CD_SEVERITY_INFO;
    return -1;
}

static void gc_overhead(const cd_report_inputs *in, cd_findings *out)
{
    const cJSON *collectors = cJSON_GetObjectItemCaseSensitive(in->gc, "collectors"), *c;
    double gc_ms = 0, collections = 0;
    cJSON_ArrayForEach(c, collectors)
    {
        gc_ms += cd_json_number_or(c, "time_ms", 0);
        collections += cd_json_number_or(c, "collections", 0);
    }
    double uptime_ms = cd_json_number_or(in->jvm, "uptime_ms", 0);
    double share = uptime_ms > 0 ? gc_ms / uptime_ms : 0;
    int share_severity =
        gc_ms >= GC_MIN_TIME_MS
            ? severity_at_least(share, GC_SHARE_INFO, GC_SHARE_WARN, GC_SHARE_CRITICAL)
            : -1;
    double pauses = cd_json_number_or(in->gc, "pauses/count", 0);
    double max_pause = pauses > 0 ? cd_json_number_or(in->gc, "pauses/max_ms", 0) : 0;
    int pause_severity = severity_at_least(max_pause, GC_PAUSE_INFO_MS, GC_PAUSE_WARN_MS, 0);
    int severity = share_severity > pause_severity ? share_severity : pause_severity;
    if (severity < 0)
        return;

    char title[512] = "", spent[32], over[32], longest[32];
    cd_format_duration(gc_ms, spent, sizeof spent);
    cd_format_duration(uptime_ms, over, sizeof over);
    cd_format_duration(max_pause, longest, sizeof longest);
    if (share_severity >= 0)
        cd_appendf(title, sizeof title,
                   "GC took %.0f%% of the JVM's time: %s in %.0f collection%s "
                   "over %s of uptime",
                   share * 100, spent, collections, cd_plural(collections), over);
    if (pause_severity >= 0)
        cd_appendf(title, sizeof title, "%s%songest GC pause %s (of %.0f pause%s seen)",
                   title[0] ? "; " : "", title[0] ? "l" : "L", longest, pauses, cd_plural(pauses));
    cd_finding *f = cd_findings_add(out, (cd_severity)severity, "gc-overhead", "%s", title);
    cJSON_ArrayForEach(c, collectors)
    {
        char time[32];
        cd_format_duration(cd_json_number_or(c, "time_ms", 0), time, sizeof time);
        const char *name = cd_json_string_at(c, "name");
        double count = cd_json_number_or(c, "collections", 0);
        cd_finding_detail(f, "%s: %.0f collection%s, %s", name ? name : "?", count,
                          cd_plural(count), time);
    }
    if (pauses > 0)
        cd_finding_detail(f,
                          "pauses seen by the agent: %.0f, p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                          pauses, cd_json_number_or(in->gc, "pauses/p50_ms", 0),
                          cd_json_number_or(in->gc, "pauses/p99_ms", 0), max_pause);
    cd_finding_recommend(f, "The heap is too small for the live data, or something allocates "
                            "very fast. Check how full the old generation stays "
                            "(java_heap_summary.txt) and the top classes; GC logging "
                            "(-Xlog:gc*:file=gc.log on JDK 9+, -Xloggc on JDK 8) shows the trend.");
    cd_finding_lines(f, "memoryinfo/gc_statistics.txt", 0, 0);
    cd_finding_pointer(f, "memoryinfo/gc_statistics.json",
                       share_severity >= 0 ? "/collectors" : "/pauses");
}

/* ---------------------------------------------------------------- finalizer */

/* The depth of the application finalize() the Finalizer thread is running, or -1. */
static int finalize_frame(const cd_report_inputs *in, const cJSON *thread, char *out, size_t outlen)
{
    int count = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(thread, "frames"));
    for (int depth = 0; depth < count; depth++) {
        cd_thread_frame_text(in->threads, thread, depth, out, outlen);
        const char *paren = strchr(out, '(');
        size_t len = paren ? (size_t)(paren - out) : strlen(out);
        if (len > 9 && memcmp(out + len - 9, ".finalize", 9) == 0 &&
            strncmp(out, "java.lang.ref.", 14) != 0 && strncmp(out, "java.lang.Object.", 17) != 0)
            return depth;
    }
    out[0] = '\0';
    return -1;
}

static void finalizer_backlog(const cd_report_inputs *in, cd_findings *out)
{
    double total = cd_json_number_or(in->finalizer, "total", -1);
    if (total < FINALIZER_STUCK_WARN)
        return;
    const cJSON *thread = cd_thread_named(in->threads, "Finalizer");
    const char *state = thread ? cd_json_string_at(thread, "state_line") : NULL;
    char frame[512] = "";
    int stuck = thread && state && strncmp(state, "RUNNABLE", 8) != 0 &&
                finalize_frame(in, thread, frame, sizeof frame) >= 0;
    cd_severity severity;
    if (total >= FINALIZER_CRITICAL)
        severity = CD_SEVERITY_CRITICAL;
    else if (total >= FINALIZER_WARN || stuck)
        severity = CD_SEVERITY_WARNING;
    else
        return;
    cd_finding *f =
        stuck ? cd_findings_add(out, severity, "finalizer-backlog",
                                "%.0f objects awaiting finalization; the Finalizer thread is "
                                "stuck in %s (%s)",
                                total, frame, state)
              : cd_findings_add(out, severity, "finalizer-backlog",
                                "%.0f objects awaiting finalization", total);
    const cJSON *row;
    int rank = 0;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(in->finalizer, "classes"))
    {
        if (rank++ >= TOP_CLASSES)
            break;
        const char *name = cd_json_string_at(row, "name");
        cd_finding_detail(f, "%s: %.0f", name ? name : "?", cd_json_number_or(row, "instances", 0));
    }
    if (thread) {
        char top[512];
        cd_thread_frame_text(in->threads, thread, 0, top, sizeof top);
        cd_finding_detail(f, "Finalizer thread: %s%s%s", state ? state : "?", top[0] ? " at " : "",
                          top);
    }
    cd_finding_recommend(f,
                         "Objects with a finalize() method are freed only after the one "
                         "Finalizer thread has run it; a slow or blocked finalize() keeps them, "
                         "and all they reference, in the heap. Fix the finalize() shown, or "
                         "replace finalization with try-with-resources or java.lang.ref.Cleaner.");
    cd_finding_lines(f, "memoryinfo/objects_awaiting_finalization.txt", 0, 0);
    int first, last;
    if (thread && in->thread_dump &&
        cd_dump_thread_lines(in->thread_dump, cd_json_number_or(thread, "java_id", -1), &first,
                             &last))
        cd_finding_lines(f, "thread_dump.txt", first, last);
    cd_finding_pointer(f, "memoryinfo/objects_awaiting_finalization.json", "/classes");
}

void cd_findings_memory(const cd_report_inputs *in, cd_findings *out)
{
    heap_full(in, out);
    pools_full(in, out);
    gc_overhead(in, out);
    finalizer_backlog(in, out);
}
