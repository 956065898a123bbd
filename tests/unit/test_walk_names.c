/*
 * How odd CARBON_HOME names are spelt in the bundle (collector/walk.c): the
 * bundle path of a copied file (percent-encoded, valid UTF-8, short enough to
 * stage) and the sha256sum-style name used in text files and problem lines.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/walk.h"

static void bundle_path_of(const char *relpath, int expected_rc, const char *expected)
{
    char out[4096];
    assert_int_equal(cd_walk_bundle_path(relpath, out, sizeof out), expected_rc);
    assert_string_equal(out, expected);
}

static void keeps_ordinary_and_utf8_paths_as_they_are(void **state)
{
    (void)state;
    bundle_path_of("repository/conf/carbon.xml", 0, "repository/conf/carbon.xml");
    bundle_path_of("repository/conf/with space 'and' \"quotes\".xml", 0,
                   "repository/conf/with space 'and' \"quotes\".xml");
    bundle_path_of("logs/caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80.log", 0,
                   "logs/caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80.log");
}

static void encodes_control_characters_backslash_and_percent(void **state)
{
    (void)state;
    bundle_path_of("conf/a\nb\rc\td\x7f"
                   "e.xml",
                   1, "conf/a%0Ab%0Dc%09d%7Fe.xml");
    bundle_path_of("conf/back\\slash", 1, "conf/back%5Cslash");
    bundle_path_of("conf/100%.txt", 1, "conf/100%25.txt");
}

static void encodes_each_byte_of_invalid_utf8(void **state)
{
    (void)state;
    bundle_path_of("odd-\xff\xfe", 1, "odd-%FF%FE");
    bundle_path_of("latin1-caf\xe9.xml", 1, "latin1-caf%E9.xml");
    bundle_path_of("overlong-\xc0\xaf", 1, "overlong-%C0%AF");
    bundle_path_of("surrogate-\xed\xa0\x80", 1, "surrogate-%ED%A0%80");
    bundle_path_of("cut-\xe2\x82", 1, "cut-%E2%82");
    bundle_path_of("dir\n\xff/file", 1, "dir%0A%FF/file");
}

static void cuts_a_long_component_and_keeps_it_distinct(void **state)
{
    (void)state;
    char name[256], other[256], out[4096], out_other[4096];
    memset(name, 'n', 255);
    name[255] = '\0';
    memcpy(other, name, sizeof other);
    other[254] = 'm';
    assert_int_equal(cd_walk_bundle_path(name, out, sizeof out), 1);
    assert_int_equal(cd_walk_bundle_path(other, out_other, sizeof out_other), 1);
    assert_int_equal(strlen(out), CD_WALK_BUNDLE_NAME_MAX);
    assert_int_equal(out[CD_WALK_BUNDLE_NAME_MAX - 17], '~');
    assert_memory_equal(out, name, CD_WALK_BUNDLE_NAME_MAX - 17);
    assert_string_not_equal(out, out_other);
}

static void never_cuts_inside_an_escape(void **state)
{
    (void)state;
    char name[256], out[4096];
    memset(name, '\n', 100); /* 300 bytes once encoded */
    name[100] = '\0';
    assert_int_equal(cd_walk_bundle_path(name, out, sizeof out), 1);
    char *tilde = strchr(out, '~');
    assert_non_null(tilde);
    assert_int_equal((tilde - out) % 3, 0);
    assert_int_equal(tilde - out, 183 / 3 * 3);
}

static void refuses_an_output_too_small(void **state)
{
    (void)state;
    char out[8];
    errno = 0;
    assert_int_equal(cd_walk_bundle_path("repository/conf", out, sizeof out), -1);
    assert_int_equal(errno, ENAMETOOLONG);
}

static void escapes_names_for_text_lines_as_sha256sum_does(void **state)
{
    (void)state;
    char *shown = cd_walk_escape_name("conf/a\nb\\c\rd\te\xff");
    assert_string_equal(shown, "conf/a\\nb\\\\c\\rd\te\xff");
    free(shown);
    shown = cd_walk_escape_name("conf/plain.xml");
    assert_string_equal(shown, "conf/plain.xml");
    free(shown);
}

static void problem_lines_stay_on_one_line(void **state)
{
    (void)state;
    cd_walk_problems problems;
    cd_walk_problems_init(&problems);
    cd_walk_problems_add(&problems, "conf/bad\nname.xml", EACCES, "cannot open");
    assert_int_equal(problems.count, 1);
    assert_string_equal(problems.lines[0], "conf/bad\\nname.xml: cannot open: Permission denied");
    cd_walk_problems_free(&problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keeps_ordinary_and_utf8_paths_as_they_are),
        cmocka_unit_test(encodes_control_characters_backslash_and_percent),
        cmocka_unit_test(encodes_each_byte_of_invalid_utf8),
        cmocka_unit_test(cuts_a_long_component_and_keeps_it_distinct),
        cmocka_unit_test(never_cuts_inside_an_escape),
        cmocka_unit_test(refuses_an_output_too_small),
        cmocka_unit_test(escapes_names_for_text_lines_as_sha256sum_does),
        cmocka_unit_test(problem_lines_stay_on_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
