/*
 * Findings about threads, from threads/threads.json (and thread_dump.txt for
 * line numbers):
 *
 *   java-deadlock, juc-deadlock  every wait-for cycle the agent found, by
 *                 thread name, with the locks and where each thread waits
 *   lock-contention  CONTENTION_WARN_WAITERS or more threads waiting for one
 *                 monitor or j.u.c lock, with who holds it and what the holder
 *                 is doing (its state and top frame, and where it took the lock)
 *   blocking-chain   threads BLOCKED on a monitor or parked on a j.u.c lock
 *                 behind a holder that is not running (sleeping, waiting,
 *                 parked, or blocked on a lock of its own), in every sample or
 *                 in the one dump: the waiters, the chain to its end (A waits
 *                 for B, which waits for C ...), the holder's state and where it
 *                 took the lock; more severe with more waiters and more samples
 *   hot-threads   threads that used HOT_THREAD_PERCENT of a core or more
 *                 between the first and last sample (--thread-samples)
 *   stuck-threads threads BLOCKED at the same place in every sample, beyond
 *                 those already explained by a deadlock or contention finding
 *   thread-explosion  THREAD_GROUP_WARN or more threads of one name pattern
 *
 * A single blocked thread, or a thread spinning on one core of many, is what
 * a healthy server shows at any moment: those stay info, or are not reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"
#include "findings.h"
#include "threads_doc.h"
#include "wording.h"

#define CONTENTION_WARN_WAITERS 3
#define CONTENTION_CRITICAL_WAITERS 20
#define HOT_THREAD_PERCENT 25.0
#define CPU_SATURATION_RATIO 0.80 /* of every CPU the process may use */
#define STUCK_BLOCKED_WARN 3
#define CHAIN_WARN_SAMPLES 3
#define CHAIN_WARN_WAITERS 3
#define CHAIN_CRITICAL_SAMPLES 5
#define CHAIN_CRITICAL_WAITERS 10
#define THREAD_GROUP_WARN 1000
#define NAMES_LISTED 8

static const char *const THREADS_JSON = "threads/threads.json";
static const char *const THREAD_DUMP = "thread_dump.txt";

/* java id -> thread, sorted for bsearch: dumps hold thousands of threads. */
typedef struct thread_table {
    struct thread_slot {
        double java_id;
        int index;
        const cJSON *thread;
    } * slots;
    size_t count;
} thread_table;

static int compare_slots(const void *a, const void *b)
{
    double x = ((const struct thread_slot *)a)->java_id,
           y = ((const struct thread_slot *)b)->java_id;
    return (x > y) - (x < y);
}

static void table_build(thread_table *table, const cJSON *doc)
{
    const cJSON *threads = cd_threads_array(doc);
    size_t n = (size_t)cJSON_GetArraySize(threads);
    table->count = 0;
    table->slots = n ? calloc(n, sizeof *table->slots) : NULL;
    const cJSON *thread;
    int index = 0;
    cJSON_ArrayForEach(thread, threads)
    {
        if (table->slots)
            table->slots[table->count++] =
                (struct thread_slot){cd_json_number_or(thread, "java_id", -1), index, thread};
        index++;
    }
    if (table->count)
        qsort(table->slots, table->count, sizeof *table->slots, compare_slots);
}

static const struct thread_slot *table_get(const thread_table *table, double java_id)
{
    struct thread_slot key = {java_id, 0, NULL};
    return table->count ? bsearch(&key, table->slots, table->count, sizeof key, compare_slots)
                        : NULL;
}

/* Java ids already explained by a finding, so that later ones do not repeat them. */
typedef struct id_set {
    double *ids;
    size_t count, capacity;
} id_set;

static void id_set_add(id_set *set, double id)
{
    if (CD_ARRAY_ROOM_FOR_ONE(set->ids, set->capacity, set->count) == 0)
        set->ids[set->count++] = id;
}

static int id_set_has(const id_set *set, double id)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->ids[i] == id)
            return 1;
    return 0;
}

static void evidence_thread(cd_finding *f, const cd_report_inputs *in,
                            const struct thread_slot *slot)
{
    int first, last;
    if (!slot)
        return;
    if (in->thread_dump && cd_dump_thread_lines(in->thread_dump, slot->java_id, &first, &last))
        cd_finding_lines(f, THREAD_DUMP, first, last);
    cd_finding_pointer(f, THREADS_JSON, "/threads/%d", slot->index);
}

