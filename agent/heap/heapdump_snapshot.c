/*
 * The jvmti heap dump engine, before and around its walk: the snapshot of the
 * loaded classes (names, fields, the map from JVMTI field index to instance
 * data, statics read with JNI, class dumps), the threads (stacks as FRAME and
 * TRACE records, their names kept out of redaction), and the tags that are the
 * dump's object ids. Everything here runs on the agent's thread, outside the
 * safepoint, and allocates no Java object. See heapdump.c.
 */
#include <stdlib.h>
#include <string.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "carbondump/hprof.h"
#include "heapdump_internal.h"
#include "base/jni_util.h"

#define ACC_STATIC 0x0008
#define ACC_INTERFACE 0x0200

/* ---------------------------------------------------------------- ids */

hd_class *hd_class_by_tag(heapdump *h, uint64_t tag)
{
    return tag >= 1 && tag <= h->class_count ? &h->classes[tag - 1] : NULL;
}

/* Stops the walk with a reason (the first one wins). */
void hd_stop(heapdump *h, cd_code code, const char *message)
{
    if (!h->stop) {
        h->stop = 1;
        cd_fail(&h->error, code, "%s", message);
    }
}

uint64_t hd_new_tag(heapdump *h, jint length)
{
    uint64_t seq = h->next_seq++;
    if (seq > HD_TAG_SEQUENCE_MAX) {
        hd_stop(h, CD_ERR_UNSUPPORTED, "more objects than the jvmti engine numbers (2^34)");
        return 1;
    }
    if (length < 0)
        return seq;
    uint64_t encoded = (uint64_t)length + 1;
    if (encoded >= HD_TAG_LENGTH_SEE_TABLE) {
        encoded = HD_TAG_LENGTH_SEE_TABLE;
        uint64_t tag = seq | encoded << HD_TAG_SEQUENCE_BITS;
        if (cd_idlist_push(&h->long_arrays, tag) != 0 ||
            cd_idlist_push(&h->long_arrays, (uint64_t)length) != 0)
            hd_stop(h, CD_ERR_NOMEM, "out of memory");
        return tag;
    }
    return seq | encoded << HD_TAG_SEQUENCE_BITS;
}

uint32_t hd_tag_length(const heapdump *h, uint64_t tag)
{
    uint64_t encoded = tag >> HD_TAG_SEQUENCE_BITS;
    if (encoded == 0)
        return 0;
    if (encoded < HD_TAG_LENGTH_SEE_TABLE)
        return (uint32_t)(encoded - 1);
    for (size_t i = 0; i + 1 < h->long_arrays.count; i += 2)
        if (h->long_arrays.items[i] == tag)
            return (uint32_t)h->long_arrays.items[i + 1];
    return 0;
}

/* "Ljava/lang/String;" -> "java/lang/String"; arrays keep their descriptor, as
 * in HotSpot's dumps. */
uint64_t hd_class_name_id(heapdump *h, const char *signature)
{
    size_t len = strlen(signature);
    if (signature[0] == 'L' && len >= 2 && signature[len - 1] == ';')
        return cd_hprof_name(h->w, signature + 1, len - 2, &h->next_seq);
    return cd_hprof_name(h->w, signature, len, &h->next_seq);
}

uint64_t hd_name_id(heapdump *h, const char *text)
{
    return cd_hprof_name(h->w, text, strlen(text), &h->next_seq);
}

/* ---------------------------------------------------------------- classes */

/* Notes a java.lang.Class object that is not one of the snapshot's classes: a
 * primitive type's mirror (signature of one letter), or another, which is
 * settled after the walk like those the walk meets (heapdump.c). */
static int note_mirror(heapdump *h, jobject mirror, uint64_t tag, cd_error *err)
{
    char *signature = NULL;
    jvmtiError e = (*h->env)->GetClassSignature(h->env, (jclass)mirror, &signature, NULL);
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetClassSignature");
    int primitive = strlen(signature) == 1;
    cd_jvmti_free(h->env, signature);
    if (cd_idlist_push(primitive ? &h->mirrors : &h->unknown, tag) != 0)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    return 0;
}

