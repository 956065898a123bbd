/*
 * Writes the HPROF seeds of fuzz_hprof_reader and fuzz_hprof_redact with the
 * agent's own writer (agent/hprof_writer.c): a small well-formed dump shaped
 * like a JVM's, with java.lang.Object, String (value char[] and hash), Thread
 * (a name String), a class with a static and instance fields, instances,
 * primitive and object arrays, roots, a frame and a trace. Small on purpose:
 * the fuzzer mutates it byte by byte.
 *
 *   cmake --build build-fuzz --target fuzz_make_hprof_seed
 *   build-fuzz/fuzz/fuzz_make_hprof_seed tests/fuzz/corpus/hprof_reader/carbon_small.hprof
 * (the .gz seed is that file through gzip -n). Not part of any test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/hprof.h"
#include "carbondump/sink.h"
#include "heap/hprof_writer.h"

static uint64_t name(cd_hprof_writer *w, const char *text, uint64_t *next_id)
{
    return cd_hprof_name(w, text, strlen(text), next_id);
}

/* An instance's values: ids and ints big-endian, own class first. */
static size_t put_id(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
    return 8;
}

static size_t put_int(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
    return 4;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_hprof_seed OUT.hprof\n");
        return 2;
    }
    cd_error err = {0};
    cd_sink *sink = cd_sink_file(argv[1], &err);
    cd_hprof_writer *w = sink ? cd_hprof_writer_new(sink, 1764150000000ULL, &err) : NULL;
    if (!w) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    uint64_t next_id = 0x1000;
    enum {
        OBJECT = 0x100,
        STRING = 0x108,
        THREAD = 0x110,
        CHARS = 0x118,
        CONFIG = 0x120,
        OBJECTS = 0x128
    };
    uint64_t n_object = name(w, "java/lang/Object", &next_id);
    uint64_t n_string = name(w, "java/lang/String", &next_id);
    uint64_t n_thread = name(w, "java/lang/Thread", &next_id);
    uint64_t n_chars = name(w, "[C", &next_id);
    uint64_t n_config = name(w, "org/wso2/carbon/Config", &next_id);
    uint64_t n_objects = name(w, "[Ljava/lang/Object;", &next_id);
    uint64_t n_value = name(w, "value", &next_id);
    uint64_t n_hash = name(w, "hash", &next_id);
    uint64_t n_name = name(w, "name", &next_id);
    uint64_t n_port = name(w, "port", &next_id);
    uint64_t n_secret = name(w, "secret", &next_id);
    uint64_t n_count = name(w, "COUNT", &next_id);
    uint64_t n_run = name(w, "run", &next_id);
    uint64_t n_sig = name(w, "()V", &next_id);
    uint64_t n_source = name(w, "Thread.java", &next_id);
    name(w, "jdbc:h2:literal-from-the-symbol-table password=s3cret", &next_id);

    cd_hprof_load_class(w, 1, OBJECT, n_object);
    cd_hprof_load_class(w, 2, STRING, n_string);
    cd_hprof_load_class(w, 3, THREAD, n_thread);
    cd_hprof_load_class(w, 4, CHARS, n_chars);
    cd_hprof_load_class(w, 5, CONFIG, n_config);
    cd_hprof_load_class(w, 6, OBJECTS, n_objects);
    cd_hprof_frame(w, 0x2000, n_run, n_sig, n_source, 3, 42);
    uint64_t frames[] = {0x2000};
    cd_hprof_trace(w, CD_HPROF_DUMMY_TRACE, 0, NULL, 0);
    cd_hprof_trace(w, 2, 1, frames, 1);

    cd_hprof_class_record object = {.id = OBJECT};
    cd_hprof_value string_fields[] = {{.name_id = n_value, .type = CD_HPROF_OBJECT},
                                      {.name_id = n_hash, .type = CD_HPROF_INT}};
    cd_hprof_class_record string = {.id = STRING,
                                    .super_id = OBJECT,
                                    .instance_size = 12,
                                    .fields = string_fields,
                                    .field_count = 2};
    cd_hprof_value thread_fields[] = {{.name_id = n_name, .type = CD_HPROF_OBJECT}};
    cd_hprof_class_record thread = {.id = THREAD,
                                    .super_id = OBJECT,
                                    .instance_size = 8,
                                    .fields = thread_fields,
                                    .field_count = 1};
    cd_hprof_class_record chars = {.id = CHARS, .super_id = OBJECT};
    cd_hprof_value config_statics[] = {{.name_id = n_count, .type = CD_HPROF_INT, .bits = 7}};
    cd_hprof_value config_fields[] = {{.name_id = n_port, .type = CD_HPROF_INT},
                                      {.name_id = n_secret, .type = CD_HPROF_OBJECT}};
    cd_hprof_class_record config = {.id = CONFIG,
                                    .super_id = OBJECT,
                                    .instance_size = 12,
                                    .statics = config_statics,
                                    .static_count = 1,
                                    .fields = config_fields,
                                    .field_count = 2};
    cd_hprof_class_record objects = {.id = OBJECTS, .super_id = OBJECT};
    cd_hprof_class_dump(w, &object);
    cd_hprof_class_dump(w, &string);
    cd_hprof_class_dump(w, &thread);
    cd_hprof_class_dump(w, &chars);
    cd_hprof_class_dump(w, &config);
    cd_hprof_class_dump(w, &objects);

    /* "main" names the thread (kept); "s3cret" is a Config's secret (zeroed) */
    const uint16_t main_chars[] = {'m', 'a', 'i', 'n'};
    const uint16_t secret_chars[] = {'s', '3', 'c', 'r', 'e', 't'};
    cd_hprof_primitive_array(w, 0x3000, CD_HPROF_CHAR, 4, main_chars, 0);
    cd_hprof_primitive_array(w, 0x3008, CD_HPROF_CHAR, 6, secret_chars, 0);
    const int32_t ints[] = {1, 2, 3};
    cd_hprof_primitive_array(w, 0x3010, CD_HPROF_INT, 3, ints, 0);
    uint8_t values[16];
    size_t len = put_id(values, 0x3000);
    len += put_int(values + len, 0x12345678);
    cd_hprof_instance(w, 0x4000, STRING, values, (uint32_t)len);
    len = put_id(values, 0x3008);
    len += put_int(values + len, 0x0badf00d);
    cd_hprof_instance(w, 0x4008, STRING, values, (uint32_t)len);
    len = put_id(values, 0x4000);
    cd_hprof_instance(w, 0x4010, THREAD, values, (uint32_t)len);
    len = put_int(values, 9443);
    len += put_id(values + len, 0x4008);
    cd_hprof_instance(w, 0x4018, CONFIG, values, (uint32_t)len);
    cd_hprof_object_array_begin(w, 0x4020, OBJECTS, 4);
    cd_hprof_object_array_element(w, 1, 0x4018);
    cd_hprof_object_array_element(w, 2, 0x4010);
    cd_hprof_object_array_end(w);

    cd_hprof_root_thread(w, 0x4010, 1, 2);
    cd_hprof_root_in_frame(w, CD_HPROF_ROOT_JAVA_FRAME, 0x4020, 1, 0);
    cd_hprof_root_jni_global(w, 0x4018, 0x5000);
    cd_hprof_root(w, CD_HPROF_ROOT_STICKY_CLASS, STRING);
    cd_hprof_root(w, CD_HPROF_ROOT_MONITOR_USED, 0x4008);

    int rc = cd_hprof_writer_finish(w);
    cd_hprof_writer_free(w);
    if (rc != 0 || cd_sink_close(sink, &err) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", argv[1], err.message);
        return 1;
    }
    return 0;
}
