/*
 * GC pause recording: see gc_events.h.
 *
 * Writers are the two event handlers (hooked into events.c), which HotSpot
 * calls on the thread that runs the collection (the VM thread) in
 * start/finish pairs. The finish
 * handler publishes a pause under a seqlock: it makes the sequence odd, writes
 * the counters and one ring slot, and makes it even again. Readers copy what
 * they need and retry if the sequence was odd or moved meanwhile. All shared
 * words are C11 atomics (relaxed inside the seqlock, ordered by the fences
 * around it), so there is no data race, and nothing here ever waits for a
 * reader.
 */
#include "gc_events.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/events.h"

typedef struct pause_slot {
    _Atomic uint64_t sequence, start_mono_ns, start_wall_ms, duration_ns;
} pause_slot;

typedef struct listener_slot {
    _Atomic(cd_gc_pause_listener) listener;
    _Atomic(void *) context;
} listener_slot;

static struct {
    pthread_mutex_t lock; /* start-up and (un)subscription; never taken by handlers */
    int started;
    int start_rc;
    char problem[CD_ERROR_MESSAGE_MAX];
    uint64_t since_wall_ms, since_mono_ns;

    /* the pause in progress (written by the start handler, taken by finish) */
    _Atomic uint64_t pending_mono_ns, pending_wall_ms;

    atomic_flag writer;       /* between writers, should there ever be two */
    _Atomic unsigned seqlock; /* odd while a pause is being published */
    _Atomic uint64_t pauses, total_pause_ns, max_pause_ns;
    pause_slot ring[CD_GC_PAUSE_HISTORY];

    listener_slot listeners[CD_GC_LISTENERS_MAX];
    _Atomic int listeners_running;
} gc = {.lock = PTHREAD_MUTEX_INITIALIZER, .writer = ATOMIC_FLAG_INIT};

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- handlers */

/* At a safepoint: clocks and atomics only. */
static void on_gc_start(jvmtiEnv *jvmti)
{
    atomic_store_explicit(&gc.pending_wall_ms, clock_ns(CLOCK_REALTIME) / 1000000u,
                          memory_order_relaxed);
    atomic_store_explicit(&gc.pending_mono_ns, clock_ns(CLOCK_MONOTONIC), memory_order_release);
}

static void publish(const cd_gc_pause *pause, cd_gc_counters *counters)
{
    while (atomic_flag_test_and_set_explicit(&gc.writer, memory_order_acquire))
        ; /* only if two collections ever overlapped: a few instructions */
    atomic_fetch_add_explicit(&gc.seqlock, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);

    uint64_t pauses = atomic_load_explicit(&gc.pauses, memory_order_relaxed) + 1;
    uint64_t total =
        atomic_load_explicit(&gc.total_pause_ns, memory_order_relaxed) + pause->duration_ns;
    uint64_t max = atomic_load_explicit(&gc.max_pause_ns, memory_order_relaxed);
    if (pause->duration_ns > max)
        max = pause->duration_ns;
    pause_slot *slot = &gc.ring[(pauses - 1) % CD_GC_PAUSE_HISTORY];
    atomic_store_explicit(&slot->sequence, pauses, memory_order_relaxed);
    atomic_store_explicit(&slot->start_mono_ns, pause->start_mono_ns, memory_order_relaxed);
    atomic_store_explicit(&slot->start_wall_ms, pause->start_wall_ms, memory_order_relaxed);
    atomic_store_explicit(&slot->duration_ns, pause->duration_ns, memory_order_relaxed);
    atomic_store_explicit(&gc.pauses, pauses, memory_order_relaxed);
    atomic_store_explicit(&gc.total_pause_ns, total, memory_order_relaxed);
    atomic_store_explicit(&gc.max_pause_ns, max, memory_order_relaxed);

    atomic_fetch_add_explicit(&gc.seqlock, 1, memory_order_release);
    atomic_flag_clear_explicit(&gc.writer, memory_order_release);

    counters->recording = 1;
    counters->since_wall_ms = gc.since_wall_ms;
    counters->since_mono_ns = gc.since_mono_ns;
    counters->pauses = pauses;
    counters->total_pause_ns = total;
    counters->max_pause_ns = max;
    counters->pause_started_mono_ns = 0;
}

/* At a safepoint: clocks, atomics and the listeners' own contract only. */
static void on_gc_finish(jvmtiEnv *jvmti)
{
    uint64_t now = clock_ns(CLOCK_MONOTONIC);
    uint64_t started = atomic_exchange_explicit(&gc.pending_mono_ns, 0, memory_order_acquire);
    if (started == 0 || now < started)
        return; /* recording began in the middle of this pause */
    cd_gc_pause pause = {
        .start_mono_ns = started,
        .start_wall_ms = atomic_load_explicit(&gc.pending_wall_ms, memory_order_relaxed),
        .duration_ns = now - started,
    };
    cd_gc_counters counters;
    publish(&pause, &counters);
    pause.sequence = counters.pauses;

    /* sequentially consistent, pairing with cd_gc_events_unsubscribe: either
     * it sees this call running, or this call sees the listener gone */
    atomic_fetch_add(&gc.listeners_running, 1);
    for (int i = 0; i < CD_GC_LISTENERS_MAX; i++) {
        cd_gc_pause_listener listener = atomic_load(&gc.listeners[i].listener);
        if (listener)
            listener(&pause, &counters,
                     atomic_load_explicit(&gc.listeners[i].context, memory_order_relaxed));
    }
    atomic_fetch_sub(&gc.listeners_running, 1);
}

