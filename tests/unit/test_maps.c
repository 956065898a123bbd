/*
 * The maps section's parsers (collector/maps.h): /proc/<pid>/maps lines,
 * smaps text with resident sizes, and the per-file summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/maps.h"

static void parses_a_library_mapping(void **state)
{
    const char *line = "7f6724c00000-7f6724c9a000 r-xp 00012000 fd:01 2374533    "
                       "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30\n";
    cd_mapping m;
    assert_int_equal(cd_parse_maps_line(line, strlen(line), &m), 0);
    assert_true(m.start == 0x7f6724c00000ULL);
    assert_true(m.end == 0x7f6724c9a000ULL);
    assert_string_equal(m.perms, "r-xp");
    assert_true(m.offset == 0x12000);
    assert_true(m.inode == 2374533);
    assert_int_equal(m.rss_kb, -1);
    assert_int_equal(m.path_len, strlen("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30"));
    assert_memory_equal(m.path, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", m.path_len);
}

static void anonymous_mapping_has_an_empty_path(void **state)
{
    const char *line = "686800000-7c0000000 rw-p 00000000 00:00 0 ";
    cd_mapping m;
    assert_int_equal(cd_parse_maps_line(line, strlen(line), &m), 0);
    assert_true(m.start == 0x686800000ULL);
    assert_int_equal(m.path_len, 0);
}

static void special_and_deleted_paths_are_kept_whole(void **state)
{
    const char *heap = "55870d736000-55870d77d000 rw-p 00000000 00:00 0          [heap]";
    const char *deleted = "7f00000000-7f00001000 rw-s 00000000 00:05 77 /dev/shm/x (deleted)";
    cd_mapping m;
    assert_int_equal(cd_parse_maps_line(heap, strlen(heap), &m), 0);
    assert_int_equal(m.path_len, 6);
    assert_memory_equal(m.path, "[heap]", 6);
    assert_int_equal(cd_parse_maps_line(deleted, strlen(deleted), &m), 0);
    assert_int_equal(m.path_len, strlen("/dev/shm/x (deleted)"));
    assert_string_equal(m.perms, "rw-s");
}

static void malformed_lines_are_refused(void **state)
{
    const char *bad[] = {
        "",
        "Rss:                   4 kB",
        "7f00-7e00 r-xp 00000000 fd:01 1 /x", /* end before start */
        "7f00-7f10 rzxp 00000000 fd:01 1 /x", /* bad permission */
        "7f00-7f10 r-xp 00000000 fd01 1 /x",  /* bad device */
        "7f00-7f10 r-xp 00000000 fd:01 x /x", /* bad inode */
        "7f00 7f10 r-xp 00000000 fd:01 1 /x", /* no dash */
        "10000000000000000-1 r-xp 0 0:0 0",   /* address too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cd_mapping m;
        assert_int_equal(cd_parse_maps_line(bad[i], strlen(bad[i]), &m), -1);
    }
}

static const char smaps_text[] =
    "00400000-00401000 r-xp 00000000 fd:01 10 /usr/bin/java\n"
    "Size:                  4 kB\n"
    "Rss:                   4 kB\n"
    "Pss:                   4 kB\n"
    "VmFlags: rd ex mr mw me dw\n"
    "7f0000000000-7f0000100000 r-xp 00000000 fd:01 20 /usr/lib/libjvm.so\n"
    "Size:               1024 kB\n"
    "Rss:                 900 kB\n"
    "7f0000100000-7f0000110000 rw-p 00100000 fd:01 20 /usr/lib/libjvm.so\n"
    "Size:                 64 kB\n"
    "Rss:                  60 kB\n"
    "686800000-686a00000 rw-p 00000000 00:00 0 \n"
    "Size:               2048 kB\n"
    "Rss:                1000 kB\n"
    "600000000-600001000 rw-p 00000000 00:00 0 \n"
    "Rss:                   0 kB\n";

static void smaps_rss_lines_belong_to_the_mapping_above(void **state)
{
    cd_mapping *maps = NULL;
    size_t n = 0;
    cd_error err = {0};
    assert_int_equal(cd_parse_mappings(smaps_text, &maps, &n, &err), 0);
    assert_int_equal(n, 5);
    assert_int_equal(maps[0].rss_kb, 4);
    assert_int_equal(maps[1].rss_kb, 900);
    assert_int_equal(maps[2].rss_kb, 60);
    assert_int_equal(maps[3].rss_kb, 1000);
    assert_int_equal(maps[4].rss_kb, 0);
    free(maps);
}

static void maps_text_has_no_rss(void **state)
{
    const char *text = "00400000-00401000 r-xp 00000000 fd:01 10 /usr/bin/java\n"
                       "686800000-686a00000 rw-p 00000000 00:00 0\n";
    cd_mapping *maps = NULL;
    size_t n = 0;
    cd_error err = {0};
    assert_int_equal(cd_parse_mappings(text, &maps, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(maps[0].rss_kb, -1);
    assert_int_equal(maps[1].rss_kb, -1);
    free(maps);
}

static void text_without_mappings_is_an_error(void **state)
{
    cd_mapping *maps = NULL;
    size_t n = 0;
    cd_error err = {0};
    assert_int_equal(cd_parse_mappings("hello\nworld\n", &maps, &n, &err), -1);
    assert_int_equal(err.code, CD_ERR_PROTOCOL);
    assert_null(maps);
    assert_int_equal(cd_parse_mappings("", &maps, &n, &err), 0);
    assert_int_equal(n, 0);
    free(maps);
}

static void summary_groups_by_file_and_orders_by_base_address(void **state)
{
    cd_mapping *maps = NULL;
    size_t n = 0;
    cd_error err = {0};
    assert_int_equal(cd_parse_mappings(smaps_text, &maps, &n, &err), 0);
    cd_mapped_file *files = NULL;
    size_t count = 0;
    assert_int_equal(cd_summarize_mappings(maps, n, &files, &count, &err), 0);
    assert_int_equal(count, 3);
    /* /usr/bin/java at 0x400000, anonymous from 0x600000000, libjvm.so */
    assert_true(files[0].base == 0x400000);
    assert_memory_equal(files[0].path, "/usr/bin/java", files[0].path_len);
    assert_int_equal(files[1].path_len, 0);
    assert_true(files[1].base == 0x600000000ULL);
    assert_true(files[1].mapped_bytes == 0x1000 + 0x200000);
    assert_int_equal(files[1].rss_kb, 1000);
    assert_int_equal(files[1].mappings, 2);
    assert_memory_equal(files[2].path, "/usr/lib/libjvm.so", files[2].path_len);
    assert_true(files[2].mapped_bytes == 0x110000);
    assert_int_equal(files[2].rss_kb, 960);
    assert_int_equal(files[2].mappings, 2);
    free(files);
    free(maps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_library_mapping),
        cmocka_unit_test(anonymous_mapping_has_an_empty_path),
        cmocka_unit_test(special_and_deleted_paths_are_kept_whole),
        cmocka_unit_test(malformed_lines_are_refused),
        cmocka_unit_test(smaps_rss_lines_belong_to_the_mapping_above),
        cmocka_unit_test(maps_text_has_no_rss),
        cmocka_unit_test(text_without_mappings_is_an_error),
        cmocka_unit_test(summary_groups_by_file_and_orders_by_base_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