/* ---------------------------------------------------------------- deadlocks */

static void object_name(const cJSON *object, char *out, size_t outlen)
{
    char type[256];
    cd_java_type_name(cd_json_string_or(object, "class", "?"), type, sizeof type);
    snprintf(out, outlen, "<%s> (a %s)", cd_json_string_or(object, "id", "?"), type);
}

/* A detail line: "NAME" waits for monitor|lock OBJECT held by "HOLDER", at the
 * thread's first application frame (when the thread is known and has one). */
static void detail_wait(const cd_report_inputs *in, cd_finding *f, const char *name,
                        const cJSON *thread, const cJSON *waiting, const char *held_by)
{
    char object[320], where[512] = "";
    object_name(waiting, object, sizeof object);
    int depth = thread ? cd_thread_app_frame(in->threads, thread) : -1;
    if (depth >= 0)
        cd_thread_frame_text(in->threads, thread, depth, where, sizeof where);
    cd_finding_detail(f, "\"%s\" waits for %s %s held by \"%s\"%s%s", name,
                      strcmp(cd_json_string_or(waiting, "kind", ""), "monitor") == 0 ? "monitor"
                                                                                     : "lock",
                      object, held_by, where[0] ? ", at " : "", where);
}

/* A detail line: holder "NAME" is STATE at its top frame. */
static void detail_holder(const cd_report_inputs *in, cd_finding *f, const cJSON *holder,
                          const char *name)
{
    char top[512];
    cd_thread_frame_text(in->threads, holder, 0, top, sizeof top);
    cd_finding_detail(f, "holder \"%s\" is %s%s%s", name,
                      cd_json_string_or(holder, "state_line", "?"), top[0] ? " at " : "", top);
}

static void deadlocks(const cd_report_inputs *in, const thread_table *table, cd_findings *out,
                      id_set *explained)
{
    const cJSON *cycle;
    int k = 0;
    cJSON_ArrayForEach(cycle, cJSON_GetObjectItemCaseSensitive(in->threads, "deadlocks"))
    {
        const cJSON *members = cJSON_GetObjectItemCaseSensitive(cycle, "threads");
        const cJSON *member;
        int monitors = 0, synchronizers = 0, count = cJSON_GetArraySize(members);
        char names[1024] = "", classes[1024] = "";
        int index = 0;
        cJSON_ArrayForEach(member, members)
        {
            const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(member, "waiting_for");
            const char *kind = cd_json_string_or(waiting, "kind", "");
            if (strcmp(kind, "monitor") == 0)
                monitors++;
            else
                synchronizers++;
            cd_appendf(names, sizeof names, "%s\"%s\"",
                       index == 0           ? ""
                       : index == count - 1 ? " and "
                                            : ", ",
                       cd_json_string_or(member, "name", "?"));
            char type[256];
            cd_java_type_name(cd_json_string_or(waiting, "class", "?"), type, sizeof type);
            if (!strstr(classes, type))
                cd_appendf(classes, sizeof classes, "%s%s", classes[0] ? ", " : "", type);
            index++;
        }
        const char *kind = synchronizers && !monitors ? "juc-deadlock" : "java-deadlock";
        cd_finding *f =
            synchronizers && !monitors
                ? cd_findings_add(out, CD_SEVERITY_CRITICAL, kind,
                                  "Deadlock on java.util.concurrent locks: %s wait for each "
                                  "other forever (%s)",
                                  names, classes)
                : cd_findings_add(out, CD_SEVERITY_CRITICAL, kind,
                                  "Java-level deadlock: %s wait for each other forever (%s)", names,
                                  classes);
        cJSON_ArrayForEach(member, members)
        {
            double id = cd_json_number_or(member, "java_id", -1);
            const struct thread_slot *slot = table_get(table, id);
            detail_wait(in, f, cd_json_string_or(member, "name", "?"), slot ? slot->thread : NULL,
                        cJSON_GetObjectItemCaseSensitive(member, "waiting_for"),
                        cd_json_string_or(member, "held_by", "?"));
            id_set_add(explained, id);
        }
        cd_finding_recommend(f, "These threads never continue, and every thread that needs the "
                                "same locks piles up behind them: restart the server to recover. "
                                "Then fix the code so that all threads take these locks in one "
                                "order (the stacks in thread_dump.txt show where each is taken).");
        int first = 0, last = 0;
        if (in->thread_dump && cd_dump_deadlock_lines(in->thread_dump, k, &first, &last))
            cd_finding_lines(f, THREAD_DUMP, first, last);
        cd_finding_pointer(f, THREADS_JSON, "/deadlocks/%d", k);
        k++;
    }
}

