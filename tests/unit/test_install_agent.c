/*
 * carbondump install-agent: the start-script edit (start_script.c) on scripts of
 * the shape WSO2 ships and on scripts it must refuse, the agent option it writes,
 * and the subcommand's arguments (install_agent.c).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "install_agent.h"
#include "carbon/start_script.h"

#define OPTION "-agentpath:/usr/lib/carbondump/libcarbondump.so=output=/var/dumps"

/* The parts of a WSO2 start script that matter here: the --debug branch that
 * replaces JAVA_OPTS, the anchor, the java command in its restart loop. */
#define SCRIPT_HEAD                                                                                \
    "#!/bin/sh\n"                                                                                  \
    "#   JAVA_OPTS       (Optional) Java runtime options\n"                                        \
    "if [ \"$CMD\" = \"--debug\" ]; then\n"                                                        \
    "  JAVA_OPTS=\"-agentlib:jdwp=transport=dt_socket,server=y,address=$PORT\"\n"                  \
    "fi\n"                                                                                         \
    "\n"
#define SCRIPT_TAIL                                                                                \
    "# ----- Execute The Requested Command -----------------------------------------\n"            \
    "cd \"$CARBON_HOME\"\n"                                                                        \
    "while [ \"$status\" = \"$START_EXIT_STATUS\" ]\n"                                             \
    "do\n"                                                                                         \
    "    $JAVACMD \\\n"                                                                            \
    "    $JAVA_OPTS \\\n"                                                                          \
    "    -Dcarbon.home=\"$CARBON_HOME\" \\\n"                                                      \
    "    org.wso2.carbon.bootstrap.Bootstrap $*\n"                                                 \
    "    status=$?\n"                                                                              \
    "done\n"
#define BLOCK(option)                                                                              \
    "# >>> carbondump agent >>> added by 'carbondump install-agent'; 'carbondump "                 \
    "install-agent --uninstall' removes it\n"                                                      \
    "JAVA_OPTS=\"$JAVA_OPTS " option "\"\n"                                                        \
    "# <<< carbondump agent <<<\n"

static const char script[] = SCRIPT_HEAD SCRIPT_TAIL;
static const char installed[] = SCRIPT_HEAD BLOCK(OPTION) SCRIPT_TAIL;

/* Adds the agent with option to text, or removes it when option is NULL;
 * returns the script made (the caller frees it), or NULL on error. */
static char *edit(const char *text, const char *option, cd_script_change *change, cd_error *err)
{
    char *out = NULL;
    size_t len = 0;
    int rc = option ? cd_start_script_add_agent(text, strlen(text), option, &out, &len, change, err)
                    : cd_start_script_remove_agent(text, strlen(text), &out, &len, change, err);
    if (rc != 0)
        return NULL;
    assert_int_equal(len, strlen(out));
    return out;
}

static void expect_edit(const char *text, const char *option, cd_script_change expected_change,
                        const char *expected)
{
    cd_script_change change;
    cd_error err = {0};
    char *out = edit(text, option, &change, &err);
    assert_non_null(out);
    assert_int_equal(change, expected_change);
    assert_string_equal(out, expected);
    free(out);
}

/* ---------------------------------------------------------------- the edit */

static void adds_block_just_before_the_execute_section(void **state)
{
    expect_edit(script, OPTION, CD_SCRIPT_ADDED, installed);
}

static void adding_again_changes_nothing(void **state)
{
    expect_edit(installed, OPTION, CD_SCRIPT_UNCHANGED, installed);
}

static void adding_other_options_replaces_the_block_in_place(void **state)
{
    expect_edit(installed, OPTION ",poll=200", CD_SCRIPT_UPDATED,
                SCRIPT_HEAD BLOCK(OPTION ",poll=200") SCRIPT_TAIL);
}

static void removing_gives_back_the_script_byte_for_byte(void **state)
{
    expect_edit(installed, NULL, CD_SCRIPT_REMOVED, script);
}

static void removing_from_a_script_without_the_block_changes_nothing(void **state)
{
    expect_edit(script, NULL, CD_SCRIPT_UNCHANGED, script);
}

