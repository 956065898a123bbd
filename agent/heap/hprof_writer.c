/*
 * HPROF record encoding: see hprof_writer.h.
 *
 * Invariant: while a segment is open (segment_open), its header sits in the
 * buffer at segment_at with a length still to be patched, so the buffer is not
 * flushed; every sub-record reserves its whole size before it is written, and
 * one that does not fit closes the segment first. With no segment open the
 * buffer flushes whenever it fills (top-level records and streamed sub-records
 * have their exact length written up front).
 */
#include "hprof_writer.h"

#include <stdlib.h>
#include <string.h>

#include "carbondump/hprof.h"
#include "carbondump/array.h"

#define BUFFER_BYTES (1u << 20)
#define RECORD_HEADER_BYTES 9 /* u1 tag, u4 time, u4 length */
#define ID CD_HPROF_ID_SIZE

typedef struct name_entry {
    uint64_t hash;
    uint64_t id;
    size_t offset, len;
} name_entry;

struct cd_hprof_writer {
    cd_sink *out;
    uint64_t flushed; /* bytes handed to out */
    int segment_open;
    size_t segment_at;
    int dump_started;
    uint32_t array_length, array_next; /* the object array being streamed */

    name_entry *names;
    size_t name_cap, name_count;
    char *text;
    size_t text_len, text_cap;

    size_t used;
    uint8_t buf[BUFFER_BYTES];
};

/* ---------------------------------------------------------------- bytes */

int cd_hprof_writer_failed(const cd_hprof_writer *w)
{
    return w->out->failed;
}

uint64_t cd_hprof_writer_bytes(const cd_hprof_writer *w)
{
    return w->flushed + w->used;
}

static void flush(cd_hprof_writer *w)
{
    if (w->used) {
        cd_sink_write(w->out, w->buf, w->used);
        w->flushed += w->used;
        w->used = 0;
    }
}

/* A reservation was wrong: a bug, reported rather than corrupting the dump. */
static void overrun(cd_hprof_writer *w)
{
    cd_error e;
    cd_fail(&e, CD_ERR_INTERNAL, "heap dump writer: a sub-record outgrew its segment");
    cd_sink_fail(w->out, &e);
}

static void put(cd_hprof_writer *w, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        if (w->used == BUFFER_BYTES) {
            if (w->segment_open) {
                overrun(w);
                return;
            }
            flush(w);
        }
        size_t n = BUFFER_BYTES - w->used;
        if (n > len)
            n = len;
        memcpy(w->buf + w->used, p, n);
        w->used += n;
        p += n;
        len -= n;
    }
}

static void put_u1(cd_hprof_writer *w, uint8_t v)
{
    put(w, &v, 1);
}

/* The low size bytes of bits, big-endian. */
static void put_value(cd_hprof_writer *w, uint64_t bits, unsigned size)
{
    uint8_t b[8];
    cd_hprof_store_value(b, bits, size);
    put(w, b, size);
}

static void put_u2(cd_hprof_writer *w, uint16_t v)
{
    put_value(w, v, 2);
}

static void put_u4(cd_hprof_writer *w, uint32_t v)
{
    put_value(w, v, 4);
}

static void put_u8(cd_hprof_writer *w, uint64_t v)
{
    put_value(w, v, 8);
}

/* ---------------------------------------------------------------- records */

static void close_segment(cd_hprof_writer *w)
{
    if (!w->segment_open)
        return;
    uint32_t len = (uint32_t)(w->used - w->segment_at - RECORD_HEADER_BYTES);
    cd_hprof_store_value(w->buf + w->segment_at + 5, len, 4);
    w->segment_open = 0;
}

static void record_header(cd_hprof_writer *w, uint8_t tag, uint32_t len)
{
    put_u1(w, tag);
    put_u4(w, 0); /* microseconds since the header's time */
    put_u4(w, len);
}

static void begin_record(cd_hprof_writer *w, uint8_t tag, uint32_t len)
{
    close_segment(w);
    record_header(w, tag, len);
}

/* Makes room for a sub-record of size bytes: in the open segment, a new one, or
 * (larger than a buffer) a segment of its own that streams through. */
