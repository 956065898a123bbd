/*
 * Read buffers: cd_read_buffer and cd_read_file hand read(2) page-aligned
 * memory, also after cd_read_file has had to grow its buffer, and the data
 * read into them is whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbondump/fsutil.h"

#define PAGE CD_READ_BUFFER_ALIGN

static void assert_page_aligned(const void *p)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % PAGE, 0);
}

static void read_buffers_are_page_aligned(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 100, PAGE + 1, 256u << 10, (1u << 20) + 17};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char *p = cd_read_buffer(sizes[i]);
        assert_page_aligned(p);
        memset(p, 'x', sizes[i]); /* the whole size is usable */
        free(p);
    }
}

static void a_file_is_read_whole_into_an_aligned_buffer(void **state)
{
    (void)state;
    char path[] = "/tmp/cd-test-read-buffer-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = (300u << 10) + 5;
    char *want = malloc(len);
    assert_non_null(want);
    for (size_t i = 0; i < len; i++)
        want[i] = (char)('a' + i % 26);
    assert_int_equal(write(fd, want, len), (ssize_t)len);
    close(fd);

    char *data = NULL;
    size_t got = 0;
    cd_error err = {0};
    assert_int_equal(cd_read_file(path, 1u << 20, 0, &data, &got, &err), 0);
    assert_page_aligned(data);
    assert_int_equal(got, len);
    assert_memory_equal(data, want, len);
    assert_int_equal(data[len], '\0');
    free(data);
    free(want);
    unlink(path);
}

/* /proc files report size 0: the buffer starts at a page and grows. */
static void a_grown_buffer_stays_aligned(void **state)
{
    (void)state;
    char *data = NULL;
    size_t got = 0;
    cd_error err = {0};
    assert_int_equal(cd_read_file("/proc/self/smaps", 16u << 20, 0, &data, &got, &err), 0);
    assert_true(got > PAGE); /* more than the first buffer held */
    assert_page_aligned(data);
    assert_int_equal(strlen(data), got);
    assert_int_equal(data[got - 1], '\n');
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_buffers_are_page_aligned),
        cmocka_unit_test(a_file_is_read_whole_into_an_aligned_buffer),
        cmocka_unit_test(a_grown_buffer_stays_aligned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
