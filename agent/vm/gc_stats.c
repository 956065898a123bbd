/*
 * Part "gc": what the collectors have done, in memoryinfo/gc_statistics.txt
 * and memoryinfo/gc_statistics.json.
 *
 *  - Per collector (GarbageCollectorMXBean): collections and accumulated time
 *    since the JVM started, and the pools it manages. Read through JNI, which
 *    allocates Java objects: left out, with the reason, under
 *    ctx->java_heap_exhausted.
 *  - Pauses the agent saw itself (gc_events.h): count, total, maximum, p50
 *    and p99 and the last 100 pauses with their start times, since the agent
 *    was loaded. Needs no Java heap, so it is there even under an
 *    OutOfMemoryError, which is when it matters most.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "base/part_report.h"
#include "gc_events.h"
#include "base/mxbeans.h"
#include "carbondump/fsutil.h"
#include "carbondump/pause_stats.h"
#include "vm.h"
#include "carbondump/format.h"

#define LAST_PAUSES_SHOWN 100

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

typedef struct gc_report {
    cd_mx_collector *collectors;
    size_t collector_count;
    char collectors_missing[CD_ERROR_MESSAGE_MAX]; /* why there are none */
    cd_gc_counters counters;
    cd_gc_pause *pauses; /* the kept history, oldest first */
    size_t pause_count;
    cd_pause_summary kept; /* percentiles over the kept history */
} gc_report;

static void write_text(cd_sink *out, const void *data)
{
    const gc_report *r = data;
    cd_sink_puts(out, "Garbage collectors (GarbageCollectorMXBean, since the JVM started)\n");
    if (r->collectors_missing[0])
        cd_sink_printf(out, "  not available: %s\n", r->collectors_missing);
    else if (r->collector_count == 0)
        cd_sink_puts(out, "  none reported by this JVM\n");
    else
        cd_sink_printf(out, "  %-28s %12s %14s  %s\n", "Collector", "Collections", "Time (ms)",
                       "Memory pools");
    for (size_t i = 0; i < r->collector_count; i++) {
        const cd_mx_collector *c = &r->collectors[i];
        cd_sink_printf(out, "  %-28s %12lld %14lld  %s\n", c->name ? c->name : "?",
                       (long long)c->count, (long long)c->time_ms, c->pools ? c->pools : "");
    }

    const cd_gc_counters *k = &r->counters;
    cd_sink_puts(out, "\nStop-the-world pauses seen by the agent (JVMTI GC start/finish events)\n");
    const char *problem = cd_gc_events_problem();
    if (problem) {
        cd_sink_printf(out, "  not recorded: %s\n", problem);
        return;
    }
    char since[40];
    cd_format_iso8601(k->since_wall_ms, since, sizeof since);
    cd_sink_printf(out, "  Recording since:  %s\n", since);
    cd_sink_printf(out, "  Pauses:           %llu\n", (unsigned long long)k->pauses);
    cd_sink_printf(out, "  Total pause time: %.3f ms\n", ms(k->total_pause_ns));
    cd_sink_printf(out, "  Longest pause:    %.3f ms\n", ms(k->max_pause_ns));
    if (r->pause_count) {
        char over[64] = "";
        if (r->pause_count < k->pauses)
            snprintf(over, sizeof over, " (over the last %zu pauses)", r->pause_count);
        cd_sink_printf(out, "  p50 pause:        %.3f ms%s\n", ms(r->kept.p50_ns), over);
        cd_sink_printf(out, "  p99 pause:        %.3f ms%s\n", ms(r->kept.p99_ns), over);
    }
    if (k->pause_started_mono_ns)
        cd_sink_puts(out, "  A pause was in progress when this was written.\n");
    size_t shown = r->pause_count < LAST_PAUSES_SHOWN ? r->pause_count : LAST_PAUSES_SHOWN;
    if (shown == 0)
        return;
    cd_sink_printf(out, "\nLast %zu pauses, oldest first\n", shown);
    cd_sink_printf(out, "  %8s  %-24s  %14s\n", "#", "Started (UTC)", "Duration (ms)");
    for (size_t i = r->pause_count - shown; i < r->pause_count; i++) {
        const cd_gc_pause *p = &r->pauses[i];
        char when[40];
        cd_format_iso8601(p->start_wall_ms, when, sizeof when);
        cd_sink_printf(out, "  %8llu  %-24s  %14.3f\n", (unsigned long long)p->sequence, when,
                       ms(p->duration_ns));
    }
}

