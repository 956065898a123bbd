/*
 * Integers in cJSON trees (carbondump/json.h): the decimal text, and that a
 * printed tree parses back to the same numbers a cJSON number item gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/fsutil.h"
#include "carbondump/json.h"
#include "carbondump/format.h"

static void formats_every_int64(void **state)
{
    (void)state;
    static const struct {
        int64_t value;
        const char *text;
    } cases[] = {
        {0, "0"},
        {7, "7"},
        {-1, "-1"},
        {10, "10"},
        {2147483648LL, "2147483648"}, /* past int: cJSON's own items lose it to INT_MAX */
        {INT64_MAX, "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[CD_INT_TEXT_MAX];
        size_t len = cd_format_int(cases[i].value, text);
        assert_string_equal(text, cases[i].text);
        assert_int_equal(len, strlen(cases[i].text));
    }
}

static void printed_integers_parse_back(void **state)
{
    (void)state;
    static const int64_t values[] = {0, -42, 1234567890123LL, (1LL << 53), -(1LL << 53)};
    cJSON *object = cJSON_CreateObject();
    cJSON *array = cJSON_AddArrayToObject(object, "list");
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        assert_non_null(cJSON_AddItemToArray(array, cd_json_integer(values[i])) ? array : NULL);
    assert_non_null(cd_json_add_integer(object, "cpu_ns", 5000000000LL));
    char *text = cJSON_PrintUnformatted(object);
    assert_string_equal(text, "{\"list\":[0,-42,1234567890123,9007199254740992,-9007199254740992],"
                              "\"cpu_ns\":5000000000}");
    cJSON *parsed = cJSON_Parse(text);
    cJSON *list = cJSON_GetObjectItem(parsed, "list");
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        cJSON *item = cJSON_GetArrayItem(list, (int)i);
        assert_true(cJSON_IsNumber(item));
        assert_true(item->valuedouble == (double)values[i]);
    }
    assert_true(cJSON_GetObjectItem(parsed, "cpu_ns")->valuedouble == 5e9);
    /* a NULL object takes nothing and leaks nothing */
    assert_null(cd_json_add_integer(NULL, "x", 1));
    cJSON_Delete(parsed);
    cJSON_free(text);
    cJSON_Delete(object);
}

static void documents_parse_into_blocks_and_leave_other_trees_alone(void **state)
{
    (void)state;
    /* large enough for several blocks */
    size_t count = 20000;
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++) {
        cJSON *o = cJSON_CreateObject();
        cd_json_add_integer(o, "id", (int64_t)i);
        cJSON_AddStringToObject(o, "name", "worker thread");
        cJSON_AddItemToArray(array, o);
    }
    char *text = cJSON_PrintUnformatted(array);
    cd_json_doc *doc = cd_json_doc_parse(text, strlen(text));
    assert_non_null(doc);
    cJSON *root = cd_json_doc_root(doc);
    assert_int_equal(cJSON_GetArraySize(root), (int)count);
    cJSON *last = cJSON_GetArrayItem(root, (int)count - 1);
    assert_true(cJSON_GetObjectItem(last, "id")->valuedouble == (double)(count - 1));
    assert_string_equal(cJSON_GetObjectItem(last, "name")->valuestring, "worker thread");
    /* trees built the ordinary way still come and go while a document lives */
    cJSON *other = cJSON_Parse("{\"a\":[1,2,3]}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(other, "a")), 3);
    cJSON_Delete(other);
    cd_json_doc_free(doc);
    /* text that is not JSON, cut anywhere, gives no document and leaks nothing */
    assert_null(cd_json_doc_parse(text, strlen(text) / 2));
    assert_null(cd_json_doc_parse("{\"a\":", 5));
    assert_null(cd_json_doc_root(NULL));
    cd_json_doc_free(NULL);
    cJSON_free(text);
    cJSON_Delete(array);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_every_int64),
        cmocka_unit_test(printed_integers_parse_back),
        cmocka_unit_test(documents_parse_into_blocks_and_leave_other_trees_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
