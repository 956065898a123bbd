/*
 * checksum_values.txt's format (sha256sum's escaping) and the tree walker the
 * checksums, listing and files sections share (collector/walk.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbondump/fsutil.h"
#include "carbon/checksums.h"
#include "carbon/walk.h"
#include "carbondump/sha256sum_format.h"

#define HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *line_for(const char *path)
{
    cd_sink *sink = cd_sink_buffer();
    cd_sha256sum_write_line(sink, HEX, path);
    return cd_sink_buffer_take(sink, NULL);
}

static void writes_plain_names_as_sha256sum_does(void **state)
{
    char *line = line_for("repository/conf/carbon.xml");
    assert_string_equal(line, HEX "  repository/conf/carbon.xml\n");
    free(line);
    line = line_for("lib/with space.jar");
    assert_string_equal(line, HEX "  lib/with space.jar\n");
    free(line);
}

static void escapes_backslash_newline_and_carriage_return_with_a_leading_backslash(void **state)
{
    char *line = line_for("a\\b\nc\rd");
    assert_string_equal(line, "\\" HEX "  a\\\\b\\nc\\rd\n");
    free(line);
    assert_true(cd_sha256sum_name_needs_escape("x\\y"));
    assert_true(cd_sha256sum_name_needs_escape("x\ny"));
    assert_false(cd_sha256sum_name_needs_escape("x y\tz"));
}

/* ---------------------------------------------------------------- the walker */

typedef struct seen {
    char lines[4096];
} seen;

static cd_walk_action record(void *context, const cd_walk_entry *entry, cd_error *err)
{
    seen *s = context;
    size_t used = strlen(s->lines);
    snprintf(s->lines + used, sizeof s->lines - used, "%c %d %s\n",
             cd_walk_type_char(entry->st->st_mode), entry->depth, entry->path);
    return CD_WALK_CONTINUE;
}

static char root[64];

static void make(const char *relpath, const char *content)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, relpath);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void make_dir(const char *relpath)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, relpath);
    assert_int_equal(mkdir(path, 0700), 0);
}

static void make_link(const char *target, const char *relpath)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, relpath);
    assert_int_equal(symlink(target, path), 0);
}

static int setup_tree(void **state)
{
    snprintf(root, sizeof root, "/tmp/cd-test-walk.XXXXXX");
    assert_non_null(mkdtemp(root));
    make_dir("b");
    make("b/z.txt", "z");
    make("b/a.txt", "a");
    make_dir("docs");
    make("docs/manual.txt", "m");
    make_dir("samples");
    make_dir("b/samples");
    make("b/samples/s.txt", "s");
    make("a.txt", "a");
    make_link("loop2", "loop1");
    make_link("loop1", "loop2");
    make_link("/", "out");
    make_link("b", "b-link");
    char fifo[256];
    snprintf(fifo, sizeof fifo, "%s/fifo", root);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    return 0;
}

static int remove_tree(void **state)
{
    cd_remove_tree(root);
    return 0;
}

static void walks_in_byte_order_without_following_links(void **state)
{
    seen s = {""};
    cd_error err = {0};
    assert_int_equal(cd_walk(root, NULL, record, &s, NULL, &err), 0);
    assert_string_equal(s.lines, "f 1 a.txt\n"
                                 "d 1 b\n"
                                 "f 2 b/a.txt\n"
                                 "d 2 b/samples\n"
                                 "f 3 b/samples/s.txt\n"
                                 "f 2 b/z.txt\n"
                                 "l 1 b-link\n"
                                 "d 1 docs\n"
                                 "f 2 docs/manual.txt\n"
                                 "p 1 fifo\n"
                                 "l 1 loop1\n"
                                 "l 1 loop2\n"
                                 "l 1 out\n"
                                 "d 1 samples\n");
}

static void leaves_out_only_top_level_excluded_directories(void **state)
{
    seen s = {""};
    cd_error err = {0};
    cd_walk_options options = {.excluded_top_dirs = cd_checksum_excluded_top_dirs};
    assert_int_equal(cd_walk(root, &options, record, &s, NULL, &err), 0);
    assert_null(strstr(s.lines, "docs"));
    assert_null(strstr(s.lines, " samples\n"));
    assert_non_null(strstr(s.lines, "f 3 b/samples/s.txt\n"));
}

static void walks_a_subdirectory_with_paths_relative_to_the_root(void **state)
{
    seen s = {""};
    cd_error err = {0};
    cd_walk_options options = {.subdir = "b/samples"};
    assert_int_equal(cd_walk(root, &options, record, &s, NULL, &err), 0);
    assert_string_equal(s.lines, "f 3 b/samples/s.txt\n");
}

