/*
 * Hot and stuck threads across thread-dump samples (--thread-samples N): the
 * analysis support runbooks do by hand with "three dumps ten seconds apart".
 *
 * A sample keeps, per thread, only what the comparison needs: java id, name,
 * state, CPU time and a hash of the top CD_SAMPLE_TOP_FRAMES frames. Threads
 * are matched across samples by java id, which the JVM never reuses; the
 * threads that are no Java threads (the VM's own: GC workers, the VM Thread;
 * those of native libraries) only by nid, and only for their CPU.
 *
 *  - Hot: CPU used between the first and the last sample, for threads in
 *    both that used any, Java or not; the top 20, with the share of one core
 *    over the wall time between the two samples, and for the VM's own
 *    threads what they do ("GC", "JIT compiler").
 *  - States: how many threads were in each state line in each sample.
 *  - Stuck: threads present in every sample whose state and top frames never
 *    changed while RUNNABLE or BLOCKED (spinning, looping, or waiting on I/O or
 *    a lock that never comes). Threads unchanged while WAITING or
 *    TIMED_WAITING are idle pool threads in all likelihood: counted only.
 *
 * Pure C over thread_model.h.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/fsutil.h"
#include "thread_model.h"
#include "carbondump/format.h"

#define HOT_TOP 20

/* ---------------------------------------------------------------- samples */

static uint64_t fnv1a(uint64_t hash, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        hash ^= *p;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

/* The threads that are no Java threads: name, nid, CPU and kind. */
static int take_natives(cd_sample *sample, const cd_thread_dump *dump)
{
    sample->natives = calloc(dump->native_count + 1, sizeof *sample->natives);
    if (!sample->natives)
        return -1;
    for (size_t i = 0; i < dump->native_count; i++) {
        const cd_native_thread *n = &dump->natives[i];
        cd_sample_thread *s = &sample->natives[sample->native_count++];
        s->java_id = -1;
        s->nid = n->nid;
        s->cpu_ns = n->cpu_ns;
        s->kind = n->kind;
        s->vm_internal = n->vm_internal;
        if (!(s->name = strdup(n->name ? n->name : "")))
            return -1;
    }
    return 0;
}

int cd_sample_take(cd_sample *sample, const cd_thread_dump *dump, uint64_t monotonic_ms)
{
    memset(sample, 0, sizeof *sample);
    sample->wall_ms = dump->wall_ms;
    sample->monotonic_ms = monotonic_ms;
    sample->threads = calloc(dump->count ? dump->count : 1, sizeof *sample->threads);
    if (!sample->threads || take_natives(sample, dump) != 0) {
        cd_sample_free(sample);
        return -1;
    }
    char text[2048];
    for (size_t i = 0; i < dump->count; i++) {
        const cd_thread *t = &dump->threads[i];
        cd_sample_thread *s = &sample->threads[sample->count++];
        s->java_id = t->java_id;
        s->name = strdup(t->name ? t->name : "");
        s->state = t->state;
        s->detail = t->detail;
        s->cpu_ns = t->cpu_ns;
        s->nid = t->nid;
        s->kind = t->kind;
        s->vm_internal = t->vm_internal;
        s->wait_kind = t->wait_kind;
        s->waiting_for = t->waiting_for.id;
        s->waiting_for_owner = t->waiting_for_owner;
        uint64_t hash = 0xcbf29ce484222325ull;
        for (int f = 0; f < t->frame_count && f < CD_SAMPLE_TOP_FRAMES; f++) {
            cd_frame_text(&t->frames[f], text, sizeof text);
            hash = fnv1a(hash, text);
            hash = fnv1a(hash, "\n");
            if (f == 0)
                s->top_frame = strdup(text);
        }
        s->top_hash = t->frame_count ? hash : 0;
        if (!s->name || (t->frame_count && !s->top_frame)) {
            cd_sample_free(sample);
            return -1;
        }
    }
    return 0;
}

void cd_sample_free(cd_sample *sample)
{
    for (size_t i = 0; i < sample->count; i++) {
        free(sample->threads[i].name);
        free(sample->threads[i].top_frame);
    }
    for (size_t i = 0; i < sample->native_count; i++)
        free(sample->natives[i].name);
    free(sample->threads);
    free(sample->natives);
    memset(sample, 0, sizeof *sample);
}

/* ---------------------------------------------------------------- analysis */

typedef struct hot_row {
    const cd_sample_thread *last;
    int64_t cpu_delta_ns;
} hot_row;

typedef struct analysis {
    const cd_sample *samples;
    size_t count;
    const cd_sample_thread ***sorted; /* per sample, threads sorted by java id */
    hot_row *hot;
    size_t hot_count;
    const cd_sample_thread **stuck;
    size_t stuck_count;
    size_t idle_unchanged;
    double wall_ms;
} analysis;

static int by_java_id(const void *a, const void *b)
{
    int64_t x = (*(const cd_sample_thread *const *)a)->java_id;
    int64_t y = (*(const cd_sample_thread *const *)b)->java_id;
    return x < y ? -1 : x > y;
}

static const cd_sample_thread *find(const analysis *a, size_t sample, int64_t java_id)
{
    const cd_sample_thread *const *items = a->sorted[sample];
    size_t lo = 0, hi = a->samples[sample].count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (items[mid]->java_id < java_id)
            lo = mid + 1;
        else if (items[mid]->java_id > java_id)
            hi = mid;
        else
            return items[mid];
    }
    return NULL;
}