/* ---------------------------------------------------------------- start */

int cd_gc_events_start(cd_agent *agent, cd_error *err)
{
    pthread_mutex_lock(&gc.lock);
    if (!gc.started) {
        cd_error why = {0};
        gc.since_wall_ms = clock_ns(CLOCK_REALTIME) / 1000000u;
        gc.since_mono_ns = clock_ns(CLOCK_MONOTONIC);
        gc.start_rc = cd_events_hook_gc(agent, on_gc_start, on_gc_finish, &why);
        if (gc.start_rc != 0)
            snprintf(gc.problem, sizeof gc.problem, "GC pause recording is off: %s", why.message);
        gc.started = 1;
    }
    int rc = gc.start_rc;
    if (rc != 0)
        cd_fail(err, CD_ERR_UNSUPPORTED, "%s", gc.problem);
    pthread_mutex_unlock(&gc.lock);
    return rc;
}

const char *cd_gc_events_problem(void)
{
    pthread_mutex_lock(&gc.lock);
    const char *problem = !gc.started   ? "GC pause recording was never started"
                          : gc.start_rc ? gc.problem
                                        : NULL;
    pthread_mutex_unlock(&gc.lock);
    return problem;
}

/* ---------------------------------------------------------------- readers */

#define READ_ATTEMPTS 1000

size_t cd_gc_events_recent(cd_gc_pause *out, size_t max, cd_gc_counters *counters)
{
    cd_gc_counters snapshot;
    size_t copied = 0;
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        unsigned before = atomic_load_explicit(&gc.seqlock, memory_order_acquire);
        if (before & 1)
            continue;
        memset(&snapshot, 0, sizeof snapshot);
        snapshot.pauses = atomic_load_explicit(&gc.pauses, memory_order_relaxed);
        snapshot.total_pause_ns = atomic_load_explicit(&gc.total_pause_ns, memory_order_relaxed);
        snapshot.max_pause_ns = atomic_load_explicit(&gc.max_pause_ns, memory_order_relaxed);
        uint64_t kept =
            snapshot.pauses < CD_GC_PAUSE_HISTORY ? snapshot.pauses : CD_GC_PAUSE_HISTORY;
        copied = kept < max ? (size_t)kept : max;
        for (size_t i = 0; i < copied; i++) {
            uint64_t sequence = snapshot.pauses - copied + 1 + i;
            const pause_slot *slot = &gc.ring[(sequence - 1) % CD_GC_PAUSE_HISTORY];
            out[i].sequence = atomic_load_explicit(&slot->sequence, memory_order_relaxed);
            out[i].start_mono_ns = atomic_load_explicit(&slot->start_mono_ns, memory_order_relaxed);
            out[i].start_wall_ms = atomic_load_explicit(&slot->start_wall_ms, memory_order_relaxed);
            out[i].duration_ns = atomic_load_explicit(&slot->duration_ns, memory_order_relaxed);
        }
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&gc.seqlock, memory_order_relaxed) == before)
            break;
    }
    /* After READ_ATTEMPTS collisions (a collector pausing back to back) the
     * last copy is returned: each slot is whole, the set may straddle one pause. */
    if (counters) {
        pthread_mutex_lock(&gc.lock);
        snapshot.recording = gc.started && gc.start_rc == 0;
        snapshot.since_wall_ms = gc.since_wall_ms;
        snapshot.since_mono_ns = gc.since_mono_ns;
        pthread_mutex_unlock(&gc.lock);
        snapshot.pause_started_mono_ns =
            atomic_load_explicit(&gc.pending_mono_ns, memory_order_acquire);
        *counters = snapshot;
    }
    return copied;
}

void cd_gc_events_counters(cd_gc_counters *out)
{
    cd_gc_events_recent(NULL, 0, out);
}

/* ---------------------------------------------------------------- listeners */

int cd_gc_events_subscribe(cd_gc_pause_listener listener, void *context, cd_error *err)
{
    pthread_mutex_lock(&gc.lock);
    for (int i = 0; i < CD_GC_LISTENERS_MAX; i++) {
        if (atomic_load(&gc.listeners[i].listener) == NULL) {
            atomic_store(&gc.listeners[i].context, context);
            atomic_store_explicit(&gc.listeners[i].listener, listener, memory_order_release);
            pthread_mutex_unlock(&gc.lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&gc.lock);
    return cd_fail(err, CD_ERR_INTERNAL, "no room for another GC listener (%d at most)",
                   CD_GC_LISTENERS_MAX);
}

void cd_gc_events_unsubscribe(cd_gc_pause_listener listener, void *context)
{
    pthread_mutex_lock(&gc.lock);
    for (int i = 0; i < CD_GC_LISTENERS_MAX; i++)
        if (atomic_load(&gc.listeners[i].listener) == listener &&
            atomic_load(&gc.listeners[i].context) == context)
            atomic_store(&gc.listeners[i].listener, NULL);
    /* A pause being handled right now may still hold the old pointer. Waiting
     * under the lock keeps the slot from being reused meanwhile; the handlers
     * never take this lock. */
    struct timespec pause = {0, 1000000};
    while (atomic_load(&gc.listeners_running) > 0)
        nanosleep(&pause, NULL);
    pthread_mutex_unlock(&gc.lock);
}
