/*
 * A java.lang.Thread read from VM memory (vm_objects.h).
 */
#include "vm_objects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jni_util.h"
#include "base/vm_fields.h"
#include "vm_memory.h"
#include "vm_structs.h"

#define ATTEMPTS 3          /* reads between collections, at most */
#define NAME_CHARS_MAX 4096 /* of a thread's name */

/* How to read a java.lang.Thread and its name from memory. */
struct cd_vm_objects {
    const cd_vm_layout *layout;
    uint64_t heap;    /* &Universe::_collectedHeap */
    long collections; /* CollectedHeap::_total_collections */
    long thread_obj;  /* JavaThread::_threadObj */
    int thread_obj_is_handle;
    int narrow; /* references inside objects are compressed */
    uint64_t narrow_base;
    int narrow_shift;
    long name, tid, holder; /* holder -1: priority, daemon, status on the Thread */
    long priority, daemon, status;
    long string_value, string_coder; /* coder -1: the value is a char[] */
    long array_length, array_base;
};

/* The heap's collection count: objects read between two equal counts were
 * not moved by a stop-the-world collection meanwhile. 0 when unknown. */
static uint32_t collections(const cd_vm_objects *o)
{
    uint32_t count = 0;
    uint64_t heap = o->heap ? cd_vm_read_pointer(o->layout, o->heap, 0) : 0;
    if (heap && o->collections >= 0)
        cd_vm_read_u32(o->layout, heap + (uint64_t)o->collections, &count);
    return count;
}

/* ---------------------------------------------------------------- objects */

/* The object a JNI reference stands for: HotSpot's references point at a
 * slot holding the object's address (the low bits tag the kind of slot). */
static uint64_t jni_object_address(const cd_vm_objects *o, jobject ref)
{
    uint64_t address = 0;
    if (!ref || cd_vm_read_u64(o->layout, (uint64_t)(uintptr_t)ref & ~(uint64_t)3, &address) != 0)
        return 0;
    return address;
}

/* The offset a HotSpot instance field ID encodes, -1 if it is not one. */
static long field_id_offset(jfieldID id)
{
    uintptr_t bits = (uintptr_t)id;
    if (!id || !(bits & 2))
        return -1;
    return (long)(bits & 1 ? (bits >> 2) & 0x7f : bits >> 2);
}

/* The reference field at object + offset, as an address; 0 if unreadable. */
static uint64_t read_reference(const cd_vm_objects *o, uint64_t object, long offset)
{
    if (!object || offset < 0)
        return 0;
    if (!o->narrow)
        return cd_vm_read_pointer(o->layout, object, offset);
    uint32_t narrow = 0;
    if (cd_vm_read_u32(o->layout, object + (uint64_t)offset, &narrow) != 0 || narrow == 0)
        return 0;
    return o->narrow_base + ((uint64_t)narrow << o->narrow_shift);
}

/* The java.lang.Thread of a JavaThread, 0 if unreadable. */
static uint64_t thread_object(const cd_vm_objects *o, uint64_t java_thread)
{
    uint64_t value = cd_vm_read_pointer(o->layout, java_thread, o->thread_obj);
    return o->thread_obj_is_handle ? cd_vm_read_pointer(o->layout, value, 0) : value;
}

/* The array of a String and its length in elements; 0 when unreadable. */
static uint64_t string_array(const cd_vm_objects *o, uint64_t string, int *utf16, uint32_t *length)
{
    uint8_t coder = 1;
    if (o->string_coder >= 0 &&
        cd_vm_read_bytes(o->layout, string + (uint64_t)o->string_coder, &coder, 1) != 0)
        return 0;
    *utf16 = coder != 0;
    uint64_t array = read_reference(o, string, o->string_value);
    if (!array || cd_vm_read_u32(o->layout, array + (uint64_t)o->array_length, length) != 0)
        return 0;
    if (*utf16 && o->string_coder >= 0)
        *length /= 2; /* a UTF-16 byte[] holds two bytes a char */
    return array;
}

/* One UTF-16 unit as modified UTF-8 (NUL as C0 80, surrogates as they
 * come), as JVMTI hands out names. */