/* ---------------------------------------------------------------- contention */

typedef struct waiter {
    const char *object_id;
    const cJSON *thread;
    double java_id;
} waiter;

static int compare_waiters(const void *a, const void *b)
{
    return strcmp(((const waiter *)a)->object_id, ((const waiter *)b)->object_id);
}

/* Where the holder took the lock: the frame under its "locked" line. */
static void locked_at(const cJSON *doc, const cJSON *holder, const char *object_id, char *out,
                      size_t outlen)
{
    const cJSON *lock;
    out[0] = '\0';
    cJSON_ArrayForEach(lock, cJSON_GetObjectItemCaseSensitive(holder, "locks"))
    {
        const char *id = cd_json_string_at(lock, "id");
        const char *action = cd_json_string_at(lock, "action");
        if (id && action && strcmp(id, object_id) == 0 && strcmp(action, "locked") == 0) {
            cd_thread_frame_text(doc, holder, (int)cd_json_number_or(lock, "depth", 0), out,
                                 outlen);
            return;
        }
    }
}

/* The most frequent top frame among the first TOP_FRAME_SAMPLE of
 * waiters[from, to). */
#define TOP_FRAME_SAMPLE 64
static void common_top_frame(const cd_report_inputs *in, const waiter *waiters, size_t from,
                             size_t to, char *out, size_t outlen)
{
    size_t n = to - from < TOP_FRAME_SAMPLE ? to - from : TOP_FRAME_SAMPLE;
    char(*frames)[512] = calloc(n ? n : 1, sizeof *frames);
    out[0] = '\0';
    if (!frames)
        return;
    for (size_t i = 0; i < n; i++)
        cd_thread_frame_text(in->threads, waiters[from + i].thread, 0, frames[i], sizeof frames[i]);
    int best = 0;
    for (size_t i = 0; i < n; i++) {
        int same = 0;
        for (size_t j = 0; j < n; j++)
            same += strcmp(frames[i], frames[j]) == 0;
        if (same > best) {
            best = same;
            snprintf(out, outlen, "%s", frames[i]);
        }
    }
    free(frames);
}

static void report_contention(const cd_report_inputs *in, const thread_table *table,
                              const waiter *waiters, size_t from, size_t to, cd_findings *out,
                              id_set *explained)
{
    size_t count = to - from;
    const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(waiters[from].thread, "waiting_for");
    double owner_id = cd_json_number_or(waiting, "owner_java_id", -1);
    const struct thread_slot *owner = table_get(table, owner_id);
    const char *owner_name = owner ? cd_json_string_or(owner->thread, "name", "?") : "?";
    int monitor = strcmp(cd_json_string_or(waiting, "kind", ""), "monitor") == 0;
    char object[320];
    object_name(waiting, object, sizeof object);

    cd_finding *f = cd_findings_add(
        out, count >= CONTENTION_CRITICAL_WAITERS ? CD_SEVERITY_CRITICAL : CD_SEVERITY_WARNING,
        "lock-contention", "%zu threads %s %s held by \"%s\"", count,
        monitor ? "blocked on monitor" : "parked waiting for lock", object, owner_name);
    if (owner) {
        char taken[512];
        detail_holder(in, f, owner->thread, owner_name);
        locked_at(in->threads, owner->thread, cd_json_string_or(waiting, "id", ""), taken,
                  sizeof taken);
        if (taken[0])
            cd_finding_detail(f, "it took the lock in %s", taken);
        id_set_add(explained, owner_id);
    }
    char names[1024] = "";
    for (size_t i = from; i < to; i++) {
        if (i - from < NAMES_LISTED)
            cd_appendf(names, sizeof names, "%s\"%s\"", i == from ? "" : ", ",
                       cd_json_string_or(waiters[i].thread, "name", "?"));
        id_set_add(explained, waiters[i].java_id);
    }
    if (count > NAMES_LISTED)
        cd_appendf(names, sizeof names, " and %zu more", count - NAMES_LISTED);
    cd_finding_detail(f, "waiting: %s", names);
    char frame[512];
    common_top_frame(in, waiters, from, to, frame, sizeof frame);
    if (frame[0])
        cd_finding_detail(f, "the waiters are at %s", frame);
    cd_finding_recommend(f,
                         "Everything that needs this lock waits for \"%s\". Look at what it "
                         "does while holding the lock (its stack in thread_dump.txt): I/O, a "
                         "remote call or a sleep inside a synchronized block is the usual "
                         "cause. Take slow work out of the lock, or split the lock.",
                         owner_name);
    evidence_thread(f, in, owner);
}

