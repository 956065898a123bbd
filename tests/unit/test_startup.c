/*
 * Start-up options (-agentpath:...=options) and control-file requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbondump/startup.h"

static void defaults_are_documented_values(void **state)
{
    cd_startup_options o;
    cd_error err = {0};
    assert_int_equal(cd_startup_options_parse("", &o, &err), 0);
    assert_string_equal(o.output, "");
    assert_string_equal(o.control, "");
    assert_int_equal(o.poll_ms, 1000);
    assert_int_equal(o.on_oom, CD_ON_OOM_BUNDLE);
    assert_true(o.gc_thrash_enabled);
    assert_int_equal(o.gc_thrash_threshold_ms, 5000);
    assert_int_equal(o.deadlock_check_s, 10);
    assert_int_equal(o.max_bundles, 5);
    assert_int_equal(o.min_interval_s, 60);
    assert_int_equal(o.parts, CD_STARTUP_DEFAULT_PARTS);
}

static void parses_every_option(void **state)
{
    cd_startup_options o;
    cd_error err = {0};
    assert_int_equal(cd_startup_options_parse(
                         "output=/var/dumps,control=/opt/wso2am/carbondump.ctl,poll=250,"
                         "on-oom=jvm-only,gc-thrash=2000:0.5,deadlock-check=off,max-bundles=2,"
                         "min-interval=0,carbon-home=/opt/wso2am,collector=/opt/cd/bin/carbondump,"
                         "parts=threads+histogram",
                         &o, &err),
                     0);
    assert_string_equal(o.output, "/var/dumps");
    assert_string_equal(o.control, "/opt/wso2am/carbondump.ctl");
    assert_int_equal(o.poll_ms, 250);
    assert_int_equal(o.on_oom, CD_ON_OOM_JVM_ONLY);
    assert_int_equal(o.gc_thrash_threshold_ms, 2000);
    assert_true(o.gc_thrash_weight > 0.49 && o.gc_thrash_weight < 0.51);
    assert_int_equal(o.deadlock_check_s, 0);
    assert_int_equal(o.max_bundles, 2);
    assert_int_equal(o.min_interval_s, 0);
    assert_string_equal(o.carbon_home, "/opt/wso2am");
    assert_string_equal(o.collector, "/opt/cd/bin/carbondump");
    assert_int_equal(o.parts,
                     CD_SECTION_BIT(CD_SECTION_THREADS) | CD_SECTION_BIT(CD_SECTION_HISTOGRAM));
}

static void gc_thrash_off_disables_the_trigger(void **state)
{
    cd_startup_options o;
    cd_error err = {0};
    assert_int_equal(cd_startup_options_parse("gc-thrash=off", &o, &err), 0);
    assert_false(o.gc_thrash_enabled);
}

static void unknown_option_is_named(void **state)
{
    cd_startup_options o;
    cd_error err = {0};
    assert_int_equal(cd_startup_options_parse("output=/x,verbose=1", &o, &err), -1);
    assert_string_equal(err.message,
                        "unknown option 'verbose' (valid: output, control, poll, on-oom, "
                        "gc-thrash, deadlock-check, max-bundles, min-interval, carbon-home, "
                        "collector, parts)");
}

static void bad_values_are_named(void **state)
{
    cd_startup_options o;
    cd_error err = {0};
    assert_int_equal(cd_startup_options_parse("output=dumps", &o, &err), -1);
    assert_string_equal(err.message, "output=dumps: must be an absolute path");
    assert_int_equal(cd_startup_options_parse("poll=5", &o, &err), -1);
    assert_string_equal(err.message, "poll=5: must be between 100 and 60000");
    assert_int_equal(cd_startup_options_parse("on-oom=panic", &o, &err), -1);
    assert_string_equal(err.message, "on-oom=panic: expected bundle, jvm-only or off");
    assert_int_equal(cd_startup_options_parse("gc-thrash=5000", &o, &err), -1);
    assert_string_equal(err.message, "gc-thrash=5000: expected THRESHOLD_MS:WEIGHT or off");
    assert_int_equal(cd_startup_options_parse("gc-thrash=50:0.5", &o, &err), -1);
    assert_string_equal(err.message,
                        "gc-thrash=50:0.5: threshold must be 100..3600000 ms and weight in (0, 10]");
    assert_int_equal(cd_startup_options_parse("deadlock-check=never", &o, &err), -1);
    assert_string_equal(err.message, "deadlock-check=never: expected 1..86400 seconds or off");
    assert_int_equal(cd_startup_options_parse("parts=threads+os", &o, &err), -1);
    assert_string_equal(err.message, "parts: os not produced by the agent");
    assert_int_equal(cd_startup_options_parse("poll=200,poll=300", &o, &err), -1);
    assert_string_equal(err.message, "option 'poll' given twice");
}

static void empty_control_file_asks_for_the_defaults(void **state)
{
    cd_request base, r;
    cd_error err = {0};
    cd_request_init(&base);
    base.parts = CD_STARTUP_DEFAULT_PARTS;
    assert_int_equal(cd_control_parse("", &base, &r, &err), 0);
    assert_memory_equal(&base, &r, sizeof r);
}

static void control_file_lines_choose_parts_and_options(void **state)
{
    cd_request base, r;
    cd_error err = {0};
    cd_request_init(&base);
    base.parts = CD_STARTUP_DEFAULT_PARTS;
    assert_int_equal(cd_control_parse("# asked by ops\nparts=threads+histogram\r\n\n"
                                      "thread-samples=3\nthread-interval-ms=500\nlive = 1\n"
                                      "id=ticket-42\n",
                                      &base, &r, &err),
                     0);
    assert_int_equal(r.parts,
                     CD_SECTION_BIT(CD_SECTION_THREADS) | CD_SECTION_BIT(CD_SECTION_HISTOGRAM));
    assert_int_equal(r.thread_samples, 3);
    assert_int_equal(r.thread_interval_ms, 500);
    assert_int_equal(r.live, 1);
    assert_string_equal(r.id, "ticket-42");
}

static void control_file_errors_name_the_line(void **state)
{
    cd_request base, r;
    cd_error err = {0};
    cd_request_init(&base);
    assert_int_equal(cd_control_parse("parts=threads\ndir=/etc\n", &base, &r, &err), -1);
    assert_string_equal(err.message,
                        "line 2: unknown key 'dir' (valid: parts, live, heap-engine, heap-redact, "
                        "thread-samples, thread-interval-ms, id)");
    assert_int_equal(cd_control_parse("thread-samples=0\n", &base, &r, &err), -1);
    assert_string_equal(err.message, "line 1: thread-samples=0: must be between 1 and 100");
    assert_int_equal(cd_control_parse("full bundle please\n", &base, &r, &err), -1);
    assert_string_equal(err.message, "line 1: 'full bundle please' is not key=value");
    assert_int_equal(cd_control_parse("live=1\nlive=0\n", &base, &r, &err), -1);
    assert_string_equal(err.message, "line 2: key 'live' given twice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_documented_values),
        cmocka_unit_test(parses_every_option),
        cmocka_unit_test(gc_thrash_off_disables_the_trigger),
        cmocka_unit_test(unknown_option_is_named),
        cmocka_unit_test(bad_values_are_named),
        cmocka_unit_test(empty_control_file_asks_for_the_defaults),
        cmocka_unit_test(control_file_lines_choose_parts_and_options),
        cmocka_unit_test(control_file_errors_name_the_line),
    };
    return cmocka_run_group_tests_name("startup", tests, NULL, NULL);
}