static size_t put_modified_utf8(unsigned int c, char *out)
{
    if (c != 0 && c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | c >> 12);
    out[1] = (char)(0x80 | (c >> 6 & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

/* A String's text as modified UTF-8, malloc'd; NULL if unreadable. */
static char *read_string(const cd_vm_objects *o, uint64_t string)
{
    int utf16 = 0;
    uint32_t length = 0;
    uint64_t array = string ? string_array(o, string, &utf16, &length) : 0;
    if (!array || length > NAME_CHARS_MAX)
        return NULL;
    size_t unit = utf16 ? 2 : 1;
    unsigned char *units = malloc(length * unit + 1);
    char *text = malloc(length * 3 + 1);
    if (!units || !text ||
        (length &&
         cd_vm_read_bytes(o->layout, array + (uint64_t)o->array_base, units, length * unit) != 0)) {
        free(units);
        free(text);
        return NULL;
    }
    size_t used = 0;
    for (uint32_t i = 0; i < length; i++) {
        unsigned int c = utf16 ? (unsigned int)(units[2 * i] | units[2 * i + 1] << 8) : units[i];
        used += put_modified_utf8(c, text + used);
    }
    text[used] = '\0';
    free(units);
    return text;
}

/* ---------------------------------------------------------------- learning the layout */

/* The agent thread's values, read through JNI: what memory must agree with. */
typedef struct jni_truth {
    uint64_t thread, name, holder, array;
    int64_t tid;
    int priority, daemon, status;
    uint8_t coder;
    jsize length;
    jbyte bytes[32]; /* the first bytes of the name's array */
    jsize byte_count;
} jni_truth;

static jfieldID status_field(cd_thread_session *s)
{
    return cd_typed_field(s->jvmti, s->holder_field ? s->classes.thread_holder : s->classes.thread,
                          "threadStatus", "I", 0);
}

/* Reads the agent thread's fields through JNI (within the caller's local
 * frame). Returns 0, or -1 with why. */
static int jni_values(cd_vm_objects *o, cd_thread_session *s, jthread self, jni_truth *truth,
                      const char **why)
{
    JNIEnv *jni = s->jni;
    jfieldID status = status_field(s);
    *why = "the Thread fields this agent reads were not found";
    if (!s->name_field || !s->thread_id_field || !s->priority_field || !status)
        return -1;
    jobject holder = s->holder_field ? (*jni)->GetObjectField(jni, self, s->holder_field) : self;
    jstring name = (*jni)->GetObjectField(jni, self, s->name_field);
    if (!holder || !name)
        return -1;
    jclass string_class = (*jni)->GetObjectClass(jni, name);
    jfieldID value = cd_typed_field(s->jvmti, string_class, "value", "[B", 0);
    jfieldID coder = value ? cd_typed_field(s->jvmti, string_class, "coder", "B", 0) : NULL;
    if (!value)
        value = cd_typed_field(s->jvmti, string_class, "value", "[C", 0); /* JDK 8 */
    *why = "java.lang.String has fields this agent does not know";
    if (!value || (!coder && cd_typed_field(s->jvmti, string_class, "coder", "B", 0)))
        return -1;
    jarray array = (*jni)->GetObjectField(jni, name, value);
    if (!array)
        return -1;
    truth->thread = jni_object_address(o, self);
    truth->name = jni_object_address(o, name);
    truth->holder = jni_object_address(o, holder);
    truth->array = jni_object_address(o, array);
    truth->tid = (*jni)->GetLongField(jni, self, s->thread_id_field);
    truth->priority = (*jni)->GetIntField(jni, holder, s->priority_field);
    truth->daemon = (*jni)->GetBooleanField(jni, holder, s->daemon_field) == JNI_TRUE;
    truth->status = (*jni)->GetIntField(jni, holder, status);
    truth->coder = coder ? (uint8_t)(*jni)->GetByteField(jni, name, coder) : 1;
    truth->length = (*jni)->GetArrayLength(jni, array);
    jsize elements = truth->length < 16 ? truth->length : 16;
    if (coder) {
        truth->byte_count = elements;
        (*jni)->GetByteArrayRegion(jni, array, 0, elements, truth->bytes);
    } else {
        truth->byte_count = elements * 2;
        (*jni)->GetCharArrayRegion(jni, array, 0, elements, (jchar *)truth->bytes);
    }
    o->name = field_id_offset(s->name_field);
    o->tid = field_id_offset(s->thread_id_field);
    o->holder = s->holder_field ? field_id_offset(s->holder_field) : -1;
    o->priority = field_id_offset(s->priority_field);
    o->daemon = field_id_offset(s->daemon_field);
    o->status = field_id_offset(status);
    o->string_value = field_id_offset(value);
    o->string_coder = coder ? field_id_offset(coder) : -1;
    *why = "JNI field IDs are not the field offsets this agent expects";
    if (cd_jni_clear_exception(jni) || !truth->thread || truth->byte_count < 4 || o->name < 0 ||
        o->tid < 0 || o->priority < 0 || o->daemon < 0 || o->status < 0 || o->string_value < 0 ||
        (s->holder_field && o->holder < 0) || (coder && o->string_coder < 0))
        return -1;
    return 0;
}

/* Whether reading the reference at object + offset gives expect, trying
 * compressed then full references; sets o->narrow to the one that did. */
static int reference_agrees(cd_vm_objects *o, uint64_t object, long offset, uint64_t expect)
{
    for (int narrow = 1; narrow >= 0; narrow--) {
        o->narrow = narrow;
        if (read_reference(o, object, offset) == expect)
            return 1;
    }
    return 0;
}

/* Finds where a byte[] (or char[]) keeps its length and its first element,
 * from the name's array whose length and first bytes JNI gave. */
static int learn_array_layout(cd_vm_objects *o, const jni_truth *truth)
{
    static const long lengths[] = {8, 12, 16}, bases[] = {12, 16, 24};
    unsigned char head[24 + sizeof truth->bytes];
    uint32_t expect = (uint32_t)truth->length * (o->string_coder >= 0 && truth->coder ? 2 : 1);
    if (o->string_coder < 0)
        expect = (uint32_t)truth->length;
    if (cd_vm_read_bytes(o->layout, truth->array, head, sizeof head) != 0)
        return -1;
    for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++)
        for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
            uint32_t length;
            memcpy(&length, head + lengths[l], sizeof length);
            if (bases[b] >= lengths[l] + 4 && length == expect &&
                memcmp(head + bases[b], truth->bytes, (size_t)truth->byte_count) == 0) {
                o->array_length = lengths[l];
                o->array_base = bases[b];
                return 0;
            }
        }
    return -1;
}

/* Compares memory with JNI's values, field by field. Returns 0, or -1
 * with why. */
static int layout_agrees(cd_vm_objects *o, uint64_t self_vm_thread, const jni_truth *truth,
                         const char **why)
{
    /* _threadObj: an OopHandle (a slot holding the object) from JDK 16, the
     * object itself before */
    uint64_t value = cd_vm_read_pointer(o->layout, self_vm_thread, o->thread_obj);
    o->thread_obj_is_handle = value != truth->thread;
    *why = "the agent's own Thread object could not be found from its JavaThread";
    if (thread_object(o, self_vm_thread) != truth->thread)
        return -1;
    int64_t tid = 0;
    uint32_t priority = 0, status = 0;
    uint8_t daemon = 0, coder = 1;
    *why = "the Thread's fields in memory do not agree with JNI's (a collector whose references "
           "are not plain addresses?)";
    if (cd_vm_read_bytes(o->layout, truth->thread + (uint64_t)o->tid, &tid, sizeof tid) != 0 ||
        tid != truth->tid || !reference_agrees(o, truth->thread, o->name, truth->name))
        return -1;
    uint64_t holder = o->holder >= 0 ? read_reference(o, truth->thread, o->holder) : truth->thread;
    if (holder != truth->holder ||
        cd_vm_read_u32(o->layout, holder + (uint64_t)o->priority, &priority) != 0 ||
        cd_vm_read_bytes(o->layout, holder + (uint64_t)o->daemon, &daemon, 1) != 0 ||
        cd_vm_read_u32(o->layout, holder + (uint64_t)o->status, &status) != 0 ||
        (int)priority != truth->priority || (daemon != 0) != truth->daemon ||
        (int)status != truth->status)
        return -1;
    if ((o->string_coder >= 0 &&
         (cd_vm_read_bytes(o->layout, truth->name + (uint64_t)o->string_coder, &coder, 1) != 0 ||
          coder != truth->coder)) ||
        read_reference(o, truth->name, o->string_value) != truth->array)
        return -1;
    *why = "the layout of a Java array in memory was not recognised";
    return learn_array_layout(o, truth);
}

/* Where the structure table says compressed references are decoded from:
 * JDK 11 to 20 name the fields _narrow_oop._base and _shift, 21+ _base. */
static int read_narrow_oop_encoding(cd_vm_objects *o, const cd_vm_structs *structs)
{
    uint64_t base = cd_vm_structs_static(structs, "CompressedOops", "_narrow_oop._base");
    uint64_t shift = cd_vm_structs_static(structs, "CompressedOops", "_narrow_oop._shift");
    if (!base) {
        base = cd_vm_structs_static(structs, "CompressedOops", "_base");
        shift = cd_vm_structs_static(structs, "CompressedOops", "_shift");
    }
    uint32_t shift_value = 0;
    if ((base && cd_vm_read_u64(o->layout, base, &o->narrow_base) != 0) ||
        (shift && cd_vm_read_u32(o->layout, shift, &shift_value) != 0) || shift_value >= 8)
        return -1;
    o->narrow_shift = (int)shift_value;
    return 0;
}

cd_vm_objects *cd_vm_objects_learn(cd_thread_session *s, jthread self, char *why, size_t why_size)
{
    cd_vm_objects *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    const cd_vm_structs *structs = cd_vm_layout_structs(s->layout);
    o->layout = s->layout;
    o->heap = cd_vm_structs_static(structs, "Universe", "_collectedHeap");
    o->collections = cd_vm_structs_offset(structs, "CollectedHeap", "_total_collections");
    o->thread_obj = cd_vm_structs_offset(structs, "JavaThread", "_threadObj");
    uint64_t self_vm_thread = cd_thread_vm_thread(s, self);
    const char *reason = "the structure table does not describe a JavaThread's Thread object";
    int known = 0;
    if (o->thread_obj >= 0 && self_vm_thread && read_narrow_oop_encoding(o, structs) == 0) {
        for (int attempt = 0; attempt < ATTEMPTS && !known; attempt++) {
            if ((*s->jni)->PushLocalFrame(s->jni, 16) != 0) {
                cd_jni_clear_exception(s->jni);
                break;
            }
            jni_truth truth;
            memset(&truth, 0, sizeof truth);
            uint32_t before = collections(o);
            known = jni_values(o, s, self, &truth, &reason) == 0 &&
                    layout_agrees(o, self_vm_thread, &truth, &reason) == 0 &&
                    collections(o) == before;
            (*s->jni)->PopLocalFrame(s->jni, NULL);
        }
    }
    if (!known) {
        snprintf(why, why_size, "%s", reason);
        free(o);
        return NULL;
    }
    return o;
}

void cd_vm_objects_free(cd_vm_objects *objects)
{
    free(objects);
}

/* ---------------------------------------------------------------- reading threads */

/* Reads one thread's fields; 0, or -1 unreadable. */
static int read_thread(const cd_vm_objects *o, uint64_t java_thread, cd_vm_thread_fields *out)
{
    uint64_t thread = thread_object(o, java_thread);
    uint64_t holder = o->holder >= 0 ? read_reference(o, thread, o->holder) : thread;
    uint32_t priority = 0, status = 0;
    uint8_t daemon = 0;
    if (!thread || !holder ||
        cd_vm_read_bytes(o->layout, thread + (uint64_t)o->tid, &out->java_id,
                         sizeof out->java_id) != 0 ||
        cd_vm_read_u32(o->layout, holder + (uint64_t)o->priority, &priority) != 0 ||
        cd_vm_read_bytes(o->layout, holder + (uint64_t)o->daemon, &daemon, 1) != 0 ||
        cd_vm_read_u32(o->layout, holder + (uint64_t)o->status, &status) != 0 || out->java_id < 0 ||
        priority > 10)
        return -1;
    free(out->name);
    out->name = read_string(o, read_reference(o, thread, o->name));
    out->priority = (int)priority;
    out->daemon = daemon != 0;
    out->status = (int)status;
    return out->name ? 0 : -1;
}

int cd_vm_objects_read_threads(const cd_vm_objects *objects, const uint64_t *java_threads,
                               size_t count, cd_vm_thread_fields *fields, unsigned char *ok)
{
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        uint32_t before = collections(objects);
        for (size_t i = 0; i < count; i++)
            ok[i] = read_thread(objects, java_threads[i], &fields[i]) == 0;
        if (collections(objects) == before)
            return 0;
    }
    memset(ok, 0, count);
    return -1;
}