static int by_cpu_delta(const void *a, const void *b)
{
    const hot_row *x = a, *y = b;
    if (x->cpu_delta_ns != y->cpu_delta_ns)
        return x->cpu_delta_ns > y->cpu_delta_ns ? -1 : 1;
    if (x->last->java_id != y->last->java_id)
        return x->last->java_id < y->last->java_id ? -1 : 1;
    return x->last->nid < y->last->nid ? -1 : x->last->nid > y->last->nid;
}

/* A thread that is no Java thread, in the first sample, by nid. */
static const cd_sample_thread *find_native(const cd_sample *sample, int64_t nid)
{
    for (size_t i = 0; i < sample->native_count; i++)
        if (sample->natives[i].nid == nid)
            return &sample->natives[i];
    return NULL;
}

static void analysis_free(analysis *a)
{
    for (size_t s = 0; a->sorted && s < a->count; s++)
        free(a->sorted[s]);
    free(a->sorted);
    free(a->hot);
    free(a->stuck);
}

static int unchanged_everywhere(const analysis *a, const cd_sample_thread *first)
{
    if (!first->top_hash)
        return 0;
    for (size_t s = 1; s < a->count; s++) {
        const cd_sample_thread *t = find(a, s, first->java_id);
        if (!t || t->top_hash != first->top_hash || t->state != first->state ||
            t->detail != first->detail)
            return 0;
    }
    return 1;
}

static int analyse(analysis *a, const cd_sample *samples, size_t count)
{
    memset(a, 0, sizeof *a);
    a->samples = samples;
    a->count = count;
    a->sorted = calloc(count, sizeof *a->sorted);
    if (!a->sorted)
        return -1;
    for (size_t s = 0; s < count; s++) {
        a->sorted[s] = malloc((samples[s].count + 1) * sizeof **a->sorted);
        if (!a->sorted[s])
            return -1;
        for (size_t i = 0; i < samples[s].count; i++)
            a->sorted[s][i] = &samples[s].threads[i];
        qsort(a->sorted[s], samples[s].count, sizeof **a->sorted, by_java_id);
    }
    const cd_sample *first = &samples[0], *last = &samples[count - 1];
    a->wall_ms = (double)(last->monotonic_ms - first->monotonic_ms);

    a->hot = calloc(last->count + last->native_count + 1, sizeof *a->hot);
    a->stuck = calloc(first->count + 1, sizeof *a->stuck);
    if (!a->hot || !a->stuck)
        return -1;
    for (size_t i = 0; i < last->count; i++) {
        const cd_sample_thread *now = &last->threads[i];
        const cd_sample_thread *then = find(a, 0, now->java_id);
        if (then && then->cpu_ns >= 0 && now->cpu_ns > then->cpu_ns)
            a->hot[a->hot_count++] = (hot_row){now, now->cpu_ns - then->cpu_ns};
    }
    for (size_t i = 0; i < last->native_count; i++) {
        const cd_sample_thread *now = &last->natives[i];
        const cd_sample_thread *then = find_native(first, now->nid);
        if (then && then->cpu_ns >= 0 && now->cpu_ns > then->cpu_ns)
            a->hot[a->hot_count++] = (hot_row){now, now->cpu_ns - then->cpu_ns};
    }
    qsort(a->hot, a->hot_count, sizeof *a->hot, by_cpu_delta);
    for (size_t i = 0; i < first->count; i++) {
        const cd_sample_thread *t = &first->threads[i];
        if (!unchanged_everywhere(a, t))
            continue;
        if (t->state == CD_THREAD_RUNNABLE || t->state == CD_THREAD_BLOCKED)
            a->stuck[a->stuck_count++] = t;
        else
            a->idle_unchanged++;
    }
    return 0;
}

