/*
 * The HPROF reader's half for heap dump segments: the classes it has seen
 * (the public lookups of include/carbondump/hprof.h), and the sub-records:
 * roots, class dumps, instances, object and primitive arrays, each checked
 * against what came before and reported to the visitor. See hprof_reader.c.
 */
#include "hprof_reader_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define NOT_COMPUTED UINT32_MAX
#define SUPERCLASS_DEPTH_MAX 4096

/* ---------------------------------------------------------------- classes */

cd_hprof_class *hr_class_of(const cd_hprof_reader *r, uint64_t id)
{
    uint32_t index;
    return cd_idmap_find(&r->class_index, id, &index) ? &r->classes[index] : NULL;
}

size_t cd_hprof_reader_class_count(const cd_hprof_reader *r)
{
    return r->class_count;
}

const cd_hprof_class *cd_hprof_reader_class_at(const cd_hprof_reader *r, size_t index)
{
    return index < r->class_count ? &r->classes[index] : NULL;
}

const cd_hprof_class *cd_hprof_reader_class(const cd_hprof_reader *r, uint64_t class_id)
{
    return hr_class_of(r, class_id);
}

int cd_hprof_class_is_a(const cd_hprof_reader *r, const cd_hprof_class *cls, uint64_t ancestor_id)
{
    for (int depth = 0; cls && depth < SUPERCLASS_DEPTH_MAX; depth++) {
        if (cls->id == ancestor_id)
            return 1;
        cls = cls->super_id ? hr_class_of(r, cls->super_id) : NULL;
    }
    return 0;
}

int cd_hprof_field_offset(const cd_hprof_reader *r, const cd_hprof_class *cls, uint64_t name_id,
                          uint8_t *type, uint32_t *offset)
{
    uint32_t at = 0;
    for (int depth = 0; cls && depth < SUPERCLASS_DEPTH_MAX; depth++) {
        for (uint16_t i = 0; i < cls->field_count; i++) {
            if (cls->fields[i].name_id == name_id) {
                *type = cls->fields[i].type;
                *offset = at;
                return 0;
            }
            at += cd_hprof_type_size(cls->fields[i].type, r->id_size);
        }
        cls = cls->super_id ? hr_class_of(r, cls->super_id) : NULL;
    }
    return -1;
}

/* Instance data bytes of cls with all its superclasses, which must all be
 * dumped by now (they are needed to read its instances). */
static int values_size(cd_hprof_reader *r, const cd_hprof_class *cls, uint32_t *size, cd_error *err)
{
    uint64_t total = 0;
    const cd_hprof_class *c = cls;
    for (int depth = 0; c; depth++) {
        uint32_t index = (uint32_t)(c - r->classes);
        if (r->values_size[index] != NOT_COMPUTED) {
            total += r->values_size[index];
            break;
        }
        if (depth >= SUPERCLASS_DEPTH_MAX)
            return hr_malformed(r, err, "the superclasses of class 0x%" PRIx64 " form a cycle",
                                cls->id);
        for (uint16_t i = 0; i < c->field_count; i++)
            total += cd_hprof_type_size(c->fields[i].type, r->id_size);
        if (!c->super_id)
            break;
        const cd_hprof_class *super = hr_class_of(r, c->super_id);
        if (!super)
            return hr_malformed(r, err,
                                "superclass 0x%" PRIx64 " of class 0x%" PRIx64
                                " is not dumped before its instances",
                                c->super_id, c->id);
        c = super;
    }
    if (total > UINT32_MAX)
        return hr_malformed(r, err, "class 0x%" PRIx64 " has too many fields", cls->id);
    r->values_size[cls - r->classes] = (uint32_t)total;
    *size = (uint32_t)total;
    return 0;
}

