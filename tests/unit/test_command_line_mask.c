/*
 * Secrets in command lines, arguments and named values
 * (common/command_line_mask.c): every form the README promises to mask, what
 * stays, the keys noted, and arguments with separators in odd places.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbondump/command_line_mask.h"
#include "carbondump/redaction_notes.h"
#include "carbondump/secrets.h"

/* The keys noted, each in brackets. */
typedef struct keys {
    char text[2048];
} keys;

static void collect_key(void *context, const char *key)
{
    keys *k = context;
    size_t used = strlen(k->text);
    snprintf(k->text + used, sizeof k->text - used, "[%s]", key);
}

/* The arguments of argv (NULL-terminated) masked and joined by " | "; keys
 * noted into k. Returns a static buffer. */
static const char *mask_argv(const char *const argv[], keys *k)
{
    static char joined[8192];
    cd_argv_mask state = {0};
    joined[0] = '\0';
    k->text[0] = '\0';
    for (size_t i = 0; argv[i]; i++) {
        char *masked = cd_masked_argument(&state, argv[i], strlen(argv[i]), collect_key, k, NULL);
        assert_non_null(masked);
        size_t used = strlen(joined);
        snprintf(joined + used, sizeof joined - used, "%s%s", i ? " | " : "", masked);
        free(masked);
    }
    return joined;
}

/* value stored under name, masked; keys noted into k. Returns a static buffer. */
static const char *mask_named(const char *name, const char *value, keys *k)
{
    static char out[8192];
    k->text[0] = '\0';
    size_t count = 0;
    char *masked =
        cd_masked_named_value(name, strlen(name), value, strlen(value), collect_key, k, &count);
    assert_non_null(masked);
    snprintf(out, sizeof out, "%s", masked);
    free(masked);
    return out;
}

/* ---------------------------------------------------------------- argv */

static void masks_the_argument_after_a_secret_flag(void **state)
{
    keys k;
    const char *argv[] = {"app",       "--password", "hunter2",   "-token", "t0k3n",
                          "--api-key", "k3y",        "--verbose", NULL};
    assert_string_equal(mask_argv(argv, &k), "app | --password | ******** | -token | ******** | "
                                             "--api-key | ******** | --verbose");
    assert_string_equal(k.text, "[--password][-token][--api-key]");
}

static void masks_a_flag_value_with_blanks_whole(void **state)
{
    keys k;
    const char *argv[] = {"--secret", "correct horse battery", "next", NULL};
    assert_string_equal(mask_argv(argv, &k), "--secret | ******** | next");
}

static void a_long_option_after_a_secret_flag_is_no_value(void **state)
{
    keys k;
    const char *argv[] = {"login", "--password-stdin", "--user", "admin", NULL};
    /* --password-stdin names a secret and takes none: the option after it is
     * no value; --user's value without a colon holds no password */
    assert_string_equal(mask_argv(argv, &k), "login | --password-stdin | --user | admin");
    assert_string_equal(k.text, "");
}

static void a_value_that_names_a_secret_takes_the_next_token_too(void **state)
{
    keys k;
    /* nonsense, or a secret that happens to read "Bearer": either way the
     * token after it may be a secret, and is masked */
    assert_string_equal(mask_named("x", "--secret Bearer tok1 -p -token tok2", &k),
                        "--secret ******** ******** -p -token ********");
    assert_string_equal(k.text, "[x --secret][x Bearer][x -token]");
}

static void masks_assignments_whose_name_says_secret(void **state)
{
    keys k;
    const char *argv[] = {"--token=abc",
                          "-Dfoo.secret=s3",
                          "DB_PASSWORD=pw",
                          "-Dkeystore.pass=x",
                          "-Dlicense.key=L-1",
                          "-Dx.password=a b=c",
                          NULL};
    assert_string_equal(mask_argv(argv, &k),
                        "--token=******** | -Dfoo.secret=******** | DB_PASSWORD=******** | "
                        "-Dkeystore.pass=******** | -Dlicense.key=******** | "
                        "-Dx.password=********");
    assert_string_equal(k.text, "[--token][-Dfoo.secret][DB_PASSWORD][-Dkeystore.pass]"
                                "[-Dlicense.key][-Dx.password]");
}