static int64_t cpu_delta_of(const analysis *a, const cd_sample_thread *first)
{
    const cd_sample_thread *now = find(a, a->count - 1, first->java_id);
    return now && now->cpu_ns >= 0 && first->cpu_ns >= 0 ? now->cpu_ns - first->cpu_ns : -1;
}

static double percent_of_core(const analysis *a, int64_t cpu_ns)
{
    return a->wall_ms > 0 ? (double)cpu_ns / 1e6 / a->wall_ms * 100.0 : 0.0;
}

/* The state lines in a fixed order, for the per-state table. */
static const struct {
    cd_thread_state state;
    cd_state_detail detail;
} state_rows[] = {
    {CD_THREAD_RUNNABLE, CD_DETAIL_NONE},
    {CD_THREAD_BLOCKED, CD_DETAIL_OBJECT_MONITOR},
    {CD_THREAD_WAITING, CD_DETAIL_OBJECT_MONITOR},
    {CD_THREAD_WAITING, CD_DETAIL_PARKING},
    {CD_THREAD_WAITING, CD_DETAIL_NONE},
    {CD_THREAD_TIMED_WAITING, CD_DETAIL_SLEEPING},
    {CD_THREAD_TIMED_WAITING, CD_DETAIL_OBJECT_MONITOR},
    {CD_THREAD_TIMED_WAITING, CD_DETAIL_PARKING},
    {CD_THREAD_TIMED_WAITING, CD_DETAIL_NONE},
    {CD_THREAD_NEW, CD_DETAIL_NONE},
    {CD_THREAD_TERMINATED, CD_DETAIL_NONE},
};

static size_t count_in_state(const cd_sample *sample, size_t row)
{
    size_t n = 0;
    for (size_t i = 0; i < sample->count; i++) {
        const cd_sample_thread *t = &sample->threads[i];
        cd_state_detail detail =
            t->state == CD_THREAD_BLOCKED ? CD_DETAIL_OBJECT_MONITOR : t->detail;
        if (t->state == state_rows[row].state && detail == state_rows[row].detail)
            n++;
    }
    return n;
}

#define STATE_ROWS (sizeof state_rows / sizeof *state_rows)

/* ---------------------------------------------------------------- text */

static void put_thread_name(cd_sink *sink, const cd_sample_thread *t)
{
    char *clean = cd_text_clean(t->name, CD_TEXT_DUMP);
    cd_sink_printf(sink, "\"%s\"", clean ? clean : "?");
    if (t->java_id >= 0)
        cd_sink_printf(sink, " #%" PRId64, t->java_id);
    free(clean);
}

/* A Java thread's state line; "-" for one that is no Java thread. */
static const char *state_line_of(const cd_sample_thread *t)
{
    return t->java_id >= 0 ? cd_thread_state_text(t->state, t->detail) : "-";
}

