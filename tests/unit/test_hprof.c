/*
 * The HPROF reader (include/carbondump/hprof.h) and the heap dump redactor
 * (collector/hprof_redact.h), on small dumps built byte by byte here: what a
 * well-formed dump reads as, each structural fault it rejects with a message
 * saying where, and what each redaction level keeps and blanks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbondump/fsutil.h"
#include "carbondump/hprof.h"
#include "carbondump/sink.h"
#include "redact/hprof_redact.h"

/* ---------------------------------------------------------------- building dumps */

typedef struct dump {
    uint8_t *data;
    size_t len, cap;
    size_t record_at; /* where the open record's header starts */
} dump;

static void put(dump *d, const void *p, size_t n)
{
    if (d->len + n > d->cap) {
        d->cap = (d->len + n) * 2 + 256;
        d->data = realloc(d->data, d->cap);
        assert_non_null(d->data);
    }
    memcpy(d->data + d->len, p, n);
    d->len += n;
}

static void u1(dump *d, uint8_t v)
{
    put(d, &v, 1);
}

static void u2(dump *d, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(d, b, 2);
}

static void u4(dump *d, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(d, b, 4);
}

static void id(dump *d, uint64_t v)
{
    u4(d, (uint32_t)(v >> 32));
    u4(d, (uint32_t)v);
}

static void header(dump *d)
{
    put(d, "JAVA PROFILE 1.0.2", 19);
    u4(d, 8);
    id(d, 1700000000000ULL);
}

static void begin(dump *d, uint8_t tag)
{
    d->record_at = d->len;
    u1(d, tag);
    u4(d, 0);
    u4(d, 0); /* length, patched by end() */
}

static void end(dump *d)
{
    uint32_t len = (uint32_t)(d->len - d->record_at - 9);
    uint8_t *p = d->data + d->record_at + 5;
    p[0] = (uint8_t)(len >> 24);
    p[1] = (uint8_t)(len >> 16);
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
}

static void utf8(dump *d, uint64_t name_id, const char *text)
{
    begin(d, CD_HPROF_UTF8);
    id(d, name_id);
    put(d, text, strlen(text));
    end(d);
}

static void load_class(dump *d, uint32_t serial, uint64_t class_id, uint64_t name_id)
{
    begin(d, CD_HPROF_LOAD_CLASS);
    u4(d, serial);
    id(d, class_id);
    u4(d, 1);
    id(d, name_id);
    end(d);
}

/* A class dump with the given own instance fields (name id, type pairs). */
static void class_dump(dump *d, uint64_t class_id, uint64_t super_id, int fields, ...)
{
    u1(d, CD_HPROF_CLASS_DUMP);
    id(d, class_id);
    u4(d, 1);
    id(d, super_id);
    for (int i = 0; i < 5; i++)
        id(d, 0); /* loader, signers, domain, reserved x2 */
    u4(d, 0);
    u2(d, 0); /* constant pool */
    u2(d, 0); /* statics */
    u2(d, (uint16_t)fields);
    va_list ap;
    va_start(ap, fields);
    for (int i = 0; i < fields; i++) {
        id(d, va_arg(ap, uint64_t));
        u1(d, (uint8_t)va_arg(ap, int));
    }
    va_end(ap);
}

static void instance_header(dump *d, uint64_t object_id, uint64_t class_id, uint32_t len)
{
    u1(d, CD_HPROF_INSTANCE_DUMP);
    id(d, object_id);
    u4(d, 1);
    id(d, class_id);
    u4(d, len);
}

static void byte_array(dump *d, uint64_t object_id, const char *text)
{
    u1(d, CD_HPROF_PRIM_ARRAY_DUMP);
    id(d, object_id);
    u4(d, 1);
    u4(d, (uint32_t)strlen(text));
    u1(d, CD_HPROF_BYTE);
    put(d, text, strlen(text));
}

