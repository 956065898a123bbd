/*
 * Carbon's wso2carbon.pid: what the parser accepts, what it refuses and in which
 * words, and how the reader treats files that are not small regular files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "carbon/pidfile.h"

/* ---------------------------------------------------------------- helpers */

static void assert_parses(const char *data, size_t len, pid_t expected)
{
    pid_t pid = -1;
    cd_error err = {0};
    assert_int_equal(cd_pidfile_parse(data, len, &pid, &err), 0);
    assert_int_equal(pid, expected);
}

static void assert_refused(const char *data, size_t len, const char *message)
{
    pid_t pid = 777;
    cd_error err = {0};
    assert_int_equal(cd_pidfile_parse(data, len, &pid, &err), -1);
    assert_int_equal(err.code, CD_ERR_USAGE);
    assert_string_equal(err.message, message);
    assert_int_equal(pid, 777); /* untouched on failure */
}

/* A Carbon home in a fresh temporary directory, removed by the teardown. */
typedef struct home_fixture {
    char dir[64];
    char pidfile[128];
} home_fixture;

static int make_home(void **state)
{
    home_fixture *home = calloc(1, sizeof *home);
    strcpy(home->dir, "/tmp/cd-pidfile-XXXXXX");
    if (!mkdtemp(home->dir))
        return -1;
    snprintf(home->pidfile, sizeof home->pidfile, "%s/wso2carbon.pid", home->dir);
    *state = home;
    return 0;
}