/* The object's id, tagging it now if it has none. Its local reference stays. */
static uint64_t tag_object(heapdump *h, jobject object, cd_error *err)
{
    jlong tag = 0;
    jvmtiError e = (*h->env)->GetTag(h->env, object, &tag);
    if (e != JVMTI_ERROR_NONE) {
        cd_jvmti_fail(err, e, "GetTag");
        return 0;
    }
    if (tag)
        return (uint64_t)tag;
    jclass klass = (*h->jni)->GetObjectClass(h->jni, object);
    jlong class_tag = 0;
    (*h->env)->GetTag(h->env, klass, &class_tag);
    hd_class *c = hd_class_by_tag(h, (uint64_t)class_tag);
    jint length = -1;
    if (c) {
        if (c->kind == HD_OBJECT_ARRAY || c->kind == HD_PRIMITIVE_ARRAY)
            length = (*h->jni)->GetArrayLength(h->jni, (jarray)object);
    } else {
        char *signature = NULL;
        if ((*h->env)->GetClassSignature(h->env, klass, &signature, NULL) == JVMTI_ERROR_NONE &&
            signature[0] == '[')
            length = (*h->jni)->GetArrayLength(h->jni, (jarray)object);
        cd_jvmti_free(h->env, signature);
    }
    (*h->jni)->DeleteLocalRef(h->jni, klass);
    uint64_t id = hd_new_tag(h, length);
    e = (*h->env)->SetTag(h->env, object, (jlong)id);
    if (e != JVMTI_ERROR_NONE) {
        cd_jvmti_fail(err, e, "SetTag");
        return 0;
    }
    if ((uint64_t)class_tag == h->class_class_id && note_mirror(h, object, id, err) != 0)
        return 0;
    return id;
}

/* ---------------------------------------------------------------- classes */

static uint8_t kind_of(heapdump *h, jclass klass, const char *signature)
{
    if (signature[0] == '[')
        return signature[1] == 'L' || signature[1] == '[' ? HD_OBJECT_ARRAY : HD_PRIMITIVE_ARRAY;
    jint modifiers = 0;
    (*h->env)->GetClassModifiers(h->env, klass, &modifiers);
    return (modifiers & ACC_INTERFACE) ? HD_INTERFACE : HD_INSTANCE;
}

static int32_t index_of_class(heapdump *h, jclass klass)
{
    jlong tag = 0;
    if (!klass || (*h->env)->GetTag(h->env, klass, &tag) != JVMTI_ERROR_NONE)
        return -1;
    return hd_class_by_tag(h, (uint64_t)tag) ? (int32_t)(tag - 1) : -1;
}

/* Declared fields (in GetClassFields order, which JVMTI's field indexes
 * follow), their names and the byte size of the instance fields. */