/* Names (UTF8 ids). */
enum {
    N_OBJECT = 0x101,
    N_STRING,
    N_THREAD,
    N_SECRET,
    N_NAME,
    N_VALUE,
    N_ID,
    N_HASH,
    N_DATA,
    N_LITERAL,
    N_WORKER_THREAD
};
/* Classes and objects. */
enum {
    C_OBJECT = 0x1001,
    C_STRING,
    C_THREAD,
    C_SECRET,
    C_WORKER,
    O_THREAD = 0x2001,
    O_NAME,
    O_NAME_BYTES,
    O_SECRET_STRING,
    O_SECRET_BYTES,
    O_SECRET
};

/* A dump of one thread named "worker" (a subclass of Thread), one String
 * holding a secret, and one object with an int 42 pointing at that String's
 * bytes; a UTF8 string literal no class uses. Stops before the heap dump's end
 * so that tests can add faults. */
static void small_heap(dump *d)
{
    header(d);
    utf8(d, N_OBJECT, "java/lang/Object");
    utf8(d, N_STRING, "java/lang/String");
    utf8(d, N_THREAD, "java/lang/Thread");
    utf8(d, N_SECRET, "Secret");
    utf8(d, N_NAME, "name");
    utf8(d, N_VALUE, "value");
    utf8(d, N_ID, "id");
    utf8(d, N_HASH, "hash");
    utf8(d, N_DATA, "data");
    utf8(d, N_LITERAL, "jdbc:h2:password=CDHEAPSECRET-literal");
    utf8(d, N_WORKER_THREAD, "WorkerThread");
    load_class(d, 1, C_OBJECT, N_OBJECT);
    load_class(d, 2, C_STRING, N_STRING);
    load_class(d, 3, C_THREAD, N_THREAD);
    load_class(d, 4, C_SECRET, N_SECRET);
    load_class(d, 5, C_WORKER, N_WORKER_THREAD);
    begin(d, CD_HPROF_TRACE);
    u4(d, 1);
    u4(d, 0);
    u4(d, 0);
    end(d);
    begin(d, CD_HPROF_HEAP_DUMP_SEGMENT);
    class_dump(d, C_OBJECT, 0, 0);
    class_dump(d, C_STRING, C_OBJECT, 2, (uint64_t)N_VALUE, CD_HPROF_OBJECT, (uint64_t)N_HASH,
               CD_HPROF_INT);
    class_dump(d, C_THREAD, C_OBJECT, 1, (uint64_t)N_NAME, CD_HPROF_OBJECT);
    class_dump(d, C_WORKER, C_THREAD, 0);
    class_dump(d, C_SECRET, C_OBJECT, 2, (uint64_t)N_ID, CD_HPROF_INT, (uint64_t)N_DATA,
               CD_HPROF_OBJECT);
    u1(d, CD_HPROF_ROOT_THREAD_OBJ);
    id(d, O_THREAD);
    u4(d, 1);
    u4(d, 1);
    instance_header(d, O_THREAD, C_WORKER, 8);
    id(d, O_NAME);
    instance_header(d, O_NAME, C_STRING, 12);
    id(d, O_NAME_BYTES);
    u4(d, 0x11223344); /* hash */
    byte_array(d, O_NAME_BYTES, "worker");
    instance_header(d, O_SECRET_STRING, C_STRING, 12);
    id(d, O_SECRET_BYTES);
    u4(d, 0x55667788);
    byte_array(d, O_SECRET_BYTES, "CDHEAPSECRET-in-heap");
    instance_header(d, O_SECRET, C_SECRET, 12);
    u4(d, 42);
    id(d, O_SECRET_BYTES);
    end(d);
}

static void heap_dump_end(dump *d)
{
    begin(d, CD_HPROF_HEAP_DUMP_END);
    end(d);
}

