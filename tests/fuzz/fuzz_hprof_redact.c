/*
 * The heap dump redactor (cd_hprof_redact_file, --heap-redact) on hostile
 * dumps. It works on files only (it rewrites a dump that may be larger than
 * memory), so each input goes through a file in a private temporary directory
 * (under $TMPDIR, /dev/shm if it exists: no disk I/O per run).
 *
 * Each input is redacted at both levels. Invariants:
 *  - a refused dump leaves no output file and says why; the input file is
 *    removed either way;
 *  - a redacted plain dump is the input with some bytes zeroed and nothing
 *    else changed (same length, every byte equal or 0), and reads back.
 */
#include <fcntl.h>
#include <unistd.h>

#include "carbondump/hprof.h"
#include "fuzz.h"
#include "redact/hprof_redact.h"

static char dir[256];

static void make_dir(void)
{
    if (dir[0])
        return;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/cd-fuzz-redact-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir))
        abort();
}

static void remove_dir(void)
{
    if (dir[0])
        rmdir(dir);
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    close(fd);
}

/* The decompressed output, read through the reader's own input. */
static uint8_t *read_output(const char *path, size_t *len)
{
    cd_error err;
    cd_hprof_input *in = cd_hprof_input_file(path, 0, &err);
    FUZZ_CHECK(in != NULL, "the output opens");
    size_t cap = 1 << 16;
    uint8_t *out = malloc(cap);
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        if (!out)
            abort();
        size_t got;
        FUZZ_CHECK(cd_hprof_input_read(in, out + *len, cap - *len, &got, &err) == 0,
                   "the output is valid gzip");
        if (got == 0)
            break;
        *len += got;
    }
    cd_hprof_input_close(in);
    return out;
}

static void check_level(cd_heap_redact level, const uint8_t *data, size_t size)
{
    char in_path[300], out_path[300];
    snprintf(in_path, sizeof in_path, "%s/in.hprof", dir);
    snprintf(out_path, sizeof out_path, "%s/out.hprof.gz", dir);
    write_file(in_path, data, size);
    cd_hprof_redact_stats stats;
    cd_error err = {0};
    int rc = cd_hprof_redact_file(in_path, out_path, level, &stats, &err);
    FUZZ_CHECK(access(in_path, F_OK) != 0, "the input is removed");
    if (rc != 0) {
        FUZZ_CHECK_MESSAGE(err);
        FUZZ_CHECK(err.message[0] != '\0', "a refused dump says why");
        FUZZ_CHECK(access(out_path, F_OK) != 0, "a refused dump leaves no output");
        return;
    }
    size_t out_len;
    uint8_t *out = read_output(out_path, &out_len);
    unlink(out_path);
    int plain = !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b);
    if (plain) {
        FUZZ_CHECK(out_len == size, "the output has the input's length");
        for (size_t i = 0; i < size; i++)
            FUZZ_CHECK(out[i] == data[i] || out[i] == 0, "bytes are kept or zeroed");
    }
    cd_hprof_input *in = cd_hprof_input_memory(out, out_len, &err);
    cd_hprof_reader *reader = in ? cd_hprof_reader_new(0, &err) : NULL;
    FUZZ_CHECK(reader && cd_hprof_reader_run(reader, in, NULL, &err) == 0,
               "the redacted dump reads back");
    cd_hprof_reader_free(reader);
    cd_hprof_input_close(in);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        make_dir();
        atexit(remove_dir);
    }
    check_level(CD_HEAP_REDACT_BASIC, data, size);
    check_level(CD_HEAP_REDACT_FULL, data, size);
    return 0;
}
