/*
 * Deflating a bundle's big files ahead of the ZIP (collector/bundle/deflate_ahead.c):
 * libzip must copy what the workers deflated as it is, and the ZIP must read
 * back to the very bytes of each file, with their CRC-32 and SHA-256; files
 * that are too big, gone, or grew are given back to the caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "bundle/deflate_ahead.h"
#include "carbondump/fsutil.h"

typedef struct scratch {
    char dir[64];
} scratch;

static int make_scratch(void **state)
{
    scratch *s = calloc(1, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/cd-deflate-ahead.XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    *state = s;
    return 0;
}

static int remove_scratch(void **state)
{
    scratch *s = *state;
    cd_remove_tree(s->dir);
    free(s);
    return 0;
}

/* Text that deflates well (a thread dump's kind) when compressible, else
 * bytes that do not deflate at all. */
static unsigned char *contents(size_t bytes, int compressible, unsigned seed)
{
    static const char line[] = "\tat java.lang.Thread.run(Thread.java:833)\n";
    unsigned char *data = malloc(bytes);
    unsigned x = seed * 2654435761u + 1;
    for (size_t i = 0; i < bytes; i++) {
        x = x * 1103515245u + 12345u;
        data[i] =
            compressible ? (unsigned char)line[i % (sizeof line - 1)] : (unsigned char)(x >> 16);
        if (compressible && i % 997 == 0)
            data[i] = (unsigned char)('0' + (x >> 16) % 10);
    }
    return data;
}

static void write_file(const char *path, const unsigned char *data, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, bytes, f), bytes);
    assert_int_equal(fclose(f), 0);
}

/* A new ZIP in the scratch directory; its path in path. */
static zip_t *new_zip(const scratch *s, char *path, size_t len)
{
    snprintf(path, len, "%s/out.zip", s->dir);
    int zerr = 0;
    zip_t *zip = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    assert_non_null(zip);
    return zip;
}

/* Reads entry name of the ZIP at path back whole; fails the test on a bad CRC. */
static unsigned char *read_entry(const char *path, const char *name, zip_stat_t *st)
{
    int zerr = 0;
    zip_t *zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    assert_non_null(zip);
    assert_int_equal(zip_stat(zip, name, 0, st), 0);
    unsigned char *data = malloc(st->size + 1);
    zip_file_t *f = zip_fopen(zip, name, 0);
    assert_non_null(f);
    zip_int64_t total = 0, n;
    while ((n = zip_fread(f, data + total, st->size + 1 - (zip_uint64_t)total)) > 0)
        total += n;
    assert_int_equal(n, 0); /* libzip checks the CRC at the end and fails the read on a mismatch */
    assert_int_equal((zip_uint64_t)total, st->size);
    zip_fclose(f);
    zip_close(zip);
    return data;
}

#define FILES 9

static void zip_holds_the_exact_bytes_of_every_file_deflated_ahead(void **state)
{
    scratch *s = *state;
    char paths[FILES][128], names[FILES][16];
    const char *files[FILES];
    uint64_t sizes[FILES];
    int levels[FILES];
    unsigned char *data[FILES];
    for (int i = 0; i < FILES; i++) {
        sizes[i] = i == 0 ? 3000u : (uint64_t)(64 << 10) + (uint64_t)i * 70001u;
        levels[i] = i % 2 ? 1 : Z_DEFAULT_COMPRESSION;
        data[i] = contents(sizes[i], i % 3 != 0, (unsigned)i);
        snprintf(names[i], sizeof names[i], "f%d.txt", i);
        snprintf(paths[i], sizeof paths[i], "%s/%s", s->dir, names[i]);
        write_file(paths[i], data[i], sizes[i]);
        files[i] = paths[i];
    }
    cd_deflate_ahead *ahead = cd_deflate_ahead_start(files, sizes, levels, FILES);
    assert_non_null(ahead);

    char zip_path[160];
    zip_t *zip = new_zip(s, zip_path, sizeof zip_path);
    for (int i = 0; i < FILES; i++) {
        char sha[CD_SHA256_HEX_LEN + 1] = "", expected[CD_SHA256_HEX_LEN + 1];
        uint64_t bytes = 0;
        zip_source_t *source = cd_deflate_ahead_source(ahead, zip, paths[i], sha, &bytes);
        assert_non_null(source);
        cd_sha256_buffer(data[i], sizes[i], expected);
        assert_string_equal(sha, expected);
        assert_int_equal(bytes, sizes[i]);
        zip_int64_t index = zip_file_add(zip, names[i], source, 0);
        assert_true(index >= 0);
        if (levels[i] == 1) /* as the bundle does; the others keep libzip's default */
            assert_int_equal(zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_DEFLATE, 1),
                             0);
    }
    assert_int_equal(zip_close(zip), 0);
    cd_deflate_ahead_free(ahead);

    for (int i = 0; i < FILES; i++) {
        zip_stat_t st;
        unsigned char *back = read_entry(zip_path, names[i], &st);
        assert_int_equal(st.comp_method, ZIP_CM_DEFLATE);
        if (i % 3 != 0) /* text: both levels deflate it well */
            assert_true(st.comp_size < st.size / 4);
        assert_memory_equal(back, data[i], sizes[i]);
        free(back);
        free(data[i]);
    }
}

