/*
 * HPROF, the Java heap dump format (JAVA PROFILE 1.0.2): its constants, the
 * redaction rules every writer and rewriter of a dump applies, and a streaming
 * reader that validates a dump while it reads it.
 *
 * A dump is a header ("JAVA PROFILE 1.0.2\0", u4 id size, u8 milliseconds) and
 * then records: u1 tag, u4 microseconds, u4 body length, body. The heap itself
 * is in HEAP_DUMP_SEGMENT records, each a run of sub-records (roots, class
 * dumps, instances, arrays), closed by one HEAP_DUMP_END. Numbers are big-endian.
 *
 * The reader never holds the dump in memory: it walks the records through a
 * buffer and reports them to a visitor, and optionally every byte it consumed,
 * classified (structure, primitive value, array elements, name text), so that a
 * rewriter can copy a dump while blanking values without knowing the format.
 * While reading it checks what a consumer relies on: record and segment lengths,
 * names (UTF8 ids) defined before use, class dumps before the instances and
 * arrays of that class, every superclass, class serial, stack trace and frame
 * cited defined somewhere, instance sizes that match their class, and, with
 * CD_HPROF_CHECK_OBJECTS (which costs memory per object), that every object
 * reference resolves to an object or class in the dump.
 */
#ifndef CARBONDUMP_HPROF_H
#define CARBONDUMP_HPROF_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/request.h"

#define CD_HPROF_HEADER "JAVA PROFILE 1.0.2"

/* Top-level record tags. */
enum {
    CD_HPROF_UTF8 = 0x01,
    CD_HPROF_LOAD_CLASS = 0x02,
    CD_HPROF_UNLOAD_CLASS = 0x03,
    CD_HPROF_FRAME = 0x04,
    CD_HPROF_TRACE = 0x05,
    CD_HPROF_ALLOC_SITES = 0x06,
    CD_HPROF_HEAP_SUMMARY = 0x07,
    CD_HPROF_START_THREAD = 0x0A,
    CD_HPROF_END_THREAD = 0x0B,
    CD_HPROF_HEAP_DUMP = 0x0C,
    CD_HPROF_CPU_SAMPLES = 0x0D,
    CD_HPROF_CONTROL_SETTINGS = 0x0E,
    CD_HPROF_HEAP_DUMP_SEGMENT = 0x1C,
    CD_HPROF_HEAP_DUMP_END = 0x2C,
};

/* Heap dump sub-record tags. */
enum {
    CD_HPROF_ROOT_UNKNOWN = 0xFF,
    CD_HPROF_ROOT_JNI_GLOBAL = 0x01,
    CD_HPROF_ROOT_JNI_LOCAL = 0x02,
    CD_HPROF_ROOT_JAVA_FRAME = 0x03,
    CD_HPROF_ROOT_NATIVE_STACK = 0x04,
    CD_HPROF_ROOT_STICKY_CLASS = 0x05,
    CD_HPROF_ROOT_THREAD_BLOCK = 0x06,
    CD_HPROF_ROOT_MONITOR_USED = 0x07,
    CD_HPROF_ROOT_THREAD_OBJ = 0x08,
    CD_HPROF_CLASS_DUMP = 0x20,
    CD_HPROF_INSTANCE_DUMP = 0x21,
    CD_HPROF_OBJ_ARRAY_DUMP = 0x22,
    CD_HPROF_PRIM_ARRAY_DUMP = 0x23,
};

/* Basic types of fields, statics and array elements. */
enum {
    CD_HPROF_OBJECT = 2,
    CD_HPROF_BOOLEAN = 4,
    CD_HPROF_CHAR = 5,
    CD_HPROF_FLOAT = 6,
    CD_HPROF_DOUBLE = 7,
    CD_HPROF_BYTE = 8,
    CD_HPROF_SHORT = 9,
    CD_HPROF_INT = 10,
    CD_HPROF_LONG = 11,
};

/* Bytes of one value of a basic type (an object is id_size bytes); 0 if type is
 * not a basic type. */