static void block_moved_by_the_operator_is_still_found(void **state)
{
    static const char moved[] = SCRIPT_HEAD SCRIPT_TAIL BLOCK(OPTION);
    expect_edit(moved, OPTION, CD_SCRIPT_UNCHANGED, moved);
    expect_edit(moved, NULL, CD_SCRIPT_REMOVED, script);
}

static void refuses_a_script_without_the_execute_section(void **state)
{
    static const char plain[] = "#!/bin/sh\nexec java $JAVA_OPTS -jar server.jar\n";
    cd_script_change change;
    cd_error err = {0};
    assert_null(edit(plain, OPTION, &change, &err));
    assert_int_equal(err.code, CD_ERR_UNSUPPORTED);
    assert_string_equal(err.message,
                        "it has no '# ----- Execute The Requested Command' line, after which a "
                        "Carbon start script runs java with $JAVA_OPTS: it does not look like a "
                        "WSO2 Carbon start script");
}

static void refuses_a_script_that_sets_java_opts_after_the_anchor(void **state)
{
    static const char resets[] = SCRIPT_HEAD "# ----- Execute The Requested Command\n"
                                             "  export JAVA_OPTS=\"-Xmx2g\"\n"
                                             "$JAVACMD $JAVA_OPTS Main\n";
    cd_script_change change;
    cd_error err = {0};
    assert_null(edit(resets, OPTION, &change, &err));
    assert_string_equal(err.message, "line 8 sets JAVA_OPTS after the '# ----- Execute The "
                                     "Requested Command' line (line 7), which would drop the "
                                     "agent");
}

static void refuses_a_script_whose_java_command_ignores_java_opts(void **state)
{
    static const char unused[] = "#!/bin/bash\n# ----- Execute The Requested Command\n"
                                 "# $JAVA_OPTS is not used any more\n"
                                 "$JAVACMD -Xmx1g Main\n";
    cd_script_change change;
    cd_error err = {0};
    assert_null(edit(unused, OPTION, &change, &err));
    assert_string_equal(err.message, "nothing after the '# ----- Execute The Requested Command' "
                                     "line (line 2) passes $JAVA_OPTS to java");
}

static void refuses_what_is_not_a_shell_script(void **state)
{
    static const char batch[] = "@echo off\r\nrem # ----- Execute The Requested Command\r\n";
    static const char binary[] = "#!/bin/sh\n\0\x7f"
                                 "ELF";
    char *out = NULL;
    size_t len;
    cd_script_change change;
    cd_error err = {0};
    assert_null(edit(batch, OPTION, &change, &err));
    assert_string_equal(err.message,
                        "it does not start with a #! line naming a shell: not a shell script");
    assert_int_equal(
        cd_start_script_add_agent(binary, sizeof binary - 1, OPTION, &out, &len, &change, &err),
        -1);
    assert_string_equal(err.message, "it holds NUL bytes: not a shell script");
}

static void refuses_a_damaged_block_both_ways(void **state)
{
    static const char damaged[] = SCRIPT_HEAD "# >>> carbondump agent >>> added\n"
                                              "JAVA_OPTS=\"$JAVA_OPTS " OPTION "\"\n" SCRIPT_TAIL;
    static const char expected[] =
        "line 7: carbondump's block is damaged (a '# >>> carbondump agent >>>' line without its "
        "'# <<< carbondump agent <<<' partner); restore the script from its backup or mend it "
        "by hand";
    cd_script_change change;
    cd_error err = {0};
    assert_null(edit(damaged, OPTION, &change, &err));
    assert_string_equal(err.message, expected);
    assert_null(edit(damaged, NULL, &change, &err));
    assert_string_equal(err.message, expected);
}

static void refuses_to_load_the_agent_a_second_way(void **state)
{
    static const char by_hand[] =
        SCRIPT_HEAD "JAVA_OPTS=\"$JAVA_OPTS -agentpath:/opt/cd/lib/carbondump/libcarbondump.so\"\n"
                    "# the libcarbondump line above was added by hand\n" SCRIPT_TAIL;
    cd_script_change change;
    cd_error err = {0};
    assert_null(edit(by_hand, OPTION, &change, &err));
    assert_string_equal(err.message, "line 7 already loads libcarbondump outside carbondump's "
                                     "block; remove that line first, so the agent is not loaded "
                                     "twice");
}