static void begin_sub(cd_hprof_writer *w, uint64_t size)
{
    w->dump_started = 1;
    if (w->segment_open && w->used + size <= BUFFER_BYTES)
        return;
    close_segment(w);
    if (size + RECORD_HEADER_BYTES > BUFFER_BYTES) {
        if (size > UINT32_MAX) {
            cd_error e;
            cd_fail(&e, CD_ERR_INTERNAL, "heap dump writer: a %llu-byte array does not fit HPROF",
                    (unsigned long long)size);
            cd_sink_fail(w->out, &e);
            return;
        }
        record_header(w, CD_HPROF_HEAP_DUMP_SEGMENT, (uint32_t)size);
        return;
    }
    if (w->used + RECORD_HEADER_BYTES + size > BUFFER_BYTES)
        flush(w);
    w->segment_at = w->used;
    record_header(w, CD_HPROF_HEAP_DUMP_SEGMENT, 0);
    w->segment_open = 1;
}

/* A sub-record of size bytes that fits a buffer (size + RECORD_HEADER_BYTES <=
 * BUFFER_BYTES), claimed whole in the open segment: the caller stores exactly
 * size bytes at the result. Small records skip put()'s per-call checks. */
static uint8_t *claim_sub(cd_hprof_writer *w, size_t size)
{
    begin_sub(w, size);
    uint8_t *p = w->buf + w->used;
    w->used += size;
    return p;
}

cd_hprof_writer *cd_hprof_writer_new(cd_sink *out, uint64_t time_ms, cd_error *err)
{
    cd_hprof_writer *w = calloc(1, sizeof *w);
    if (!w) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory for the heap dump writer");
        return NULL;
    }
    w->out = out;
    put(w, CD_HPROF_HEADER, sizeof CD_HPROF_HEADER); /* with its NUL */
    put_u4(w, ID);
    put_u4(w, (uint32_t)(time_ms >> 32));
    put_u4(w, (uint32_t)time_ms);
    return w;
}

int cd_hprof_writer_finish(cd_hprof_writer *w)
{
    if (w->dump_started)
        begin_record(w, CD_HPROF_HEAP_DUMP_END, 0);
    close_segment(w);
    flush(w);
    return w->out->failed ? -1 : 0;
}

void cd_hprof_writer_free(cd_hprof_writer *w)
{
    if (!w)
        return;
    free(w->names);
    free(w->text);
    free(w);
}

/* ---------------------------------------------------------------- names */

