/*
 * HotSpot's exported structure tables (vm_structs.h).
 *
 * Each table is an array of entries whose layout is itself exported: the
 * offset of each member of an entry and the stride between entries are
 * variables of libjvm (gHotSpotVMStructEntryTypeNameOffset ...). An entry
 * with no type name ends a table. Lookups walk the table; there are a few
 * thousand entries and a dump asks for a few dozen, once per request.
 */
#include "vm_structs.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define ENTRIES_MAX 100000 /* a table this long is not one: stop walking */

struct cd_vm_structs {
    void *libjvm;
    char *path;
    uint64_t base;
    /* gHotSpotVMStructs */
    const char *fields;
    uint64_t field_type, field_name, field_static, field_offset, field_address, field_stride;
    /* gHotSpotVMTypes (optional) */
    const char *types;
    uint64_t type_name, type_size, type_stride;
    /* gHotSpotVMIntConstants (optional) */
    const char *constants;
    uint64_t constant_name, constant_value, constant_stride;
};

/* *(uint64_t *)symbol into *out; 0, or -1 when libjvm has no such symbol
 * (then *out is 0). */
static int exported_u64(void *libjvm, const char *name, uint64_t *out)
{
    const uint64_t *value = dlsym(libjvm, name);
    *out = value ? *value : 0;
    return value ? 0 : -1;
}

/* The table a symbol points to, or NULL. */
static const char *exported_table(void *libjvm, const char *name)
{
    char *const *table = dlsym(libjvm, name);
    return table ? *table : NULL;
}

static const char *string_member(const char *entry, uint64_t offset)
{
    return *(const char *const *)(entry + offset);
}

cd_vm_structs *cd_vm_structs_open(jvmtiEnv *jvmti, cd_error *err)
{
    Dl_info info;
    if (!dladdr((void *)(*jvmti)->GetVersionNumber, &info) || !info.dli_fname) {
        cd_fail(err, CD_ERR_UNSUPPORTED, "the library implementing JVMTI cannot be found");
        return NULL;
    }
    cd_vm_structs *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(info.dli_fname))) {
        free(s);
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base = (uint64_t)(uintptr_t)info.dli_fbase;
    s->libjvm = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    void *jvm = s->libjvm;
    int fields = -1, types = -1, constants = -1;
    if (jvm) {
        s->fields = exported_table(jvm, "gHotSpotVMStructs");
        s->types = exported_table(jvm, "gHotSpotVMTypes");
        s->constants = exported_table(jvm, "gHotSpotVMIntConstants");
        fields = exported_u64(jvm, "gHotSpotVMStructEntryTypeNameOffset", &s->field_type) |
                 exported_u64(jvm, "gHotSpotVMStructEntryFieldNameOffset", &s->field_name) |
                 exported_u64(jvm, "gHotSpotVMStructEntryIsStaticOffset", &s->field_static) |
                 exported_u64(jvm, "gHotSpotVMStructEntryOffsetOffset", &s->field_offset) |
                 exported_u64(jvm, "gHotSpotVMStructEntryAddressOffset", &s->field_address) |
                 exported_u64(jvm, "gHotSpotVMStructEntryArrayStride", &s->field_stride);
        types = exported_u64(jvm, "gHotSpotVMTypeEntryTypeNameOffset", &s->type_name) |
                exported_u64(jvm, "gHotSpotVMTypeEntrySizeOffset", &s->type_size) |
                exported_u64(jvm, "gHotSpotVMTypeEntryArrayStride", &s->type_stride);
        constants = exported_u64(jvm, "gHotSpotVMIntConstantEntryNameOffset", &s->constant_name) |
                    exported_u64(jvm, "gHotSpotVMIntConstantEntryValueOffset", &s->constant_value) |
                    exported_u64(jvm, "gHotSpotVMIntConstantEntryArrayStride", &s->constant_stride);
    }
    if (!s->fields || fields != 0 || !s->field_stride) {
        cd_vm_structs_close(s);
        cd_fail(err, CD_ERR_UNSUPPORTED, "this VM publishes no structure table (not HotSpot?)");
        return NULL;
    }
    if (types != 0 || !s->type_stride)
        s->types = NULL;
    if (constants != 0 || !s->constant_stride)
        s->constants = NULL;
    return s;
}

void cd_vm_structs_close(cd_vm_structs *structs)
{
    if (!structs)
        return;
    if (structs->libjvm)
        dlclose(structs->libjvm);
    free(structs->path);
    free(structs);
}

/* The gHotSpotVMStructs entry of type::field, or NULL. */
static const char *field_entry(const cd_vm_structs *s, const char *type, const char *field)
{
    const char *entry = s->fields;
    for (int i = 0; i < ENTRIES_MAX; i++, entry += s->field_stride) {
        const char *t = string_member(entry, s->field_type);
        if (!t)
            break;
        const char *f = string_member(entry, s->field_name);
        if (f && strcmp(t, type) == 0 && strcmp(f, field) == 0)
            return entry;
    }
    return NULL;
}

long cd_vm_structs_offset(const cd_vm_structs *structs, const char *type, const char *field)
{
    const char *entry = field_entry(structs, type, field);
    if (!entry || *(const int32_t *)(entry + structs->field_static) != 0)
        return -1;
    return (long)*(const uint64_t *)(entry + structs->field_offset);
}

uint64_t cd_vm_structs_static(const cd_vm_structs *structs, const char *type, const char *field)
{
    const char *entry = field_entry(structs, type, field);
    if (!entry || *(const int32_t *)(entry + structs->field_static) == 0)
        return 0;
    return (uint64_t)(uintptr_t) * (void *const *)(entry + structs->field_address);
}

long cd_vm_structs_type_size(const cd_vm_structs *structs, const char *type)
{
    const char *entry = structs->types;
    for (int i = 0; entry && i < ENTRIES_MAX; i++, entry += structs->type_stride) {
        const char *t = string_member(entry, structs->type_name);
        if (!t)
            break;
        if (strcmp(t, type) == 0)
            return (long)*(const uint64_t *)(entry + structs->type_size);
    }
    return -1;
}

int cd_vm_structs_constant(const cd_vm_structs *structs, const char *name, int *value)
{
    const char *entry = structs->constants;
    for (int i = 0; entry && i < ENTRIES_MAX; i++, entry += structs->constant_stride) {
        const char *n = string_member(entry, structs->constant_name);
        if (!n)
            break;
        if (strcmp(n, name) == 0) {
            *value = *(const int32_t *)(entry + structs->constant_value);
            return 0;
        }
    }
    return -1;
}

const char *cd_vm_structs_library(const cd_vm_structs *structs)
{
    return structs->path;
}

uint64_t cd_vm_structs_library_base(const cd_vm_structs *structs)
{
    return structs->base;
}