int cd_hot_threads_write_text(cd_sink *sink, const cd_sample *samples, size_t count)
{
    analysis a;
    if (count < 2 || analyse(&a, samples, count) != 0) {
        if (count >= 2)
            analysis_free(&a);
        cd_error err;
        cd_fail(&err, count < 2 ? CD_ERR_USAGE : CD_ERR_NOMEM,
                count < 2 ? "hot threads need two samples at least" : "out of memory");
        cd_sink_fail(sink, &err);
        return -1;
    }
    char from[40], to[40];
    cd_format_iso8601(samples[0].wall_ms, from, sizeof from);
    cd_format_iso8601(samples[count - 1].wall_ms, to, sizeof to);
    cd_sink_printf(sink,
                   "Hot threads: %zu samples, %.2f s from the first (%s) to the last (%s)\n\n",
                   count, a.wall_ms / 1000.0, from, to);

    cd_sink_printf(sink,
                   "CPU used between the first and the last sample (top %d; 100%% = one "
                   "core):\n",
                   HOT_TOP);
    cd_sink_printf(sink, "%12s %10s  %-34s %s\n", "cpu ms", "% of core", "state", "thread");
    for (size_t i = 0; i < a.hot_count && i < HOT_TOP; i++) {
        const hot_row *r = &a.hot[i];
        cd_sink_printf(sink, "%12.2f %9.1f%%  %-34s ", (double)r->cpu_delta_ns / 1e6,
                       percent_of_core(&a, r->cpu_delta_ns), state_line_of(r->last));
        put_thread_name(sink, r->last);
        if (r->last->nid >= 0)
            cd_sink_printf(sink, " nid=%" PRId64, r->last->nid);
        if (r->last->kind)
            cd_sink_printf(sink, "  (%s)", r->last->kind);
        cd_sink_puts(sink, "\n");
    }
    if (a.hot_count == 0)
        cd_sink_puts(sink, "  (no thread used CPU between the two samples)\n");

    cd_sink_puts(sink, "\nThreads per state:\n");
    cd_sink_printf(sink, "  %-34s", "state");
    for (size_t s = 0; s < count; s++) {
        char label[24];
        snprintf(label, sizeof label, "sample %zu", s + 1);
        cd_sink_printf(sink, " %10s", label);
    }
    cd_sink_puts(sink, "\n");
    for (size_t row = 0; row < STATE_ROWS; row++) {
        size_t any = 0;
        for (size_t s = 0; s < count; s++)
            any += count_in_state(&samples[s], row);
        if (!any)
            continue;
        cd_sink_printf(sink, "  %-34s",
                       cd_thread_state_text(state_rows[row].state, state_rows[row].detail));
        for (size_t s = 0; s < count; s++)
            cd_sink_printf(sink, " %10zu", count_in_state(&samples[s], row));
        cd_sink_puts(sink, "\n");
    }
    cd_sink_printf(sink, "  %-34s", "all threads");
    for (size_t s = 0; s < count; s++)
        cd_sink_printf(sink, " %10zu", samples[s].count);
    cd_sink_puts(sink, "\n");

    cd_sink_printf(sink,
                   "\nStuck threads: the same state and top %d frames in all %zu samples, "
                   "RUNNABLE or BLOCKED:\n",
                   CD_SAMPLE_TOP_FRAMES, count);
    for (size_t i = 0; i < a.stuck_count; i++) {
        const cd_sample_thread *t = a.stuck[i];
        put_thread_name(sink, t);
        int64_t cpu = cpu_delta_of(&a, t);
        cd_sink_printf(sink, " %s", cd_thread_state_text(t->state, t->detail));
        if (cpu >= 0)
            cd_sink_printf(sink, ", %.2f ms CPU (%.1f%% of a core)", (double)cpu / 1e6,
                           percent_of_core(&a, cpu));
        char *frame = cd_text_clean(t->top_frame, CD_TEXT_DUMP);
        cd_sink_printf(sink, "\n\tat %s\n", frame ? frame : "?");
        free(frame);
    }
    if (a.stuck_count == 0)
        cd_sink_puts(sink, "  (none)\n");
    cd_sink_printf(sink,
                   "\n%zu other threads kept the same top frames while WAITING or TIMED_WAITING "
                   "in every sample (idle; not listed).\n",
                   a.idle_unchanged);
    analysis_free(&a);
    return cd_sink_puts(sink, "");
}

/* ---------------------------------------------------------------- JSON */

