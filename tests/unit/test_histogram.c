/*
 * Class histograms in jmap -histo's text (include/carbondump/histogram.h):
 * class names as Class.getName() and jmap print them, jmap's order, and the
 * exact layout of header, rows and Total as JDK 17 and 25 print them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbondump/histogram.h"

static char name[256];

static const char *converted(const char *signature)
{
    assert_int_equal(cd_class_name_from_signature(signature, name, sizeof name), 0);
    return name;
}

static void plain_class_loses_l_and_semicolon_and_uses_dots(void **state)
{
    assert_string_equal(converted("Ljava/lang/String;"), "java.lang.String");
    assert_string_equal(converted("Lorg/carbondump/harness/CountedThing;"),
                        "org.carbondump.harness.CountedThing");
}

static void class_in_default_package_keeps_its_name(void **state)
{
    assert_string_equal(converted("LSmall;"), "Small");
}

static void nested_class_keeps_its_dollar(void **state)
{
    assert_string_equal(converted("Ljava/util/HashMap$Node;"), "java.util.HashMap$Node");
}

static void primitive_array_keeps_descriptor(void **state)
{
    assert_string_equal(converted("[B"), "[B");
    assert_string_equal(converted("[[I"), "[[I");
}

static void object_array_keeps_descriptor_with_dots(void **state)
{
    assert_string_equal(converted("[Ljava/lang/Object;"), "[Ljava.lang.Object;");
    assert_string_equal(converted("[[Ljava/lang/invoke/LambdaForm$Name;"),
                        "[[Ljava.lang.invoke.LambdaForm$Name;");
}

static void jdk17_lambda_gets_slash_before_its_address(void **state)
{
    assert_string_equal(converted("LSmall$$Lambda$14.0x0000000800c02a00;"),
                        "Small$$Lambda$14/0x0000000800c02a00");
}

static void jdk25_lambda_gets_slash_before_its_address(void **state)
{
    assert_string_equal(converted("Lcom/acme/Foo$$Lambda.0x000000009f040420;"),
                        "com.acme.Foo$$Lambda/0x000000009f040420");
}

static void array_of_hidden_class_is_named_like_class_get_name(void **state)
{
    assert_string_equal(converted("[Ljava/lang/invoke/LambdaForm$MH.0x00007f0ec8001000;"),
                        "[Ljava.lang.invoke.LambdaForm$MH/0x00007f0ec8001000;");
}

static void malformed_signatures_are_refused(void **state)
{
    const char *bad[] = {"", "java/lang/String", "Ljava/lang/String", "L;", "I", "Q"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        strcpy(name, "untouched");
        assert_int_equal(cd_class_name_from_signature(bad[i], name, sizeof name), -1);
        assert_string_equal(name, "");
    }
    assert_int_equal(cd_class_name_from_signature(NULL, name, sizeof name), -1);
}

static void name_that_does_not_fit_is_refused(void **state)
{
    char small[8];
    assert_int_equal(cd_class_name_from_signature("Ljava/lang/String;", small, sizeof small), -1);
    assert_string_equal(small, "");
    char exact[15]; /* "java.lang.Long" and its NUL */
    assert_int_equal(cd_class_name_from_signature("Ljava/lang/Long;", exact, sizeof exact), 0);
    assert_string_equal(exact, "java.lang.Long");
}

static void hidden_classes_are_recognised_by_their_signature(void **state)
{
    assert_true(cd_class_signature_is_hidden("LFoo$$Lambda.0x0000000800c01000;"));
    assert_false(cd_class_signature_is_hidden("Ljava/lang/String;"));
    assert_false(cd_class_signature_is_hidden("[B"));
}

static void jdk19_filler_classes_are_recognised(void **state)
{
    assert_true(cd_class_is_heap_filler("jdk.internal.vm.FillerObject"));
    assert_true(cd_class_is_heap_filler("[Ljdk.internal.vm.FillerElement;"));
    assert_false(cd_class_is_heap_filler("jdk.internal.vm.FillerElement"));
    assert_false(cd_class_is_heap_filler("[I"));
    assert_false(cd_class_is_heap_filler(NULL));
}

static void rows_sort_by_bytes_descending_then_name(void **state)
{
    cd_histo_row rows[] = {
        {"java.lang.Short", NULL, 256, 4096},      {"[B", NULL, 10, 100000},
        {"java.lang.Byte", NULL, 256, 4096},       {"[Ljava.lang.Byte;", NULL, 1, 4096},
        {"Small$CountedThing", NULL, 1234, 29616},
    };
    cd_histo_sort(rows, 5);
    assert_string_equal(rows[0].name, "[B");
    assert_string_equal(rows[1].name, "Small$CountedThing");
    assert_string_equal(rows[2].name, "[Ljava.lang.Byte;");
    assert_string_equal(rows[3].name, "java.lang.Byte");
    assert_string_equal(rows[4].name, "java.lang.Short");
}

static char *text_of(const cd_histo_row *rows, size_t count)
{
    cd_sink *sink = cd_sink_buffer();
    assert_int_equal(cd_histo_write_text(sink, rows, count), 0);
    return cd_sink_buffer_take(sink, NULL);
}