static int add_class(cd_hprof_reader *r, const cd_hprof_class *cls, cd_error *err)
{
    if (r->class_count == r->class_cap) {
        size_t cap = r->class_cap ? r->class_cap * 2 : 1024;
        cd_hprof_class *classes = realloc(r->classes, cap * sizeof *classes);
        if (!classes)
            return hr_out_of_memory(err);
        r->classes = classes;
        uint32_t *sizes = realloc(r->values_size, cap * sizeof *sizes);
        if (!sizes)
            return hr_out_of_memory(err);
        r->values_size = sizes;
        r->class_cap = cap;
    }
    int rc = cd_idmap_add(&r->class_index, cls->id, (uint32_t)r->class_count);
    if (rc < 0)
        return hr_out_of_memory(err);
    if (rc > 0 || cd_idmap_find(&r->objects, cls->id, NULL))
        return hr_malformed(r, err, "class 0x%" PRIx64 " is dumped twice", cls->id);
    r->classes[r->class_count] = *cls;
    r->values_size[r->class_count] = NOT_COMPUTED;
    uint32_t name_index;
    if (cd_idmap_find(&r->named, cls->id, &name_index))
        r->classes[r->class_count].name_id = r->names.items[name_index];
    r->class_count++;
    return 0;
}

/* ---------------------------------------------------------------- sub-records */

/* A value of type in a class dump (constant or static) owned by class_id. */
static int take_value(cd_hprof_reader *r, uint8_t type, uint64_t class_id, cd_error *err)
{
    unsigned size = cd_hprof_type_size(type, r->id_size);
    if (!size)
        return hr_malformed(r, err, "unknown basic type %u", type);
    if (type == CD_HPROF_OBJECT) {
        uint64_t id;
        return hr_take_id(r, &id, err) != 0 ? -1 : hr_want_object(r, id, err);
    }
    cd_hprof_span span = {CD_HPROF_SPAN_VALUE, type, class_id};
    return hr_take(r, size, &span, err) ? 0 : -1;
}

static int class_dump(cd_hprof_reader *r, cd_error *err)
{
    cd_hprof_class cls;
    memset(&cls, 0, sizeof cls);
    uint64_t signers, domain, reserved;
    uint32_t trace;
    uint16_t count;
    if (hr_take_id(r, &cls.id, err) != 0 || hr_take_u4(r, &trace, err) != 0 ||
        hr_take_id(r, &cls.super_id, err) != 0 || hr_take_id(r, &cls.loader_id, err) != 0 ||
        hr_take_id(r, &signers, err) != 0 || hr_take_id(r, &domain, err) != 0 ||
        hr_take_id(r, &reserved, err) != 0 || hr_take_id(r, &reserved, err) != 0 ||
        hr_take_u4(r, &cls.instance_size, err) != 0)
        return -1;
    if (cls.id == 0)
        return hr_malformed(r, err, "a class dump with class id 0");
    if (hr_want_trace(r, trace, err) != 0 || hr_want_object(r, cls.loader_id, err) != 0 ||
        hr_want_object(r, signers, err) != 0 || hr_want_object(r, domain, err) != 0)
        return -1;
    if (cls.super_id && cd_idlist_push(&r->want_classes, cls.super_id) != 0)
        return hr_out_of_memory(err);

    if (hr_take_u2(r, &count, err) != 0)
        return -1;
    for (uint16_t i = 0; i < count; i++) {
        uint16_t index;
        uint8_t type;
        if (hr_take_u2(r, &index, err) != 0 || hr_take_u1(r, &type, err) != 0 ||
            take_value(r, type, cls.id, err) != 0)
            return -1;
    }
    if (hr_take_u2(r, &count, err) != 0)
        return -1;
    for (uint16_t i = 0; i < count; i++) {
        uint64_t name;
        uint8_t type;
        if (hr_take_id(r, &name, err) != 0 ||
            hr_want_name(r, name, "static field name", err) != 0 ||
            hr_take_u1(r, &type, err) != 0 || take_value(r, type, cls.id, err) != 0)
            return -1;
    }
    if (hr_take_u2(r, &cls.field_count, err) != 0)
        return -1;
    cls.fields = cls.field_count ? calloc(cls.field_count, sizeof *cls.fields) : NULL;
    if (cls.field_count && !cls.fields)
        return hr_out_of_memory(err);
    int rc = 0;
    for (uint16_t i = 0; i < cls.field_count && rc == 0; i++) {
        cd_hprof_field *f = &cls.fields[i];
        if (hr_take_id(r, &f->name_id, err) != 0 ||
            hr_want_name(r, f->name_id, "field name", err) != 0 ||
            hr_take_u1(r, &f->type, err) != 0)
            rc = -1;
        else if (!cd_hprof_type_size(f->type, r->id_size))
            rc = hr_malformed(r, err, "field of unknown basic type %u in class 0x%" PRIx64, f->type,
                              cls.id);
    }
    if (rc == 0)
        rc = add_class(r, &cls, err);
    if (rc != 0) {
        free(cls.fields);
        return -1;
    }
    r->stats.classes++;
    if (r->v->class_dump)
        return r->v->class_dump(r->v->context, &r->classes[r->class_count - 1], err);
    return 0;
}