/* Reads d; returns the reader's result, with err and (if asked) stats. */
static int read_dump(const dump *d, unsigned flags, cd_hprof_stats *stats, cd_error *err)
{
    cd_hprof_input *in = cd_hprof_input_memory(d->data, d->len, err);
    assert_non_null(in);
    cd_hprof_reader *reader = cd_hprof_reader_new(flags, err);
    assert_non_null(reader);
    int rc = cd_hprof_reader_run(reader, in, NULL, err);
    if (stats)
        *stats = *cd_hprof_reader_stats(reader);
    cd_hprof_reader_free(reader);
    cd_hprof_input_close(in);
    return rc;
}

static void expect_malformed(const dump *d, unsigned flags, const char *words)
{
    cd_error err = {0};
    assert_int_equal(read_dump(d, flags, NULL, &err), -1);
    assert_int_equal(err.code, CD_ERR_PROTOCOL);
    if (!strstr(err.message, words))
        fail_msg("expected '%s' in: %s", words, err.message);
}

/* ---------------------------------------------------------------- reading */

static void reads_a_well_formed_dump_and_counts_its_records(void **state)
{
    dump d = {0};
    small_heap(&d);
    heap_dump_end(&d);
    cd_hprof_stats stats;
    cd_error err = {0};
    assert_int_equal(read_dump(&d, CD_HPROF_CHECK_OBJECTS, &stats, &err), 0);
    assert_int_equal(stats.bytes, d.len);
    assert_int_equal(stats.records, 11 + 5 + 1 + 1 + 1);
    assert_int_equal(stats.utf8, 11);
    assert_int_equal(stats.classes, 5);
    assert_int_equal(stats.instances, 4);
    assert_int_equal(stats.primitive_arrays, 2);
    assert_int_equal(stats.object_arrays, 0);
    assert_int_equal(stats.roots, 1);
    assert_int_equal(stats.traces, 1);
    free(d.data);
}

static void reads_a_dump_in_several_gzip_members(void **state)
{
    dump d = {0};
    small_heap(&d);
    heap_dump_end(&d);
    cd_error err = {0};
    /* gzip members of 100 bytes each, as cd_sink_gzip writes them, in a file */
    char dir[] = "/tmp/cd-test-hprof.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/dump.hprof.gz", dir);
    cd_sink *file = cd_sink_file(path, &err);
    assert_non_null(file);
    cd_sink *gzip = cd_sink_gzip(file, 1, 100, &err);
    assert_int_equal(cd_sink_write(gzip, d.data, d.len), 0);
    assert_int_equal(cd_sink_close(gzip, &err), 0);
    cd_hprof_input *in = cd_hprof_input_file(path, 0, &err);
    assert_non_null(in);
    cd_hprof_reader *reader = cd_hprof_reader_new(CD_HPROF_CHECK_OBJECTS, &err);
    assert_int_equal(cd_hprof_reader_run(reader, in, NULL, &err), 0);
    assert_int_equal(cd_hprof_reader_stats(reader)->bytes, d.len);
    assert_int_equal(cd_hprof_reader_stats(reader)->instances, 4);
    cd_hprof_reader_free(reader);
    cd_hprof_input_close(in);
    cd_remove_tree(dir);
    free(d.data);
}

static void finds_fields_through_superclasses(void **state)
{
    dump d = {0};
    small_heap(&d);
    heap_dump_end(&d);
    cd_error err = {0};
    cd_hprof_input *in = cd_hprof_input_memory(d.data, d.len, &err);
    cd_hprof_reader *reader = cd_hprof_reader_new(0, &err);
    assert_int_equal(cd_hprof_reader_run(reader, in, NULL, &err), 0);
    const cd_hprof_class *worker = cd_hprof_reader_class(reader, C_WORKER);
    assert_non_null(worker);
    assert_int_equal(worker->name_id, N_WORKER_THREAD);
    assert_int_equal(worker->count, 1);
    assert_true(cd_hprof_class_is_a(reader, worker, C_THREAD));
    assert_false(cd_hprof_class_is_a(reader, worker, C_STRING));
    uint8_t type;
    uint32_t offset;
    assert_int_equal(cd_hprof_field_offset(reader, worker, N_NAME, &type, &offset), 0);
    assert_int_equal(type, CD_HPROF_OBJECT);
    assert_int_equal(offset, 0);
    const cd_hprof_class *secret = cd_hprof_reader_class(reader, C_SECRET);
    assert_int_equal(cd_hprof_field_offset(reader, secret, N_DATA, &type, &offset), 0);
    assert_int_equal(offset, 4);
    assert_int_equal(cd_hprof_field_offset(reader, secret, N_NAME, &type, &offset), -1);
    cd_hprof_reader_free(reader);
    cd_hprof_input_close(in);
    free(d.data);
}