static void contention(const cd_report_inputs *in, const thread_table *table, cd_findings *out,
                       id_set *explained)
{
    const cJSON *threads = cd_threads_array(in->threads);
    size_t n = (size_t)cJSON_GetArraySize(threads), count = 0;
    waiter *waiters = n ? calloc(n, sizeof *waiters) : NULL;
    if (!waiters)
        return;
    const cJSON *thread;
    cJSON_ArrayForEach(thread, threads)
    {
        const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(thread, "waiting_for");
        double owner;
        const char *id = cd_json_string_at(waiting, "id");
        if (id && cd_json_number_at(waiting, "owner_java_id", &owner))
            waiters[count++] = (waiter){id, thread, cd_json_number_or(thread, "java_id", -1)};
    }
    qsort(waiters, count, sizeof *waiters, compare_waiters);
    /* one range per object; the most waited-for object first */
    struct range {
        size_t from, to;
    } *ranges = count ? calloc(count, sizeof *ranges) : NULL;
    size_t range_count = 0;
    for (size_t from = 0; ranges && from < count;) {
        size_t to = from + 1;
        while (to < count && strcmp(waiters[to].object_id, waiters[from].object_id) == 0)
            to++;
        if (to - from >= CONTENTION_WARN_WAITERS)
            ranges[range_count++] = (struct range){from, to};
        from = to;
    }
    for (size_t i = 0; i < range_count; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < range_count; j++)
            if (ranges[j].to - ranges[j].from > ranges[best].to - ranges[best].from)
                best = j;
        struct range chosen = ranges[best];
        ranges[best] = ranges[i];
        ranges[i] = chosen;
        report_contention(in, table, waiters, chosen.from, chosen.to, out, explained);
    }
    free(ranges);
    free(waiters);
}

/* ---------------------------------------------------------------- blocking chains */

/* The wait-for graph of the dump, reduced to the waits that lasted: next[i]
 * is the index (in "threads") of the thread that holds what thread i waits
 * for, -1 when it waits for nothing that lasted. */
typedef struct wait_graph {
    const cJSON **threads; /* by index */
    int *next;
    int count;
    int samples;    /* 1 for a single dump */
    double wall_ms; /* from the first sample to the last */
} wait_graph;

/* The entry of a sample's "waits" for this waiter, object and owner, or NULL. */
static const cJSON *wait_in_sample(const cJSON *sample, double waiter, const char *object,
                                   double owner)
{
    const cJSON *wait;
    cJSON_ArrayForEach(wait, cJSON_GetObjectItemCaseSensitive(sample, "waits"))
    {
        const char *id = cd_json_string_at(wait, "object");
        if (cd_json_number_or(wait, "java_id", -1) == waiter && id && strcmp(id, object) == 0 &&
            cd_json_number_or(wait, "owner_java_id", -1) == owner)
            return wait;
    }
    return NULL;
}

static int is_running(const char *state_line)
{
    return strncmp(state_line, "RUNNABLE", 8) == 0;
}

/* Whether the wait of thread (on object, held by owner) is in every sample,
 * its owner never RUNNABLE there. Without samples, the dump's own says. */
static int wait_lasted(const cJSON *doc, const wait_graph *g, double waiter, const char *object,
                       double owner)
{
    const cJSON *sample;
    if (g->samples < 2)
        return 1;
    cJSON_ArrayForEach(sample, cJSON_GetObjectItemCaseSensitive(doc, "samples"))
    {
        const cJSON *wait = wait_in_sample(sample, waiter, object, owner);
        if (!wait || is_running(cd_json_string_or(wait, "owner_state", "RUNNABLE")))
            return 0;
    }
    return 1;
}

