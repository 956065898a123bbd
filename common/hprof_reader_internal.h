/*
 * What the two files of the HPROF reader share: hprof_reader.c (the window on
 * the input, the top-level records, the checks settled at the end, the public
 * functions) and hprof_segments.c (the classes and the sub-records of heap dump
 * segments). Not for use outside the reader.
 */
#ifndef CARBONDUMP_HPROF_READER_INTERNAL_H
#define CARBONDUMP_HPROF_READER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/hprof.h"
#include "carbondump/idset.h"

struct cd_hprof_reader {
    unsigned flags;
    cd_hprof_input *in;
    const cd_hprof_visitor *v;
    cd_hprof_stats stats;
    unsigned id_size;

    uint8_t *buf;
    size_t cap, cur, end;
    uint64_t buf_base; /* input offset of buf[0] */
    uint64_t limit;    /* input offset where the current record or segment ends */

    int span_open;
    cd_hprof_span span;
    size_t span_from;

    cd_idmap strings;     /* UTF8 ids */
    cd_idmap class_index; /* class id -> index in classes */
    cd_hprof_class *classes;
    uint32_t *values_size; /* per class: instance data bytes with superclasses */
    size_t class_count, class_cap;
    cd_idmap named; /* class id -> index in names (LOAD_CLASS) */
    cd_idlist names;
    cd_idmap class_serials;
    cd_idmap frames;
    cd_idmap traces;
    cd_idlist want_classes;       /* superclasses, settled at the end */
    cd_idlist want_class_serials; /* cited by frames */
    cd_idlist want_traces;
    uint32_t last_trace_wanted;
    cd_idmap objects;       /* CD_HPROF_CHECK_OBJECTS */
    cd_idlist want_objects; /* references not yet resolved when read */
    int seen_segment, seen_end;
};

/* A run of bytes that is neither a value nor elements nor a name. */
extern const cd_hprof_span hr_structure;

/* The input offset of the read position. */
uint64_t hr_position(const cd_hprof_reader *r);
/* Fails with CD_ERR_PROTOCOL, "malformed heap dump at byte N: <what>". */
int hr_malformed(cd_hprof_reader *r, cd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int hr_out_of_memory(cd_error *err);

/* Consumes n bytes of the current record, reporting them as span; returns
 * them (valid until the next call), or NULL with err. */
const uint8_t *hr_take(cd_hprof_reader *r, size_t n, const cd_hprof_span *span, cd_error *err);
int hr_take_u1(cd_hprof_reader *r, uint8_t *out, cd_error *err);
int hr_take_u2(cd_hprof_reader *r, uint16_t *out, cd_error *err);
int hr_take_u4(cd_hprof_reader *r, uint32_t *out, cd_error *err);
int hr_take_id(cd_hprof_reader *r, uint64_t *out, cd_error *err);
/* Streams n bytes through in pieces of whole units, calling each(piece). */
typedef int (*piece_fn)(cd_hprof_reader *r, const uint8_t *piece, size_t len, cd_error *err);
int hr_take_stream(cd_hprof_reader *r, uint64_t n, unsigned unit, const cd_hprof_span *span,
                   piece_fn each, cd_error *err);
/* Makes n bytes available in the buffer without consuming them. */
int hr_need(cd_hprof_reader *r, size_t n, cd_error *err);

/* Notes what a record cites, for the checks. */
int hr_want_trace(cd_hprof_reader *r, uint32_t serial, cd_error *err);
int hr_want_name(cd_hprof_reader *r, uint64_t id, const char *what, cd_error *err);
int hr_want_object(cd_hprof_reader *r, uint64_t id, cd_error *err);
int hr_define_object(cd_hprof_reader *r, uint64_t id, cd_error *err);
/* want_object for each id in p[0..len). */
int hr_check_references(cd_hprof_reader *r, const uint8_t *p, size_t len, cd_error *err);

/* ---- hprof_segments.c */

cd_hprof_class *hr_class_of(const cd_hprof_reader *r, uint64_t id);
/* The sub-records of a HEAP_DUMP or HEAP_DUMP_SEGMENT record, up to r->limit. */
int hr_heap_dump(cd_hprof_reader *r, cd_error *err);

#endif