static void masks_jdbc_parameters_inside_a_property(void **state)
{
    keys k;
    const char *argv[] = {"-Ddb.url=jdbc:sqlserver://db:1433;user=sa;password=p;w;encrypt=true",
                          "-Dx.url=jdbc:mysql://db/app?user=a&password=p@ss&useSSL=false",
                          "-Dodbc=Driver=x;Server=db;Uid=sa;Pwd={a;b};", NULL};
    /* a JDBC value ends at its separator: ";w" is left, as SQL Server would
     * read it (a ';' in a password is written {p;w}) */
    assert_string_equal(mask_argv(argv, &k),
                        "-Ddb.url=jdbc:sqlserver://db:1433;user=sa;password=********;w;encrypt=true"
                        " | -Dx.url=jdbc:mysql://db/app?user=a&password=********&useSSL=false"
                        " | -Dodbc=Driver=x;Server=db;Uid=sa;Pwd={********};");
    assert_string_equal(k.text, "[-Ddb.url password][-Dx.url password][-Dodbc Pwd]");
}

static void masks_url_userinfo_with_an_at_sign_in_the_password(void **state)
{
    keys k;
    const char *argv[] = {"https://bob:p@ss:w0rd@example.com/x?y=1", "ftp://anonymous@host/",
                          "http://host:8080/p?mail=a@b.c", NULL};
    assert_string_equal(mask_argv(argv, &k), "https://bob:********@example.com/x?y=1 | "
                                             "ftp://anonymous@host/ | "
                                             "http://host:8080/p?mail=a@b.c");
    assert_string_equal(k.text, "[url-credentials]");
}

static void masks_oracle_thin_credentials(void **state)
{
    keys k;
    const char *argv[] = {"-Doracle=jdbc:oracle:thin:scott/tiger@//db:1521/orcl",
                          "jdbc:oracle:thin:@//db:1521/orcl", NULL};
    assert_string_equal(mask_argv(argv, &k),
                        "-Doracle=jdbc:oracle:thin:scott/********@//db:1521/orcl | "
                        "jdbc:oracle:thin:@//db:1521/orcl");
    assert_string_equal(k.text, "[-Doracle url-credentials]");
}

static void masks_authorization_headers_in_every_spelling(void **state)
{
    keys k;
    const char *argv[] = {"curl",
                          "-H",
                          "Authorization: Bearer ey.J0",
                          "--header=Authorization:Basic",
                          "YWRtaW4=",
                          "Authorization:",
                          "Bearer",
                          "tok1",
                          "-H",
                          "X-Auth-Token: tok2",
                          "Bearer",
                          "tok3",
                          NULL};
    assert_string_equal(mask_argv(argv, &k),
                        "curl | -H | Authorization: Bearer ******** | "
                        "--header=Authorization:Basic | ******** | Authorization: | Bearer | "
                        "******** | -H | X-Auth-Token: ******** | Bearer | ********");
    assert_string_equal(k.text,
                        "[Authorization][Authorization][Authorization][X-Auth-Token][Bearer]");
}

static void masks_curl_user_credentials_but_not_uid_gid(void **state)
{
    keys k;
    const char *argv[] = {"curl",      "-u",      "admin:admin123", "docker",  "run", "-u",
                          "1000:1000", "openssl", "-passin",        "pass:s3", NULL};
    assert_string_equal(mask_argv(argv, &k), "curl | -u | admin:******** | docker | run | -u | "
                                             "1000:1000 | openssl | -passin | pass:********");
    assert_string_equal(k.text, "[-u][pass]");
}

static void keeps_references_empty_and_masked_values(void **state)
{
    keys k;
    const char *argv[] = {"-Dadmin.password=${admin.password}",
                          "--token",
                          "$secret{alias}",
                          "--password=",
                          "-Dx.secret=********",
                          NULL};
    assert_string_equal(mask_argv(argv, &k),
                        "-Dadmin.password=${admin.password} | --token | $secret{alias} | "
                        "--password= | -Dx.secret=********");
    assert_string_equal(k.text, "");
}

