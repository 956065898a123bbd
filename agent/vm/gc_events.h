/*
 * GC pause recording: JVMTI GarbageCollectionStart/Finish events, turned into
 * counters and a history of the most recent pauses, for the "gc" part and for
 * triggers that watch the collector (e.g. GC thrashing).
 *
 * Recording starts once per process, when the agent is first loaded (at
 * start-up or on the first attach), and lasts as long as the VM. This module
 * owns the GC hook of events.h: whatever else wants to react to pauses (the
 * GC-thrashing trigger) subscribes a listener here instead. The events report stop-the-world
 * collections only (JVMTI's definition); concurrent phases of G1, ZGC or Shenandoah are not pauses
 * and are not seen.
 *
 * The event handlers run on the VM thread while the world is stopped: they
 * take two clock readings, update the counters and the ring under a seqlock
 * (lock-free for readers, a spin flag between writers), and call the
 * listeners. They never allocate, never call JNI and never block, so readers
 * (any thread, any time) cannot stall a collection, and a reader that races
 * with a pause simply retries.
 */
#ifndef CARBONDUMP_AGENT_GC_EVENTS_H
#define CARBONDUMP_AGENT_GC_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/part.h"

/* How many of the most recent pauses are kept (percentiles use them all). */
#define CD_GC_PAUSE_HISTORY 4096
/* How many listeners may be subscribed at once. */
#define CD_GC_LISTENERS_MAX 4

typedef struct cd_gc_pause {
    uint64_t sequence;      /* 1 for the first pause recorded, then 2, 3 ... */
    uint64_t start_mono_ns; /* CLOCK_MONOTONIC at GarbageCollectionStart */
    uint64_t start_wall_ms; /* epoch milliseconds at GarbageCollectionStart */
    uint64_t duration_ns;   /* GarbageCollectionStart to GarbageCollectionFinish */
} cd_gc_pause;

typedef struct cd_gc_counters {
    int recording;          /* 0: no events (see cd_gc_events_problem) */
    uint64_t since_wall_ms; /* when recording started */
    uint64_t since_mono_ns;
    uint64_t pauses; /* finished pauses since then */
    uint64_t total_pause_ns;
    uint64_t max_pause_ns;
    uint64_t pause_started_mono_ns; /* a pause in progress started then; 0 if none */
} cd_gc_counters;

/* Starts recording (idempotent; later calls return the first outcome). Called
 * from cd_agent_get. On failure the reason is kept for cd_gc_events_problem. */
int cd_gc_events_start(cd_agent *agent, cd_error *err);

/* Why recording is off, or NULL when it is on. */
const char *cd_gc_events_problem(void);

/* A consistent snapshot of the counters. Never blocks. */
void cd_gc_events_counters(cd_gc_counters *out);

/* Copies the most recent pauses, at most max, oldest first, into out and
 * returns how many; *counters (may be NULL) gets the counters of the same
 * instant. Never blocks. */
size_t cd_gc_events_recent(cd_gc_pause *out, size_t max, cd_gc_counters *counters);

/* Called after each pause on the VM thread, at a safepoint, with the world
 * stopped: a listener must return quickly and must not allocate, call JNI,
 * call JVMTI (raw monitors excepted: RawMonitorNotify to wake a watcher is
 * fine) or take locks another thread can hold for long. */
typedef void (*cd_gc_pause_listener)(const cd_gc_pause *pause, const cd_gc_counters *counters,
                                     void *context);

/* Adds a listener; fails when CD_GC_LISTENERS_MAX are subscribed. */
int cd_gc_events_subscribe(cd_gc_pause_listener listener, void *context, cd_error *err);

/* Removes a listener (same function and context). When it returns, the
 * listener is not running and will not be called again. */
void cd_gc_events_unsubscribe(cd_gc_pause_listener listener, void *context);

#endif
