/*
 * The agent's HPROF writer (agent/hprof_writer.h), read back by carbondump's
 * reader: segments stay within a buffer, a sub-record larger than a buffer
 * gets a segment of its own, object arrays stream with their nulls, names are
 * written once, primitive values end up big-endian.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbondump/hprof.h"
#include "carbondump/sink.h"
#include "heap/hprof_writer.h"

typedef struct written {
    char *data;
    size_t len;
} written;

/* Records what the visitor sees of object arrays and primitive arrays. */
typedef struct seen {
    uint64_t segments;
    uint64_t array_id;
    uint32_t array_length;
    uint8_t first_bytes[16];
    size_t first_len;
} seen;

static int on_bytes(void *context, const cd_hprof_span *span, const uint8_t *data, size_t len,
                    cd_error *err)
{
    seen *s = context;
    if (span->kind == CD_HPROF_SPAN_ELEMENTS && s->first_len < sizeof s->first_bytes) {
        size_t n =
            len < sizeof s->first_bytes - s->first_len ? len : sizeof s->first_bytes - s->first_len;
        memcpy(s->first_bytes + s->first_len, data, n);
        s->first_len += n;
    }
    return 0;
}

static int on_object_array(void *context, uint64_t id, uint64_t class_id, uint32_t length,
                           cd_error *err)
{
    seen *s = context;
    s->array_id = id;
    s->array_length = length;
    return 0;
}

static cd_hprof_writer *start(cd_sink **sink, uint64_t *next_id)
{
    cd_error err = {0};
    *sink = cd_sink_buffer();
    cd_hprof_writer *w = cd_hprof_writer_new(*sink, 1234, &err);
    assert_non_null(w);
    *next_id = 100;
    uint64_t object = cd_hprof_name(w, "java/lang/Object", 16, next_id);
    uint64_t array = cd_hprof_name(w, "[Ljava/lang/Object;", 19, next_id);
    cd_hprof_load_class(w, 1, 1, object);
    cd_hprof_load_class(w, 2, 2, array);
    cd_hprof_trace(w, CD_HPROF_DUMMY_TRACE, 0, NULL, 0);
    cd_hprof_class_record object_class = {.id = 1};
    cd_hprof_class_record array_class = {.id = 2, .super_id = 1};
    cd_hprof_class_dump(w, &object_class);
    cd_hprof_class_dump(w, &array_class);
    return w;
}

static written finish(cd_hprof_writer *w, cd_sink *sink)
{
    assert_int_equal(cd_hprof_writer_finish(w), 0);
    cd_hprof_writer_free(w);
    written out = {0};
    out.data = cd_sink_buffer_take(sink, &out.len);
    assert_non_null(out.data);
    return out;
}

static const cd_hprof_stats *read_back(const written *out, seen *s, cd_hprof_reader **reader)
{
    cd_error err = {0};
    cd_hprof_input *in = cd_hprof_input_memory(out->data, out->len, &err);
    *reader = cd_hprof_reader_new(CD_HPROF_CHECK_OBJECTS, &err);
    cd_hprof_visitor visitor = {.context = s, .bytes = on_bytes, .object_array = on_object_array};
    if (cd_hprof_reader_run(*reader, in, &visitor, &err) != 0)
        fail_msg("the writer's output does not read back: %s", err.message);
    cd_hprof_input_close(in);
    return cd_hprof_reader_stats(*reader);
}

