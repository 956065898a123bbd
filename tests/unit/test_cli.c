/*
 * The command line: DESIGN section 4, including the original tool's spellings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

#define PARSE(cli, err, ...)                                                               \
    ({                                                                                     \
        char *argv_[] = {"carbondump", __VA_ARGS__, NULL};                                 \
        cd_cli_parse((int)(sizeof argv_ / sizeof *argv_) - 1, argv_, (cli), (err));        \
    })

static void defaults_select_every_section_and_redact(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    char *argv[] = {"carbondump", NULL};
    assert_int_equal(cd_cli_parse(1, argv, &cli, &err), 0);
    assert_int_equal(cli.sections, CD_SECTIONS_ALL);
    assert_int_equal(cli.pid, 0);
    assert_string_equal(cli.output_dir, ".");
    assert_int_equal(cli.redact, 1);
    assert_int_equal(cli.heap_engine, CD_HEAP_ENGINE_VM);
    assert_int_equal(cli.thread_samples, 1);
    assert_int_equal(cli.timeout_s, CD_DEFAULT_TIMEOUT_S);
}

static void accepts_original_single_dash_spellings(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "-carbonHome", "/opt/wso2am", "-pid", "4242"), 0);
    assert_int_equal(cli.pid, 4242);
    assert_string_equal(cli.carbon_home, "/opt/wso2am");
}

static void accepts_gnu_spellings_with_equals(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--pid=17", "--carbon-home=/h", "--output=/out"), 0);
    assert_int_equal(cli.pid, 17);
    assert_string_equal(cli.carbon_home, "/h");
    assert_string_equal(cli.output_dir, "/out");
}

static void rejects_non_numeric_pid(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--pid", "abc"), -1);
    assert_int_equal(err.code, CD_ERR_USAGE);
    assert_string_equal(err.message, "--pid: 'abc' is not a whole number");
}

static void rejects_zero_and_negative_pid(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--pid", "0"), -1);
    assert_string_equal(err.message, "--pid: 0 is out of range (1 to 2147483647)");
    assert_int_equal(PARSE(&cli, &err, "-pid", "-5"), -1);
    assert_string_equal(err.message, "--pid: '-5' is not a whole number");
}

static void rejects_pid_with_trailing_garbage(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--pid", "12x"), -1);
    assert_string_equal(err.message, "--pid: '12x' is not a whole number");
}

static void only_selects_exactly_the_named_sections(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--only", "jvm,os"), 0);
    assert_int_equal(cli.sections, CD_SECTION_BIT(CD_SECTION_JVM) | CD_SECTION_BIT(CD_SECTION_OS));
}

static void skip_removes_sections(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--skip", "heapdump,files"), 0);
    assert_int_equal(cli.sections, CD_SECTIONS_ALL & ~CD_SECTION_BIT(CD_SECTION_HEAPDUMP) &
                                       ~CD_SECTION_BIT(CD_SECTION_FILES));
}

static void unknown_section_is_named_with_the_valid_ones(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--only", "jvm,bogus"), -1);
    assert_string_equal(err.message,
                        "--only: unknown section 'bogus' (valid: jvm,threads,histogram,"
                        "heap-summary,finalizer,classloaders,gc,flags,heapdump,maps,os,process,"
                        "carbon,files,checksums,listing)");
}

static void only_and_skip_together_are_refused(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--only", "jvm", "--skip", "os"), -1);
    assert_string_equal(err.message, "--only and --skip cannot be used together");
}

static void no_heap_dump_drops_the_heap_dump(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--no-heap-dump"), 0);
    assert_false(cli.sections & CD_SECTION_BIT(CD_SECTION_HEAPDUMP));
    assert_int_equal(PARSE(&cli, &err, "--only", "heapdump", "--no-heap-dump"), -1);
    assert_string_equal(err.message, "--no-heap-dump contradicts --only heapdump");
}

static void heap_options_take_only_known_values(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--heap-engine", "jvmti", "--heap-redact", "full"), 0);
    assert_int_equal(cli.heap_engine, CD_HEAP_ENGINE_JVMTI);
    assert_int_equal(cli.heap_redact, CD_HEAP_REDACT_FULL);
    assert_int_equal(PARSE(&cli, &err, "--heap-engine", "hprof"), -1);
    assert_string_equal(err.message, "--heap-engine: 'hprof' is not one of vm, jvmti");
}

static void thread_interval_accepts_fractions_of_seconds(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--thread-samples", "3", "--thread-interval", "0.5"), 0);
    assert_int_equal(cli.thread_samples, 3);
    assert_int_equal(cli.thread_interval_ms, 500);
    assert_int_equal(PARSE(&cli, &err, "--thread-samples", "0"), -1);
    assert_string_equal(err.message, "--thread-samples: 0 is out of range (1 to 100)");
    assert_int_equal(PARSE(&cli, &err, "--thread-interval", "ten"), -1);
    assert_string_equal(err.message, "--thread-interval: 'ten' is not a number of seconds");
}

static void option_without_value_is_an_error(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--timeout"), -1);
    assert_string_equal(err.message, "--timeout needs a value");
}

static void unknown_option_and_stray_argument_are_named(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--frobnicate"), -1);
    assert_string_equal(err.message, "unknown option '--frobnicate'");
    assert_int_equal(PARSE(&cli, &err, "4242"), -1);
    assert_string_equal(err.message, "unexpected argument '4242'");
}

static void single_dash_long_options_do_not_take_equals(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "-pid=12"), -1);
    assert_string_equal(err.message, "unknown option '-pid=12'");
}

static void flags_set_their_switches(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--live", "--no-redact", "-q", "--agent", "/a.so",
                           "--control-file", "/c.ctl", "--timeout", "30"),
                     0);
    assert_true(cli.live);
    assert_false(cli.redact);
    assert_true(cli.quiet);
    assert_string_equal(cli.agent_path, "/a.so");
    assert_string_equal(cli.control_file, "/c.ctl");
    assert_int_equal(cli.timeout_s, 30);
    assert_int_equal(PARSE(&cli, &err, "-q", "-v"), -1);
    assert_string_equal(err.message, "--quiet and --verbose cannot be used together");
}

static void log_caps_default_to_50m_per_file_and_200m_in_all(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--only", "files"), 0);
    assert_int_equal(cli.max_log_bytes, 50ull << 20);
    assert_int_equal(cli.max_logs_total_bytes, 200ull << 20);
}

static void log_caps_take_bytes_and_k_m_g_suffixes(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--max-log-bytes", "1500", "--max-logs-total-bytes=2G"), 0);
    assert_int_equal(cli.max_log_bytes, 1500);
    assert_int_equal(cli.max_logs_total_bytes, 2ull << 30);
    assert_int_equal(PARSE(&cli, &err, "--max-log-bytes", "64k", "--max-logs-total-bytes", "0"), 0);
    assert_int_equal(cli.max_log_bytes, 64 << 10);
    assert_int_equal(cli.max_logs_total_bytes, 0);
}

static void log_caps_refuse_what_is_not_a_size(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--max-log-bytes", "10MB"), -1);
    assert_string_equal(err.message,
                        "--max-log-bytes: '10MB' is not a size (bytes, or a number with K, M or G)");
    assert_int_equal(PARSE(&cli, &err, "--max-logs-total-bytes", "-1"), -1);
    assert_string_equal(err.message, "--max-logs-total-bytes: '-1' is not a size (bytes, or a "
                                     "number with K, M or G)");
    assert_int_equal(PARSE(&cli, &err, "--max-log-bytes", "2048G"), -1);
    assert_string_equal(err.message, "--max-log-bytes: 2048G is out of range (0 to 1T)");
}

static void section_timeout_and_lock_wait_have_defaults(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    char *argv[] = {"carbondump", NULL};
    assert_int_equal(cd_cli_parse(1, argv, &cli, &err), 0);
    assert_int_equal(cli.section_timeout_s, 300);
    assert_int_equal(cli.lock_wait_s, 60);
}

static void section_timeout_takes_whole_seconds_from_1(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--section-timeout", "5"), 0);
    assert_int_equal(cli.section_timeout_s, 5);
    assert_int_equal(PARSE(&cli, &err, "--section-timeout=86400"), 0);
    assert_int_equal(cli.section_timeout_s, 86400);
    assert_int_equal(PARSE(&cli, &err, "--section-timeout", "0"), -1);
    assert_string_equal(err.message, "--section-timeout: 0 is out of range (1 to 86400)");
    assert_int_equal(PARSE(&cli, &err, "--section-timeout", "1.5"), -1);
    assert_string_equal(err.message, "--section-timeout: '1.5' is not a whole number");
    assert_int_equal(PARSE(&cli, &err, "--section-timeout"), -1);
    assert_string_equal(err.message, "--section-timeout needs a value");
}

static void lock_wait_takes_whole_seconds_from_0(void **state)
{
    cd_cli cli;
    cd_error err = {0};
    assert_int_equal(PARSE(&cli, &err, "--lock-wait", "0"), 0);
    assert_int_equal(cli.lock_wait_s, 0);
    assert_int_equal(PARSE(&cli, &err, "--lock-wait=120"), 0);
    assert_int_equal(cli.lock_wait_s, 120);
    assert_int_equal(PARSE(&cli, &err, "--lock-wait", "-1"), -1);
    assert_string_equal(err.message, "--lock-wait: '-1' is not a whole number");
    assert_int_equal(PARSE(&cli, &err, "--lock-wait", "86401"), -1);
    assert_string_equal(err.message, "--lock-wait: 86401 is out of range (0 to 86400)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_select_every_section_and_redact),
        cmocka_unit_test(accepts_original_single_dash_spellings),
        cmocka_unit_test(accepts_gnu_spellings_with_equals),
        cmocka_unit_test(rejects_non_numeric_pid),
        cmocka_unit_test(rejects_zero_and_negative_pid),
        cmocka_unit_test(rejects_pid_with_trailing_garbage),
        cmocka_unit_test(only_selects_exactly_the_named_sections),
        cmocka_unit_test(skip_removes_sections),
        cmocka_unit_test(unknown_section_is_named_with_the_valid_ones),
        cmocka_unit_test(only_and_skip_together_are_refused),
        cmocka_unit_test(no_heap_dump_drops_the_heap_dump),
        cmocka_unit_test(heap_options_take_only_known_values),
        cmocka_unit_test(thread_interval_accepts_fractions_of_seconds),
        cmocka_unit_test(option_without_value_is_an_error),
        cmocka_unit_test(unknown_option_and_stray_argument_are_named),
        cmocka_unit_test(single_dash_long_options_do_not_take_equals),
        cmocka_unit_test(flags_set_their_switches),
        cmocka_unit_test(log_caps_default_to_50m_per_file_and_200m_in_all),
        cmocka_unit_test(log_caps_take_bytes_and_k_m_g_suffixes),
        cmocka_unit_test(log_caps_refuse_what_is_not_a_size),
        cmocka_unit_test(section_timeout_and_lock_wait_have_defaults),
        cmocka_unit_test(section_timeout_takes_whole_seconds_from_1),
        cmocka_unit_test(lock_wait_takes_whole_seconds_from_0),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