/* The id and stack trace serial every object record starts with. */
static int object_start(cd_hprof_reader *r, uint64_t *id, cd_error *err)
{
    uint32_t trace;
    if (hr_take_id(r, id, err) != 0 || hr_take_u4(r, &trace, err) != 0)
        return -1;
    return hr_define_object(r, *id, err) != 0 ? -1 : hr_want_trace(r, trace, err);
}

/* The class of an instance or object array, which must be dumped before it. */
static cd_hprof_class *class_before(cd_hprof_reader *r, const char *what, uint64_t id,
                                    uint64_t class_id, cd_error *err)
{
    cd_hprof_class *cls = hr_class_of(r, class_id);
    if (!cls)
        hr_malformed(r, err,
                     "%s 0x%" PRIx64 " of class 0x%" PRIx64 " comes before the dump of that class",
                     what, id, class_id);
    return cls;
}

/* The field data of an instance, field by field when someone looks at the parts. */
static int instance_values(cd_hprof_reader *r, uint64_t id, const cd_hprof_class *cls, uint32_t len,
                           cd_error *err)
{
    if (!r->v->bytes && !(r->flags & CD_HPROF_CHECK_OBJECTS))
        return hr_take(r, len, &hr_structure, err) ? 0 : -1;
    cd_hprof_span value = {CD_HPROF_SPAN_VALUE, 0, id};
    for (const cd_hprof_class *c = cls; c; c = c->super_id ? hr_class_of(r, c->super_id) : NULL) {
        for (uint16_t i = 0; i < c->field_count; i++) {
            uint8_t type = c->fields[i].type;
            if (type == CD_HPROF_OBJECT) {
                uint64_t ref;
                if (hr_take_id(r, &ref, err) != 0 || hr_want_object(r, ref, err) != 0)
                    return -1;
            } else {
                value.type = type;
                if (!hr_take(r, cd_hprof_type_size(type, r->id_size), &value, err))
                    return -1;
            }
        }
    }
    return 0;
}

static int instance_dump(cd_hprof_reader *r, cd_error *err)
{
    uint64_t id, class_id;
    uint32_t len, expected = 0;
    if (object_start(r, &id, err) != 0 || hr_take_id(r, &class_id, err) != 0 ||
        hr_take_u4(r, &len, err) != 0)
        return -1;
    cd_hprof_class *cls = class_before(r, "instance", id, class_id, err);
    if (!cls)
        return -1;
    if (values_size(r, cls, &expected, err) != 0)
        return -1;
    if (len != expected)
        return hr_malformed(r, err,
                            "instance 0x%" PRIx64 " has %u bytes of fields, its class 0x%" PRIx64
                            " says %u",
                            id, len, class_id, expected);
    if (hr_position(r) + len > r->limit)
        return hr_malformed(r, err, "instance 0x%" PRIx64 " runs past the end of its segment", id);
    if (hr_need(r, len, err) != 0)
        return -1;
    const uint8_t *values = r->buf + r->cur; /* stays put: all len bytes are buffered */
    if (instance_values(r, id, cls, len, err) != 0)
        return -1;
    cls->count++;
    r->stats.instances++;
    if (r->v->instance)
        return r->v->instance(r->v->context, id, cls, values, len, err);
    return 0;
}

