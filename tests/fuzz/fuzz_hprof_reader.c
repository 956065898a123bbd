/*
 * The HPROF reader (cd_hprof_reader_run) on hostile dumps held in memory
 * (cd_hprof_input_memory, plain or gzip): a heap dump comes from the target
 * JVM's file system and may be truncated, corrupt or crafted.
 *
 * The dump is read with the utf8, class_dump, instance and bytes callbacks,
 * which check what they are handed; one that passes is read again
 * with CD_HPROF_CHECK_OBJECTS (only then: each reader costs ~1.3 MiB of fresh
 * buffers, the main cost of a run, and a dump refused on its structure is
 * refused the same way with the check). Invariants:
 *  - the bytes callback hands out the input exactly, in order, once (plain
 *    input): a prefix of it when the dump is refused, all of it when accepted,
 *    and stats.bytes then equals the input's size;
 *  - every instance's values hold each field its class chain declares
 *    (cd_hprof_field_offset + the field's size stays within them), and
 *    cd_hprof_reader_class finds the class an instance is reported with;
 *  - a UTF8 record's text is in the (plain) input;
 *  - with the object check, a well-formed dump is accepted or refused with
 *    a message;
 *  - a refusal says why.
 */
#include "carbondump/hprof.h"
#include "fuzz.h"

typedef struct walk {
    const cd_hprof_reader *reader;
    const uint8_t *input;
    size_t size;
    int plain;     /* not gzip: bytes must equal the input */
    size_t offset; /* bytes handed out so far */
} walk;

static int on_bytes(void *context, const cd_hprof_span *span, const uint8_t *data, size_t len,
                    cd_error *err)
{
    walk *w = context;
    FUZZ_CHECK(len > 0, "no empty spans");
    FUZZ_CHECK(span->kind <= CD_HPROF_SPAN_NAME, "a known span kind");
    if (w->plain) {
        FUZZ_CHECK(w->offset + len <= w->size, "spans stay within the input");
        FUZZ_CHECK(memcmp(data, w->input + w->offset, len) == 0, "spans are the input, in order");
    }
    w->offset += len;
    return 0;
}

static int on_utf8(void *context, uint64_t id, const char *text, size_t len, cd_error *err)
{
    walk *w = context;
    if (w->plain && len > 0)
        FUZZ_CHECK(memmem(w->input, w->size, text, len) != NULL, "a name's text is in the dump");
    return 0;
}

static int on_class_dump(void *context, const cd_hprof_class *cls, cd_error *err)
{
    walk *w = context;
    FUZZ_CHECK(cd_hprof_reader_class(w->reader, cls->id) != NULL, "a dumped class is found");
    for (uint16_t i = 0; i < cls->field_count; i++)
        FUZZ_CHECK(cd_hprof_type_size(cls->fields[i].type, cd_hprof_reader_id_size(w->reader)) > 0,
                   "fields have basic types");
    return 0;
}

static int on_instance(void *context, uint64_t id, const cd_hprof_class *cls, const uint8_t *values,
                       uint32_t len, cd_error *err)
{
    walk *w = context;
    unsigned id_size = cd_hprof_reader_id_size(w->reader);
    FUZZ_CHECK(cd_hprof_reader_class(w->reader, cls->id) == cls, "an instance's class is found");
    FUZZ_CHECK(cd_hprof_class_is_a(w->reader, cls, cls->id), "a class is itself");
    if (cls->super_id)
        FUZZ_CHECK(cd_hprof_class_is_a(w->reader, cls, cls->super_id), "a class is its super");
    for (uint16_t i = 0; i < cls->field_count; i++) {
        uint8_t type;
        uint32_t offset;
        if (cd_hprof_field_offset(w->reader, cls, cls->fields[i].name_id, &type, &offset) != 0)
            continue;
        unsigned size = cd_hprof_type_size(type, id_size);
        FUZZ_CHECK(size > 0 && (uint64_t)offset + size <= len, "a field lies within the values");
        if (type == CD_HPROF_OBJECT)
            (void)cd_hprof_read_id(w->reader, values + offset);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *dump = (uint8_t *)fuzz_bytes(data, size);

    walk w = {
        .input = dump, .size = size, .plain = !(size >= 2 && dump[0] == 0x1f && dump[1] == 0x8b)};
    cd_hprof_visitor visitor = {
        .context = &w,
        .utf8 = on_utf8,
        .class_dump = on_class_dump,
        .instance = on_instance,
        .bytes = on_bytes,
    };
    cd_error err = {0};
    int accepted = -1;
    cd_hprof_input *in = cd_hprof_input_memory(dump, size, &err);
    cd_hprof_reader *reader = in ? cd_hprof_reader_new(0, &err) : NULL;
    if (reader) {
        w.reader = reader;
        accepted = cd_hprof_reader_run(reader, in, &visitor, &err) == 0;
        if (accepted) {
            FUZZ_CHECK(cd_hprof_reader_stats(reader)->bytes == w.offset,
                       "stats.bytes counts every byte handed out");
            if (w.plain)
                FUZZ_CHECK(w.offset == size, "an accepted dump is handed out whole");
            for (size_t i = 0; i < cd_hprof_reader_class_count(reader); i++)
                FUZZ_CHECK(cd_hprof_reader_class_at(reader, i) != NULL, "classes are listed");
        } else {
            FUZZ_CHECK_MESSAGE(err);
            FUZZ_CHECK(err.message[0] != '\0', "a refused dump says why");
        }
    }
    cd_hprof_reader_free(reader);
    cd_hprof_input_close(in);

    if (accepted == 1) {
        in = cd_hprof_input_memory(dump, size, &err);
        reader = in ? cd_hprof_reader_new(CD_HPROF_CHECK_OBJECTS, &err) : NULL;
        if (reader && cd_hprof_reader_run(reader, in, NULL, &err) != 0) {
            FUZZ_CHECK_MESSAGE(err);
            FUZZ_CHECK(err.message[0] != '\0', "a refused dump says why");
        }
        cd_hprof_reader_free(reader);
        cd_hprof_input_close(in);
    }
    free(dump);
    return 0;
}
