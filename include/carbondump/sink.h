/*
 * Sinks: one small output interface with several destinations behind it.
 *
 * Every report, dump and copied file in carbondump is written to a cd_sink, so
 * the code that formats a thread dump or an HPROF stream never knows whether the
 * bytes end up in a plain file, a gzip stream or memory. Sinks stack: a gzip sink
 * writes its compressed members into another sink it owns.
 *
 * Invariants:
 *  - Errors are sticky. After the first failed write every further write is a
 *    no-op returning -1, and the first error is kept; callers may format a whole
 *    report and check once, at cd_sink_close().
 *  - Nothing is left half-written. A file sink writes to "<path>.partial" and
 *    renames it to <path> only when closed without error; a failed or abandoned
 *    sink removes its partial output.
 *  - Files are created 0600 and never follow a symbolic link.
 */
#ifndef CARBONDUMP_SINK_H
#define CARBONDUMP_SINK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cd_sink cd_sink;

typedef struct cd_sink_ops {
    /* Consumes all len bytes or fails. */
    int (*write)(cd_sink *sink, const void *data, size_t len, cd_error *err);
    /* Flushes and makes the output final. Called once, only if no write failed. */
    int (*commit)(cd_sink *sink, cd_error *err);
    /* Releases everything, removing partial output if not committed. Frees sink. */
    void (*destroy)(cd_sink *sink, int committed);
} cd_sink_ops;

struct cd_sink {
    const cd_sink_ops *ops;
    uint64_t bytes_written; /* bytes accepted by cd_sink_write, before any encoding */
    int failed;
    cd_error error; /* the first error, when failed */
};

/* A file at path, written as path.partial and renamed on close. O_EXCL: an
 * existing path.partial is an error (someone else is writing it). */
cd_sink *cd_sink_file(const char *path, cd_error *err);

/* gzip the stream into inner (which the gzip sink owns), starting a new gzip
 * member after every member_bytes of input, the way HotSpot's -gz dump does, so
 * readers can seek by member. level is a zlib level (1 fast .. 9 small). */
cd_sink *cd_sink_gzip(cd_sink *inner, int level, size_t member_bytes, cd_error *err);

/* Growing memory buffer. */
cd_sink *cd_sink_buffer(void);
/* Takes the buffered bytes (NUL-terminated, not counted in *len) and frees the
 * sink; NULL if the sink failed. The caller frees the result. */
char *cd_sink_buffer_take(cd_sink *sink, size_t *len);

/* Writes len bytes; 0, or -1 once the sink has failed (the error sticks). */
int cd_sink_write(cd_sink *sink, const void *data, size_t len);
/* Writes a NUL-terminated text, as cd_sink_write. */
int cd_sink_puts(cd_sink *sink, const char *text);
/* value in decimal; in hex with "0x" and at least min_digits digits. Without
 * printf, whose format parsing is most of the cost of a large dump's text. */
int cd_sink_put_int(cd_sink *sink, int64_t value);
int cd_sink_put_hex(cd_sink *sink, uint64_t value, int min_digits);
int cd_sink_printf(cd_sink *sink, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cd_sink_vprintf(cd_sink *sink, const char *fmt, va_list ap);

/* Marks the sink failed with err's message (e.g. the producer hit a problem), so
 * that close discards the output. */
void cd_sink_fail(cd_sink *sink, const cd_error *err);

/* Commits (if nothing failed) and frees. On failure returns -1 with the first
 * error in err and no output left behind. NULL sink: returns 0. */
int cd_sink_close(cd_sink *sink, cd_error *err);

/* Discards the output and frees. */
void cd_sink_abandon(cd_sink *sink);

/* Guards: a collector section that runs on its own thread under a time limit
 * installs a guard on that thread. When the section runs out of time, the run
 * trips the guard and goes on without waiting for the thread: from then on every
 * file sink the thread opened or opens fails with the guard's message, and no
 * such sink renames its .partial into place, so an abandoned section can add no
 * file to the staging area behind the run's back. File sinks take the guard of
 * the thread that opens them. */
typedef struct cd_sink_guard cd_sink_guard;

/* A new, untripped guard; NULL when out of memory. */
cd_sink_guard *cd_sink_guard_new(void);
/* Makes guard (or none, NULL) the calling thread's guard for the file sinks it
 * opens from now on. */
void cd_sink_guard_install(cd_sink_guard *guard);
/* Trips the guard with message, then waits (a second at most) for a commit of
 * that thread already under way. After it returns no sink under the guard
 * commits. */
void cd_sink_guard_trip(cd_sink_guard *guard, const char *message);
/* Frees a guard no thread can use any more (never a tripped guard whose thread
 * may still run). */
void cd_sink_guard_free(cd_sink_guard *guard);

#ifdef __cplusplus
}
#endif

#endif
