/*
 * Sinks: plain file, gzip stream and memory buffer behind one interface.
 * See include/carbondump/sink.h for the contract.
 */
#include "carbondump/sink.h"

#include "carbondump/format.h"
#include "carbondump/array.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* ---------------------------------------------------------------- generic */

int cd_sink_write(cd_sink *sink, const void *data, size_t len)
{
    if (sink->failed)
        return -1;
    if (len == 0)
        return 0;
    if (sink->ops->write(sink, data, len, &sink->error) != 0) {
        sink->failed = 1;
        return -1;
    }
    sink->bytes_written += len;
    return 0;
}

int cd_sink_puts(cd_sink *sink, const char *text)
{
    return cd_sink_write(sink, text, strlen(text));
}

int cd_sink_vprintf(cd_sink *sink, const char *fmt, va_list ap)
{
    char small[1024];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) {
        cd_error e;
        cd_fail(&e, CD_ERR_INTERNAL, "cannot format output");
        cd_sink_fail(sink, &e);
        return -1;
    }
    if ((size_t)n < sizeof small)
        return cd_sink_write(sink, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) {
        cd_error e;
        cd_fail(&e, CD_ERR_NOMEM, "out of memory formatting output");
        cd_sink_fail(sink, &e);
        return -1;
    }
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    int rc = cd_sink_write(sink, big, (size_t)n);
    free(big);
    return rc;
}

int cd_sink_put_int(cd_sink *sink, int64_t value)
{
    char text[CD_INT_TEXT_MAX];
    return cd_sink_write(sink, text, cd_format_int(value, text));
}

int cd_sink_put_hex(cd_sink *sink, uint64_t value, int min_digits)
{
    char text[CD_HEX_TEXT_MAX];
    return cd_sink_write(sink, text, cd_format_hex(value, min_digits, text));
}

int cd_sink_printf(cd_sink *sink, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cd_sink_vprintf(sink, fmt, ap);
    va_end(ap);
    return rc;
}

void cd_sink_fail(cd_sink *sink, const cd_error *err)
{
    if (!sink->failed) {
        sink->failed = 1;
        sink->error = *err;
    }
}

int cd_sink_close(cd_sink *sink, cd_error *err)
{
    if (!sink)
        return 0;
    if (!sink->failed && sink->ops->commit(sink, &sink->error) != 0)
        sink->failed = 1;
    int failed = sink->failed;
    if (failed && err)
        *err = sink->error;
    sink->ops->destroy(sink, !failed);
    return failed ? -1 : 0;
}

void cd_sink_abandon(cd_sink *sink)
{
    if (sink)
        sink->ops->destroy(sink, 0);
}

/* ---------------------------------------------------------------- guards */

struct cd_sink_guard {
    atomic_int tripped;
    pthread_mutex_t commit_lock; /* held by a commit from its check to its rename */
    char message[CD_ERROR_MESSAGE_MAX];
};

static _Thread_local cd_sink_guard *thread_guard;

cd_sink_guard *cd_sink_guard_new(void)
{
    cd_sink_guard *guard = calloc(1, sizeof *guard);
    if (!guard)
        return NULL;
    atomic_init(&guard->tripped, 0);
    pthread_mutex_init(&guard->commit_lock, NULL);
    return guard;
}

void cd_sink_guard_install(cd_sink_guard *guard)
{
    thread_guard = guard;
}