static int graph_build(wait_graph *g, const cJSON *doc, const thread_table *table)
{
    const cJSON *threads = cd_threads_array(doc);
    g->count = cJSON_GetArraySize(threads);
    g->threads = calloc((size_t)g->count + 1, sizeof *g->threads);
    g->next = malloc(((size_t)g->count + 1) * sizeof *g->next);
    int samples = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "samples"));
    g->samples = samples > 1 ? samples : 1;
    g->wall_ms = cd_json_number_or(doc, "hot_threads/wall_ms", 0);
    if (!g->threads || !g->next)
        return -1;
    const cJSON *thread;
    int i = 0;
    cJSON_ArrayForEach(thread, threads)
    {
        g->threads[i] = thread;
        g->next[i] = -1;
        const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(thread, "waiting_for");
        const char *object = cd_json_string_at(waiting, "id");
        double owner_id;
        const struct thread_slot *owner =
            object && cd_json_number_at(waiting, "owner_java_id", &owner_id)
                ? table_get(table, owner_id)
                : NULL;
        if (owner && owner->thread != thread &&
            wait_lasted(doc, g, cd_json_number_or(thread, "java_id", -1), object, owner_id))
            g->next[i] = owner->index;
        i++;
    }
    return 0;
}

/* The thread at the end of i's chain and the chain's length in waits; -1
 * for a cycle (a deadlock, reported as such). */
static int chain_end(const wait_graph *g, int i, int *length)
{
    int at = i;
    for (*length = 0; g->next[at] >= 0; (*length)++) {
        if (*length > g->count)
            return -1;
        at = g->next[at];
    }
    return at;
}

/* "seen in all 3 samples over 2.0 s" or "in the one dump taken". */
static void lasted_text(const wait_graph *g, char *out, size_t outlen)
{
    if (g->samples > 1)
        snprintf(out, outlen, "in all %d samples over %.1f s", g->samples, g->wall_ms / 1000.0);
    else
        snprintf(out, outlen, "in the one dump taken");
}

static cd_severity chain_severity(const wait_graph *g, int waiters, int longest)
{
    if (g->samples >= CHAIN_CRITICAL_SAMPLES ||
        (g->samples > 1 && waiters >= CHAIN_CRITICAL_WAITERS))
        return CD_SEVERITY_CRITICAL;
    if (g->samples >= CHAIN_WARN_SAMPLES || waiters >= CHAIN_WARN_WAITERS ||
        (g->samples > 1 && (waiters > 1 || longest > 1)))
        return CD_SEVERITY_WARNING;
    return CD_SEVERITY_INFO; /* one waiter, one dump (or two): a moment, perhaps */
}

/* A detail line for what thread i waits for; the first NAMES_LISTED only. */
static void describe_wait(const cd_report_inputs *in, const wait_graph *g, int i, cd_finding *f,
                          int *listed)
{
    if ((*listed)++ >= NAMES_LISTED)
        return;
    detail_wait(in, f, cd_json_string_or(g->threads[i], "name", "?"), g->threads[i],
                cJSON_GetObjectItemCaseSensitive(g->threads[i], "waiting_for"),
                cd_json_string_or(g->threads[g->next[i]], "name", "?"));
}