static void masks_a_value_that_only_ends_like_a_reference(void **state)
{
    keys k;
    const char *argv[] = {"-Dadmin.password=${a s3cret b}", "-Dx.secret=${\tx}", NULL};
    assert_string_equal(mask_argv(argv, &k), "-Dadmin.password=******** | -Dx.secret=********");
    assert_string_equal(k.text, "[-Dadmin.password][-Dx.secret]");
}

static void keeps_ordinary_arguments(void **state)
{
    keys k;
    const char *argv[] = {"/usr/lib/jvm/java-17/bin/java",
                          "-Xmx2g",
                          "-XX:+HeapDumpOnOutOfMemoryError",
                          "-Djavax.net.ssl.keyStore=/opt/wso2/keystore.jks",
                          "-Dcom.sun.management.jmxremote.password.file=/opt/jmx.pw",
                          "-Dcarbon.home=/opt/wso2am",
                          "PWD=/home/wso2",
                          "--token-endpoint",
                          "https://idp/oauth2/token",
                          "org.wso2.carbon.bootstrap.Bootstrap",
                          NULL};
    const char *out = mask_argv(argv, &k);
    assert_null(strstr(out, "********"));
    assert_string_equal(k.text, "");
}

static void a_secret_flag_inside_a_script_argument(void **state)
{
    keys k;
    const char *argv[] = {"bash", "-c", "exec app --password 's3 cr3t' --db=x", NULL};
    assert_string_equal(mask_argv(argv, &k), "bash | -c | exec app --password '********' --db=x");
}

static void the_state_carries_to_the_next_argument_only(void **state)
{
    keys k;
    const char *argv[] = {"--password", "", "visible", NULL};
    /* an empty value is no secret, and the flag's turn is over */
    assert_string_equal(mask_argv(argv, &k), "--password |  | visible");
    assert_string_equal(k.text, "");
}

/* ---------------------------------------------------------------- lines */

static void masks_program_arguments_in_sun_java_command(void **state)
{
    keys k;
    assert_string_equal(mask_named("sun.java.command",
                                   "org.example.Main --password pw1 --token=tk2 -k "
                                   "--url https://u:pw3@h/ Authorization: Bearer tk4",
                                   &k),
                        "org.example.Main --password ******** --token=******** -k "
                        "--url https://u:********@h/ Authorization: Bearer ********");
    assert_string_equal(k.text, "[sun.java.command --password][sun.java.command --token]"
                                "[sun.java.command url-credentials]"
                                "[sun.java.command Authorization]");
}

static void a_quoted_value_runs_to_its_closing_quote(void **state)
{
    keys k;
    assert_string_equal(mask_named("JAVA_OPTS", "-Dx.password=\"a b c\" -Dy=1 --secret 'd e'", &k),
                        "-Dx.password=\"********\" -Dy=1 --secret '********'");
    assert_string_equal(mask_named("JAVA_OPTS", "\"--token=a b\" rest", &k),
                        "\"--token=********\" rest");
    /* no closing quote: to the end, rather than leak the rest */
    assert_string_equal(mask_named("JAVA_OPTS", "--password \"a b c", &k), "--password \"********");
}

static void masks_the_whole_value_of_a_secret_name(void **state)
{
    keys k;
    assert_string_equal(mask_named("DB_PASSWORD", "a b=c;d", &k), "********");
    assert_string_equal(k.text, "[DB_PASSWORD]");
    assert_string_equal(mask_named("PWD", "/home/wso2", &k), "/home/wso2");
    assert_string_equal(mask_named("admin.password", "${admin.password}", &k), "${admin.password}");
}

