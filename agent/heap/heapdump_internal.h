/*
 * What the two halves of the jvmti heap dump engine share: heapdump.c (the
 * walk and the part) and heapdump_snapshot.c (what is read before the walk:
 * classes with their fields and statics, threads with their stacks). See the
 * top of heapdump.c for how the engine works.
 */
#ifndef CARBONDUMP_AGENT_HEAPDUMP_INTERNAL_H
#define CARBONDUMP_AGENT_HEAPDUMP_INTERNAL_H

#include <jni.h>
#include <jvmti.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/idset.h"
#include "carbondump/request.h"
#include "hprof_writer.h"

/* A tag (an object's HPROF id): a sequence number in bits 0..33 and, for an
 * array, its length + 1 in bits 34..62 (this value there: see long_arrays). */
#define HD_TAG_SEQUENCE_BITS 34
#define HD_TAG_SEQUENCE_MAX ((1ULL << HD_TAG_SEQUENCE_BITS) - 1)
#define HD_TAG_LENGTH_SEE_TABLE ((1ULL << 29) - 1)

enum { HD_INSTANCE, HD_INTERFACE, HD_OBJECT_ARRAY, HD_PRIMITIVE_ARRAY };

typedef struct hd_field {
    jfieldID id;
    uint64_t name_id;
    char descriptor; /* first character of the field's descriptor */
    uint8_t is_static;
} hd_field;

/* Where the walk stores one instance field that JVMTI reports by index. */
typedef struct hd_slot {
    uint32_t offset; /* in the instance data */
    uint8_t type;    /* HPROF type; 0: not an instance field */
    uint8_t size;    /* bytes */
    char descriptor; /* as JVMTI names a primitive value's type */
    uint8_t zeroed;  /* a value the dump's redaction withholds */
} hd_slot;

typedef struct hd_class {
    jclass klass;
    uint64_t id; /* its tag: index + 1 */
    uint64_t name_id;
    int32_t super; /* index, or -1 */
    uint8_t kind;
    uint8_t element_type; /* primitive arrays */
    uint16_t field_count; /* declared fields, statics included, GetClassFields order */
    hd_field *fields;
    uint32_t own_bytes;      /* own instance fields in HPROF */
    uint32_t instance_bytes; /* with the superclasses' */
    int32_t *interfaces;     /* direct superinterfaces, as indexes */
    uint16_t interface_count;
    hd_slot *slots; /* by JVMTI field index */
    uint32_t slot_count;
    uint32_t mark;
} hd_class;

typedef struct hd_thread {
    uint64_t tag;
    uint32_t serial;
} hd_thread;

typedef struct heapdump {
    JNIEnv *jni;
    jvmtiEnv *env; /* this dump's own: its tags are the ids */
    cd_hprof_writer *w;
    cd_heap_redact redact;
    uint64_t next_seq;

    hd_class *classes;
    size_t class_count;
    uint64_t class_class_id; /* java.lang.Class */
    jfieldID thread_name_field, string_value_field;
    int32_t string_class;
    uint32_t values_cap;
    uint8_t *values; /* one instance's field data; all zero between instances */

    hd_thread *threads; /* sorted by tag */
    size_t thread_count;
    uint32_t next_thread_serial;
    uint64_t own_thread_tag;

    cd_idlist keep;    /* thread name Strings and arrays: never redacted */
    cd_idlist mirrors; /* primitive-type mirrors, dumped as java.lang.Class instances */
    cd_idlist unknown; /* other java.lang.Class objects outside the snapshot */
    cd_idlist late;    /* those that turned out to be the class of an object */
    size_t late_dumped;
    cd_idlist long_arrays; /* pairs: tag, length */

    /* the object whose burst is being reported */
    uint64_t burst_id, burst_class_id;
    int burst_kind, burst_keep, burst_written;
    hd_class *burst_class;

    uint64_t jni_globals;
    int stop;
    cd_error error;
} heapdump;

/* ---- ids (heapdump_snapshot.c) */

hd_class *hd_class_by_tag(heapdump *h, uint64_t tag);
/* Stops the walk with a reason (the first one wins). */
void hd_stop(heapdump *h, cd_code code, const char *message);
/* A new tag; length < 0 for an object that is not an array. */
uint64_t hd_new_tag(heapdump *h, jint length);
/* The length of the array tagged tag. */
uint32_t hd_tag_length(const heapdump *h, uint64_t tag);
/* UTF8 ids of a class (from its signature) and of a name. */
uint64_t hd_class_name_id(heapdump *h, const char *signature);
uint64_t hd_name_id(heapdump *h, const char *text);

/* ---- before the walk (heapdump_snapshot.c) */

/* Tags every loaded class with index + 1, names it (UTF8, LOAD_CLASS), reads
 * its fields, superclass and interfaces. */
int hd_snapshot_classes(heapdump *h, jclass *klasses, jint count, cd_error *err);
/* The dummy trace, then FRAME and TRACE records per thread; tags the threads
 * and, when redacting, keeps their names. */
int hd_dump_threads(heapdump *h, const jvmtiStackInfo *stacks, jint count, cd_error *err);
/* CLASS_DUMP of class index: statics read now, own instance fields. */
int hd_dump_class(heapdump *h, int32_t index, cd_error *err);
/* Minimal class dumps for the late classes not dumped yet. */
void hd_dump_late_classes(heapdump *h);
/* The thread serial of a thread's tag, or 0. */
uint32_t hd_thread_serial(heapdump *h, uint64_t tag);

/* ---- after the walk (heapdump_snapshot.c) */

/* LOAD_CLASS records naming the late classes. */
int hd_name_late_classes(heapdump *h, cd_error *err);

#endif