static int read_fields(heapdump *h, hd_class *c, const char *class_signature, cd_error *err)
{
    jint status = 0;
    (*h->env)->GetClassStatus(h->env, c->klass, &status);
    if (!(status & JVMTI_CLASS_STATUS_PREPARED))
        return 0; /* no fields to see yet, and no instances */
    jint count = 0;
    jfieldID *ids = NULL;
    jvmtiError e = (*h->env)->GetClassFields(h->env, c->klass, &count, &ids);
    if (e == JVMTI_ERROR_CLASS_NOT_PREPARED)
        return 0;
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetClassFields");
    c->fields = count ? calloc((size_t)count, sizeof *c->fields) : NULL;
    if (count && !c->fields) {
        cd_jvmti_free(h->env, ids);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    }
    int is_thread = strcmp(class_signature, "Ljava/lang/Thread;") == 0;
    int is_string = strcmp(class_signature, "Ljava/lang/String;") == 0;
    int rc = 0;
    for (jint i = 0; i < count && rc == 0; i++) {
        hd_field *f = &c->fields[i];
        char *name = NULL, *descriptor = NULL;
        jint modifiers = 0;
        e = (*h->env)->GetFieldName(h->env, c->klass, ids[i], &name, &descriptor, NULL);
        if (e == JVMTI_ERROR_NONE)
            e = (*h->env)->GetFieldModifiers(h->env, c->klass, ids[i], &modifiers);
        if (e != JVMTI_ERROR_NONE) {
            rc = cd_jvmti_fail(err, e, "GetFieldName");
        } else {
            f->id = ids[i];
            f->descriptor = descriptor[0];
            f->is_static = (modifiers & ACC_STATIC) != 0;
            f->name_id = hd_name_id(h, name);
            if (!f->is_static)
                c->own_bytes += cd_hprof_type_size(cd_hprof_type_of_descriptor(f->descriptor),
                                                   CD_HPROF_ID_SIZE);
            if (is_thread && !f->is_static && strcmp(name, "name") == 0)
                h->thread_name_field = ids[i];
            if (is_string && !f->is_static && strcmp(name, "value") == 0)
                h->string_value_field = ids[i];
        }
        cd_jvmti_free(h->env, name);
        cd_jvmti_free(h->env, descriptor);
    }
    c->field_count = (uint16_t)count;
    cd_jvmti_free(h->env, ids);
    return rc;
}

static int read_interfaces(heapdump *h, hd_class *c, cd_error *err)
{
    jint count = 0;
    jclass *interfaces = NULL;
    jvmtiError e = (*h->env)->GetImplementedInterfaces(h->env, c->klass, &count, &interfaces);
    if (e == JVMTI_ERROR_CLASS_NOT_PREPARED)
        return 0;
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetImplementedInterfaces");
    c->interfaces = count ? calloc((size_t)count, sizeof *c->interfaces) : NULL;
    for (jint i = 0; i < count; i++) {
        if (c->interfaces)
            c->interfaces[c->interface_count++] = index_of_class(h, interfaces[i]);
        (*h->jni)->DeleteLocalRef(h->jni, interfaces[i]);
    }
    cd_jvmti_free(h->env, interfaces);
    return count && !c->interfaces ? cd_fail(err, CD_ERR_NOMEM, "out of memory") : 0;
}

/* Tags every loaded class with index + 1, names it (UTF8, LOAD_CLASS) and
 * reads its fields, superclass and interfaces. */
int hd_snapshot_classes(heapdump *h, jclass *klasses, jint count, cd_error *err)
{
    h->classes = calloc((size_t)count + 1, sizeof *h->classes);
    if (!h->classes)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory for %d classes", (int)count);
    h->class_count = (size_t)count;
    h->string_class = -1;
    for (jint i = 0; i < count; i++) {
        hd_class *c = &h->classes[i];
        c->klass = klasses[i];
        c->id = (uint64_t)i + 1;
        c->super = -1;
        jvmtiError e = (*h->env)->SetTag(h->env, c->klass, (jlong)c->id);
        if (e != JVMTI_ERROR_NONE)
            return cd_jvmti_fail(err, e, "SetTag");
    }
    h->next_seq = (uint64_t)count + 1;
    for (jint i = 0; i < count; i++) {
        hd_class *c = &h->classes[i];
        char *signature = NULL;
        jvmtiError e = (*h->env)->GetClassSignature(h->env, c->klass, &signature, NULL);
        if (e != JVMTI_ERROR_NONE)
            return cd_jvmti_fail(err, e, "GetClassSignature");
        c->kind = kind_of(h, c->klass, signature);
        if (c->kind == HD_PRIMITIVE_ARRAY)
            c->element_type = cd_hprof_type_of_descriptor(signature[1]);
        c->name_id = hd_class_name_id(h, signature);
        if (strcmp(signature, "Ljava/lang/Class;") == 0)
            h->class_class_id = c->id;
        if (strcmp(signature, "Ljava/lang/String;") == 0)
            h->string_class = i;
        int rc = 0;
        if (c->kind == HD_INSTANCE || c->kind == HD_INTERFACE)
            rc = read_fields(h, c, signature, err);
        cd_jvmti_free(h->env, signature);
        if (rc != 0 || read_interfaces(h, c, err) != 0)
            return -1;
        jclass super = (*h->jni)->GetSuperclass(h->jni, c->klass);
        if (super) {
            c->super = index_of_class(h, super);
            (*h->jni)->DeleteLocalRef(h->jni, super);
        }
        cd_hprof_load_class(h->w, (uint32_t)c->id, c->id, c->name_id);
    }
    if (!h->class_class_id)
        return cd_fail(err, CD_ERR_INTERNAL, "java.lang.Class is not among the loaded classes");
    return cd_hprof_writer_failed(h->w) ? -1 : 0;
}