static void text_has_jmap_header_rows_and_total(void **state)
{
    cd_histo_row rows[] = {
        {"[B", "java.base@17.0.15", 7255, 334616},
        {"Small$CountedThing", NULL, 1234, 29616},
        {"Small$$Lambda$1/0x00007f89c0000c10", NULL, 1, 16},
    };
    char *text = text_of(rows, 3);
    assert_string_equal(text,
                        " num     #instances         #bytes  class name (module)\n"
                        "-------------------------------------------------------\n"
                        "   1:          7255         334616  [B (java.base@17.0.15)\n"
                        "   2:          1234          29616  Small$CountedThing\n"
                        "   3:             1             16  Small$$Lambda$1/0x00007f89c0000c10\n"
                        "Total          8490         364248\n");
    free(text);
}

static void empty_histogram_still_has_header_and_zero_total(void **state)
{
    char *text = text_of(NULL, 0);
    assert_string_equal(text, " num     #instances         #bytes  class name (module)\n"
                              "-------------------------------------------------------\n"
                              "Total             0              0\n");
    free(text);
}

static void row_numbers_widen_past_9999_rows(void **state)
{
    enum { N = 10000 };
    cd_histo_row *rows = calloc(N, sizeof *rows);
    for (size_t i = 0; i < N; i++)
        rows[i] = (cd_histo_row){"X", NULL, 1, 8};
    char *text = text_of(rows, N);
    assert_non_null(strstr(text, "\n9999:             1              8  X\n"));
    assert_non_null(strstr(text, "\n10000:             1              8  X\n"));
    free(text);
    free(rows);
}

static void parses_the_vm_histogram_text_with_modules(void **state)
{
    char text[] = " num     #instances         #bytes  class name (module)\n"
                  "-------------------------------------------------------\n"
                  "   1:          7255         334616  [B (java.base@17.0.15)\n"
                  "   2:          1234          29616  org.carbondump.harness.CountedThing\n"
                  "   3:             2             64  Foo$$Lambda$14/0x0000000800c01000\n"
                  "Total          8491         364296\n";
    cd_histo_table t;
    assert_int_equal(cd_histo_parse_text(text, &t), 0);
    assert_int_equal(t.count, 3);
    assert_string_equal(t.rows[0].name, "[B");
    assert_string_equal(t.rows[0].module, "java.base@17.0.15");
    assert_int_equal(t.rows[0].instances, 7255);
    assert_int_equal(t.rows[0].bytes, 334616);
    assert_string_equal(t.rows[1].name, "org.carbondump.harness.CountedThing");
    assert_null(t.rows[1].module);
    assert_string_equal(t.rows[2].name, "Foo$$Lambda$14/0x0000000800c01000");
    assert_int_equal(t.total_instances, 8491);
    assert_int_equal(t.total_bytes, 364296);
    cd_histo_table_free(&t);
}

static void histogram_text_without_total_is_refused(void **state)
{
    char text[] = "   1:   1   16  java.lang.Object (java.base)\n";
    cd_histo_table t;
    assert_int_equal(cd_histo_parse_text(text, &t), -1);
    assert_int_equal(t.count, 0);
}

static void written_text_parses_back(void **state)
{
    cd_histo_row rows[] = {{"[I", "java.base", 3, 96}, {"a.B", NULL, 1, 16}};
    cd_sink *sink = cd_sink_buffer();
    assert_int_equal(cd_histo_write_text(sink, rows, 2), 0);
    size_t len;
    char *text = cd_sink_buffer_take(sink, &len);
    cd_histo_table t;
    assert_int_equal(cd_histo_parse_text(text, &t), 0);
    assert_int_equal(t.count, 2);
    assert_string_equal(t.rows[0].module, "java.base");
    assert_string_equal(t.rows[1].name, "a.B");
    assert_int_equal(t.total_bytes, 112);
    cd_histo_table_free(&t);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_class_loses_l_and_semicolon_and_uses_dots),
        cmocka_unit_test(class_in_default_package_keeps_its_name),
        cmocka_unit_test(nested_class_keeps_its_dollar),
        cmocka_unit_test(primitive_array_keeps_descriptor),
        cmocka_unit_test(object_array_keeps_descriptor_with_dots),
        cmocka_unit_test(jdk17_lambda_gets_slash_before_its_address),
        cmocka_unit_test(jdk25_lambda_gets_slash_before_its_address),
        cmocka_unit_test(array_of_hidden_class_is_named_like_class_get_name),
        cmocka_unit_test(malformed_signatures_are_refused),
        cmocka_unit_test(name_that_does_not_fit_is_refused),
        cmocka_unit_test(hidden_classes_are_recognised_by_their_signature),
        cmocka_unit_test(jdk19_filler_classes_are_recognised),
        cmocka_unit_test(rows_sort_by_bytes_descending_then_name),
        cmocka_unit_test(text_has_jmap_header_rows_and_total),
        cmocka_unit_test(empty_histogram_still_has_header_and_zero_total),
        cmocka_unit_test(row_numbers_widen_past_9999_rows),
        cmocka_unit_test(parses_the_vm_histogram_text_with_modules),
        cmocka_unit_test(histogram_text_without_total_is_refused),
        cmocka_unit_test(written_text_parses_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