/* One finding for the threads whose chains end at holder. */
static void report_chain(const cd_report_inputs *in, const wait_graph *g, int holder,
                         const int *ends, const int *lengths, cd_findings *out, id_set *explained)
{
    const cJSON *h = g->threads[holder];
    int waiters = 0, longest = 0, deepest = -1, all_explained = 1;
    for (int i = 0; i < g->count; i++)
        if (ends[i] == holder) {
            waiters++;
            all_explained &= id_set_has(explained, cd_json_number_or(g->threads[i], "java_id", -1));
            if (lengths[i] > longest) {
                longest = lengths[i];
                deepest = i;
            }
        }
    if (!waiters || all_explained || deepest < 0)
        return;
    const char *holder_name = cd_json_string_or(h, "name", "?");
    const char *state = cd_json_string_or(h, "state_line", "?");
    char lasted[96], chain[1024] = "";
    lasted_text(g, lasted, sizeof lasted);
    for (int at = deepest; at != holder; at = g->next[at]) /* "A" waits for "B", which waits for */
        cd_appendf(chain, sizeof chain, "\"%s\"%s waits for ",
                   cd_json_string_or(g->threads[at], "name", "?"), at == deepest ? "" : ", which");
    cd_finding *f =
        longest > 1 ? cd_findings_add(out, chain_severity(g, waiters, longest), "blocking-chain",
                                      "Blocking chain of %d: %s\"%s\", which is %s (%s)",
                                      longest + 1, chain, holder_name, state, lasted)
        : waiters == 1
            ? cd_findings_add(out, chain_severity(g, waiters, longest), "blocking-chain",
                              "%s\"%s\", which holds the lock while %s (%s)", chain, holder_name,
                              state, lasted)
            : cd_findings_add(out, chain_severity(g, waiters, longest), "blocking-chain",
                              "%d threads blocked behind \"%s\", which holds their lock while %s "
                              "(%s)",
                              waiters, holder_name, state, lasted);
    /* the longest chain first, in its order, then the other waiters */
    int listed = 0;
    for (int at = deepest; at != holder; at = g->next[at])
        describe_wait(in, g, at, f, &listed);
    for (int i = 0; i < g->count; i++) {
        if (ends[i] != holder)
            continue;
        id_set_add(explained, cd_json_number_or(g->threads[i], "java_id", -1));
        int on_longest = 0;
        for (int at = deepest; at != holder && !on_longest; at = g->next[at])
            on_longest = at == i;
        if (!on_longest)
            describe_wait(in, g, i, f, &listed);
    }
    if (listed > NAMES_LISTED)
        cd_finding_detail(f, "and %d more waiting", listed - NAMES_LISTED);
    /* the holder: what it does, and where it took what its waiters need */
    char taken[512] = "";
    detail_holder(in, f, h, holder_name);
    const cJSON *needed = NULL; /* what the first thread right behind the holder waits for */
    for (int i = 0; i < g->count && !needed; i++)
        if (g->next[i] == holder)
            needed = cJSON_GetObjectItemCaseSensitive(g->threads[i], "waiting_for");
    locked_at(in->threads, h, cd_json_string_or(needed, "id", ""), taken, sizeof taken);
    char object[320];
    object_name(needed, object, sizeof object);
    if (taken[0])
        cd_finding_detail(f, "it took %s in %s", object, taken);
    else
        cd_finding_detail(f,
                          "it holds %s; where a java.util.concurrent lock was taken is not "
                          "recorded",
                          object);
    id_set_add(explained, cd_json_number_or(h, "java_id", -1));
    cd_finding_recommend(f,
                         "Nothing behind \"%s\" moves until it lets go, and it is not running. "
                         "Its stack in thread_dump.txt shows what it waits for while holding the "
                         "lock: a sleep, a wait for another resource or a remote call inside a "
                         "synchronized block (or under a lock) is the usual cause. Release the "
                         "lock before waiting, or bound the wait with a timeout.",
                         holder_name);
    int first, last;
    double holder_id = cd_json_number_or(h, "java_id", -1);
    if (in->thread_dump && cd_dump_thread_lines(in->thread_dump, holder_id, &first, &last))
        cd_finding_lines(f, THREAD_DUMP, first, last);
    cd_finding_pointer(f, THREADS_JSON, "/threads/%d", holder);
}

static void blocking_chains(const cd_report_inputs *in, const thread_table *table, cd_findings *out,
                            id_set *explained)
{
    wait_graph g = {0};
    int *ends = NULL, *lengths = NULL;
    unsigned char *is_end = NULL; /* some chain ends at this thread */
    if (graph_build(&g, in->threads, table) == 0 &&
        (ends = malloc(((size_t)g.count + 1) * sizeof *ends)) &&
        (lengths = malloc(((size_t)g.count + 1) * sizeof *lengths)) &&
        (is_end = calloc((size_t)g.count + 1, 1))) {
        for (int i = 0; i < g.count; i++)
            ends[i] = g.next[i] >= 0 ? chain_end(&g, i, &lengths[i]) : -1;
        /* a holder that runs makes progress: contention at worst, not a block */
        for (int i = 0; i < g.count; i++) {
            if (ends[i] >= 0 &&
                is_running(cd_json_string_or(g.threads[ends[i]], "state_line", "RUNNABLE")))
                ends[i] = -1;
            if (ends[i] >= 0)
                is_end[ends[i]] = 1;
        }
        /* report_chain looks at every thread: only for the few holders */
        for (int holder = 0; holder < g.count; holder++)
            if (is_end[holder])
                report_chain(in, &g, holder, ends, lengths, out, explained);
    }
    free(is_end);
    free(ends);
    free(lengths);
    free(g.threads);
    free(g.next);
}

/* ---------------------------------------------------------------- samples */

static double sample_count(const cJSON *doc)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "samples"));
}

static const cJSON *stuck_entry(const cJSON *doc, double java_id)
{
    const cJSON *hot = cJSON_GetObjectItemCaseSensitive(doc, "hot_threads");
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(hot, "stuck"))
    {
        if (cd_json_number_or(entry, "java_id", -2) == java_id)
            return entry;
    }
    return NULL;
}