/* Fields declared by the interfaces i and its superinterfaces that this walk
 * (generation) has not counted yet. */
static uint32_t interface_fields(heapdump *h, int32_t i, uint32_t generation, int depth)
{
    if (i < 0 || depth > 64 || h->classes[i].mark == generation)
        return 0;
    hd_class *c = &h->classes[i];
    c->mark = generation;
    uint32_t total = c->field_count;
    for (uint16_t k = 0; k < c->interface_count; k++)
        total += interface_fields(h, c->interfaces[k], generation, depth + 1);
    return total;
}

/* The map from JVMTI field index to instance data offset. JVMTI numbers the
 * fields of every interface the class implements first (each interface once,
 * including those of its superclasses and their superinterfaces), then those
 * of java.lang.Object, down to the class's own, statics and instance fields in
 * one sequence, each class's in GetClassFields order. HPROF's instance data
 * holds the class's own instance fields first, then each superclass's; within
 * a class the last declared comes first, as in HotSpot's dumps (the class dump
 * lists them so too). That order is also what deflate compresses best: an
 * instance's id is followed by the fields declared last, often the references
 * to its neighbours, whose ids are close to its own. */
static int map_fields(heapdump *h, int32_t index, cd_error *err)
{
    hd_class *c = &h->classes[index];
    int32_t chain[256];
    int depth = 0;
    for (int32_t k = index; k >= 0; k = h->classes[k].super) {
        if (depth == (int)(sizeof chain / sizeof *chain))
            return cd_fail(err, CD_ERR_UNSUPPORTED, "a class hierarchy deeper than %d",
                           (int)(sizeof chain / sizeof *chain));
        chain[depth++] = k;
    }
    uint32_t generation = (uint32_t)index + 1;
    uint32_t interfaces = 0;
    uint32_t total = 0;
    for (int d = 0; d < depth; d++) {
        hd_class *k = &h->classes[chain[d]];
        for (uint16_t i = 0; i < k->interface_count; i++)
            interfaces += interface_fields(h, k->interfaces[i], generation, 0);
        total += k->field_count;
    }
    c->slot_count = interfaces + total;
    c->slots = c->slot_count ? calloc(c->slot_count, sizeof *c->slots) : NULL;
    if (c->slot_count && !c->slots)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    /* base[d]: where chain[d]'s fields start in the instance data */
    uint32_t base[256];
    uint32_t offset = 0;
    for (int d = 0; d < depth; d++) {
        base[d] = offset;
        offset += h->classes[chain[d]].own_bytes;
    }
    c->instance_bytes = offset;
    uint32_t slot = interfaces;
    for (int d = depth - 1; d >= 0; d--) {
        hd_class *k = &h->classes[chain[d]];
        uint32_t at = base[d];
        for (int i = k->field_count - 1; i >= 0; i--) {
            const hd_field *f = &k->fields[i];
            if (f->is_static)
                continue;
            uint8_t type = cd_hprof_type_of_descriptor(f->descriptor);
            uint8_t size = (uint8_t)cd_hprof_type_size(type, CD_HPROF_ID_SIZE);
            c->slots[slot + (uint32_t)i] = (hd_slot){
                .offset = at,
                .type = type,
                .size = size,
                .descriptor = f->descriptor,
                .zeroed = (uint8_t)cd_hprof_redacts_value(h->redact, type),
            };
            at += size;
        }
        slot += k->field_count;
    }
    if (c->instance_bytes > h->values_cap)
        h->values_cap = c->instance_bytes;
    return 0;
}

