/*
 * The worker-thread sink: see include/carbondump/sink_async.h.
 *
 * A ring of buffers: the producer fills slot[head], the worker drains
 * slot[tail] in order. full_count buffers wait for the worker; the producer
 * blocks only when all are full, the worker only when none is.
 */
#include "carbondump/sink_async.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct async_buffer {
    unsigned char *data;
    size_t used;
} async_buffer;

typedef struct async_sink {
    cd_sink base;
    cd_sink *inner;
    pthread_t worker;
    int worker_running;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    async_buffer *slots;
    unsigned count, head, tail, full_count;
    size_t buffer_bytes;
    int closing;      /* no more buffers will come */
    int inner_failed; /* the worker saw the inner sink fail */
} async_sink;

static void *drain(void *arg)
{
    async_sink *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (a->full_count == 0 && !a->closing)
            pthread_cond_wait(&a->changed, &a->lock);
        if (a->full_count == 0)
            break;
        async_buffer *b = &a->slots[a->tail];
        int skip = a->inner_failed;
        pthread_mutex_unlock(&a->lock);
        int failed = !skip && cd_sink_write(a->inner, b->data, b->used) != 0;
        pthread_mutex_lock(&a->lock);
        b->used = 0;
        a->tail = (a->tail + 1) % a->count;
        a->full_count--;
        a->inner_failed |= failed;
        pthread_cond_broadcast(&a->changed);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

/* Hands the current buffer to the worker and waits for a free one. */
static int submit(async_sink *a, cd_error *err)
{
    pthread_mutex_lock(&a->lock);
    a->head = (a->head + 1) % a->count;
    a->full_count++;
    pthread_cond_broadcast(&a->changed);
    while (a->full_count == a->count && !a->inner_failed)
        pthread_cond_wait(&a->changed, &a->lock);
    int failed = a->inner_failed;
    pthread_mutex_unlock(&a->lock);
    if (failed) {
        *err = a->inner->error;
        return -1;
    }
    return 0;
}

static int async_write(cd_sink *sink, const void *data, size_t len, cd_error *err)
{
    async_sink *a = (async_sink *)sink;
    const unsigned char *p = data;
    while (len > 0) {
        async_buffer *b = &a->slots[a->head];
        size_t n = a->buffer_bytes - b->used;
        if (n > len)
            n = len;
        memcpy(b->data + b->used, p, n);
        b->used += n;
        p += n;
        len -= n;
        if (b->used == a->buffer_bytes && submit(a, err) != 0)
            return -1;
    }
    return 0;
}

/* Stops the worker after it has written everything handed to it. */
static void stop_worker(async_sink *a)
{
    if (!a->worker_running)
        return;
    pthread_mutex_lock(&a->lock);
    a->closing = 1;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->worker, NULL);
    a->worker_running = 0;
}

static int async_commit(cd_sink *sink, cd_error *err)
{
    async_sink *a = (async_sink *)sink;
    if (a->slots[a->head].used > 0) {
        pthread_mutex_lock(&a->lock);
        a->head = (a->head + 1) % a->count;
        a->full_count++;
        pthread_cond_broadcast(&a->changed);
        pthread_mutex_unlock(&a->lock);
    }
    stop_worker(a);
    if (a->inner_failed) {
        *err = a->inner->error;
        return -1;
    }
    cd_sink *inner = a->inner;
    a->inner = NULL;
    return cd_sink_close(inner, err);
}

static void async_destroy(cd_sink *sink, int committed)
{
    async_sink *a = (async_sink *)sink;
    if (a->worker_running) {
        /* Abandoned: the worker discards what is queued instead of writing it. */
        pthread_mutex_lock(&a->lock);
        a->inner_failed = 1;
        pthread_mutex_unlock(&a->lock);
        stop_worker(a);
    }
    cd_sink_abandon(a->inner);
    for (unsigned i = 0; a->slots && i < a->count; i++)
        free(a->slots[i].data);
    free(a->slots);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->changed);
    free(a);
}

static const cd_sink_ops async_ops = {async_write, async_commit, async_destroy};

cd_sink *cd_sink_async(cd_sink *inner, size_t buffer_bytes, unsigned buffers, cd_error *err)
{
    async_sink *a = calloc(1, sizeof *a);
    if (!a) {
        cd_sink_abandon(inner);
        cd_fail(err, CD_ERR_NOMEM, "out of memory starting an output thread");
        return NULL;
    }
    a->base.ops = &async_ops;
    a->inner = inner;
    a->buffer_bytes = buffer_bytes ? buffer_bytes : (size_t)1 << 20;
    a->count = buffers >= 2 ? buffers : 2;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->changed, NULL);
    a->slots = calloc(a->count, sizeof *a->slots);
    int ok = a->slots != NULL;
    for (unsigned i = 0; ok && i < a->count; i++)
        ok = (a->slots[i].data = malloc(a->buffer_bytes)) != NULL;
    if (!ok) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory for output buffers");
        async_destroy(&a->base, 0);
        return NULL;
    }
    if (pthread_create(&a->worker, NULL, drain, a) != 0) {
        cd_fail(err, CD_ERR_INTERNAL, "cannot start an output thread");
        async_destroy(&a->base, 0);
        return NULL;
    }
    a->worker_running = 1;
    return &a->base;
}