/* "\"name\"", with what the thread does when it is one of the VM's own:
 * "\"GC Thread#0\" (GC)". */
static void hot_thread_label(const cJSON *entry, char *out, size_t outlen)
{
    const char *kind = cd_json_string_at(entry, "kind");
    snprintf(out, outlen, "\"%s\"%s%s%s", cd_json_string_or(entry, "name", "?"), kind ? " (" : "",
             kind ? kind : "", kind ? ")" : "");
}

/* What to do when the VM's own threads are among the hot ones. */
static void recommend_for_vm_threads(cd_finding *f, const cJSON *top)
{
    int gc = 0, jit = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, top)
    {
        const char *kind = cd_json_string_at(entry, "kind");
        if (cd_json_number_or(entry, "percent_of_core", 0) < HOT_THREAD_PERCENT || !kind)
            continue;
        gc |= strcmp(kind, "GC") == 0;
        jit |= strcmp(kind, "JIT compiler") == 0;
    }
    if (gc)
        cd_finding_detail(f, "GC threads are busy: the heap is nearly full or the allocation rate "
                             "is high; see memoryinfo/gc_statistics.txt and the heap findings");
    if (jit)
        cd_finding_detail(f, "a JIT compiler thread is busy: its \"Compiling:\" line in "
                             "thread_dump.txt names the method; one that stays there across "
                             "samples is a huge method (-XX:CompileCommand=exclude,... keeps it "
                             "interpreted)");
}

static void hot_threads(const cd_report_inputs *in, const thread_table *table, cd_findings *out)
{
    const cJSON *hot = cJSON_GetObjectItemCaseSensitive(in->threads, "hot_threads");
    const cJSON *top = cJSON_GetObjectItemCaseSensitive(hot, "top_cpu");
    const cJSON *entry;
    int listed = 0;
    double total_percent = 0, highest = 0, lowest = 0;
    char names[1024] = "";
    cJSON_ArrayForEach(entry, top)
    {
        double percent = cd_json_number_or(entry, "percent_of_core", 0);
        total_percent += percent;
        if (percent < HOT_THREAD_PERCENT)
            continue;
        char label[320];
        hot_thread_label(entry, label, sizeof label);
        if (listed < NAMES_LISTED)
            cd_appendf(names, sizeof names, "%s%s", listed ? ", " : "", label);
        highest = listed == 0 ? percent : highest;
        lowest = percent;
        listed++;
    }
    if (!listed)
        return;
    double cpus = cd_available_cpus(in);
    int saturated = cpus > 0 && total_percent >= CPU_SATURATION_RATIO * cpus * 100.0;
    double wall_s = cd_json_number_or(hot, "wall_ms", 0) / 1000.0;
    cd_finding *f =
        listed == 1
            ? cd_findings_add(out, saturated ? CD_SEVERITY_WARNING : CD_SEVERITY_INFO,
                              "hot-threads",
                              "Hot thread: %s used %.0f%% of a core over %.1f s "
                              "of samples",
                              names, highest, wall_s)
            : cd_findings_add(out, saturated ? CD_SEVERITY_WARNING : CD_SEVERITY_INFO,
                              "hot-threads", "%d hot threads used %.0f-%.0f%% of a core each: %s",
                              listed, lowest, highest, names);
    cJSON_ArrayForEach(entry, top)
    {
        double percent = cd_json_number_or(entry, "percent_of_core", 0);
        if (percent < HOT_THREAD_PERCENT)
            continue;
        double id = cd_json_number_or(entry, "java_id", -1);
        const struct thread_slot *slot = id >= 0 ? table_get(table, id) : NULL;
        char frame[512] = "", label[320];
        if (slot)
            cd_thread_frame_text(in->threads, slot->thread, 0, frame, sizeof frame);
        hot_thread_label(entry, label, sizeof label);
        if (id < 0) /* no Java thread: no state, no frames */
            cd_finding_detail(f, "%s %.1f%% of a core, nid=%.0f", label, percent,
                              cd_json_number_or(entry, "nid", -1));
        else
            cd_finding_detail(
                f, "%s %.1f%% of a core, %s%s%s%s", label, percent,
                cd_json_string_or(entry, "state_line", "?"), frame[0] ? " at " : "", frame,
                stuck_entry(in->threads, id) ? " (same frames in every sample: a loop?)" : "");
    }
    recommend_for_vm_threads(f, top);
    if (cpus > 0)
        cd_finding_detail(f, "all sampled threads together: %.0f%% of a core, of %.4g available",
                          total_percent, cpus);
    cd_finding_recommend(f, "Compare these threads' stacks across threads/thread_dump-N.txt: "
                            "a thread that burns CPU in the same frames every time is looping "
                            "(a busy-wait, a runaway regex, a collection walked without end).");
    cd_finding_lines(f, "threads/hot_threads.txt", 0, 0);
    cd_finding_pointer(f, THREADS_JSON, "/hot_threads/top_cpu");
}