static void a_missing_subdirectory_is_noent(void **state)
{
    seen s = {""};
    cd_error err = {0};
    cd_walk_options options = {.subdir = "repository/conf"};
    assert_int_equal(cd_walk(root, &options, record, &s, NULL, &err), -1);
    assert_int_equal(err.code, CD_ERR_NOENT);
}

static void a_subdirectory_through_a_link_is_refused(void **state)
{
    seen s = {""};
    cd_error err = {0};
    cd_walk_options options = {.subdir = "b-link"};
    assert_int_equal(cd_walk(root, &options, record, &s, NULL, &err), -1);
    assert_string_equal(s.lines, "");
}

static void open_refuses_links_on_the_way_and_at_the_end(void **state)
{
    int root_fd = open(root, O_RDONLY | O_DIRECTORY);
    assert_true(root_fd >= 0);
    int fd = cd_walk_open(root_fd, "b/a.txt", O_RDONLY);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(cd_walk_open(root_fd, "b-link/a.txt", O_RDONLY), -1);
    assert_int_equal(cd_walk_open(root_fd, "loop1", O_RDONLY), -1);
    assert_int_equal(cd_walk_open(root_fd, "out", O_RDONLY), -1);
    assert_int_equal(cd_walk_open(root_fd, "../etc/passwd", O_RDONLY), -1);
    /* a FIFO opens without blocking (O_NONBLOCK is added) */
    fd = cd_walk_open(root_fd, "fifo", O_RDONLY);
    assert_true(fd >= 0);
    close(fd);
    close(root_fd);
}

static void open_beneath_follows_links_that_stay_inside(void **state)
{
    int root_fd = open(root, O_RDONLY | O_DIRECTORY);
    int fd = cd_walk_open_beneath(root_fd, "b-link/a.txt", O_RDONLY);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(cd_walk_open_beneath(root_fd, "out/etc/passwd", O_RDONLY), -1);
    close(root_fd);
}

static cd_walk_action prune_b(void *context, const cd_walk_entry *entry, cd_error *err)
{
    record(context, entry, err);
    return strcmp(entry->path, "b") == 0 ? CD_WALK_PRUNE : CD_WALK_CONTINUE;
}

static void prune_skips_a_directory(void **state)
{
    seen s = {""};
    cd_error err = {0};
    assert_int_equal(cd_walk(root, NULL, prune_b, &s, NULL, &err), 0);
    assert_null(strstr(s.lines, "b/a.txt"));
    assert_non_null(strstr(s.lines, "d 1 b\n"));
    assert_non_null(strstr(s.lines, "l 1 loop1\n"));
}

static cd_walk_action stop_at_b(void *context, const cd_walk_entry *entry, cd_error *err)
{
    record(context, entry, err);
    if (strcmp(entry->path, "b") != 0)
        return CD_WALK_CONTINUE;
    cd_fail(err, CD_ERR_IO, "stopped at %s", entry->path);
    return CD_WALK_STOP;
}

static void stop_ends_the_walk_with_the_visitors_error(void **state)
{
    seen s = {""};
    cd_error err = {0};
    assert_int_equal(cd_walk(root, NULL, stop_at_b, &s, NULL, &err), -1);
    assert_string_equal(err.message, "stopped at b");
    assert_string_equal(s.lines, "f 1 a.txt\nd 1 b\n");
}

static void names_types_like_find(void **state)
{
    assert_int_equal(cd_walk_type_char(S_IFREG | 0644), 'f');
    assert_int_equal(cd_walk_type_char(S_IFDIR | 0755), 'd');
    assert_int_equal(cd_walk_type_char(S_IFLNK | 0777), 'l');
    assert_int_equal(cd_walk_type_char(S_IFIFO | 0600), 'p');
    assert_int_equal(cd_walk_type_char(S_IFSOCK | 0600), 's');
    assert_int_equal(cd_walk_type_char(S_IFCHR | 0600), 'c');
    assert_int_equal(cd_walk_type_char(S_IFBLK | 0600), 'b');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_plain_names_as_sha256sum_does),
        cmocka_unit_test(escapes_backslash_newline_and_carriage_return_with_a_leading_backslash),
        cmocka_unit_test(walks_in_byte_order_without_following_links),
        cmocka_unit_test(leaves_out_only_top_level_excluded_directories),
        cmocka_unit_test(walks_a_subdirectory_with_paths_relative_to_the_root),
        cmocka_unit_test(a_missing_subdirectory_is_noent),
        cmocka_unit_test(a_subdirectory_through_a_link_is_refused),
        cmocka_unit_test(open_refuses_links_on_the_way_and_at_the_end),
        cmocka_unit_test(open_beneath_follows_links_that_stay_inside),
        cmocka_unit_test(prune_skips_a_directory),
        cmocka_unit_test(stop_ends_the_walk_with_the_visitors_error),
        cmocka_unit_test(names_types_like_find),
    };
    return cmocka_run_group_tests_name("checksums", tests, setup_tree, remove_tree);
}