unsigned cd_hprof_type_size(uint8_t type, unsigned id_size);

/* The basic type of a JVM field descriptor's first character ('I', 'L', '[' ...),
 * or 0. */
uint8_t cd_hprof_type_of_descriptor(char descriptor);

/* ---------------------------------------------------------------- redaction */

/* The rules of --heap-redact (DESIGN section 8), one place for the agent's
 * writer and the collector's rewriter. Class, field and method names, object
 * references, array lengths and record sizes are never touched, so the graph
 * and the sizes stay for leak analysis. The Strings naming threads (and their
 * value arrays) are kept by both writers. */

/* 1 if the elements of a primitive array of element_type are zeroed: char[] and
 * byte[] (String contents) under basic, every primitive array under full. */
int cd_hprof_redacts_array(cd_heap_redact level, uint8_t element_type);

/* 1 if a primitive instance field, static field or constant pool value of type
 * is zeroed: all of them under full, none under basic. */
int cd_hprof_redacts_value(cd_heap_redact level, uint8_t type);

/* 1 if UTF8 records that no class, field or frame names are blanked: HotSpot
 * dumps its whole symbol table, which holds the string literals of every loaded
 * class. basic and full. */
int cd_hprof_redacts_unnamed_utf8(cd_heap_redact level);

/* ---------------------------------------------------------------- input */

/* The bytes of a dump: a file or memory, plain or gzip-compressed (any number of
 * gzip members, as HotSpot's -gz writes them); compression is recognised by its
 * magic bytes. */
typedef struct cd_hprof_input cd_hprof_input;

/* With CD_HPROF_INPUT_RELEASE, the file's blocks are returned to the file system
 * (hole punching) as soon as they have been read, so that rewriting a dump into
 * a new file needs little more disk than the larger of the two. The file is
 * then useless afterwards. */
#define CD_HPROF_INPUT_RELEASE 1u

/* Input from the file at path, gzip or plain (flags: CD_HPROF_INPUT_*); NULL with err. */
cd_hprof_input *cd_hprof_input_file(const char *path, unsigned flags, cd_error *err);
/* data must stay valid until the input is closed. */
cd_hprof_input *cd_hprof_input_memory(const void *data, size_t len, cd_error *err);
void cd_hprof_input_close(cd_hprof_input *in);

/* Reads up to cap bytes of the (decompressed) dump; *got is 0 only at its end. */
int cd_hprof_input_read(cd_hprof_input *in, uint8_t *buf, size_t cap, size_t *got, cd_error *err);

/* ---------------------------------------------------------------- reader */

typedef struct cd_hprof_reader cd_hprof_reader;

typedef struct cd_hprof_field {
    uint64_t name_id;
    uint8_t type;
} cd_hprof_field;

typedef struct cd_hprof_class {
    uint64_t id;
    uint64_t super_id; /* 0 for java.lang.Object and interfaces */
    uint64_t loader_id;
    uint64_t name_id; /* from LOAD_CLASS; 0 until one is seen */
    uint32_t instance_size;
    uint64_t count;       /* instances (or object arrays) of this class read so far */
    uint16_t field_count; /* own instance fields, in dump order */
    cd_hprof_field *fields;
} cd_hprof_class;

/* How the bytes reported to cd_hprof_visitor.bytes are used. */
typedef enum cd_hprof_span_kind {
    CD_HPROF_SPAN_STRUCTURE, /* header, tags, lengths, ids, counts, references */
    CD_HPROF_SPAN_VALUE,     /* one primitive instance field, static or constant */
    CD_HPROF_SPAN_ELEMENTS,  /* elements of a primitive array (maybe in pieces) */
    CD_HPROF_SPAN_NAME,      /* the text of a UTF8 record */
} cd_hprof_span_kind;

typedef struct cd_hprof_span {
    cd_hprof_span_kind kind;
    uint8_t type; /* VALUE, ELEMENTS: the basic type */
    uint64_t id;  /* VALUE: the instance or class; ELEMENTS: the array; NAME: the UTF8 id */
} cd_hprof_span;