/* The sample's wait-for edges whose owner is known. */
static cJSON *waits_json(const analysis *a, size_t sample)
{
    cJSON *waits = cJSON_CreateArray();
    const cd_sample *s = &a->samples[sample];
    for (size_t i = 0; waits && i < s->count; i++) {
        const cd_sample_thread *t = &s->threads[i];
        if (t->wait_kind == CD_WAIT_NONE || t->waiting_for_owner < 0)
            continue;
        char object[CD_HEX_TEXT_MAX];
        cd_format_hex(t->waiting_for, 16, object);
        const cd_sample_thread *owner = find(a, sample, t->waiting_for_owner);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "java_id", (double)t->java_id);
        cJSON_AddStringToObject(o, "object", object);
        cJSON_AddNumberToObject(o, "owner_java_id", (double)t->waiting_for_owner);
        if (owner)
            cJSON_AddStringToObject(o, "owner_state",
                                    cd_thread_state_text(owner->state, owner->detail));
        cJSON_AddItemToArray(waits, o);
    }
    return waits;
}

static void add_name(cJSON *o, const cd_sample_thread *t)
{
    char *clean = cd_text_clean(t->name, CD_TEXT_JSON);
    cJSON_AddStringToObject(o, "name", clean ? clean : "");
    free(clean);
    if (t->java_id >= 0)
        cJSON_AddNumberToObject(o, "java_id", (double)t->java_id);
    if (t->vm_internal)
        cJSON_AddTrueToObject(o, "vm_internal");
    if (t->kind)
        cJSON_AddStringToObject(o, "kind", t->kind);
}

cJSON *cd_hot_threads_json(const cd_sample *samples, size_t count)
{
    analysis a;
    if (count < 2)
        return NULL;
    if (analyse(&a, samples, count) != 0) {
        analysis_free(&a);
        return NULL;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(root, "samples");
    for (size_t s = 0; s < count; s++) {
        char when[40];
        cd_format_iso8601(samples[s].wall_ms, when, sizeof when);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", (double)(s + 1));
        cJSON_AddStringToObject(o, "captured_at", when);
        cJSON_AddNumberToObject(o, "thread_count", (double)samples[s].count);
        cJSON *states = cJSON_AddObjectToObject(o, "states");
        for (size_t row = 0; row < STATE_ROWS; row++) {
            size_t n = count_in_state(&samples[s], row);
            if (n)
                cJSON_AddNumberToObject(
                    states, cd_thread_state_text(state_rows[row].state, state_rows[row].detail),
                    (double)n);
        }
        cJSON_AddItemToObject(o, "waits", waits_json(&a, s));
        cJSON_AddItemToArray(list, o);
    }
    cJSON *hot = cJSON_AddObjectToObject(root, "hot_threads");
    cJSON_AddNumberToObject(hot, "wall_ms", a.wall_ms);
    cJSON *top = cJSON_AddArrayToObject(hot, "top_cpu");
    for (size_t i = 0; i < a.hot_count && i < HOT_TOP; i++) {
        cJSON *o = cJSON_CreateObject();
        add_name(o, a.hot[i].last);
        cJSON_AddNumberToObject(o, "cpu_ns", (double)a.hot[i].cpu_delta_ns);
        cJSON_AddNumberToObject(o, "percent_of_core", percent_of_core(&a, a.hot[i].cpu_delta_ns));
        if (a.hot[i].last->nid >= 0)
            cJSON_AddNumberToObject(o, "nid", (double)a.hot[i].last->nid);
        if (a.hot[i].last->java_id >= 0)
            cJSON_AddStringToObject(o, "state_line", state_line_of(a.hot[i].last));
        cJSON_AddItemToArray(top, o);
    }
    cJSON *stuck = cJSON_AddArrayToObject(hot, "stuck");
    for (size_t i = 0; i < a.stuck_count; i++) {
        cJSON *o = cJSON_CreateObject();
        add_name(o, a.stuck[i]);
        cJSON_AddStringToObject(o, "state_line",
                                cd_thread_state_text(a.stuck[i]->state, a.stuck[i]->detail));
        char *frame = cd_text_clean(a.stuck[i]->top_frame, CD_TEXT_JSON);
        cJSON_AddStringToObject(o, "top_frame", frame ? frame : "");
        free(frame);
        int64_t cpu = cpu_delta_of(&a, a.stuck[i]);
        if (cpu >= 0)
            cJSON_AddNumberToObject(o, "cpu_ns", (double)cpu);
        cJSON_AddItemToArray(stuck, o);
    }
    cJSON_AddNumberToObject(hot, "idle_unchanged", (double)a.idle_unchanged);
    analysis_free(&a);
    return root;
}
