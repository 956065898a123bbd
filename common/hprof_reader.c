/*
 * The streaming HPROF reader and validator: see include/carbondump/hprof.h.
 * This file holds the window on the input, the top-level records, the checks
 * settled at the end and the public functions; hprof_segments.c the classes
 * and the sub-records of the heap dump itself.
 *
 * The reader keeps a window of the input in a buffer that grows only to hold the
 * largest single item it must see whole (a UTF8 text, an instance's field data);
 * array elements stream through in pieces. What it remembers grows with the
 * number of names and classes, not with the heap, unless CD_HPROF_CHECK_OBJECTS
 * asks it to remember every object id. Checks that depend on records further on
 * (a superclass dumped after its subclass, as HotSpot does) are collected and
 * settled at the end.
 */
#include "hprof_reader_internal.h"
#include "carbondump/array.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_START_BYTES (1u << 20)
#define BUFFER_MAX_BYTES (256u << 20)

const cd_hprof_span hr_structure = {CD_HPROF_SPAN_STRUCTURE, 0, 0};

uint64_t hr_position(const cd_hprof_reader *r)
{
    return r->buf_base + r->cur;
}

int hr_malformed(cd_hprof_reader *r, cd_error *err, const char *fmt, ...)
{
    char what[CD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return cd_fail(err, CD_ERR_PROTOCOL, "malformed heap dump at byte %" PRIu64 ": %s",
                   hr_position(r), what);
}

int hr_out_of_memory(cd_error *err)
{
    return cd_fail(err, CD_ERR_NOMEM, "out of memory reading a heap dump");
}

uint64_t cd_hprof_read_id(const cd_hprof_reader *r, const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < r->id_size; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---------------------------------------------------------------- the window */

static int flush_span(cd_hprof_reader *r, cd_error *err)
{
    if (!r->span_open)
        return 0;
    r->span_open = 0;
    if (r->cur == r->span_from)
        return 0;
    return r->v->bytes(r->v->context, &r->span, r->buf + r->span_from, r->cur - r->span_from, err);
}

/* Makes n bytes from the read position available in the buffer. Returns 0, 1 at
 * the end of the input (fewer than n bytes left), -1 on error. */
static int fill(cd_hprof_reader *r, size_t n, cd_error *err)
{
    if (r->end - r->cur >= n)
        return 0;
    if (flush_span(r, err) != 0)
        return -1;
    memmove(r->buf, r->buf + r->cur, r->end - r->cur);
    r->buf_base += r->cur;
    r->end -= r->cur;
    r->cur = 0;
    if (n > r->cap) {
        if (n > BUFFER_MAX_BYTES)
            return hr_malformed(r, err,
                                "an item of %zu bytes is larger than carbondump reads whole", n);
        if (cd_array_reserve(&r->buf, &r->cap, n, 1) != 0)
            return hr_out_of_memory(err);
    }
    while (r->end < n) {
        size_t got;
        if (cd_hprof_input_read(r->in, r->buf + r->end, r->cap - r->end, &got, err) != 0)
            return -1;
        if (got == 0)
            return 1;
        r->end += got;
    }
    return 0;
}

int hr_need(cd_hprof_reader *r, size_t n, cd_error *err)
{
    int rc = fill(r, n, err);
    if (rc > 0)
        return hr_malformed(r, err, "the dump ends in the middle of a record (truncated?)");
    return rc;
}

/* Consumes n bytes classified as span; returns them, or NULL with err. */
const uint8_t *hr_take(cd_hprof_reader *r, size_t n, const cd_hprof_span *span, cd_error *err)
{
    if (hr_position(r) + n > r->limit) {
        hr_malformed(r, err, "a field of %zu bytes runs past the end of its record", n);
        return NULL;
    }
    if (hr_need(r, n, err) != 0)
        return NULL;
    if (r->v->bytes) {
        if (!r->span_open || r->span.kind != span->kind || r->span.type != span->type ||
            r->span.id != span->id) {
            if (flush_span(r, err) != 0)
                return NULL;
            r->span_open = 1;
            r->span = *span;
            r->span_from = r->cur;
        }
    }
    const uint8_t *p = r->buf + r->cur;
    r->cur += n;
    return p;
}

int hr_take_u1(cd_hprof_reader *r, uint8_t *out, cd_error *err)
{
    const uint8_t *p = hr_take(r, 1, &hr_structure, err);
    if (!p)
        return -1;
    *out = p[0];
    return 0;
}

int hr_take_u2(cd_hprof_reader *r, uint16_t *out, cd_error *err)
{
    const uint8_t *p = hr_take(r, 2, &hr_structure, err);
    if (!p)
        return -1;
    *out = (uint16_t)(p[0] << 8 | p[1]);
    return 0;
}

int hr_take_u4(cd_hprof_reader *r, uint32_t *out, cd_error *err)
{
    const uint8_t *p = hr_take(r, 4, &hr_structure, err);
    if (!p)
        return -1;
    *out = be32(p);
    return 0;
}

int hr_take_id(cd_hprof_reader *r, uint64_t *out, cd_error *err)
{
    const uint8_t *p = hr_take(r, r->id_size, &hr_structure, err);
    if (!p)
        return -1;
    *out = cd_hprof_read_id(r, p);
    return 0;
}

/* Streams n bytes through in pieces of whole units, calling each(piece). */
int hr_take_stream(cd_hprof_reader *r, uint64_t n, unsigned unit, const cd_hprof_span *span,
                   piece_fn each, cd_error *err)
{
    if (hr_position(r) + n > r->limit)
        return hr_malformed(r, err, "an array of %" PRIu64 " bytes runs past the end of its record",
                            n);
    while (n > 0) {
        if (hr_need(r, unit, err) != 0)
            return -1;
        size_t avail = r->end - r->cur;
        size_t piece = avail < n ? avail - avail % unit : (size_t)n;
        const uint8_t *p = hr_take(r, piece, span, err);
        if (!p || (each && each(r, p, piece, err) != 0))
            return -1;
        n -= piece;
    }
    return 0;
}

/* ---------------------------------------------------------------- references */

int hr_want_trace(cd_hprof_reader *r, uint32_t serial, cd_error *err)
{
    if (serial == r->last_trace_wanted && r->want_traces.count)
        return 0;
    r->last_trace_wanted = serial;
    return cd_idlist_push(&r->want_traces, serial) == 0 ? 0 : hr_out_of_memory(err);
}

int hr_want_name(cd_hprof_reader *r, uint64_t id, const char *what, cd_error *err)
{
    if (!cd_idmap_find(&r->strings, id, NULL))
        return hr_malformed(r, err, "%s 0x%" PRIx64 " is not a UTF8 record before it", what, id);
    if (r->v->name_used)
        return r->v->name_used(r->v->context, id, err);
    return 0;
}

/* An object reference: null, or an object or class that must be in the dump. */
int hr_want_object(cd_hprof_reader *r, uint64_t id, cd_error *err)
{
    if (!(r->flags & CD_HPROF_CHECK_OBJECTS) || id == 0 || cd_idmap_find(&r->objects, id, NULL) ||
        cd_idmap_find(&r->class_index, id, NULL))
        return 0;
    return cd_idlist_push(&r->want_objects, id) == 0 ? 0 : hr_out_of_memory(err);
}

int hr_define_object(cd_hprof_reader *r, uint64_t id, cd_error *err)
{
    if (id == 0)
        return hr_malformed(r, err, "an object with id 0");
    if (!(r->flags & CD_HPROF_CHECK_OBJECTS))
        return 0;
    int rc = cd_idmap_add(&r->objects, id, 0);
    if (rc < 0)
        return hr_out_of_memory(err);
    if (rc > 0 || cd_idmap_find(&r->class_index, id, NULL))
        return hr_malformed(r, err, "object 0x%" PRIx64 " is dumped twice", id);
    return 0;
}

int hr_check_references(cd_hprof_reader *r, const uint8_t *p, size_t len, cd_error *err)
{
    for (size_t at = 0; at < len; at += r->id_size)
        if (hr_want_object(r, cd_hprof_read_id(r, p + at), err) != 0)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------- records */

static int utf8_record(cd_hprof_reader *r, uint32_t len, cd_error *err)
{
    uint64_t id;
    if (len < r->id_size)
        return hr_malformed(r, err, "a UTF8 record of %u bytes", len);
    if (hr_take_id(r, &id, err) != 0)
        return -1;
    if (id == 0)
        return hr_malformed(r, err, "a UTF8 record with id 0");
    int rc = cd_idmap_add(&r->strings, id, 0);
    if (rc < 0)
        return hr_out_of_memory(err);
    if (rc > 0)
        return hr_malformed(r, err, "UTF8 id 0x%" PRIx64 " is defined twice", id);
    cd_hprof_span name = {CD_HPROF_SPAN_NAME, 0, id};
    size_t text_len = len - r->id_size;
    if (hr_need(r, text_len, err) != 0)
        return -1;
    const uint8_t *text = r->buf + r->cur;
    if (!hr_take(r, text_len, &name, err))
        return -1;
    r->stats.utf8++;
    if (r->v->utf8)
        return r->v->utf8(r->v->context, id, (const char *)text, text_len, err);
    return 0;
}

static int load_class_record(cd_hprof_reader *r, uint32_t len, cd_error *err)
{
    uint32_t serial, trace;
    uint64_t class_id, name_id;
    if (len != 8 + 2 * r->id_size)
        return hr_malformed(r, err, "a LOAD_CLASS record of %u bytes", len);
    if (hr_take_u4(r, &serial, err) != 0 || hr_take_id(r, &class_id, err) != 0 ||
        hr_take_u4(r, &trace, err) != 0 || hr_take_id(r, &name_id, err) != 0)
        return -1;
    if (!cd_idmap_find(&r->strings, name_id, NULL))
        return hr_malformed(r, err, "class name 0x%" PRIx64 " is not a UTF8 record before it",
                            name_id);
    if (class_id == 0)
        return hr_malformed(r, err, "a LOAD_CLASS record for class id 0");
    /* serials may be 0; the maps take nonzero keys */
    int rc = cd_idmap_add(&r->class_serials, (uint64_t)serial + 1, 0);
    uint32_t name_index = (uint32_t)r->names.count;
    int named = rc >= 0 ? cd_idmap_add(&r->named, class_id, name_index) : -1;
    if (rc < 0 || named < 0)
        return hr_out_of_memory(err);
    if (rc > 0)
        return hr_malformed(r, err, "class serial %u is loaded twice", serial);
    if (named > 0) {
        /* JDK 17 writes array classes twice, under two serials and one name. */
        cd_idmap_find(&r->named, class_id, &name_index);
        if (r->names.items[name_index] != name_id)
            return hr_malformed(r, err, "class 0x%" PRIx64 " is loaded twice under two names",
                                class_id);
    } else if (cd_idlist_push(&r->names, name_id) != 0) {
        return hr_out_of_memory(err);
    }
    /* A LOAD_CLASS may name a class without a dump: HotSpot names classes it
     * has loaded but not linked, and dumps only linked ones. */
    cd_hprof_class *cls = hr_class_of(r, class_id);
    if (cls)
        cls->name_id = name_id;
    if (hr_want_trace(r, trace, err) != 0)
        return -1;
    if (r->v->load_class)
        return r->v->load_class(r->v->context, serial, class_id, name_id, err);
    return 0;
}

static int frame_record(cd_hprof_reader *r, uint32_t len, cd_error *err)
{
    uint64_t id, method, signature, source;
    uint32_t class_serial, line;
    if (len != 8 + 4 * r->id_size)
        return hr_malformed(r, err, "a FRAME record of %u bytes", len);
    if (hr_take_id(r, &id, err) != 0 || hr_take_id(r, &method, err) != 0 ||
        hr_take_id(r, &signature, err) != 0 || hr_take_id(r, &source, err) != 0 ||
        hr_take_u4(r, &class_serial, err) != 0 || hr_take_u4(r, &line, err) != 0)
        return -1;
    if (hr_want_name(r, method, "method name", err) != 0 ||
        hr_want_name(r, signature, "method signature", err) != 0 ||
        (source && hr_want_name(r, source, "source file name", err) != 0))
        return -1;
    if (id == 0)
        return hr_malformed(r, err, "a FRAME record with id 0");
    int rc = cd_idmap_add(&r->frames, id, 0);
    if (rc < 0 || cd_idlist_push(&r->want_class_serials, class_serial) != 0)
        return hr_out_of_memory(err);
    if (rc > 0)
        return hr_malformed(r, err, "frame 0x%" PRIx64 " is defined twice", id);
    r->stats.frames++;
    return 0;
}

static int trace_record(cd_hprof_reader *r, uint32_t len, cd_error *err)
{
    uint32_t serial, thread, count;
    if (len < 12)
        return hr_malformed(r, err, "a TRACE record of %u bytes", len);
    if (hr_take_u4(r, &serial, err) != 0 || hr_take_u4(r, &thread, err) != 0 ||
        hr_take_u4(r, &count, err) != 0)
        return -1;
    if ((uint64_t)count * r->id_size != len - 12)
        return hr_malformed(r, err, "TRACE %u lists %u frames in %u bytes", serial, count, len);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t frame;
        if (hr_take_id(r, &frame, err) != 0)
            return -1;
        if (!cd_idmap_find(&r->frames, frame, NULL))
            return hr_malformed(r, err, "TRACE %u cites frame 0x%" PRIx64 " not defined before it",
                                serial, frame);
    }
    int rc = cd_idmap_add(&r->traces, (uint64_t)serial + 1, 0);
    if (rc < 0)
        return hr_out_of_memory(err);
    if (rc > 0)
        return hr_malformed(r, err, "TRACE %u is defined twice", serial);
    r->stats.traces++;
    return 0;
}

static int header(cd_hprof_reader *r, cd_error *err)
{
    r->limit = UINT64_MAX;
    char magic[32];
    size_t n = 0;
    for (;;) {
        uint8_t c;
        if (hr_take_u1(r, &c, err) != 0)
            return cd_fail(err, CD_ERR_PROTOCOL, "not a heap dump: empty or no header");
        if (c == 0)
            break;
        if (n + 1 >= sizeof magic)
            return cd_fail(err, CD_ERR_PROTOCOL, "not a heap dump: no HPROF header");
        magic[n++] = (char)c;
    }
    magic[n] = '\0';
    if (strncmp(magic, "JAVA PROFILE ", 13) != 0)
        return cd_fail(err, CD_ERR_PROTOCOL, "not a heap dump: no HPROF header");
    if (strcmp(magic, CD_HPROF_HEADER) != 0 && strcmp(magic, "JAVA PROFILE 1.0.1") != 0)
        return cd_fail(err, CD_ERR_PROTOCOL, "unsupported HPROF version '%s'", magic + 13);
    uint32_t id_size, high, low;
    if (hr_take_u4(r, &id_size, err) != 0 || hr_take_u4(r, &high, err) != 0 ||
        hr_take_u4(r, &low, err) != 0)
        return -1;
    if (id_size != 4 && id_size != 8)
        return hr_malformed(r, err, "identifier size %u (expected 4 or 8)", id_size);
    r->id_size = id_size;
    return 0;
}

static int record(cd_hprof_reader *r, cd_error *err)
{
    uint8_t tag;
    uint32_t time, len;
    r->limit = UINT64_MAX;
    if (hr_take_u1(r, &tag, err) != 0 || hr_take_u4(r, &time, err) != 0 ||
        hr_take_u4(r, &len, err) != 0)
        return -1;
    uint64_t end = hr_position(r) + len;
    r->limit = end;
    r->stats.records++;
    int rc = 0;
    switch (tag) {
    case CD_HPROF_UTF8: rc = utf8_record(r, len, err); break;
    case CD_HPROF_LOAD_CLASS: rc = load_class_record(r, len, err); break;
    case CD_HPROF_FRAME: rc = frame_record(r, len, err); break;
    case CD_HPROF_TRACE: rc = trace_record(r, len, err); break;
    case CD_HPROF_HEAP_DUMP:
    case CD_HPROF_HEAP_DUMP_SEGMENT:
        if (r->seen_end)
            return hr_malformed(r, err, "heap dump segment after HEAP_DUMP_END");
        r->seen_segment = 1;
        rc = hr_heap_dump(r, err);
        break;
    case CD_HPROF_HEAP_DUMP_END:
        if (len != 0)
            return hr_malformed(r, err, "a HEAP_DUMP_END record of %u bytes", len);
        r->seen_end = 1;
        break;
    case CD_HPROF_UNLOAD_CLASS:
    case CD_HPROF_ALLOC_SITES:
    case CD_HPROF_HEAP_SUMMARY:
    case CD_HPROF_START_THREAD:
    case CD_HPROF_END_THREAD:
    case CD_HPROF_CPU_SAMPLES:
    case CD_HPROF_CONTROL_SETTINGS: rc = hr_take_stream(r, len, 1, &hr_structure, NULL, err); break;
    default: return hr_malformed(r, err, "unknown record tag 0x%02x", tag);
    }
    if (rc != 0)
        return -1;
    if (hr_position(r) != end)
        return hr_malformed(r, err, "record 0x%02x has %" PRIu64 " bytes its parts do not explain",
                            tag, end - hr_position(r));
    return 0;
}

/* What can only be checked once everything has been read. */
static int settle(cd_hprof_reader *r, cd_error *err)
{
    if (r->seen_segment && !r->seen_end)
        return hr_malformed(r, err, "no HEAP_DUMP_END record after the heap dump segments");
    for (size_t i = 0; i < r->want_classes.count; i++)
        if (!hr_class_of(r, r->want_classes.items[i]))
            return hr_malformed(r, err,
                                "class 0x%" PRIx64 " is cited as a superclass but never dumped",
                                r->want_classes.items[i]);
    for (size_t i = 0; i < r->class_count; i++)
        if (!r->classes[i].name_id)
            return hr_malformed(r, err, "class 0x%" PRIx64 " has no LOAD_CLASS record (no name)",
                                r->classes[i].id);
    for (size_t i = 0; i < r->want_class_serials.count; i++)
        if (!cd_idmap_find(&r->class_serials, r->want_class_serials.items[i] + 1, NULL))
            return hr_malformed(r, err, "a frame cites class serial %" PRIu64 ", never loaded",
                                r->want_class_serials.items[i]);
    for (size_t i = 0; i < r->want_traces.count; i++)
        if (!cd_idmap_find(&r->traces, r->want_traces.items[i] + 1, NULL))
            return hr_malformed(r, err, "stack trace serial %" PRIu64 " is cited but not defined",
                                r->want_traces.items[i]);
    size_t unresolved = 0;
    uint64_t first = 0;
    for (size_t i = 0; i < r->want_objects.count; i++) {
        uint64_t id = r->want_objects.items[i];
        if (!cd_idmap_find(&r->objects, id, NULL) && !cd_idmap_find(&r->class_index, id, NULL)) {
            if (!unresolved++)
                first = id;
        }
    }
    if (unresolved)
        return hr_malformed(r, err,
                            "%zu object references resolve to nothing in the dump (the first: "
                            "0x%" PRIx64 ")",
                            unresolved, first);
    return 0;
}

/* ---------------------------------------------------------------- public */

cd_hprof_reader *cd_hprof_reader_new(unsigned flags, cd_error *err)
{
    cd_hprof_reader *r = calloc(1, sizeof *r);
    if (r)
        r->buf = malloc(BUFFER_START_BYTES);
    if (!r || !r->buf) {
        free(r);
        hr_out_of_memory(err);
        return NULL;
    }
    r->cap = BUFFER_START_BYTES;
    r->flags = flags;
    return r;
}

void cd_hprof_reader_free(cd_hprof_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->class_count; i++)
        free(r->classes[i].fields);
    free(r->classes);
    free(r->values_size);
    cd_idmap_free(&r->strings);
    cd_idmap_free(&r->class_index);
    cd_idmap_free(&r->named);
    cd_idmap_free(&r->class_serials);
    cd_idmap_free(&r->frames);
    cd_idmap_free(&r->traces);
    cd_idmap_free(&r->objects);
    cd_idlist_free(&r->names);
    cd_idlist_free(&r->want_classes);
    cd_idlist_free(&r->want_class_serials);
    cd_idlist_free(&r->want_traces);
    cd_idlist_free(&r->want_objects);
    free(r->buf);
    free(r);
}

int cd_hprof_reader_run(cd_hprof_reader *r, cd_hprof_input *in, const cd_hprof_visitor *visitor,
                        cd_error *err)
{
    static const cd_hprof_visitor none;
    r->in = in;
    r->v = visitor ? visitor : &none;
    if (header(r, err) != 0)
        return -1;
    for (;;) {
        int rc = fill(r, 1, err);
        if (rc < 0)
            return -1;
        if (rc > 0)
            break; /* the end, between records */
        if (record(r, err) != 0)
            return -1;
    }
    if (flush_span(r, err) != 0)
        return -1;
    r->stats.bytes = hr_position(r);
    return settle(r, err);
}

const cd_hprof_stats *cd_hprof_reader_stats(const cd_hprof_reader *r)
{
    return &r->stats;
}

unsigned cd_hprof_reader_id_size(const cd_hprof_reader *r)
{
    return r->id_size;
}
