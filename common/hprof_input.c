/*
 * The bytes of a heap dump, from a file or memory, plain or gzip-compressed:
 * see cd_hprof_input in include/carbondump/hprof.h.
 *
 * gzip input may hold any number of members one after the other (HotSpot's -gz
 * and cd_sink_gzip start a new member every ~1 MiB); each is inflated in turn.
 * With CD_HPROF_INPUT_RELEASE the file's blocks are punched out behind the read
 * position, a whole MiB at a time, so that a rewriter streaming the dump into a
 * new file on the same file system needs about one copy's worth of space.
 */
#include "carbondump/hprof.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "carbondump/fsutil.h"

#define RAW_BYTES (256 * 1024)
#define RELEASE_STEP_BYTES (1u << 20)

struct cd_hprof_input {
    int fd; /* -1 for memory */
    char *path;
    const uint8_t *memory;
    size_t memory_len, memory_pos;
    int gzip;
    z_stream zs;
    int zs_ready;
    int raw_eof;
    int release;
    uint64_t raw_consumed; /* file bytes handed to zlib or the caller so far */
    uint64_t released;     /* file bytes punched out so far */
    size_t raw_len;        /* valid bytes in raw */
    _Alignas(CD_READ_BUFFER_ALIGN) uint8_t raw[RAW_BYTES]; /* page-aligned: see cd_read_buffer */
};

/* Punches out whole MiB steps of the file that lie before the read position. */
static void release_consumed(cd_hprof_input *in, uint64_t consumed)
{
    if (!in->release)
        return;
    uint64_t upto = consumed - consumed % RELEASE_STEP_BYTES;
    if (upto <= in->released)
        return;
    /* A file system without hole punching just keeps the blocks. */
    fallocate(in->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)in->released,
              (off_t)(upto - in->released));
    in->released = upto;
}

/* Refills raw with file or memory bytes. */
static int raw_fill(cd_hprof_input *in, cd_error *err)
{
    if (in->fd < 0) {
        size_t n = in->memory_len - in->memory_pos;
        if (n > sizeof in->raw)
            n = sizeof in->raw;
        memcpy(in->raw, in->memory + in->memory_pos, n);
        in->memory_pos += n;
        in->raw_len = n;
        in->raw_eof = n == 0;
        return 0;
    }
    for (;;) {
        ssize_t n = read(in->fd, in->raw, sizeof in->raw);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return cd_fail_errno(err, CD_ERR_IO, errno, "cannot read %s", in->path);
        in->raw_len = (size_t)n;
        in->raw_eof = n == 0;
        return 0;
    }
}

static cd_hprof_input *input_new(cd_error *err)
{
    cd_hprof_input *in = cd_read_buffer(sizeof *in);
    if (in)
        memset(in, 0, sizeof *in);
    if (!in)
        cd_fail(err, CD_ERR_NOMEM, "out of memory opening a heap dump");
    else
        in->fd = -1;
    return in;
}

/* Looks at the first bytes: gzip magic or not. */
static int input_start(cd_hprof_input *in, cd_error *err)
{
    if (raw_fill(in, err) != 0)
        return -1;
    in->gzip = in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
    if (in->gzip) {
        /* windowBits 15 + 16: gzip only. */
        if (inflateInit2(&in->zs, 15 + 16) != Z_OK)
            return cd_fail(err, CD_ERR_INTERNAL, "cannot start gzip decompression");
        in->zs_ready = 1;
        in->zs.next_in = in->raw;
        in->zs.avail_in = (uInt)in->raw_len;
    }
    return 0;
}

cd_hprof_input *cd_hprof_input_file(const char *path, unsigned flags, cd_error *err)
{
    cd_hprof_input *in = input_new(err);
    if (!in)
        return NULL;
    in->path = strdup(path);
    in->release = (flags & CD_HPROF_INPUT_RELEASE) != 0;
    int mode = in->release ? O_RDWR : O_RDONLY;
    in->fd = in->path ? open(path, mode | O_CLOEXEC | O_NOFOLLOW) : -1;
    if (in->fd < 0) {
        if (in->path)
            cd_fail_errno(err, CD_ERR_IO, errno, "cannot open %s", path);
        else
            cd_fail(err, CD_ERR_NOMEM, "out of memory opening %s", path);
        cd_hprof_input_close(in);
        return NULL;
    }
    if (input_start(in, err) != 0) {
        cd_hprof_input_close(in);
        return NULL;
    }
    return in;
}

cd_hprof_input *cd_hprof_input_memory(const void *data, size_t len, cd_error *err)
{
    cd_hprof_input *in = input_new(err);
    if (!in)
        return NULL;
    in->memory = data;
    in->memory_len = len;
    in->path = strdup("(memory)");
    if (!in->path || input_start(in, err) != 0) {
        if (!in->path)
            cd_fail(err, CD_ERR_NOMEM, "out of memory opening a heap dump");
        cd_hprof_input_close(in);
        return NULL;
    }
    return in;
}

void cd_hprof_input_close(cd_hprof_input *in)
{
    if (!in)
        return;
    if (in->zs_ready)
        inflateEnd(&in->zs);
    if (in->fd >= 0)
        close(in->fd);
    free(in->path);
    free(in);
}

int cd_hprof_input_read(cd_hprof_input *in, uint8_t *buf, size_t cap, size_t *got, cd_error *err)
{
    *got = 0;
    if (cap > UINT_MAX)
        cap = UINT_MAX;
    if (!in->gzip) {
        if (in->raw_len == 0 && !in->raw_eof && raw_fill(in, err) != 0)
            return -1;
        size_t n = in->raw_len < cap ? in->raw_len : cap;
        memcpy(buf, in->raw, n);
        memmove(in->raw, in->raw + n, in->raw_len - n);
        in->raw_len -= n;
        in->raw_consumed += n;
        release_consumed(in, in->raw_consumed);
        *got = n;
        return 0;
    }
    in->zs.next_out = buf;
    in->zs.avail_out = (uInt)cap;
    while (in->zs.avail_out == cap) {
        if (in->zs.avail_in == 0) {
            if (in->raw_eof)
                return 0; /* end of the last member */
            in->raw_consumed += in->raw_len;
            release_consumed(in, in->raw_consumed);
            if (raw_fill(in, err) != 0)
                return -1;
            in->zs.next_in = in->raw;
            in->zs.avail_in = (uInt)in->raw_len;
            if (in->raw_len == 0) {
                if (in->zs.total_in != 0)
                    return cd_fail(err, CD_ERR_PROTOCOL,
                                   "%s: the gzip stream ends in the middle of a member", in->path);
                return 0;
            }
        }
        int rc = inflate(&in->zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            /* The next member, if any, starts at next_in. */
            inflateReset(&in->zs);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return cd_fail(err, CD_ERR_PROTOCOL, "%s: corrupt gzip data (%s)", in->path,
                           in->zs.msg ? in->zs.msg : "inflate failed");
        }
    }
    *got = cap - in->zs.avail_out;
    return 0;
}