static void gives_back_files_too_big_grown_or_gone_and_each_file_once(void **state)
{
    scratch *s = *state;
    char grown[128], gone[128], fine[128], huge[128];
    snprintf(grown, sizeof grown, "%s/grown.log", s->dir);
    snprintf(gone, sizeof gone, "%s/gone.log", s->dir);
    snprintf(fine, sizeof fine, "%s/fine.log", s->dir);
    snprintf(huge, sizeof huge, "%s/huge.log", s->dir);
    unsigned char *data = contents(200 << 10, 1, 7);
    write_file(grown, data, 200 << 10); /* listed at 100 KiB below */
    write_file(fine, data, 100 << 10);
    const char *files[] = {grown, gone, fine, huge};
    const uint64_t sizes[] = {100 << 10, 100 << 10, 100 << 10, CD_DEFLATE_AHEAD_FILE_MAX + 1ull};
    const int levels[] = {1, 1, 1, 1};
    cd_deflate_ahead *ahead = cd_deflate_ahead_start(files, sizes, levels, 4);
    assert_non_null(ahead);

    char zip_path[160];
    zip_t *zip = new_zip(s, zip_path, sizeof zip_path);
    char sha[CD_SHA256_HEX_LEN + 1];
    uint64_t bytes;
    assert_null(cd_deflate_ahead_source(ahead, zip, grown, sha, &bytes));
    assert_null(cd_deflate_ahead_source(ahead, zip, gone, sha, &bytes));
    assert_null(cd_deflate_ahead_source(ahead, zip, huge, sha, &bytes));
    assert_null(cd_deflate_ahead_source(ahead, zip, "/nowhere/never/listed", sha, &bytes));
    zip_source_t *source = cd_deflate_ahead_source(ahead, zip, fine, sha, &bytes);
    assert_non_null(source);
    assert_int_equal(bytes, 100 << 10);
    assert_null(cd_deflate_ahead_source(ahead, zip, fine, sha, &bytes));
    zip_source_free(source);
    zip_discard(zip);
    cd_deflate_ahead_free(ahead);
    free(data);
}

static void takes_nothing_past_the_total_and_starts_no_thread_for_nothing(void **state)
{
    (void)state;
    const char *files[] = {"/a", "/b", "/c", "/d", "/e"};
    const uint64_t sizes[] = {CD_DEFLATE_AHEAD_FILE_MAX, CD_DEFLATE_AHEAD_FILE_MAX,
                              CD_DEFLATE_AHEAD_FILE_MAX, CD_DEFLATE_AHEAD_FILE_MAX,
                              CD_DEFLATE_AHEAD_FILE_MAX};
    _Static_assert(4ull * CD_DEFLATE_AHEAD_FILE_MAX <= CD_DEFLATE_AHEAD_TOTAL_MAX &&
                       5ull * CD_DEFLATE_AHEAD_FILE_MAX > CD_DEFLATE_AHEAD_TOTAL_MAX,
                   "the test expects room for four files of the largest size");
    const int levels[] = {1, 1, 1, 1, 1};
    cd_deflate_ahead *ahead = cd_deflate_ahead_start(files, sizes, levels, 5);
    assert_non_null(ahead);
    char sha[CD_SHA256_HEX_LEN + 1];
    uint64_t bytes;
    /* the four taken fail (no such files); the fifth was never taken */
    for (int i = 0; i < 5; i++)
        assert_null(cd_deflate_ahead_source(ahead, NULL, files[i], sha, &bytes));
    cd_deflate_ahead_free(ahead);

    assert_null(cd_deflate_ahead_start(files, sizes, levels, 0));
    cd_deflate_ahead_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(zip_holds_the_exact_bytes_of_every_file_deflated_ahead,
                                        make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(gives_back_files_too_big_grown_or_gone_and_each_file_once,
                                        make_scratch, remove_scratch),
        cmocka_unit_test(takes_nothing_past_the_total_and_starts_no_thread_for_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