static void rejects_an_instance_before_the_dump_of_its_class(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    instance_header(&d, 0x3001, 0x9999, 0);
    end(&d);
    heap_dump_end(&d);
    expect_malformed(&d, 0, "instance 0x3001 of class 0x9999 comes before the dump of that class");
    free(d.data);
}

static void rejects_an_instance_whose_size_its_class_disagrees_with(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    instance_header(&d, 0x3001, C_SECRET, 4);
    u4(&d, 7);
    end(&d);
    heap_dump_end(&d);
    expect_malformed(&d, 0, "instance 0x3001 has 4 bytes of fields, its class 0x1004 says 12");
    free(d.data);
}

static void rejects_a_truncated_dump(void **state)
{
    dump d = {0};
    small_heap(&d);
    heap_dump_end(&d);
    d.len -= 20;
    expect_malformed(&d, 0, "the dump ends in the middle of a record (truncated?)");
    free(d.data);
}

static void rejects_a_record_whose_length_does_not_fit_its_kind(void **state)
{
    dump d = {0};
    header(&d);
    utf8(&d, N_OBJECT, "java/lang/Object");
    begin(&d, CD_HPROF_LOAD_CLASS);
    u4(&d, 1);
    id(&d, C_OBJECT);
    u4(&d, 1);
    end(&d); /* the name id is missing */
    expect_malformed(&d, 0, "a LOAD_CLASS record of 16 bytes");
    free(d.data);
}

static void rejects_a_sub_record_running_past_its_segment(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    byte_array(&d, 0x3001, "abcdef");
    end(&d);
    d.data[d.len - 8] = 0xFF; /* the count's low byte: the array claims 255 bytes now */
    heap_dump_end(&d);
    expect_malformed(&d, 0, "runs past the end of its record");
    free(d.data);
}

static void rejects_an_unknown_record_tag(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, 0x42);
    end(&d);
    heap_dump_end(&d);
    expect_malformed(&d, 0, "unknown record tag 0x42");
    free(d.data);
}

static void rejects_a_field_name_that_is_no_utf8_record(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    class_dump(&d, 0x1099, C_OBJECT, 1, (uint64_t)0x7777, CD_HPROF_INT);
    end(&d);
    heap_dump_end(&d);
    expect_malformed(&d, 0, "field name 0x7777 is not a UTF8 record before it");
    free(d.data);
}

static void rejects_a_superclass_that_is_never_dumped(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    class_dump(&d, 0x1099, 0x1098, 0);
    end(&d);
    load_class(&d, 9, 0x1099, N_SECRET);
    heap_dump_end(&d);
    expect_malformed(&d, 0, "class 0x1098 is cited as a superclass but never dumped");
    free(d.data);
}

static void rejects_a_class_dump_without_a_name(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    class_dump(&d, 0x1099, C_OBJECT, 0);
    end(&d);
    heap_dump_end(&d);
    expect_malformed(&d, 0, "class 0x1099 has no LOAD_CLASS record (no name)");
    free(d.data);
}

static void rejects_segments_without_heap_dump_end(void **state)
{
    dump d = {0};
    small_heap(&d);
    expect_malformed(&d, 0, "no HEAP_DUMP_END record after the heap dump segments");
    free(d.data);
}

