/*
 * Deadlocks: cycles in the wait-for graph of a thread dump (thread_format.c
 * writes them the way jstack reports them).
 *
 * Each thread waits for at most one thing: the monitor it is BLOCKED on, or
 * the AbstractOwnableSynchronizer it is parked on (ReentrantLock,
 * ReentrantReadWriteLock's write lock, a ThreadPoolExecutor worker ...). The
 * owner of that thing, when it is a thread of the dump, is the thread's only
 * outgoing edge, so the graph is functional: one walk from every thread, each
 * thread visited once, finds every cycle exactly once. Threads that merely
 * wait for a deadlocked thread lead into a cycle without being on it and are
 * not reported; a thread "waiting" for itself is not a deadlock.
 *
 * The edges come from one dump; the collector double-checks every cycle
 * against the live VM before keeping it (a real deadlock does not move), so a
 * cycle assembled from data read at slightly different moments is dropped.
 *
 * Pure C over thread_model.h; unit-tested in tests/unit/test_deadlocks.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "thread_model.h"

static int compare_first_member(const void *a, const void *b)
{
    size_t x = ((const cd_deadlock *)a)->threads[0];
    size_t y = ((const cd_deadlock *)b)->threads[0];
    return x < y ? -1 : x > y;
}

/* Records the cycle through start, beginning at its lowest index. */
static int add_cycle(cd_thread_dump *dump, const size_t *next, size_t start, size_t capacity)
{
    size_t lowest = start, count = 1;
    for (size_t i = next[start]; i != start; i = next[i]) {
        if (i < lowest)
            lowest = i;
        count++;
    }
    if (dump->deadlock_count >= capacity)
        return -1;
    cd_deadlock *cycle = &dump->deadlocks[dump->deadlock_count];
    cycle->threads = cd_arena_alloc(&dump->arena, count * sizeof *cycle->threads);
    if (!cycle->threads)
        return -1;
    cycle->count = count;
    size_t i = lowest;
    for (size_t k = 0; k < count; k++, i = next[i])
        cycle->threads[k] = i;
    dump->deadlock_count++;
    return 0;
}

int cd_deadlocks_find(cd_thread_dump *dump)
{
    const size_t none = (size_t)-1;
    size_t n = dump->count;
    dump->deadlocks = NULL;
    dump->deadlock_count = 0;
    if (n == 0)
        return 0;
    cd_thread_index index;
    size_t *next = malloc(n * sizeof *next);
    size_t *walk = malloc(n * sizeof *walk); /* which walk visited a thread, none: not yet */
    if (!next || !walk || cd_thread_index_build(&index, dump) != 0) {
        free(next);
        free(walk);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const cd_thread *t = &dump->threads[i];
        next[i] =
            t->wait_kind == CD_WAIT_NONE ? none : cd_thread_index_get(&index, t->waiting_for_owner);
        if (next[i] == i)
            next[i] = none;
        walk[i] = none;
    }
    cd_thread_index_free(&index);

    /* At most n / 2 cycles: each has two threads at least. */
    size_t capacity = n / 2 + 1;
    dump->deadlocks = cd_arena_alloc(&dump->arena, capacity * sizeof *dump->deadlocks);
    int rc = dump->deadlocks ? 0 : -1;
    for (size_t start = 0; rc == 0 && start < n; start++) {
        size_t i = start;
        while (i != none && walk[i] == none) {
            walk[i] = start;
            i = next[i];
        }
        if (i != none && walk[i] == start) /* came back to this walk's own path */
            rc = add_cycle(dump, next, i, capacity);
    }
    free(next);
    free(walk);
    if (rc != 0) {
        dump->deadlock_count = 0;
        return -1;
    }
    qsort(dump->deadlocks, dump->deadlock_count, sizeof *dump->deadlocks, compare_first_member);
    return (int)dump->deadlock_count;
}