static int remove_home(void **state)
{
    home_fixture *home = *state;
    int rc = cd_remove_tree(home->dir);
    free(home);
    return rc == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reads the fixture's pid file and checks that it fails with code and the message
 * that format (printf-style) and its arguments make. */
static void assert_read_fails(home_fixture *home, cd_code code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void assert_read_fails(home_fixture *home, cd_code code, const char *format, ...)
{
    char expected[512];
    va_list ap;
    va_start(ap, format);
    vsnprintf(expected, sizeof expected, format, ap);
    va_end(ap);
    pid_t pid = 777;
    cd_error err = {0};
    assert_int_equal(cd_pidfile_read(home->dir, &pid, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, expected);
    assert_int_equal(pid, 777);
}

/* ---------------------------------------------------------------- parser: accepted */

static void parses_pid_with_newline_and_nul_padding_to_100_bytes(void **state)
{
    char data[100] = "4242\n";
    assert_parses(data, sizeof data, 4242);
}

static void parses_pid_without_newline(void **state)
{
    assert_parses("4242", 4, 4242);
}

static void parses_pid_with_crlf_line_ending(void **state)
{
    assert_parses("4242\r\n", 6, 4242);
}

static void parses_pid_with_surrounding_white_space(void **state)
{
    assert_parses("  \t4242  \n\n", 11, 4242);
}

static void parses_pid_with_leading_zeros(void **state)
{
    assert_parses("004242\n", 7, 4242);
}

static void parses_largest_linux_pid(void **state)
{
    assert_parses("4194304\n", 8, 4194304);
}

static void parses_pid_1_of_a_container(void **state)
{
    assert_parses("1\n", 2, 1);
}

/* ---------------------------------------------------------------- parser: refused */

static void refuses_empty_file(void **state)
{
    assert_refused("", 0, "pid file is empty");
}

static void refuses_file_of_nul_padding_only(void **state)
{
    char data[100] = {0};
    assert_refused(data, sizeof data, "pid file is empty");
}

static void refuses_file_of_white_space_only(void **state)
{
    assert_refused(" \n\t\n", 4, "pid file is empty");
}

static void refuses_text_instead_of_pid(void **state)
{
    assert_refused("running\n", 8, "pid file does not start with a process id: \"running\"");
}

static void refuses_plus_sign(void **state)
{
    assert_refused("+4242\n", 6, "pid file does not start with a process id: \"+4242\"");
}

static void refuses_negative_pid(void **state)
{
    assert_refused("-42\n", 4, "pid file holds a negative process id: -42");
}

static void refuses_lone_minus_sign(void **state)
{
    assert_refused("-\n", 2, "pid file does not start with a process id: \"-\"");
}

static void refuses_pid_zero(void **state)
{
    assert_refused("0\n", 2, "pid file holds process id 0, which is no process");
}

static void refuses_pid_zero_written_with_leading_zeros(void **state)
{
    assert_refused("0000\n", 5, "pid file holds process id 0, which is no process");
}

static void refuses_pid_above_kernel_limit(void **state)
{
    assert_refused("4194305\n", 8,
                   "pid file holds process id 4194305, larger than any Linux pid (4194304)");
}

static void refuses_number_that_overflows_any_integer_type(void **state)
{
    const char *data = "123456789012345678901234567890\n";
    assert_refused(data, strlen(data),
                   "pid file holds process id 1234567890123456..., larger than any Linux pid "
                   "(4194304)");
}

static void refuses_text_after_pid(void **state)
{
    assert_refused("4242 java\n", 10,
                   "pid file has unexpected text after process id 4242: \"java\"");
}

static void refuses_letters_glued_to_pid(void **state)
{
    assert_refused("4242abc\n", 8, "pid file has unexpected text after process id 4242: \"abc\"");
}

static void refuses_second_pid_on_next_line(void **state)
{
    assert_refused("4242\n4343\n", 10,
                   "pid file has unexpected text after process id 4242: \"4343\"");
}

static void refuses_digits_hidden_after_nul_padding(void **state)
{
    char data[100] = "4242\n";
    memcpy(data + 90, "17", 2);
    assert_refused(data, sizeof data, "pid file has unexpected text after process id 4242: \"17\"");
}

static void quotes_binary_garbage_as_hex_escapes(void **state)
{
    assert_refused("\x01\xff\"\\\n", 5,
                   "pid file does not start with a process id: \"\\x01\\xff\\\"\\\\\"");
}

static void quotes_at_most_16_bytes_of_garbage(void **state)
{
    const char *data = "abcdefghijklmnopqrstuvwxyz";
    assert_refused(data, strlen(data),
                   "pid file does not start with a process id: \"abcdefghijklmnop...\"");
}

static void reads_only_the_given_length(void **state)
{
    /* No NUL terminator needed: "42" followed by bytes beyond len is just "42". */
    assert_parses("42junk", 2, 42);
}

/* ---------------------------------------------------------------- reader */

static void reads_pid_from_carbon_home(void **state)
{
    home_fixture *home = *state;
    char data[100] = "31337\n";
    write_file(home->pidfile, data, sizeof data);
    pid_t pid = 0;
    cd_error err = {0};
    assert_int_equal(cd_pidfile_read(home->dir, &pid, &err), 0);
    assert_int_equal(pid, 31337);
}

static void reads_file_of_exactly_4_kib(void **state)
{
    home_fixture *home = *state;
    char data[4096] = "31337\n";
    write_file(home->pidfile, data, sizeof data);
    pid_t pid = 0;
    cd_error err = {0};
    assert_int_equal(cd_pidfile_read(home->dir, &pid, &err), 0);
    assert_int_equal(pid, 31337);
}

static void refuses_file_over_4_kib(void **state)
{
    home_fixture *home = *state;
    char data[4097] = "31337\n";
    write_file(home->pidfile, data, sizeof data);
    assert_read_fails(home, CD_ERR_IO, "%s is larger than 4096 bytes", home->pidfile);
}

static void reports_missing_pid_file_with_hint_to_give_pid(void **state)
{
    home_fixture *home = *state;
    assert_read_fails(home, CD_ERR_NOENT,
                      "no wso2carbon.pid in %s: the server is not running, or it was started "
                      "without one; give the process id with --pid",
                      home->dir);
}

static void reports_missing_carbon_home(void **state)
{
    home_fixture *home = *state;
    char missing[128];
    snprintf(missing, sizeof missing, "%s/no-such-home", home->dir);
    pid_t pid = 0;
    cd_error err = {0};
    char expected[256];
    snprintf(expected, sizeof expected, "CARBON_HOME %s is not a directory", missing);
    assert_int_equal(cd_pidfile_read(missing, &pid, &err), -1);
    assert_int_equal(err.code, CD_ERR_NOENT);
    assert_string_equal(err.message, expected);
}

static void refuses_fifo_without_blocking(void **state)
{
    home_fixture *home = *state;
    assert_int_equal(mkfifo(home->pidfile, 0600), 0);
    assert_read_fails(home, CD_ERR_IO, "%s is not a regular file", home->pidfile);
}

static void refuses_directory_named_like_pid_file(void **state)
{
    home_fixture *home = *state;
    assert_int_equal(mkdir(home->pidfile, 0700), 0);
    assert_read_fails(home, CD_ERR_IO, "%s is not a regular file", home->pidfile);
}

static void names_the_file_when_contents_are_bad(void **state)
{
    home_fixture *home = *state;
    write_file(home->pidfile, "stopped\n", 8);
    assert_read_fails(home, CD_ERR_USAGE,
                      "%s: pid file does not start with a process id: \"stopped\"", home->pidfile);
}

static void names_the_file_when_it_is_empty(void **state)
{
    home_fixture *home = *state;
    write_file(home->pidfile, "", 0);
    assert_read_fails(home, CD_ERR_USAGE, "%s: pid file is empty", home->pidfile);
}

static void reports_unreadable_pid_file_as_permission_problem(void **state)
{
    if (geteuid() == 0)
        skip(); /* root reads mode-000 files */
    home_fixture *home = *state;
    write_file(home->pidfile, "4242\n", 5);
    assert_int_equal(chmod(home->pidfile, 0), 0);
    assert_read_fails(home, CD_ERR_PERM, "cannot open %s: Permission denied", home->pidfile);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_pid_with_newline_and_nul_padding_to_100_bytes),
        cmocka_unit_test(parses_pid_without_newline),
        cmocka_unit_test(parses_pid_with_crlf_line_ending),
        cmocka_unit_test(parses_pid_with_surrounding_white_space),
        cmocka_unit_test(parses_pid_with_leading_zeros),
        cmocka_unit_test(parses_largest_linux_pid),
        cmocka_unit_test(parses_pid_1_of_a_container),
        cmocka_unit_test(refuses_empty_file),
        cmocka_unit_test(refuses_file_of_nul_padding_only),
        cmocka_unit_test(refuses_file_of_white_space_only),
        cmocka_unit_test(refuses_text_instead_of_pid),
        cmocka_unit_test(refuses_plus_sign),
        cmocka_unit_test(refuses_negative_pid),
        cmocka_unit_test(refuses_lone_minus_sign),
        cmocka_unit_test(refuses_pid_zero),
        cmocka_unit_test(refuses_pid_zero_written_with_leading_zeros),
        cmocka_unit_test(refuses_pid_above_kernel_limit),
        cmocka_unit_test(refuses_number_that_overflows_any_integer_type),
        cmocka_unit_test(refuses_text_after_pid),
        cmocka_unit_test(refuses_letters_glued_to_pid),
        cmocka_unit_test(refuses_second_pid_on_next_line),
        cmocka_unit_test(refuses_digits_hidden_after_nul_padding),
        cmocka_unit_test(quotes_binary_garbage_as_hex_escapes),
        cmocka_unit_test(quotes_at_most_16_bytes_of_garbage),
        cmocka_unit_test(reads_only_the_given_length),
        cmocka_unit_test_setup_teardown(reads_pid_from_carbon_home, make_home, remove_home),
        cmocka_unit_test_setup_teardown(reads_file_of_exactly_4_kib, make_home, remove_home),
        cmocka_unit_test_setup_teardown(refuses_file_over_4_kib, make_home, remove_home),
        cmocka_unit_test_setup_teardown(reports_missing_pid_file_with_hint_to_give_pid, make_home,
                                        remove_home),
        cmocka_unit_test_setup_teardown(reports_missing_carbon_home, make_home, remove_home),
        cmocka_unit_test_setup_teardown(refuses_fifo_without_blocking, make_home, remove_home),
        cmocka_unit_test_setup_teardown(refuses_directory_named_like_pid_file, make_home,
                                        remove_home),
        cmocka_unit_test_setup_teardown(names_the_file_when_contents_are_bad, make_home,
                                        remove_home),
        cmocka_unit_test_setup_teardown(names_the_file_when_it_is_empty, make_home, remove_home),
        cmocka_unit_test_setup_teardown(reports_unreadable_pid_file_as_permission_problem,
                                        make_home, remove_home),
    };
    return cmocka_run_group_tests_name("pidfile", tests, NULL, NULL);
}