static void dangling_reference_fails_only_when_objects_are_checked(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    instance_header(&d, 0x3001, C_THREAD, 8);
    id(&d, 0x4444); /* no such object */
    end(&d);
    heap_dump_end(&d);
    cd_error err = {0};
    assert_int_equal(read_dump(&d, 0, NULL, &err), 0);
    expect_malformed(&d, CD_HPROF_CHECK_OBJECTS,
                     "1 object references resolve to nothing in the dump (the first: 0x4444)");
    free(d.data);
}

static void rejects_an_object_dumped_twice_when_objects_are_checked(void **state)
{
    dump d = {0};
    small_heap(&d);
    begin(&d, CD_HPROF_HEAP_DUMP_SEGMENT);
    byte_array(&d, O_NAME_BYTES, "again");
    end(&d);
    heap_dump_end(&d);
    expect_malformed(&d, CD_HPROF_CHECK_OBJECTS, "object 0x2003 is dumped twice");
    free(d.data);
}

static void rejects_what_is_not_a_heap_dump(void **state)
{
    dump d = {0};
    put(&d, "PK\3\4 not a heap dump at all", 28);
    cd_error err = {0};
    assert_int_equal(read_dump(&d, 0, NULL, &err), -1);
    assert_string_equal(err.message, "not a heap dump: no HPROF header");
    free(d.data);
}

static void reading_with_release_gives_the_blocks_read_back_to_the_file_system(void **state)
{
    char dir[] = "/tmp/cd-test-hprof.XXXXXX";
    assert_non_null(mkdtemp(dir));
    size_t len = 5u << 20;
    uint8_t *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i * 7 + (i >> 12));
    cd_error err = {0};
    assert_int_equal(cd_staging_write(dir, "big", data, len, &err), 0);
    char path[64];
    snprintf(path, sizeof path, "%s/big", dir);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    cd_hprof_input *in = cd_hprof_input_file(path, CD_HPROF_INPUT_RELEASE, &err);
    assert_non_null(in);
    uint8_t *back = malloc(len);
    size_t total = 0, got;
    do {
        assert_int_equal(cd_hprof_input_read(in, back + total, len - total, &got, &err), 0);
        total += got;
    } while (got > 0 && total < len);
    assert_int_equal(cd_hprof_input_read(in, back, 1, &got, &err), 0);
    assert_int_equal(got, 0);
    assert_int_equal(stat(path, &after), 0);
    cd_hprof_input_close(in);
    assert_int_equal(total, len);
    assert_memory_equal(back, data, len);
    assert_int_equal(after.st_size, before.st_size);            /* holes, not truncation */
    assert_true((uint64_t)after.st_blocks * 512 <= (1u << 20)); /* at most the last MiB */
    free(back);
    free(data);
    cd_remove_tree(dir);
}

/* ---------------------------------------------------------------- redaction rules */

static void redaction_rules_per_level(void **state)
{
    assert_false(cd_hprof_redacts_array(CD_HEAP_REDACT_NONE, CD_HPROF_BYTE));
    assert_true(cd_hprof_redacts_array(CD_HEAP_REDACT_BASIC, CD_HPROF_BYTE));
    assert_true(cd_hprof_redacts_array(CD_HEAP_REDACT_BASIC, CD_HPROF_CHAR));
    assert_false(cd_hprof_redacts_array(CD_HEAP_REDACT_BASIC, CD_HPROF_INT));
    assert_true(cd_hprof_redacts_array(CD_HEAP_REDACT_FULL, CD_HPROF_INT));
    assert_true(cd_hprof_redacts_array(CD_HEAP_REDACT_FULL, CD_HPROF_DOUBLE));
    assert_false(cd_hprof_redacts_array(CD_HEAP_REDACT_FULL, CD_HPROF_OBJECT));
    assert_false(cd_hprof_redacts_value(CD_HEAP_REDACT_BASIC, CD_HPROF_INT));
    assert_true(cd_hprof_redacts_value(CD_HEAP_REDACT_FULL, CD_HPROF_LONG));
    assert_false(cd_hprof_redacts_value(CD_HEAP_REDACT_FULL, CD_HPROF_OBJECT));
    assert_false(cd_hprof_redacts_unnamed_utf8(CD_HEAP_REDACT_NONE));
    assert_true(cd_hprof_redacts_unnamed_utf8(CD_HEAP_REDACT_BASIC));
}