static uint64_t text_hash(const char *text, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)text[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

static int names_grow(cd_hprof_writer *w)
{
    size_t cap = w->name_cap ? w->name_cap * 2 : 4096;
    name_entry *names = calloc(cap, sizeof *names);
    if (!names)
        return -1;
    for (size_t i = 0; i < w->name_cap; i++) {
        if (!w->names[i].hash)
            continue;
        size_t j = w->names[i].hash & (cap - 1);
        while (names[j].hash)
            j = (j + 1) & (cap - 1);
        names[j] = w->names[i];
    }
    free(w->names);
    w->names = names;
    w->name_cap = cap;
    return 0;
}

static uint64_t names_failed(cd_hprof_writer *w)
{
    cd_error e;
    cd_fail(&e, CD_ERR_NOMEM, "out of memory for the heap dump's names");
    cd_sink_fail(w->out, &e);
    return 0;
}

uint64_t cd_hprof_name(cd_hprof_writer *w, const char *text, size_t len, uint64_t *next_id)
{
    if (w->out->failed)
        return 0;
    if ((w->name_count + 1) * 2 > w->name_cap && names_grow(w) != 0)
        return names_failed(w);
    uint64_t hash = text_hash(text, len);
    size_t i = hash & (w->name_cap - 1);
    for (; w->names[i].hash; i = (i + 1) & (w->name_cap - 1)) {
        name_entry *e = &w->names[i];
        if (e->hash == hash && e->len == len && memcmp(w->text + e->offset, text, len) == 0)
            return e->id;
    }
    if (cd_array_reserve(&w->text, &w->text_cap, w->text_len + len, 1) != 0)
        return names_failed(w);
    memcpy(w->text + w->text_len, text, len);
    uint64_t id = (*next_id)++;
    w->names[i] = (name_entry){hash, id, w->text_len, len};
    w->text_len += len;
    w->name_count++;
    begin_record(w, CD_HPROF_UTF8, (uint32_t)(ID + len));
    put_u8(w, id);
    put(w, text, len);
    return id;
}

/* ---------------------------------------------------------------- top level */

void cd_hprof_load_class(cd_hprof_writer *w, uint32_t serial, uint64_t class_id, uint64_t name_id)
{
    begin_record(w, CD_HPROF_LOAD_CLASS, 4 + ID + 4 + ID);
    put_u4(w, serial);
    put_u8(w, class_id);
    put_u4(w, CD_HPROF_DUMMY_TRACE);
    put_u8(w, name_id);
}

void cd_hprof_frame(cd_hprof_writer *w, uint64_t frame_id, uint64_t method_name_id,
                    uint64_t signature_id, uint64_t source_id, uint32_t class_serial, int32_t line)
{
    begin_record(w, CD_HPROF_FRAME, 4 * ID + 8);
    put_u8(w, frame_id);
    put_u8(w, method_name_id);
    put_u8(w, signature_id);
    put_u8(w, source_id);
    put_u4(w, class_serial);
    put_u4(w, (uint32_t)line);
}

void cd_hprof_trace(cd_hprof_writer *w, uint32_t serial, uint32_t thread_serial,
                    const uint64_t *frame_ids, uint32_t count)
{
    begin_record(w, CD_HPROF_TRACE, 12 + count * ID);
    put_u4(w, serial);
    put_u4(w, thread_serial);
    put_u4(w, count);
    for (uint32_t i = 0; i < count; i++)
        put_u8(w, frame_ids[i]);
}

/* ---------------------------------------------------------------- roots */

void cd_hprof_root(cd_hprof_writer *w, uint8_t sub_tag, uint64_t id)
{
    uint8_t *p = claim_sub(w, 1 + ID);
    p[0] = sub_tag;
    cd_hprof_store_value(p + 1, id, ID);
}

void cd_hprof_root_jni_global(cd_hprof_writer *w, uint64_t id, uint64_t ref_id)
{
    uint8_t *p = claim_sub(w, 1 + 2 * ID);
    p[0] = CD_HPROF_ROOT_JNI_GLOBAL;
    cd_hprof_store_value(p + 1, id, ID);
    cd_hprof_store_value(p + 1 + ID, ref_id, ID);
}

/* A root with an id and two u4s: in a frame, or a thread's. */
static void root_with_serials(cd_hprof_writer *w, uint8_t sub_tag, uint64_t id, uint32_t first,
                              uint32_t second)
{
    uint8_t *p = claim_sub(w, 1 + ID + 8);
    p[0] = sub_tag;
    cd_hprof_store_value(p + 1, id, ID);
    cd_hprof_store_value(p + 1 + ID, first, 4);
    cd_hprof_store_value(p + 5 + ID, second, 4);
}

void cd_hprof_root_in_frame(cd_hprof_writer *w, uint8_t sub_tag, uint64_t id,
                            uint32_t thread_serial, int32_t depth)
{
    root_with_serials(w, sub_tag, id, thread_serial, (uint32_t)depth);
}

void cd_hprof_root_thread(cd_hprof_writer *w, uint64_t id, uint32_t thread_serial,
                          uint32_t trace_serial)
{
    root_with_serials(w, CD_HPROF_ROOT_THREAD_OBJ, id, thread_serial, trace_serial);
}

/* ---------------------------------------------------------------- objects */

void cd_hprof_class_dump(cd_hprof_writer *w, const cd_hprof_class_record *c)
{
    uint64_t size = 1 + ID + 4 + 6 * ID + 4 + 2 + 2 + 2;
    for (uint16_t i = 0; i < c->static_count; i++)
        size += ID + 1 + cd_hprof_type_size(c->statics[i].type, ID);
    size += (uint64_t)c->field_count * (ID + 1);
    begin_sub(w, size);
    put_u1(w, CD_HPROF_CLASS_DUMP);
    put_u8(w, c->id);
    put_u4(w, CD_HPROF_DUMMY_TRACE);
    put_u8(w, c->super_id);
    put_u8(w, c->loader_id);
    put_u8(w, 0); /* signers */
    put_u8(w, 0); /* protection domain */
    put_u8(w, 0); /* reserved */
    put_u8(w, 0);
    put_u4(w, c->instance_size);
    put_u2(w, 0); /* constant pool */
    put_u2(w, c->static_count);
    for (uint16_t i = 0; i < c->static_count; i++) {
        put_u8(w, c->statics[i].name_id);
        put_u1(w, c->statics[i].type);
        put_value(w, c->statics[i].bits, cd_hprof_type_size(c->statics[i].type, ID));
    }
    put_u2(w, c->field_count);
    for (uint16_t i = 0; i < c->field_count; i++) {
        put_u8(w, c->fields[i].name_id);
        put_u1(w, c->fields[i].type);
    }
}

void cd_hprof_instance(cd_hprof_writer *w, uint64_t id, uint64_t class_id, const uint8_t *values,
                       uint32_t len)
{
    /* Instance data is at most 65535 fields of 8 bytes: always within a buffer. */
    uint8_t *p = claim_sub(w, 1 + ID + 4 + ID + 4 + (size_t)len);
    p[0] = CD_HPROF_INSTANCE_DUMP;
    cd_hprof_store_value(p + 1, id, ID);
    cd_hprof_store_value(p + 1 + ID, CD_HPROF_DUMMY_TRACE, 4);
    cd_hprof_store_value(p + 5 + ID, class_id, ID);
    cd_hprof_store_value(p + 5 + 2 * ID, len, 4);
    if (len) /* an instance without fields may come with no values at all */
        memcpy(p + 9 + 2 * ID, values, len);
}

void cd_hprof_object_array_begin(cd_hprof_writer *w, uint64_t id, uint64_t class_id,
                                 uint32_t length)
{
    begin_sub(w, 1 + ID + 4 + 4 + ID + (uint64_t)length * ID);
    put_u1(w, CD_HPROF_OBJ_ARRAY_DUMP);
    put_u8(w, id);
    put_u4(w, CD_HPROF_DUMMY_TRACE);
    put_u4(w, length);
    put_u8(w, class_id);
    w->array_length = length;
    w->array_next = 0;
}

static void null_elements(cd_hprof_writer *w, uint32_t upto)
{
    static const uint8_t zeros[256];
    while (w->array_next < upto) {
        uint32_t n = upto - w->array_next;
        if (n > sizeof zeros / ID)
            n = sizeof zeros / ID;
        put(w, zeros, (size_t)n * ID);
        w->array_next += n;
    }
}

void cd_hprof_object_array_element(cd_hprof_writer *w, uint32_t index, uint64_t element_id)
{
    if (index < w->array_next || index >= w->array_length) {
        cd_error e;
        cd_fail(&e, CD_ERR_INTERNAL, "heap dump writer: array element %u out of order", index);
        cd_sink_fail(w->out, &e);
        return;
    }
    null_elements(w, index);
    w->array_next = index + 1;
    if (w->used + ID <= BUFFER_BYTES) {
        cd_hprof_store_value(w->buf + w->used, element_id, ID);
        w->used += ID;
    } else {
        put_u8(w, element_id); /* a streamed array crossing a buffer */
    }
}

void cd_hprof_object_array_end(cd_hprof_writer *w)
{
    null_elements(w, w->array_length);
}

/* Copies n bytes of elements of size bytes each, reversing each element's bytes
 * (little- to big-endian). */
static void copy_swapped(uint8_t *to, const uint8_t *from, size_t n, unsigned size)
{
#define SWAP_EACH(bits)                                                                            \
    for (size_t i = 0; i < n; i += (bits) / 8) {                                                   \
        uint##bits##_t v;                                                                          \
        memcpy(&v, from + i, sizeof v);                                                            \
        v = __builtin_bswap##bits(v);                                                              \
        memcpy(to + i, &v, sizeof v);                                                              \
    }
    switch (size) {
    case 2: SWAP_EACH(16) break;
    case 4: SWAP_EACH(32) break;
    case 8: SWAP_EACH(64) break;
    default: memcpy(to, from, n); break;
    }
#undef SWAP_EACH
}

void cd_hprof_primitive_array(cd_hprof_writer *w, uint64_t id, uint8_t type, uint32_t length,
                              const void *elements, int zeroed)
{
    unsigned size = cd_hprof_type_size(type, ID);
    uint64_t total = (uint64_t)length * size;
    begin_sub(w, 1 + ID + 4 + 4 + 1 + total);
    put_u1(w, CD_HPROF_PRIM_ARRAY_DUMP);
    put_u8(w, id);
    put_u4(w, CD_HPROF_DUMMY_TRACE);
    put_u4(w, length);
    put_u1(w, type);
    const uint8_t *from = elements;
    int big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
    while (total > 0 && !w->out->failed) {
        size_t room = BUFFER_BYTES - w->used;
        if (room < size || (room < total && room < 64 * 1024)) {
            if (w->segment_open) {
                overrun(w);
                return;
            }
            flush(w);
            room = BUFFER_BYTES;
        }
        size_t n = total < room ? (size_t)total : room - room % size;
        if (zeroed || !from)
            memset(w->buf + w->used, 0, n);
        else if (big_endian)
            memcpy(w->buf + w->used, from, n);
        else
            copy_swapped(w->buf + w->used, from, n, size);
        w->used += n;
        if (from)
            from += n;
        total -= n;
    }
}
