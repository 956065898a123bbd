/*
 * The agent request options (include/carbondump/request.h): strict parsing,
 * and a format that parses back to the same request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbondump/request.h"
#include "carbondump/secrets.h"

static void parses_a_full_request(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse("dir=/tmp/cd-1,parts=jvm+threads,id=run-1,live=1,redact=0,"
                                      "heap-engine=jvmti,heap-redact=basic,thread-samples=3,"
                                      "thread-interval-ms=500",
                                      &r, &err),
                     0);
    assert_string_equal(r.dir, "/tmp/cd-1");
    assert_int_equal(r.parts, CD_SECTION_BIT(CD_SECTION_JVM) | CD_SECTION_BIT(CD_SECTION_THREADS));
    assert_string_equal(r.id, "run-1");
    assert_int_equal(r.live, 1);
    assert_int_equal(r.redact, 0);
    assert_int_equal(r.heap_engine, CD_HEAP_ENGINE_JVMTI);
    assert_int_equal(r.heap_redact, CD_HEAP_REDACT_BASIC);
    assert_int_equal(r.thread_samples, 3);
    assert_int_equal(r.thread_interval_ms, 500);
}

static void formatted_request_parses_back_identically(void **state)
{
    cd_request r, back;
    cd_error err = {0};
    cd_request_init(&r);
    strcpy(r.dir, "/tmp/carbondump-42-abc");
    strcpy(r.id, "carbondump-2026-11-26_08-00-00");
    r.parts = CD_SECTIONS_AGENT;
    r.live = 1;
    r.thread_samples = 5;
    char text[1024];
    assert_int_equal(cd_request_format(&r, text, sizeof text, &err), 0);
    assert_int_equal(cd_request_parse(text, &back, &err), 0);
    assert_memory_equal(&r, &back, sizeof r);
}

static void unknown_key_is_an_error_naming_it(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse("dir=/tmp/x,parts=jvm,colour=blue", &r, &err), -1);
    assert_int_equal(err.code, CD_ERR_USAGE);
    assert_string_equal(err.message,
                        "unknown option 'colour' (valid: dir, parts, id, live, redact, "
                        "heap-engine, heap-redact, thread-samples, thread-interval-ms)");
}

static void missing_dir_or_parts_is_an_error(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse("parts=jvm", &r, &err), -1);
    assert_string_equal(err.message, "missing option 'dir'");
    assert_int_equal(cd_request_parse("dir=/tmp/x", &r, &err), -1);
    assert_string_equal(err.message, "missing option 'parts'");
    assert_int_equal(cd_request_parse("", &r, &err), -1);
    assert_string_equal(err.message, "missing option 'dir'");
}

static void repeated_key_is_an_error(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse("dir=/a,dir=/b,parts=jvm", &r, &err), -1);
    assert_string_equal(err.message, "option 'dir' given twice");
}

static void bad_values_are_errors_naming_key_and_value(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse("dir=relative,parts=jvm", &r, &err), -1);
    assert_string_equal(err.message, "dir=relative: must be an absolute path");
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm,live=maybe", &r, &err), -1);
    assert_string_equal(err.message, "live=maybe: expected 1 or 0");
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm,thread-samples=1000", &r, &err), -1);
    assert_string_equal(err.message, "thread-samples=1000: must be between 1 and 100");
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm,thread-samples=3x", &r, &err), -1);
    assert_string_equal(err.message, "thread-samples=3x: not a whole number");
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm,heap-redact=most", &r, &err), -1);
    assert_string_equal(err.message, "heap-redact=most: expected one of none, basic, full");
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm,id=a/b", &r, &err), -1);
    assert_string_equal(err.message, "id=a/b: use up to 63 letters, digits, '-', '_' or '.'");
}

static void parts_must_be_agent_sections(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm+os+files", &r, &err), -1);
    assert_string_equal(err.message, "parts: os+files not produced by the agent");
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm++threads", &r, &err), -1);
    assert_string_equal(err.message, "parts: empty section name in 'jvm++threads'");
}

static void pair_without_equals_is_an_error(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse("dir=/a,parts=jvm,live", &r, &err), -1);
    assert_string_equal(err.message, "'live' is not key=value");
    assert_int_equal(cd_request_parse("dir=/a,=1,parts=jvm", &r, &err), -1);
    assert_string_equal(err.message, "'=1' has an empty key");
}

static void blanks_and_empty_items_are_tolerated(void **state)
{
    cd_request r;
    cd_error err = {0};
    assert_int_equal(cd_request_parse(" dir = /a ,, parts=jvm ,", &r, &err), 0);
    assert_string_equal(r.dir, "/a");
}

static void secret_names_are_recognised_across_spellings(void **state)
{
    static const char *const secrets[] = {
        "password", "javax.net.ssl.keyStorePassword", "KEYSTORE_PASSWORD", "db.passwd",
        "client_secret", "access-token", "keystorePass", "key-password", "app-key",
        "privateKey", "credentials", "passphrase"};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        assert_true(cd_secret_name(secrets[i], strlen(secrets[i])));
}

static void settings_about_secrets_are_not_secrets(void **state)
{
    static const char *const plain[] = {"username", "tokenEndpoint", "token.validity",
                                        "passwordPolicy", "PWD", "keystore.location",
                                        "user.home", "java.class.path", "compass"};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        assert_false(cd_secret_name(plain[i], strlen(plain[i])));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_full_request),
        cmocka_unit_test(formatted_request_parses_back_identically),
        cmocka_unit_test(unknown_key_is_an_error_naming_it),
        cmocka_unit_test(missing_dir_or_parts_is_an_error),
        cmocka_unit_test(repeated_key_is_an_error),
        cmocka_unit_test(bad_values_are_errors_naming_key_and_value),
        cmocka_unit_test(parts_must_be_agent_sections),
        cmocka_unit_test(pair_without_equals_is_an_error),
        cmocka_unit_test(blanks_and_empty_items_are_tolerated),
        cmocka_unit_test(secret_names_are_recognised_across_spellings),
        cmocka_unit_test(settings_about_secrets_are_not_secrets),
    };
    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