/* ---------------------------------------------------------------- the redactor */

typedef struct redacted {
    char dir[64];
    uint8_t *data; /* the redacted dump, decompressed */
    size_t len;
    cd_hprof_redact_stats stats;
} redacted;

/* Redacts d at level through files, as the collector does. */
static void redact(const dump *d, cd_heap_redact level, redacted *out)
{
    snprintf(out->dir, sizeof out->dir, "/tmp/cd-test-hprof.XXXXXX");
    assert_non_null(mkdtemp(out->dir));
    char in_path[128], out_path[128];
    snprintf(in_path, sizeof in_path, "%s/vm.hprof", out->dir);
    snprintf(out_path, sizeof out_path, "%s/redacted.hprof.gz", out->dir);
    cd_error err = {0};
    assert_int_equal(cd_staging_write(out->dir, "vm.hprof", d->data, d->len, &err), 0);
    if (cd_hprof_redact_file(in_path, out_path, level, &out->stats, &err) != 0)
        fail_msg("redaction failed: %s", err.message);
    assert_int_equal(access(in_path, F_OK), -1); /* the input is gone */
    cd_hprof_input *in = cd_hprof_input_file(out_path, 0, &err);
    assert_non_null(in);
    size_t cap = d->len + 1024;
    out->data = malloc(cap);
    out->len = 0;
    size_t got;
    do {
        assert_int_equal(cd_hprof_input_read(in, out->data + out->len, cap - out->len, &got, &err),
                         0);
        out->len += got;
    } while (got > 0 && out->len < cap);
    cd_hprof_input_close(in);
}

static void redacted_free(redacted *r)
{
    cd_remove_tree(r->dir);
    free(r->data);
}

static int contains(const uint8_t *data, size_t len, const char *text)
{
    return memmem(data, len, text, strlen(text)) != NULL;
}

static void basic_redaction_blanks_byte_arrays_and_unused_names_only(void **state)
{
    dump d = {0};
    small_heap(&d);
    heap_dump_end(&d);
    redacted r;
    redact(&d, CD_HEAP_REDACT_BASIC, &r);
    assert_int_equal(r.len, d.len); /* same structure, byte for byte in size */
    assert_false(contains(r.data, r.len, "CDHEAPSECRET-"));
    assert_true(contains(r.data, r.len, "worker"));           /* a thread's name stays */
    assert_true(contains(r.data, r.len, "java/lang/String")); /* class and field names stay */
    assert_true(contains(r.data, r.len, "hash"));
    assert_int_equal(r.stats.arrays_zeroed, 1);
    assert_int_equal(r.stats.names_blanked, 1); /* the literal */
    assert_int_equal(r.stats.threads_kept, 1);
    /* Secret.id (42) sits right before the reference to the secret's bytes. */
    uint8_t needle[12] = {0, 0, 0, 42};
    memcpy(needle + 4, d.data + d.len - 9 - 8, 8);
    assert_non_null(memmem(r.data, r.len, needle, sizeof needle));
    dump copy = {r.data, r.len, r.len, 0};
    cd_error err = {0};
    assert_int_equal(read_dump(&copy, CD_HPROF_CHECK_OBJECTS, NULL, &err), 0);
    redacted_free(&r);
    free(d.data);
}