/* Every callback may be NULL; a non-zero return stops the reader with err. The
 * class pointers handed out are valid during the callback only. */
typedef struct cd_hprof_visitor {
    void *context;
    int (*utf8)(void *context, uint64_t id, const char *text, size_t len, cd_error *err);
    int (*load_class)(void *context, uint32_t serial, uint64_t class_id, uint64_t name_id,
                      cd_error *err);
    /* A name cited by a class dump or a frame (field, static, method, signature,
     * source file). */
    int (*name_used)(void *context, uint64_t name_id, cd_error *err);
    int (*root)(void *context, uint8_t sub_tag, uint64_t id, cd_error *err);
    int (*class_dump)(void *context, const cd_hprof_class *cls, cd_error *err);
    /* values: the instance's field data, own class first, then each superclass. */
    int (*instance)(void *context, uint64_t id, const cd_hprof_class *cls, const uint8_t *values,
                    uint32_t len, cd_error *err);
    int (*object_array)(void *context, uint64_t id, uint64_t class_id, uint32_t length,
                        cd_error *err);
    int (*primitive_array)(void *context, uint64_t id, uint8_t type, uint32_t length,
                           cd_error *err);
    /* Every byte of the input, in order, exactly once, in classified pieces. */
    int (*bytes)(void *context, const cd_hprof_span *span, const uint8_t *data, size_t len,
                 cd_error *err);
} cd_hprof_visitor;

typedef struct cd_hprof_stats {
    uint64_t bytes;
    uint64_t records;
    uint64_t utf8;
    uint64_t classes;
    uint64_t instances;
    uint64_t object_arrays;
    uint64_t primitive_arrays;
    uint64_t roots;
    uint64_t frames;
    uint64_t traces;
} cd_hprof_stats;

/* Check that every object reference resolves (memory: ~24 bytes per object). */
#define CD_HPROF_CHECK_OBJECTS 1u

/* A reader (flags: CD_HPROF_CHECK_*); NULL with err when out of memory. */
cd_hprof_reader *cd_hprof_reader_new(unsigned flags, cd_error *err);
/* Frees the reader; NULL is fine. */
void cd_hprof_reader_free(cd_hprof_reader *reader);

/* Reads the whole input, calling visitor. Returns 0 for a well-formed dump, or -1
 * with err saying what is wrong and at which byte. */
int cd_hprof_reader_run(cd_hprof_reader *reader, cd_hprof_input *in,
                        const cd_hprof_visitor *visitor, cd_error *err);

/* Counts of what the reader has seen so far. */
const cd_hprof_stats *cd_hprof_reader_stats(const cd_hprof_reader *reader);
/* The dump's identifier size in bytes (4 or 8), 0 before the header. */
unsigned cd_hprof_reader_id_size(const cd_hprof_reader *reader);

/* The classes dumped so far, in dump order (valid until the next class dump). */
size_t cd_hprof_reader_class_count(const cd_hprof_reader *reader);
const cd_hprof_class *cd_hprof_reader_class_at(const cd_hprof_reader *reader, size_t index);

/* The dumped class with this id, or NULL (valid until the next class dump). */
const cd_hprof_class *cd_hprof_reader_class(const cd_hprof_reader *reader, uint64_t class_id);

/* 1 if cls is ancestor_id or one of its subclasses. */
int cd_hprof_class_is_a(const cd_hprof_reader *reader, const cd_hprof_class *cls,
                        uint64_t ancestor_id);

/* Finds the instance field named name_id in cls or its superclasses: its type and
 * its offset in an instance's values. Returns 0, or -1 if there is none. */
int cd_hprof_field_offset(const cd_hprof_reader *reader, const cd_hprof_class *cls,
                          uint64_t name_id, uint8_t *type, uint32_t *offset);

/* A big-endian id of the reader's id size at p. */
uint64_t cd_hprof_read_id(const cd_hprof_reader *reader, const uint8_t *p);

#endif