static void words_the_script_cannot_carry_are_refused(void **state)
{
    cd_error err = {0};
    assert_int_equal(cd_start_script_check_word("--output", "/var/dumps/wso2-am_1.0", &err), 0);
    assert_int_equal(cd_start_script_check_word("--output", "/var/my dumps", &err), -1);
    assert_string_equal(err.message,
                        "--output '/var/my dumps' holds a blank, which the start script would "
                        "not pass to java intact (it expands JAVA_OPTS unquoted); choose one "
                        "without it");
    assert_int_equal(cd_start_script_check_word("--output", "/var/$HOME", &err), -1);
    assert_non_null(strstr(err.message, "holds '$'"));
    assert_int_equal(cd_start_script_check_word("--output", "/var/d*", &err), -1);
    assert_non_null(strstr(err.message, "holds '*'"));
    assert_int_equal(cd_start_script_check_word("--output", "/var/\"x", &err), -1);
    assert_int_equal(cd_start_script_check_word("--output", "", &err), -1);
    assert_string_equal(err.message, "--output is empty");
}

/* ---------------------------------------------------------------- the option */

static void option_defaults_to_var_tmp_and_the_homes_control_file(void **state)
{
    cd_install_agent_args args = {.carbon_home = "/opt/wso2am-4.5.0"};
    char option[4 * PATH_MAX];
    cd_error err = {0};
    assert_int_equal(cd_install_agent_option(&args, "/usr/lib/carbondump/libcarbondump.so", option,
                                             sizeof option, &err),
                     0);
    assert_string_equal(option, "-agentpath:/usr/lib/carbondump/libcarbondump.so="
                                "output=/var/tmp/carbondump,"
                                "control=/opt/wso2am-4.5.0/carbondump.ctl");
}

static void option_takes_the_operators_choices_and_makes_paths_absolute(void **state)
{
    cd_install_agent_args args = {.carbon_home = "/opt/wso2am-4.5.0",
                                  .output_dir = "dumps",
                                  .control_file = "/run/wso2/carbondump.ctl",
                                  .agent_options = "on-oom=jvm-only,max-bundles=2"};
    char option[4 * PATH_MAX], cwd[PATH_MAX], expected[6 * PATH_MAX];
    cd_error err = {0};
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(
        cd_install_agent_option(&args, "/opt/cd/lib/libcarbondump.so", option, sizeof option, &err),
        0);
    snprintf(expected, sizeof expected,
             "-agentpath:/opt/cd/lib/libcarbondump.so=output=%s/dumps,"
             "control=/run/wso2/carbondump.ctl,on-oom=jvm-only,max-bundles=2",
             cwd);
    assert_string_equal(option, expected);
}

static void option_is_checked_by_the_agents_own_parser(void **state)
{
    cd_install_agent_args args = {.carbon_home = "/opt/am", .agent_options = "on-oom=sometimes"};
    char option[4 * PATH_MAX];
    cd_error err = {0};
    assert_int_equal(
        cd_install_agent_option(&args, "/a/libcarbondump.so", option, sizeof option, &err), -1);
    assert_string_equal(err.message, "agent options output=/var/tmp/carbondump,"
                                     "control=/opt/am/carbondump.ctl,on-oom=sometimes: "
                                     "on-oom=sometimes: expected bundle, jvm-only or off");
    args.agent_options = "output=/elsewhere";
    assert_int_equal(
        cd_install_agent_option(&args, "/a/libcarbondump.so", option, sizeof option, &err), -1);
    assert_non_null(strstr(err.message, "option 'output' given twice"));
    args.agent_options = NULL;
    assert_int_equal(
        cd_install_agent_option(&args, "/a,b/libcarbondump.so", option, sizeof option, &err), -1);
    assert_string_equal(err.message, "the agent's path '/a,b/libcarbondump.so' holds '=' or "
                                     "',', which end it in -agentpath");
}