/* A static field's value, read with JNI (no Java allocation). */
static uint64_t static_value(heapdump *h, jclass klass, const hd_field *f, cd_error *err)
{
    JNIEnv *jni = h->jni;
    union {
        float f;
        uint32_t u;
    } f32;
    union {
        double d;
        uint64_t u;
    } f64;
    switch (f->descriptor) {
    case 'Z': return (*jni)->GetStaticBooleanField(jni, klass, f->id);
    case 'B': return (uint8_t)(*jni)->GetStaticByteField(jni, klass, f->id);
    case 'C': return (*jni)->GetStaticCharField(jni, klass, f->id);
    case 'S': return (uint16_t)(*jni)->GetStaticShortField(jni, klass, f->id);
    case 'I': return (uint32_t)(*jni)->GetStaticIntField(jni, klass, f->id);
    case 'J': return (uint64_t)(*jni)->GetStaticLongField(jni, klass, f->id);
    case 'F': f32.f = (*jni)->GetStaticFloatField(jni, klass, f->id); return f32.u;
    case 'D': f64.d = (*jni)->GetStaticDoubleField(jni, klass, f->id); return f64.u;
    default: {
        jobject value = (*jni)->GetStaticObjectField(jni, klass, f->id);
        return value ? tag_object(h, value, err) : 0;
    }
    }
}

int hd_dump_class(heapdump *h, int32_t index, cd_error *err)
{
    hd_class *c = &h->classes[index];
    if (c->kind == HD_INSTANCE && map_fields(h, index, err) != 0)
        return -1;
    uint16_t statics = 0, fields = 0;
    for (uint16_t i = 0; i < c->field_count; i++)
        c->fields[i].is_static ? statics++ : fields++;
    cd_hprof_value *values = calloc((size_t)statics + fields + 1, sizeof *values);
    if (!values)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    cd_hprof_value *static_values = values, *field_values = values + statics;
    uint16_t field_count = fields;
    statics = 0;
    int rc = 0;
    for (uint16_t i = 0; i < c->field_count && rc == 0; i++) {
        const hd_field *f = &c->fields[i];
        uint8_t type = cd_hprof_type_of_descriptor(f->descriptor);
        if (!f->is_static) {
            /* the last declared first, as map_fields lays them out */
            field_values[--fields] = (cd_hprof_value){f->name_id, type, 0};
            continue;
        }
        err->code = CD_OK;
        uint64_t bits = static_value(h, c->klass, f, err);
        if (err->code != CD_OK)
            rc = -1;
        if (cd_hprof_redacts_value(h->redact, type))
            bits = 0;
        static_values[statics++] = (cd_hprof_value){f->name_id, type, bits};
    }
    uint64_t loader_id = 0;
    if (rc == 0) {
        jobject loader = NULL;
        (*h->env)->GetClassLoader(h->env, c->klass, &loader);
        if (loader) {
            loader_id = tag_object(h, loader, err);
            rc = loader_id ? 0 : -1;
        }
    }
    if (rc == 0) {
        cd_hprof_class_record record = {
            .id = c->id,
            .super_id = c->super >= 0 ? h->classes[c->super].id : 0,
            .loader_id = loader_id,
            .instance_size = c->instance_bytes,
            .statics = static_values,
            .static_count = statics,
            .fields = field_values,
            .field_count = field_count,
        };
        cd_hprof_class_dump(h->w, &record);
    }
    free(values);
    return rc;
}