static uint64_t count_segments(const written *out)
{
    /* Walk the top-level records: header, then tag/time/length/body. */
    size_t at = strlen(out->data) + 1 + 4 + 8;
    uint64_t segments = 0;
    while (at + 9 <= out->len) {
        const uint8_t *p = (const uint8_t *)out->data + at;
        uint32_t len = (uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
        segments += p[0] == CD_HPROF_HEAP_DUMP_SEGMENT;
        at += 9 + len;
    }
    assert_int_equal(at, out->len);
    return segments;
}

static void names_are_written_once_and_keep_their_id(void **state)
{
    cd_sink *sink;
    uint64_t next_id;
    cd_hprof_writer *w = start(&sink, &next_id);
    uint64_t a = cd_hprof_name(w, "value", 5, &next_id);
    uint64_t b = cd_hprof_name(w, "value", 5, &next_id);
    uint64_t c = cd_hprof_name(w, "valu", 4, &next_id);
    assert_int_equal(a, b);
    assert_int_not_equal(a, c);
    written out = finish(w, sink);
    seen s = {0};
    cd_hprof_reader *reader;
    assert_int_equal(read_back(&out, &s, &reader)->utf8, 4);
    cd_hprof_reader_free(reader);
    free(out.data);
}

static void many_small_records_fill_segments_of_at_most_a_buffer(void **state)
{
    cd_sink *sink;
    uint64_t next_id;
    cd_hprof_writer *w = start(&sink, &next_id);
    /* 100,000 instances of 29 bytes: about 2.8 MiB, so three segments at least */
    for (uint64_t i = 0; i < 100000; i++)
        cd_hprof_instance(w, 1000 + i, 1, NULL, 0);
    written out = finish(w, sink);
    seen s = {0};
    cd_hprof_reader *reader;
    const cd_hprof_stats *stats = read_back(&out, &s, &reader);
    assert_int_equal(stats->instances, 100000);
    assert_int_equal(stats->classes, 2);
    uint64_t segments = count_segments(&out);
    assert_true(segments >= 3 && segments <= 4);
    cd_hprof_reader_free(reader);
    free(out.data);
}

static void an_array_larger_than_a_buffer_gets_its_own_segment(void **state)
{
    cd_sink *sink;
    uint64_t next_id;
    cd_hprof_writer *w = start(&sink, &next_id);
    size_t count = 3 << 20; /* 3 Mi ints: 12 MiB */
    int32_t *ints = malloc(count * sizeof *ints);
    for (size_t i = 0; i < count; i++)
        ints[i] = (int32_t)i;
    ints[0] = 0x01020304;
    cd_hprof_instance(w, 500, 1, NULL, 0);
    cd_hprof_primitive_array(w, 501, CD_HPROF_INT, (uint32_t)count, ints, 0);
    cd_hprof_instance(w, 502, 1, NULL, 0);
    free(ints);
    written out = finish(w, sink);
    seen s = {0};
    cd_hprof_reader *reader;
    const cd_hprof_stats *stats = read_back(&out, &s, &reader);
    assert_int_equal(stats->primitive_arrays, 1);
    assert_int_equal(stats->instances, 2);
    assert_int_equal(count_segments(&out), 3);
    const uint8_t big_endian[8] = {1, 2, 3, 4, 0, 0, 0, 1};
    assert_memory_equal(s.first_bytes, big_endian, sizeof big_endian);
    cd_hprof_reader_free(reader);
    free(out.data);
}

static void zeroed_arrays_keep_their_length(void **state)
{
    cd_sink *sink;
    uint64_t next_id;
    cd_hprof_writer *w = start(&sink, &next_id);
    const char text[] = "CDHEAPSECRET-";
    cd_hprof_primitive_array(w, 600, CD_HPROF_BYTE, sizeof text - 1, text, 1);
    written out = finish(w, sink);
    assert_null(memmem(out.data, out.len, "CDHEAPSECRET", 12));
    seen s = {0};
    cd_hprof_reader *reader;
    read_back(&out, &s, &reader);
    assert_int_equal(s.first_len, 13);
    const uint8_t zeros[13] = {0};
    assert_memory_equal(s.first_bytes, zeros, 13);
    cd_hprof_reader_free(reader);
    free(out.data);
}

static void object_arrays_stream_with_nulls_in_the_gaps(void **state)
{
    cd_sink *sink;
    uint64_t next_id;
    cd_hprof_writer *w = start(&sink, &next_id);
    cd_hprof_instance(w, 700, 1, NULL, 0);
    cd_hprof_object_array_begin(w, 701, 2, 5);
    cd_hprof_object_array_element(w, 1, 700);
    cd_hprof_object_array_element(w, 3, 701);
    cd_hprof_object_array_end(w);
    written out = finish(w, sink);
    seen s = {0};
    cd_hprof_reader *reader;
    assert_int_equal(read_back(&out, &s, &reader)->object_arrays, 1);
    assert_int_equal(s.array_id, 701);
    assert_int_equal(s.array_length, 5);
    uint8_t elements[40] = {0};
    elements[15] = 700 & 0xff;
    elements[14] = 700 >> 8;
    elements[31] = 701 & 0xff;
    elements[30] = 701 >> 8;
    assert_non_null(memmem(out.data, out.len, elements, sizeof elements));
    cd_hprof_reader_free(reader);
    free(out.data);
}

static void an_element_out_of_order_fails_the_sink(void **state)
{
    cd_sink *sink;
    uint64_t next_id;
    cd_hprof_writer *w = start(&sink, &next_id);
    cd_hprof_object_array_begin(w, 801, 2, 5);
    cd_hprof_object_array_element(w, 3, 1);
    cd_hprof_object_array_element(w, 2, 1);
    assert_true(cd_hprof_writer_failed(w));
    assert_int_equal(cd_hprof_writer_finish(w), -1);
    assert_string_equal(sink->error.message, "heap dump writer: array element 2 out of order");
    cd_hprof_writer_free(w);
    cd_sink_abandon(sink);
}

static void values_are_stored_big_endian_in_exactly_their_size(void **state)
{
    uint8_t bytes[10];
    memset(bytes, 0xee, sizeof bytes);
    cd_hprof_store_value(bytes + 1, 0x1122334455667788ULL, 8);
    const uint8_t eight[10] = {0xee, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xee};
    assert_memory_equal(bytes, eight, sizeof bytes);

    memset(bytes, 0xee, sizeof bytes);
    cd_hprof_store_value(bytes + 1, 0xffffffffcafebabeULL, 4);
    cd_hprof_store_value(bytes + 5, 0xbeef, 2);
    cd_hprof_store_value(bytes + 7, 0x1ff, 1);
    const uint8_t mixed[10] = {0xee, 0xca, 0xfe, 0xba, 0xbe, 0xbe, 0xef, 0xff, 0xee, 0xee};
    assert_memory_equal(bytes, mixed, sizeof bytes);
}

static void a_streamed_object_array_keeps_every_element_across_buffers(void **state)
{
    enum { LENGTH = 200000 }; /* 1.6 MB of ids: streams through more than one buffer */
    cd_sink *sink;
    uint64_t next_id;
    cd_hprof_writer *w = start(&sink, &next_id);
    for (uint64_t id = 0x100000000ULL; id < 0x100000000ULL + 5; id++)
        cd_hprof_instance(w, id, 1, NULL, 0);
    cd_hprof_object_array_begin(w, 901, 2, LENGTH);
    for (uint32_t i = 0; i < LENGTH; i++)
        if (i % 7 != 3) /* some nulls, written as gaps */
            cd_hprof_object_array_element(w, i, 0x100000000ULL + i % 5);
    cd_hprof_object_array_end(w);
    written out = finish(w, sink);
    uint8_t *elements = calloc(LENGTH, 8);
    assert_non_null(elements);
    for (uint32_t i = 0; i < LENGTH; i++)
        if (i % 7 != 3)
            cd_hprof_store_value(elements + 8 * (size_t)i, 0x100000000ULL + i % 5, 8);
    assert_non_null(memmem(out.data, out.len, elements, (size_t)LENGTH * 8));
    seen s = {0};
    cd_hprof_reader *reader;
    assert_int_equal(read_back(&out, &s, &reader)->object_arrays, 1);
    assert_int_equal(s.array_length, LENGTH);
    cd_hprof_reader_free(reader);
    free(elements);
    free(out.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_are_written_once_and_keep_their_id),
        cmocka_unit_test(many_small_records_fill_segments_of_at_most_a_buffer),
        cmocka_unit_test(an_array_larger_than_a_buffer_gets_its_own_segment),
        cmocka_unit_test(zeroed_arrays_keep_their_length),
        cmocka_unit_test(object_arrays_stream_with_nulls_in_the_gaps),
        cmocka_unit_test(an_element_out_of_order_fails_the_sink),
        cmocka_unit_test(values_are_stored_big_endian_in_exactly_their_size),
        cmocka_unit_test(a_streamed_object_array_keeps_every_element_across_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