static void masks_secrets_inside_other_values(void **state)
{
    keys k;
    assert_string_equal(mask_named("DATABASE_URL", "postgres://app:pw@db:5432/app", &k),
                        "postgres://app:********@db:5432/app");
    assert_string_equal(k.text, "[DATABASE_URL url-credentials]");
    assert_string_equal(
        mask_named("OnOutOfMemoryError", "curl -H Authorization:Bearer tk http://h/", &k),
        "curl -H Authorization:Bearer ******** http://h/");
    assert_string_equal(k.text, "[OnOutOfMemoryError Authorization]");
    assert_string_equal(mask_named("JAVA_OPTS", "-Xmx1g  -Dkeystore.password=x -Dfoo=bar", &k),
                        "-Xmx1g  -Dkeystore.password=******** -Dfoo=bar");
    assert_string_equal(k.text, "[JAVA_OPTS -Dkeystore.password]");
}

static void separators_in_odd_places(void **state)
{
    keys k;
    /* '=' inside a value, '@' and ':' in a password, lone separators */
    assert_string_equal(mask_named("x", "--password=a=b=c ?password=&x= ;password== :@ =", &k),
                        "--password=******** ?password=&x= ;password=******** :@ =");
    assert_string_equal(mask_named("x", "u://a:b:c@d@e/f --token \"\" '", &k),
                        "u://a:********@e/f --token \"\" '");
    assert_string_equal(mask_named("x", "-Dp=\"jdbc:h2:x;PASSWORD=q\"", &k),
                        "-Dp=\"jdbc:h2:x;PASSWORD=********\"");
    /* a quoted parameter value with a blank runs past its token, and the scan
     * goes on after it */
    assert_string_equal(mask_named("x", "-Dj=jdbc:h2:x;password=\"a --token=b c\" --token=t", &k),
                        "-Dj=jdbc:h2:x;password=\"********\" --token=********");
    assert_string_equal(k.text, "[x -Dj password][x --token]");
}

static void a_key_never_holds_the_value_or_a_line_break(void **state)
{
    keys k;
    assert_string_equal(mask_named("we\nird", "--password s3cr3t", &k), "--password ********");
    assert_string_equal(k.text, "[we?ird --password]");
    assert_null(strstr(k.text, "s3cr3t"));
}

static void very_long_lines_are_masked_in_full(void **state)
{
    /* 1 MiB of arguments, a secret every 64 bytes and one at the very end */
    size_t len = 1u << 20;
    char *line = malloc(len + 64);
    assert_non_null(line);
    size_t used = 0, planted = 0;
    while (used + 64 < len) {
        used += (size_t)snprintf(line + used, 64, "--password v%06zu -Xss1m ", planted);
        planted++;
    }
    used += (size_t)snprintf(line + used, 64, "--token=lastsecret");
    size_t count = 0;
    char *masked = cd_masked_named_value("x", 1, line, used, NULL, NULL, &count);
    assert_non_null(masked);
    assert_int_equal(count, planted + 1);
    assert_null(strstr(masked, "v000"));
    assert_null(strstr(masked, "lastsecret"));
    free(masked);
    free(line);
}

/* ---------------------------------------------------------------- names */

static void option_and_parameter_names(void **state)
{
    assert_true(cd_secret_option_name("--api-key", 9));
    assert_true(cd_secret_option_name("accessKey", 9));
    assert_true(cd_secret_option_name("-Dfoo.pass", 10));
    assert_true(cd_secret_option_name("--requirepass", 13));
    assert_false(cd_secret_option_name("--bypass", 8));
    assert_false(cd_secret_option_name("monkey", 6));
    assert_false(cd_secret_option_name("--key-file", 10));
    assert_false(cd_secret_option_name("PWD", 3));
    assert_true(cd_secret_parameter_name("Pwd", 3));
    assert_true(cd_secret_parameter_name("password", 8));
}

/* ---------------------------------------------------------------- notes */

typedef struct read_notes {
    char text[1024];
} read_notes;

static void collect_read_note(void *context, const char *file, long line, const char *key)
{
    read_notes *n = context;
    size_t used = strlen(n->text);
    snprintf(n->text + used, sizeof n->text - used, "[%s:%ld: %s]", file, line, key);
}