void cd_sink_guard_trip(cd_sink_guard *guard, const char *message)
{
    if (!guard || atomic_load(&guard->tripped))
        return;
    snprintf(guard->message, sizeof guard->message, "%s", message);
    atomic_store(&guard->tripped, 1);
    /* A commit that passed its check before the trip finishes its rename; one
     * stuck in a rename for longer than this is beyond waiting for. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    if (pthread_mutex_timedlock(&guard->commit_lock, &until) == 0)
        pthread_mutex_unlock(&guard->commit_lock);
}

void cd_sink_guard_free(cd_sink_guard *guard)
{
    if (!guard)
        return;
    pthread_mutex_destroy(&guard->commit_lock);
    free(guard);
}

/* Fails with the guard's message when it is tripped. */
static int guard_check(cd_sink_guard *guard, cd_error *err)
{
    if (guard && atomic_load(&guard->tripped))
        return cd_fail(err, CD_ERR_TIMEOUT, "%s", guard->message);
    return 0;
}

/* ---------------------------------------------------------------- file */

#define FILE_BUFFER_BYTES (256 * 1024)

typedef struct file_sink {
    cd_sink base;
    int fd;
    char *final_path;
    char *partial_path;
    cd_sink_guard *guard; /* of the thread that opened it, or NULL */
    size_t used;
    unsigned char buffer[FILE_BUFFER_BYTES];
} file_sink;

static int write_all(int fd, const unsigned char *data, size_t len, const char *path,
                     cd_error *err)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return cd_fail_errno(err, CD_ERR_IO, errno, "cannot write %s", path);
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int file_flush(file_sink *f, cd_error *err)
{
    if (f->used == 0)
        return 0;
    int rc = write_all(f->fd, f->buffer, f->used, f->final_path, err);
    f->used = 0;
    return rc;
}

static int file_write(cd_sink *sink, const void *data, size_t len, cd_error *err)
{
    file_sink *f = (file_sink *)sink;
    if (guard_check(f->guard, err) != 0)
        return -1;
    if (f->used + len > sizeof f->buffer) {
        if (file_flush(f, err) != 0)
            return -1;
        if (len >= sizeof f->buffer)
            return write_all(f->fd, data, len, f->final_path, err);
    }
    memcpy(f->buffer + f->used, data, len);
    f->used += len;
    return 0;
}

static int file_commit(cd_sink *sink, cd_error *err)
{
    file_sink *f = (file_sink *)sink;
    if (file_flush(f, err) != 0)
        return -1;
    int fd = f->fd;
    f->fd = -1;
    if (close(fd) != 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot write %s", f->final_path);
    if (f->guard)
        pthread_mutex_lock(&f->guard->commit_lock);
    int rc = guard_check(f->guard, err);
    if (rc == 0 && rename(f->partial_path, f->final_path) != 0)
        rc = cd_fail_errno(err, CD_ERR_IO, errno, "cannot rename %s", f->partial_path);
    if (f->guard)
        pthread_mutex_unlock(&f->guard->commit_lock);
    return rc;
}

static void file_destroy(cd_sink *sink, int committed)
{
    file_sink *f = (file_sink *)sink;
    if (f->fd >= 0)
        close(f->fd);
    if (!committed)
        unlink(f->partial_path);
    free(f->final_path);
    free(f->partial_path);
    free(f);
}

static const cd_sink_ops file_ops = {file_write, file_commit, file_destroy};

cd_sink *cd_sink_file(const char *path, cd_error *err)
{
    file_sink *f = calloc(1, sizeof *f);
    if (!f) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory opening %s", path);
        return NULL;
    }
    f->base.ops = &file_ops;
    f->fd = -1;
    f->guard = thread_guard;
    if (guard_check(f->guard, err) != 0) {
        free(f);
        return NULL;
    }
    f->final_path = strdup(path);
    if (f->final_path && asprintf(&f->partial_path, "%s.partial", path) < 0)
        f->partial_path = NULL;
    if (!f->final_path || !f->partial_path) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory opening %s", path);
        free(f->final_path);
        free(f);
        return NULL;
    }
    f->fd = open(f->partial_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f->fd < 0) {
        cd_fail_errno(err, CD_ERR_IO, errno, "cannot create %s", f->partial_path);
        free(f->final_path);
        free(f->partial_path);
        free(f);
        return NULL;
    }
    return &f->base;
}

/* ---------------------------------------------------------------- gzip */

#define GZIP_OUT_BYTES (256 * 1024)

typedef struct gzip_sink {
    cd_sink base;
    cd_sink *inner;
    z_stream zs;
    size_t member_bytes;
    size_t member_used; /* input bytes in the current member */
    int member_open;
    int level;
    unsigned char out[GZIP_OUT_BYTES];
} gzip_sink;