static void stuck_threads(const cd_report_inputs *in, const thread_table *table, cd_findings *out,
                          const id_set *explained)
{
    const cJSON *stuck = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(in->threads, "hot_threads"), "stuck");
    const cJSON *entry;
    int count = 0;
    char names[1024] = "";
    cJSON_ArrayForEach(entry, stuck)
    {
        const char *state = cd_json_string_or(entry, "state_line", "");
        if (strncmp(state, "BLOCKED", 7) != 0 ||
            id_set_has(explained, cd_json_number_or(entry, "java_id", -1)))
            continue;
        if (count < NAMES_LISTED)
            cd_appendf(names, sizeof names, "%s\"%s\"", count ? ", " : "",
                       cd_json_string_or(entry, "name", "?"));
        count++;
    }
    if (!count)
        return;
    cd_finding *f =
        cd_findings_add(out, count >= STUCK_BLOCKED_WARN ? CD_SEVERITY_WARNING : CD_SEVERITY_INFO,
                        "stuck-threads", "%s stayed BLOCKED at the same place in all %.0f samples",
                        names, sample_count(in->threads));
    cJSON_ArrayForEach(entry, stuck)
    {
        double id = cd_json_number_or(entry, "java_id", -1);
        if (strncmp(cd_json_string_or(entry, "state_line", ""), "BLOCKED", 7) != 0 ||
            id_set_has(explained, id))
            continue;
        const struct thread_slot *slot = table_get(table, id);
        const cJSON *waiting =
            slot ? cJSON_GetObjectItemCaseSensitive(slot->thread, "waiting_for") : NULL;
        const struct thread_slot *owner =
            table_get(table, cd_json_number_or(waiting, "owner_java_id", -1));
        char object[320] = "";
        if (waiting)
            object_name(waiting, object, sizeof object);
        cd_finding_detail(f, "\"%s\" at %s%s%s%s%s", cd_json_string_or(entry, "name", "?"),
                          cd_json_string_or(entry, "top_frame", "?"),
                          object[0] ? ", waiting for " : "", object, owner ? " held by " : "",
                          owner ? cd_json_string_or(owner->thread, "name", "?") : "");
    }
    cd_finding_recommend(f, "A thread blocked for the whole sampling window waits for a lock "
                            "that is not released. Look up the holder in thread_dump.txt and "
                            "what it is doing.");
    cd_finding_lines(f, "threads/hot_threads.txt", 0, 0);
    cd_finding_pointer(f, THREADS_JSON, "/hot_threads/stuck");
}

static void thread_explosion(const cd_report_inputs *in, cd_findings *out)
{
    cd_thread_group groups[3];
    size_t n = cd_thread_groups(in->threads, groups, 3);
    if (n == 0 || groups[0].count < THREAD_GROUP_WARN)
        return;
    cd_finding *f = cd_findings_add(out, CD_SEVERITY_WARNING, "thread-explosion",
                                    "%d threads named like \"%s\" (%s)", groups[0].count,
                                    groups[0].pattern, groups[0].state_line);
    cd_finding_thread_groups(f, groups, n);
    cd_finding_recommend(f, "A pool without an upper bound, or threads started per request and "
                            "never ended, end in \"unable to create native thread\". Find who "
                            "starts these threads (their stacks show the pool) and bound it.");
    cd_finding_pointer(f, THREADS_JSON, "/threads");
}

/* ---------------------------------------------------------------- entry */

void cd_findings_threads(const cd_report_inputs *in, cd_findings *out)
{
    if (!in->threads)
        return;
    thread_table table;
    table_build(&table, in->threads);
    id_set explained = {0};
    deadlocks(in, &table, out, &explained);
    contention(in, &table, out, &explained);
    blocking_chains(in, &table, out, &explained);
    hot_threads(in, &table, out);
    stuck_threads(in, &table, out, &explained);
    thread_explosion(in, out);
    free(explained.ids);
    free(table.slots);
}