static int object_array_dump(cd_hprof_reader *r, cd_error *err)
{
    uint64_t id, class_id;
    uint32_t length;
    if (object_start(r, &id, err) != 0 || hr_take_u4(r, &length, err) != 0 ||
        hr_take_id(r, &class_id, err) != 0)
        return -1;
    cd_hprof_class *cls = class_before(r, "object array", id, class_id, err);
    if (!cls)
        return -1;
    cls->count++;
    if (r->v->object_array && r->v->object_array(r->v->context, id, class_id, length, err) != 0)
        return -1;
    r->stats.object_arrays++;
    piece_fn check = (r->flags & CD_HPROF_CHECK_OBJECTS) ? hr_check_references : NULL;
    return hr_take_stream(r, (uint64_t)length * r->id_size, r->id_size, &hr_structure, check, err);
}

static int primitive_array_dump(cd_hprof_reader *r, cd_error *err)
{
    uint64_t id;
    uint32_t length;
    uint8_t type;
    if (object_start(r, &id, err) != 0 || hr_take_u4(r, &length, err) != 0 ||
        hr_take_u1(r, &type, err) != 0)
        return -1;
    unsigned size = cd_hprof_type_size(type, r->id_size);
    if (!size || type == CD_HPROF_OBJECT)
        return hr_malformed(r, err, "primitive array 0x%" PRIx64 " of unknown element type %u", id,
                            type);
    if (r->v->primitive_array && r->v->primitive_array(r->v->context, id, type, length, err) != 0)
        return -1;
    r->stats.primitive_arrays++;
    cd_hprof_span elements = {CD_HPROF_SPAN_ELEMENTS, type, id};
    return hr_take_stream(r, (uint64_t)length * size, size, &elements, NULL, err);
}

static int root(cd_hprof_reader *r, uint8_t tag, cd_error *err)
{
    uint64_t id, ignored_id;
    uint32_t a, b;
    if (hr_take_id(r, &id, err) != 0)
        return -1;
    int rc = 0;
    switch (tag) {
    case CD_HPROF_ROOT_JNI_GLOBAL: rc = hr_take_id(r, &ignored_id, err); break;
    case CD_HPROF_ROOT_JNI_LOCAL:
    case CD_HPROF_ROOT_JAVA_FRAME:
        rc = hr_take_u4(r, &a, err) || hr_take_u4(r, &b, err) ? -1 : 0;
        break;
    case CD_HPROF_ROOT_NATIVE_STACK:
    case CD_HPROF_ROOT_THREAD_BLOCK: rc = hr_take_u4(r, &a, err); break;
    case CD_HPROF_ROOT_THREAD_OBJ:
        rc = hr_take_u4(r, &a, err) || hr_take_u4(r, &b, err) || hr_want_trace(r, b, err) ? -1 : 0;
        break;
    default: break; /* UNKNOWN, STICKY_CLASS, MONITOR_USED: the id alone */
    }
    if (rc != 0 || hr_want_object(r, id, err) != 0)
        return -1;
    r->stats.roots++;
    if (r->v->root)
        return r->v->root(r->v->context, tag, id, err);
    return 0;
}

int hr_heap_dump(cd_hprof_reader *r, cd_error *err)
{
    while (hr_position(r) < r->limit) {
        uint8_t tag;
        if (hr_take_u1(r, &tag, err) != 0)
            return -1;
        int rc;
        switch (tag) {
        case CD_HPROF_ROOT_UNKNOWN:
        case CD_HPROF_ROOT_JNI_GLOBAL:
        case CD_HPROF_ROOT_JNI_LOCAL:
        case CD_HPROF_ROOT_JAVA_FRAME:
        case CD_HPROF_ROOT_NATIVE_STACK:
        case CD_HPROF_ROOT_STICKY_CLASS:
        case CD_HPROF_ROOT_THREAD_BLOCK:
        case CD_HPROF_ROOT_MONITOR_USED:
        case CD_HPROF_ROOT_THREAD_OBJ: rc = root(r, tag, err); break;
        case CD_HPROF_CLASS_DUMP: rc = class_dump(r, err); break;
        case CD_HPROF_INSTANCE_DUMP: rc = instance_dump(r, err); break;
        case CD_HPROF_OBJ_ARRAY_DUMP: rc = object_array_dump(r, err); break;
        case CD_HPROF_PRIM_ARRAY_DUMP: rc = primitive_array_dump(r, err); break;
        default: return hr_malformed(r, err, "unknown heap dump sub-record tag 0x%02x", tag);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}