static void full_redaction_zeroes_every_primitive_value_but_keeps_the_graph(void **state)
{
    dump d = {0};
    small_heap(&d);
    heap_dump_end(&d);
    redacted r;
    redact(&d, CD_HEAP_REDACT_FULL, &r);
    assert_int_equal(r.len, d.len);
    assert_false(contains(r.data, r.len, "CDHEAPSECRET-"));
    assert_true(contains(r.data, r.len, "worker"));
    /* The secret String's hash is zeroed; the thread name String's is kept. */
    const char secret_hash[] = {0x55, 0x66, 0x77, (char)0x88, 0};
    const char name_hash[] = {0x11, 0x22, 0x33, 0x44, 0};
    assert_false(contains(r.data, r.len, secret_hash));
    assert_true(contains(r.data, r.len, name_hash));
    /* Secret.id: zero; its reference: kept. */
    uint8_t needle[12] = {0, 0, 0, 0};
    memcpy(needle + 4, d.data + d.len - 9 - 8, 8);
    assert_non_null(memmem(r.data, r.len, needle, sizeof needle));
    assert_int_equal(r.stats.values_zeroed, 2); /* the secret's hash and Secret.id */
    dump copy = {r.data, r.len, r.len, 0};
    cd_error err = {0};
    assert_int_equal(read_dump(&copy, CD_HPROF_CHECK_OBJECTS, NULL, &err), 0);
    redacted_free(&r);
    free(d.data);
}

static void redactor_refuses_a_malformed_dump_and_writes_nothing(void **state)
{
    dump d = {0};
    small_heap(&d); /* no HEAP_DUMP_END */
    char dir[] = "/tmp/cd-test-hprof.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char in_path[64], out_path[64];
    snprintf(in_path, sizeof in_path, "%s/vm.hprof", dir);
    snprintf(out_path, sizeof out_path, "%s/out.hprof.gz", dir);
    cd_error err = {0};
    assert_int_equal(cd_staging_write(dir, "vm.hprof", d.data, d.len, &err), 0);
    assert_int_equal(cd_hprof_redact_file(in_path, out_path, CD_HEAP_REDACT_BASIC, NULL, &err), -1);
    char expected[200];
    snprintf(expected, sizeof expected,
             "redacting the heap dump: malformed heap dump at byte %zu: no HEAP_DUMP_END record "
             "after the heap dump segments",
             d.len);
    assert_string_equal(err.message, expected);
    assert_int_equal(access(out_path, F_OK), -1);
    char partial[80];
    snprintf(partial, sizeof partial, "%s.partial", out_path);
    assert_int_equal(access(partial, F_OK), -1);
    cd_remove_tree(dir);
    free(d.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_a_well_formed_dump_and_counts_its_records),
        cmocka_unit_test(reads_a_dump_in_several_gzip_members),
        cmocka_unit_test(finds_fields_through_superclasses),
        cmocka_unit_test(rejects_an_instance_before_the_dump_of_its_class),
        cmocka_unit_test(rejects_an_instance_whose_size_its_class_disagrees_with),
        cmocka_unit_test(rejects_a_truncated_dump),
        cmocka_unit_test(rejects_a_record_whose_length_does_not_fit_its_kind),
        cmocka_unit_test(rejects_a_sub_record_running_past_its_segment),
        cmocka_unit_test(rejects_an_unknown_record_tag),
        cmocka_unit_test(rejects_a_field_name_that_is_no_utf8_record),
        cmocka_unit_test(rejects_a_superclass_that_is_never_dumped),
        cmocka_unit_test(rejects_a_class_dump_without_a_name),
        cmocka_unit_test(rejects_segments_without_heap_dump_end),
        cmocka_unit_test(dangling_reference_fails_only_when_objects_are_checked),
        cmocka_unit_test(rejects_an_object_dumped_twice_when_objects_are_checked),
        cmocka_unit_test(rejects_what_is_not_a_heap_dump),
        cmocka_unit_test(reading_with_release_gives_the_blocks_read_back_to_the_file_system),
        cmocka_unit_test(redaction_rules_per_level),
        cmocka_unit_test(basic_redaction_blanks_byte_arrays_and_unused_names_only),
        cmocka_unit_test(full_redaction_zeroes_every_primitive_value_but_keeps_the_graph),
        cmocka_unit_test(redactor_refuses_a_malformed_dump_and_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