/* ---------------------------------------------------------------- arguments */

static int parse(cd_install_agent_args *args, cd_error *err, ...)
{
    char *argv[16] = {"install-agent"};
    int argc = 1;
    va_list ap;
    va_start(ap, err);
    for (char *arg; (arg = va_arg(ap, char *)) != NULL;)
        argv[argc++] = arg;
    va_end(ap);
    return cd_install_agent_parse(argc, argv, args, err);
}

static void arguments_fill_every_field(void **state)
{
    cd_install_agent_args args;
    cd_error err = {0};
    assert_int_equal(parse(&args, &err, "--carbon-home", "/opt/am", "--script=api-manager.sh",
                           "--agent", "/a.so", "--output", "/d", "--control-file", "/c",
                           "--agent-options", "poll=200", NULL),
                     0);
    assert_string_equal(args.carbon_home, "/opt/am");
    assert_string_equal(args.script, "api-manager.sh");
    assert_string_equal(args.agent_path, "/a.so");
    assert_string_equal(args.output_dir, "/d");
    assert_string_equal(args.control_file, "/c");
    assert_string_equal(args.agent_options, "poll=200");
    assert_false(args.uninstall);
    assert_int_equal(parse(&args, &err, "--uninstall", "--carbon-home", "/opt/am", NULL), 0);
    assert_true(args.uninstall);
    assert_null(args.output_dir);
}

static void argument_errors_name_the_argument(void **state)
{
    cd_install_agent_args args;
    cd_error err = {0};
    assert_int_equal(parse(&args, &err, "--output", "/d", NULL), -1);
    assert_string_equal(err.message, "--carbon-home DIR is required");
    assert_int_equal(parse(&args, &err, "--carbon-home", NULL), -1);
    assert_string_equal(err.message, "--carbon-home needs a value");
    assert_int_equal(parse(&args, &err, "--carbon-home", "/opt/am", "--pid", "1", NULL), -1);
    assert_string_equal(err.message, "unknown option '--pid'");
    assert_int_equal(parse(&args, &err, "--carbon-home", "/opt/am", "now", NULL), -1);
    assert_string_equal(err.message, "unexpected argument 'now'");
    assert_int_equal(parse(&args, &err, "--carbon-home=", NULL), -1);
    assert_string_equal(err.message, "--carbon-home=: empty value");
    assert_int_equal(
        parse(&args, &err, "--carbon-home", "/opt/am", "--uninstall", "--output", "/d", NULL), -1);
    assert_string_equal(err.message,
                        "--uninstall takes no --output, --control-file or --agent-options");
    assert_int_equal(parse(&args, &err, "--help", NULL), 0);
    assert_true(args.show_help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adds_block_just_before_the_execute_section),
        cmocka_unit_test(adding_again_changes_nothing),
        cmocka_unit_test(adding_other_options_replaces_the_block_in_place),
        cmocka_unit_test(removing_gives_back_the_script_byte_for_byte),
        cmocka_unit_test(removing_from_a_script_without_the_block_changes_nothing),
        cmocka_unit_test(block_moved_by_the_operator_is_still_found),
        cmocka_unit_test(refuses_a_script_without_the_execute_section),
        cmocka_unit_test(refuses_a_script_that_sets_java_opts_after_the_anchor),
        cmocka_unit_test(refuses_a_script_whose_java_command_ignores_java_opts),
        cmocka_unit_test(refuses_what_is_not_a_shell_script),
        cmocka_unit_test(refuses_a_damaged_block_both_ways),
        cmocka_unit_test(refuses_to_load_the_agent_a_second_way),
        cmocka_unit_test(words_the_script_cannot_carry_are_refused),
        cmocka_unit_test(option_defaults_to_var_tmp_and_the_homes_control_file),
        cmocka_unit_test(option_takes_the_operators_choices_and_makes_paths_absolute),
        cmocka_unit_test(option_is_checked_by_the_agents_own_parser),
        cmocka_unit_test(arguments_fill_every_field),
        cmocka_unit_test(argument_errors_name_the_argument),
    };
    return cmocka_run_group_tests_name("install_agent", tests, NULL, NULL);
}
