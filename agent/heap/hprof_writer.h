/*
 * Encoding HPROF 1.0.2 records onto a cd_sink, the way HotSpot lays them out:
 * 8-byte ids, top-level records (UTF8, LOAD_CLASS, FRAME, TRACE) written as they
 * come, heap dump sub-records gathered into HEAP_DUMP_SEGMENT records of at most
 * one buffer (1 MiB), whose length is patched in when the segment is closed. A
 * sub-record larger than a buffer (a big array) gets a segment of its own whose
 * exact length is written first, and streams through.
 *
 * The writer knows the format, not the heap: ids, names and values come from
 * the caller (agent/heapdump.c). It allocates nothing after creation except for
 * the name table, so it can run inside JVMTI heap callbacks. Errors are sticky
 * on the sink: calls after a failure do nothing, and cd_hprof_writer_failed()
 * says so (callbacks check it to stop the heap walk).
 */
#ifndef CARBONDUMP_AGENT_HPROF_WRITER_H
#define CARBONDUMP_AGENT_HPROF_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "carbondump/error.h"
#include "carbondump/sink.h"

#define CD_HPROF_ID_SIZE 8
/* The stack trace every object cites, as HotSpot's dumps do. */
#define CD_HPROF_DUMMY_TRACE 1

/* Stores the low size bytes (1, 2, 4 or 8) of bits at p, big-endian, as HPROF
 * holds every value. Inline, with a fixed-size copy per case: the heap walk
 * stores a value per field and per id. */
static inline void cd_hprof_store_value(uint8_t *p, uint64_t bits, unsigned size)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CD_HPROF_BE(bits, value) (value)
#else
#define CD_HPROF_BE(bits, value) __builtin_bswap##bits(value)
#endif
    switch (size) {
    case 8: {
        uint64_t v = CD_HPROF_BE(64, bits);
        memcpy(p, &v, 8);
        break;
    }
    case 4: {
        uint32_t v = CD_HPROF_BE(32, (uint32_t)bits);
        memcpy(p, &v, 4);
        break;
    }
    case 2: {
        uint16_t v = CD_HPROF_BE(16, (uint16_t)bits);
        memcpy(p, &v, 2);
        break;
    }
    case 1: *p = (uint8_t)bits; break;
    default: break;
    }
#undef CD_HPROF_BE
}

typedef struct cd_hprof_writer cd_hprof_writer;

/* Writes the header to out (not owned; closed by the caller after
 * cd_hprof_writer_finish). */
cd_hprof_writer *cd_hprof_writer_new(cd_sink *out, uint64_t time_ms, cd_error *err);

/* Closes the heap dump (HEAP_DUMP_END) if one was started and hands every
 * buffered byte to the sink. Returns 0 or -1 (the sink's error). */
int cd_hprof_writer_finish(cd_hprof_writer *w);
void cd_hprof_writer_free(cd_hprof_writer *w);

/* 1 once a write has failed (the sink says why), else 0. */
int cd_hprof_writer_failed(const cd_hprof_writer *w);
/* Bytes of HPROF written so far. */
uint64_t cd_hprof_writer_bytes(const cd_hprof_writer *w);

/* ---- top-level records */

/* The id of the UTF8 record holding text, writing the record the first time a
 * text is seen (ids are taken from *next_id). 0 if out of memory or failed. */
uint64_t cd_hprof_name(cd_hprof_writer *w, const char *text, size_t len, uint64_t *next_id);

/* A LOAD_CLASS record: class serial, class object id, name id. */
void cd_hprof_load_class(cd_hprof_writer *w, uint32_t serial, uint64_t class_id, uint64_t name_id);
/* A FRAME record; line as HPROF codes it (a line number, or 0 and below for none). */
void cd_hprof_frame(cd_hprof_writer *w, uint64_t frame_id, uint64_t method_name_id,
                    uint64_t signature_id, uint64_t source_id, uint32_t class_serial, int32_t line);
/* A TRACE record of count frames for the thread with thread_serial. */
void cd_hprof_trace(cd_hprof_writer *w, uint32_t serial, uint32_t thread_serial,
                    const uint64_t *frame_ids, uint32_t count);

/* ---- heap dump sub-records */

/* ROOT_UNKNOWN, ROOT_STICKY_CLASS, ROOT_MONITOR_USED: the id alone. */
void cd_hprof_root(cd_hprof_writer *w, uint8_t sub_tag, uint64_t id);
void cd_hprof_root_jni_global(cd_hprof_writer *w, uint64_t id, uint64_t ref_id);
/* ROOT_JAVA_FRAME, ROOT_JNI_LOCAL: a root in a frame of a thread. */
void cd_hprof_root_in_frame(cd_hprof_writer *w, uint8_t sub_tag, uint64_t id,
                            uint32_t thread_serial, int32_t depth);
void cd_hprof_root_thread(cd_hprof_writer *w, uint64_t id, uint32_t thread_serial,
                          uint32_t trace_serial);

typedef struct cd_hprof_value {
    uint64_t name_id;
    uint8_t type;
    uint64_t bits; /* an id for objects; the value's bits, right-aligned, otherwise */
} cd_hprof_value;

typedef struct cd_hprof_class_record {
    uint64_t id, super_id, loader_id;
    uint32_t instance_size; /* bytes of instance data with the superclasses' */
    const cd_hprof_value *statics;
    uint16_t static_count;
    const cd_hprof_value *fields; /* own instance fields: name and type */
    uint16_t field_count;
} cd_hprof_class_record;

/* CLASS_DUMP with an empty constant pool. */
void cd_hprof_class_dump(cd_hprof_writer *w, const cd_hprof_class_record *c);

/* INSTANCE_DUMP; values are already big-endian, own class first. */
void cd_hprof_instance(cd_hprof_writer *w, uint64_t id, uint64_t class_id, const uint8_t *values,
                       uint32_t len);

/* OBJ_ARRAY_DUMP, streamed: begin, then the non-null elements in increasing
 * index order (gaps are nulls), then end, which writes the trailing nulls. */
void cd_hprof_object_array_begin(cd_hprof_writer *w, uint64_t id, uint64_t class_id,
                                 uint32_t length);
void cd_hprof_object_array_element(cd_hprof_writer *w, uint32_t index, uint64_t element_id);
void cd_hprof_object_array_end(cd_hprof_writer *w);

/* PRIM_ARRAY_DUMP from elements in the machine's byte order (as JVMTI hands
 * them out); zeroed writes zeros of the same length instead. elements may be
 * NULL when zeroed. */
void cd_hprof_primitive_array(cd_hprof_writer *w, uint64_t id, uint8_t type, uint32_t length,
                              const void *elements, int zeroed);

#endif