/* Minimal class dumps for classes outside the snapshot that are the class of
 * some object (loaded since): no fields known, so their instances carry no
 * field data. */
void hd_dump_late_classes(heapdump *h)
{
    for (; h->late_dumped < h->late.count; h->late_dumped++) {
        cd_hprof_class_record record = {.id = h->late.items[h->late_dumped]};
        cd_hprof_class_dump(h->w, &record);
    }
}

/* ---------------------------------------------------------------- threads */

/* ---------------------------------------------------------------- threads */

static int compare_threads(const void *a, const void *b)
{
    uint64_t x = ((const hd_thread *)a)->tag, y = ((const hd_thread *)b)->tag;
    return x < y ? -1 : x > y;
}

uint32_t hd_thread_serial(heapdump *h, uint64_t tag)
{
    hd_thread key = {tag, 0};
    hd_thread *t = h->thread_count
                       ? bsearch(&key, h->threads, h->thread_count, sizeof key, compare_threads)
                       : NULL;
    return t ? t->serial : 0;
}

static int32_t line_of(heapdump *h, jmethodID method, jlocation location)
{
    if (location < 0)
        return -3; /* native method */
    jint count = 0;
    jvmtiLineNumberEntry *table = NULL;
    if ((*h->env)->GetLineNumberTable(h->env, method, &count, &table) != JVMTI_ERROR_NONE)
        return -1;
    int32_t line = -1;
    for (jint i = 0; i < count; i++)
        if (table[i].start_location <= location)
            line = table[i].line_number;
    cd_jvmti_free(h->env, table);
    return line;
}

/* FRAME records and the TRACE of one thread. */
static int dump_stack(heapdump *h, const jvmtiStackInfo *stack, uint32_t serial, cd_error *err)
{
    uint64_t *frames = calloc((size_t)stack->frame_count + 1, sizeof *frames);
    if (!frames)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    for (jint i = 0; i < stack->frame_count; i++) {
        jmethodID method = stack->frame_buffer[i].method;
        char *name = NULL, *signature = NULL, *source = NULL;
        jclass klass = NULL;
        (*h->env)->GetMethodName(h->env, method, &name, &signature, NULL);
        (*h->env)->GetMethodDeclaringClass(h->env, method, &klass);
        if (klass)
            (*h->env)->GetSourceFileName(h->env, klass, &source);
        frames[i] = h->next_seq++;
        int32_t class_index = index_of_class(h, klass);
        cd_hprof_frame(h->w, frames[i], hd_name_id(h, name ? name : "<unknown>"),
                       hd_name_id(h, signature ? signature : "()V"),
                       source ? hd_name_id(h, source) : 0,
                       class_index >= 0 ? (uint32_t)h->classes[class_index].id : 0,
                       line_of(h, method, stack->frame_buffer[i].location));
        cd_jvmti_free(h->env, name);
        cd_jvmti_free(h->env, signature);
        cd_jvmti_free(h->env, source);
        if (klass)
            (*h->jni)->DeleteLocalRef(h->jni, klass);
    }
    cd_hprof_trace(h->w, CD_HPROF_DUMMY_TRACE + serial, serial, frames,
                   (uint32_t)stack->frame_count);
    free(frames);
    return 0;
}

/* Keeps the name of thread (a String and its value array, or a char[] before
 * JDK 9) out of redaction. */