static cJSON *json_report(const gc_report *r)
{
    cJSON *root = cJSON_CreateObject();
    if (r->collectors_missing[0]) {
        cJSON_AddStringToObject(root, "collectors_missing", r->collectors_missing);
    } else {
        cJSON *list = cJSON_AddArrayToObject(root, "collectors");
        for (size_t i = 0; i < r->collector_count; i++) {
            const cd_mx_collector *c = &r->collectors[i];
            cJSON *item = cJSON_CreateObject();
            cJSON_AddStringToObject(item, "name", c->name ? c->name : "");
            cJSON_AddNumberToObject(item, "collections", (double)c->count);
            cJSON_AddNumberToObject(item, "time_ms", (double)c->time_ms);
            cJSON_AddStringToObject(item, "memory_pools", c->pools ? c->pools : "");
            cJSON_AddItemToArray(list, item);
        }
    }
    cJSON *pauses = cJSON_AddObjectToObject(root, "pauses");
    const char *problem = cd_gc_events_problem();
    if (problem) {
        cJSON_AddStringToObject(pauses, "not_recorded", problem);
    } else {
        const cd_gc_counters *k = &r->counters;
        char since[40];
        cd_format_iso8601(k->since_wall_ms, since, sizeof since);
        cJSON_AddStringToObject(pauses, "recording_since", since);
        cJSON_AddNumberToObject(pauses, "count", (double)k->pauses);
        cJSON_AddNumberToObject(pauses, "total_ms", ms(k->total_pause_ns));
        cJSON_AddNumberToObject(pauses, "max_ms", ms(k->max_pause_ns));
        cJSON_AddNumberToObject(pauses, "percentiles_over", (double)r->pause_count);
        cJSON_AddNumberToObject(pauses, "p50_ms", ms(r->kept.p50_ns));
        cJSON_AddNumberToObject(pauses, "p99_ms", ms(r->kept.p99_ns));
        cJSON_AddBoolToObject(pauses, "in_progress", k->pause_started_mono_ns != 0);
        cJSON *last = cJSON_AddArrayToObject(pauses, "last");
        size_t shown = r->pause_count < LAST_PAUSES_SHOWN ? r->pause_count : LAST_PAUSES_SHOWN;
        for (size_t i = r->pause_count - shown; i < r->pause_count; i++) {
            char when[40];
            cd_format_iso8601(r->pauses[i].start_wall_ms, when, sizeof when);
            cJSON *item = cJSON_CreateObject();
            cJSON_AddNumberToObject(item, "sequence", (double)r->pauses[i].sequence);
            cJSON_AddStringToObject(item, "started", when);
            cJSON_AddNumberToObject(item, "duration_ms", ms(r->pauses[i].duration_ns));
            cJSON_AddItemToArray(last, item);
        }
    }
    return root;
}

int cd_part_gc(cd_part_ctx *ctx, cd_error *err)
{
    gc_report r = {0};
    cd_error why = {0};
    if (ctx->java_heap_exhausted)
        snprintf(r.collectors_missing, sizeof r.collectors_missing,
                 "the Java heap is exhausted and GarbageCollectorMXBean needs Java allocation");
    else if (!ctx->jni)
        snprintf(r.collectors_missing, sizeof r.collectors_missing, "no JNI environment");
    else if (cd_mx_collectors(ctx->jni, &r.collectors, &r.collector_count, &why) != 0)
        snprintf(r.collectors_missing, sizeof r.collectors_missing, "%s", why.message);

    r.pauses = malloc(CD_GC_PAUSE_HISTORY * sizeof *r.pauses);
    uint64_t *durations = malloc(CD_GC_PAUSE_HISTORY * sizeof *durations);
    int rc = -1;
    if (!r.pauses || !durations) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory for the pause history");
        goto out;
    }
    r.pause_count = cd_gc_events_recent(r.pauses, CD_GC_PAUSE_HISTORY, &r.counters);
    for (size_t i = 0; i < r.pause_count; i++)
        durations[i] = r.pauses[i].duration_ns;
    cd_pause_summarize(durations, r.pause_count, &r.kept);

    rc = cd_part_report_write(ctx, "memoryinfo/gc_statistics.txt", write_text, &r,
                              "memoryinfo/gc_statistics.json", json_report(&r), err);
out:
    free(durations);
    free(r.pauses);
    cd_mx_collectors_free(r.collectors, r.collector_count);
    return rc;
}