static void agent_notes_round_trip_through_their_file(void **state)
{
    char dir[] = "/tmp/cd-test-notes.XXXXXX";
    assert_non_null(mkdtemp(dir));
    cd_redaction_notes notes = {0};
    cd_redaction_place place = {&notes, "javainfo/jvm_info.json", 0, "system_properties"};
    cd_redaction_place_note(&place, "db.url password");
    cd_redaction_notes_add(&notes, "javainfo/vm_arguments.txt", 5, "--token");
    cd_error err = {0};
    assert_int_equal(cd_redaction_notes_write(&notes, dir, &err), 0);
    cd_redaction_notes_free(&notes);
    read_notes got = {""};
    assert_int_equal(cd_redaction_notes_read(dir, collect_read_note, &got, &err), 2);
    assert_string_equal(got.text, "[javainfo/jvm_info.json:0: system_properties: db.url password]"
                                  "[javainfo/vm_arguments.txt:5: --token]");
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, CD_AGENT_REDACTIONS_FILE);
    unlink(path);
    rmdir(dir);
}

static void agent_notes_file_absent_is_nothing_and_garbage_is_refused(void **state)
{
    char dir[] = "/tmp/cd-test-notes.XXXXXX";
    assert_non_null(mkdtemp(dir));
    read_notes got = {""};
    cd_error err = {0};
    assert_int_equal(cd_redaction_notes_read(dir, collect_read_note, &got, &err), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, CD_AGENT_REDACTIONS_FILE);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"masked\": [{\"file\": \"a\\nb\", \"line\": 1, \"key\": \"k\"},"
          "{\"file\": \"javainfo/x.txt\", \"line\": -1, \"key\": \"k\"},"
          "{\"file\": \"javainfo/x.txt\", \"line\": 3, \"key\": \"k\"}]}",
          f);
    fclose(f);
    assert_int_equal(cd_redaction_notes_read(dir, collect_read_note, &got, &err), 1);
    assert_string_equal(got.text, "[javainfo/x.txt:3: k]");
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("not json", f);
    fclose(f);
    assert_int_equal(cd_redaction_notes_read(dir, collect_read_note, &got, &err), -1);
    assert_non_null(strstr(err.message, CD_AGENT_REDACTIONS_FILE));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masks_the_argument_after_a_secret_flag),
        cmocka_unit_test(masks_a_flag_value_with_blanks_whole),
        cmocka_unit_test(a_long_option_after_a_secret_flag_is_no_value),
        cmocka_unit_test(a_value_that_names_a_secret_takes_the_next_token_too),
        cmocka_unit_test(masks_assignments_whose_name_says_secret),
        cmocka_unit_test(masks_jdbc_parameters_inside_a_property),
        cmocka_unit_test(masks_url_userinfo_with_an_at_sign_in_the_password),
        cmocka_unit_test(masks_oracle_thin_credentials),
        cmocka_unit_test(masks_authorization_headers_in_every_spelling),
        cmocka_unit_test(masks_curl_user_credentials_but_not_uid_gid),
        cmocka_unit_test(keeps_references_empty_and_masked_values),
        cmocka_unit_test(masks_a_value_that_only_ends_like_a_reference),
        cmocka_unit_test(keeps_ordinary_arguments),
        cmocka_unit_test(a_secret_flag_inside_a_script_argument),
        cmocka_unit_test(the_state_carries_to_the_next_argument_only),
        cmocka_unit_test(masks_program_arguments_in_sun_java_command),
        cmocka_unit_test(a_quoted_value_runs_to_its_closing_quote),
        cmocka_unit_test(masks_the_whole_value_of_a_secret_name),
        cmocka_unit_test(masks_secrets_inside_other_values),
        cmocka_unit_test(separators_in_odd_places),
        cmocka_unit_test(a_key_never_holds_the_value_or_a_line_break),
        cmocka_unit_test(very_long_lines_are_masked_in_full),
        cmocka_unit_test(option_and_parameter_names),
        cmocka_unit_test(agent_notes_round_trip_through_their_file),
        cmocka_unit_test(agent_notes_file_absent_is_nothing_and_garbage_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