static int keep_thread_name(heapdump *h, jthread thread, cd_error *err)
{
    if (!h->thread_name_field)
        return 0;
    jobject name = (*h->jni)->GetObjectField(h->jni, thread, h->thread_name_field);
    if (!name)
        return 0;
    uint64_t id = tag_object(h, name, err);
    if (!id || cd_idlist_push(&h->keep, id) != 0)
        return id ? cd_fail(err, CD_ERR_NOMEM, "out of memory") : -1;
    if (h->string_value_field && h->string_class >= 0 &&
        (*h->jni)->IsInstanceOf(h->jni, name, h->classes[h->string_class].klass)) {
        jobject value = (*h->jni)->GetObjectField(h->jni, name, h->string_value_field);
        if (value) {
            id = tag_object(h, value, err);
            if (!id || cd_idlist_push(&h->keep, id) != 0)
                return id ? cd_fail(err, CD_ERR_NOMEM, "out of memory") : -1;
        }
    }
    return 0;
}

int hd_dump_threads(heapdump *h, const jvmtiStackInfo *stacks, jint count, cd_error *err)
{
    cd_hprof_trace(h->w, CD_HPROF_DUMMY_TRACE, 0, NULL, 0);
    h->threads = calloc((size_t)count + 1, sizeof *h->threads);
    if (!h->threads)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    jthread self = NULL;
    (*h->env)->GetCurrentThread(h->env, &self);
    if (self) {
        h->own_thread_tag = tag_object(h, self, err);
        if (!h->own_thread_tag)
            return -1;
    }
    for (jint i = 0; i < count; i++) {
        uint32_t serial = (uint32_t)i + 1;
        uint64_t tag = tag_object(h, stacks[i].thread, err);
        if (!tag || dump_stack(h, &stacks[i], serial, err) != 0)
            return -1;
        if (h->redact != CD_HEAP_REDACT_NONE && keep_thread_name(h, stacks[i].thread, err) != 0)
            return -1;
        h->threads[h->thread_count++] = (hd_thread){tag, serial};
    }
    h->next_thread_serial = (uint32_t)count + 1;
    qsort(h->threads, h->thread_count, sizeof *h->threads, compare_threads);
    cd_idlist_seal(&h->keep);
    return cd_hprof_writer_failed(h->w) ? -1 : 0;
}

/* ---------------------------------------------------------------- after the walk */

/* Names of the classes loaded after the snapshot: the loaded classes again,
 * looked up by tag (GetObjectsWithTags would scan every object's tag). */
int hd_name_late_classes(heapdump *h, cd_error *err)
{
    if (!h->late.count)
        return 0;
    cd_idlist_seal(&h->late);
    jint count = 0;
    jclass *klasses = NULL;
    jvmtiError e = (*h->env)->GetLoadedClasses(h->env, &count, &klasses);
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetLoadedClasses");
    cd_jni_declare_refs(h->jni, count); /* a local reference per class, made by JVMTI */
    uint64_t *names = calloc(h->late.count, sizeof *names);
    for (jint k = 0; names && k < count; k++) {
        jlong tag = 0;
        (*h->env)->GetTag(h->env, klasses[k], &tag);
        long late = tag ? cd_idlist_index(&h->late, (uint64_t)tag) : -1;
        char *signature = NULL;
        if (late >= 0 &&
            (*h->env)->GetClassSignature(h->env, klasses[k], &signature, NULL) == JVMTI_ERROR_NONE)
            names[late] = hd_class_name_id(h, signature);
        cd_jvmti_free(h->env, signature);
        (*h->jni)->DeleteLocalRef(h->jni, klasses[k]);
    }
    cd_jvmti_free(h->env, klasses);
    if (!names)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    uint32_t serial = (uint32_t)h->class_count;
    for (size_t i = 0; i < h->late.count; i++) {
        /* A class unloaded since still needs a name. */
        uint64_t name = names[i] ? names[i] : hd_name_id(h, "carbondump/UnloadedDuringDump");
        cd_hprof_load_class(h->w, ++serial, h->late.items[i], name);
    }
    free(names);
    return 0;
}