/* Runs deflate over the pending input with flush mode, forwarding output. */
static int gzip_pump(gzip_sink *g, int flush, cd_error *err)
{
    int rc;
    do {
        g->zs.next_out = g->out;
        g->zs.avail_out = sizeof g->out;
        rc = deflate(&g->zs, flush);
        if (rc == Z_STREAM_ERROR)
            return cd_fail(err, CD_ERR_INTERNAL, "gzip stream error");
        size_t produced = sizeof g->out - g->zs.avail_out;
        if (produced && cd_sink_write(g->inner, g->out, produced) != 0) {
            *err = g->inner->error;
            return -1;
        }
    } while (g->zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

static int gzip_end_member(gzip_sink *g, cd_error *err)
{
    if (!g->member_open)
        return 0;
    g->zs.next_in = NULL;
    g->zs.avail_in = 0;
    if (gzip_pump(g, Z_FINISH, err) != 0)
        return -1;
    deflateReset(&g->zs);
    g->member_open = 0;
    g->member_used = 0;
    return 0;
}

static int gzip_write(cd_sink *sink, const void *data, size_t len, cd_error *err)
{
    gzip_sink *g = (gzip_sink *)sink;
    const unsigned char *p = data;
    while (len > 0) {
        size_t room = g->member_bytes - g->member_used;
        size_t chunk = len < room ? len : room;
        if (chunk > UINT_MAX)
            chunk = UINT_MAX;
        g->member_open = 1;
        g->zs.next_in = (unsigned char *)p;
        g->zs.avail_in = (unsigned)chunk;
        if (gzip_pump(g, Z_NO_FLUSH, err) != 0)
            return -1;
        g->member_used += chunk;
        p += chunk;
        len -= chunk;
        if (g->member_used == g->member_bytes && gzip_end_member(g, err) != 0)
            return -1;
    }
    return 0;
}

static int gzip_commit(cd_sink *sink, cd_error *err)
{
    gzip_sink *g = (gzip_sink *)sink;
    if (gzip_end_member(g, err) != 0)
        return -1;
    cd_sink *inner = g->inner;
    g->inner = NULL;
    return cd_sink_close(inner, err);
}

static void gzip_destroy(cd_sink *sink, int committed)
{
    gzip_sink *g = (gzip_sink *)sink;
    deflateEnd(&g->zs);
    cd_sink_abandon(g->inner);
    free(g);
}

static const cd_sink_ops gzip_ops = {gzip_write, gzip_commit, gzip_destroy};

cd_sink *cd_sink_gzip(cd_sink *inner, int level, size_t member_bytes, cd_error *err)
{
    gzip_sink *g = calloc(1, sizeof *g);
    if (!g) {
        cd_sink_abandon(inner);
        cd_fail(err, CD_ERR_NOMEM, "out of memory starting gzip stream");
        return NULL;
    }
    g->base.ops = &gzip_ops;
    g->inner = inner;
    g->level = level;
    g->member_bytes = member_bytes ? member_bytes : (size_t)1 << 20;
    /* windowBits 15 + 16: gzip wrapper; memLevel 8 as zlib's default. */
    if (deflateInit2(&g->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        cd_sink_abandon(inner);
        free(g);
        cd_fail(err, CD_ERR_INTERNAL, "cannot start gzip stream");
        return NULL;
    }
    return &g->base;
}

/* ---------------------------------------------------------------- buffer */

typedef struct buffer_sink {
    cd_sink base;
    char *data;
    size_t len, cap;
} buffer_sink;

static int buffer_write(cd_sink *sink, const void *data, size_t len, cd_error *err)
{
    buffer_sink *b = (buffer_sink *)sink;
    if (cd_array_reserve(&b->data, &b->cap, b->len + len + 1, 1) != 0)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory buffering output");
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

static int buffer_commit(cd_sink *sink, cd_error *err)
{
    return 0;
}

static void buffer_destroy(cd_sink *sink, int committed)
{
    buffer_sink *b = (buffer_sink *)sink;
    free(b->data);
    free(b);
}

static const cd_sink_ops buffer_ops = {buffer_write, buffer_commit, buffer_destroy};

cd_sink *cd_sink_buffer(void)
{
    buffer_sink *b = calloc(1, sizeof *b);
    if (b)
        b->base.ops = &buffer_ops;
    return b ? &b->base : NULL;
}

char *cd_sink_buffer_take(cd_sink *sink, size_t *len)
{
    buffer_sink *b = (buffer_sink *)sink;
    if (!b)
        return NULL;
    char *data = NULL;
    if (!b->base.failed) {
        data = b->data ? b->data : strdup("");
        b->data = NULL;
        if (len)
            *len = data ? b->len : 0;
    }
    buffer_destroy(sink, 0);
    return data;
}
