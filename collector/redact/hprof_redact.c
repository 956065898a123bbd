/*
 * Rewriting a heap dump with --heap-redact: see hprof_redact.h.
 *
 * Three passes of the shared reader over the compressed input:
 *   1. names in use (LOAD_CLASS, class dumps, frames), and the String objects
 *      that the name field of any java.lang.Thread (or subclass) holds;
 *   2. the value arrays of those Strings (a thread's name may be dumped before
 *      or after its thread, so this takes a pass of its own);
 *   3. the rewrite: every byte the reader reports is copied, or replaced by a
 *      zero when the redaction rules say so. Lengths, ids and references are
 *      never touched, so the output has the input's structure exactly.
 * Under basic and full, UTF8 records that no class, field or frame uses are
 * blanked too: HotSpot dumps its whole symbol table, which holds the string
 * literals of every loaded class.
 */
#include "hprof_redact.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbondump/hprof.h"
#include "carbondump/idset.h"
#include "carbondump/sink_async.h"

#define GZIP_LEVEL 1
#define GZIP_MEMBER_BYTES (1u << 20)
#define OUTPUT_BUFFERS 4

typedef struct redactor {
    cd_heap_redact level;
    cd_hprof_reader *reader;
    int pass;
    /* UTF8 ids of the texts the passes look for */
    cd_idlist thread_class_names, string_class_names, name_field_names, value_field_names;
    uint64_t thread_class, string_class;
    cd_idlist used_names;
    cd_idlist thread_names; /* pass 1: Strings (or char[]) naming threads */
    cd_idlist keep;         /* pass 2: those and their value arrays */
    cd_sink *out;
    cd_hprof_redact_stats stats;
} redactor;

static int no_memory(cd_error *err)
{
    return cd_fail(err, CD_ERR_NOMEM, "out of memory redacting the heap dump");
}

/* ---------------------------------------------------------------- passes 1 and 2 */

static int note_utf8(void *context, uint64_t id, const char *text, size_t len, cd_error *err)
{
    redactor *r = context;
    static const struct {
        const char *text;
        size_t offset;
    } wanted[] = {
        {"java/lang/Thread", offsetof(redactor, thread_class_names)},
        {"java/lang/String", offsetof(redactor, string_class_names)},
        {"name", offsetof(redactor, name_field_names)},
        {"value", offsetof(redactor, value_field_names)},
    };
    for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++)
        if (len == strlen(wanted[i].text) && memcmp(text, wanted[i].text, len) == 0 &&
            cd_idlist_push((cd_idlist *)((char *)r + wanted[i].offset), id) != 0)
            return no_memory(err);
    return 0;
}

static int note_class(void *context, uint32_t serial, uint64_t class_id, uint64_t name_id,
                      cd_error *err)
{
    redactor *r = context;
    if (cd_idlist_push(&r->used_names, name_id) != 0)
        return no_memory(err);
    if (cd_idlist_has(&r->thread_class_names, name_id))
        r->thread_class = class_id;
    if (cd_idlist_has(&r->string_class_names, name_id))
        r->string_class = class_id;
    return 0;
}

static int note_name(void *context, uint64_t name_id, cd_error *err)
{
    redactor *r = context;
    return cd_idlist_push(&r->used_names, name_id) == 0 ? 0 : no_memory(err);
}

/* The id held by an object field called one of names, or 0. */
static uint64_t object_field(const redactor *r, const cd_hprof_class *cls, const cd_idlist *names,
                             const uint8_t *values, uint32_t len)
{
    for (size_t i = 0; i < names->count; i++) {
        uint8_t type;
        uint32_t offset;
        if (cd_hprof_field_offset(r->reader, cls, names->items[i], &type, &offset) == 0 &&
            type == CD_HPROF_OBJECT && offset + cd_hprof_reader_id_size(r->reader) <= len)
            return cd_hprof_read_id(r->reader, values + offset);
    }
    return 0;
}

static int note_instance(void *context, uint64_t id, const cd_hprof_class *cls,
                         const uint8_t *values, uint32_t len, cd_error *err)
{
    redactor *r = context;
    if (r->pass == 1 && r->thread_class && cd_hprof_class_is_a(r->reader, cls, r->thread_class)) {
        uint64_t name = object_field(r, cls, &r->name_field_names, values, len);
        if (name && cd_idlist_push(&r->thread_names, name) != 0)
            return no_memory(err);
    } else if (r->pass == 2 && cls->id == r->string_class && cd_idlist_has(&r->thread_names, id)) {
        uint64_t value = object_field(r, cls, &r->value_field_names, values, len);
        if (value && cd_idlist_push(&r->keep, value) != 0)
            return no_memory(err);
    }
    return 0;
}

/* ---------------------------------------------------------------- pass 3 */

static int copy_bytes(void *context, const cd_hprof_span *span, const uint8_t *data, size_t len,
                      cd_error *err)
{
    redactor *r = context;
    int zero = 0;
    switch (span->kind) {
    case CD_HPROF_SPAN_VALUE:
        zero = cd_hprof_redacts_value(r->level, span->type) && !cd_idlist_has(&r->keep, span->id);
        r->stats.values_zeroed += zero;
        break;
    case CD_HPROF_SPAN_ELEMENTS:
        zero = cd_hprof_redacts_array(r->level, span->type) && !cd_idlist_has(&r->keep, span->id);
        break;
    case CD_HPROF_SPAN_NAME:
        zero = cd_hprof_redacts_unnamed_utf8(r->level) && !cd_idlist_has(&r->used_names, span->id);
        r->stats.names_blanked += zero;
        break;
    default: break;
    }
    if (!zero)
        return cd_sink_write(r->out, data, len) == 0 ? 0 : -1;
    static const uint8_t zeros[4096];
    while (len > 0) {
        size_t n = len < sizeof zeros ? len : sizeof zeros;
        if (cd_sink_write(r->out, zeros, n) != 0)
            return -1;
        len -= n;
    }
    return 0;
}

static int count_zeroed_array(void *context, uint64_t id, uint8_t type, uint32_t length,
                              cd_error *err)
{
    redactor *r = context;
    r->stats.arrays_zeroed +=
        cd_hprof_redacts_array(r->level, type) && !cd_idlist_has(&r->keep, id);
    return 0;
}

/* ---------------------------------------------------------------- driver */

static int run_pass(redactor *r, int pass, const char *path, unsigned input_flags,
                    const cd_hprof_visitor *visitor, cd_error *err)
{
    r->pass = pass;
    cd_hprof_input *in = cd_hprof_input_file(path, input_flags, err);
    if (!in)
        return -1;
    r->reader = cd_hprof_reader_new(0, err);
    int rc = r->reader ? cd_hprof_reader_run(r->reader, in, visitor, err) : -1;
    cd_hprof_reader_free(r->reader);
    r->reader = NULL;
    cd_hprof_input_close(in);
    return rc;
}

static void free_redactor(redactor *r)
{
    cd_idlist_free(&r->thread_class_names);
    cd_idlist_free(&r->string_class_names);
    cd_idlist_free(&r->name_field_names);
    cd_idlist_free(&r->value_field_names);
    cd_idlist_free(&r->used_names);
    cd_idlist_free(&r->thread_names);
    cd_idlist_free(&r->keep);
}

int cd_hprof_redact_file(const char *in_path, const char *out_path, cd_heap_redact level,
                         cd_hprof_redact_stats *stats, cd_error *err)
{
    redactor r;
    memset(&r, 0, sizeof r);
    r.level = level;
    cd_hprof_visitor scan = {
        .context = &r,
        .utf8 = note_utf8,
        .load_class = note_class,
        .name_used = note_name,
        .instance = note_instance,
    };
    int rc = run_pass(&r, 1, in_path, 0, &scan, err);
    if (rc == 0) {
        cd_idlist_seal(&r.used_names);
        cd_idlist_seal(&r.thread_names);
        r.stats.threads_kept = r.thread_names.count;
        for (size_t i = 0; i < r.thread_names.count && rc == 0; i++)
            rc = cd_idlist_push(&r.keep, r.thread_names.items[i]) == 0 ? 0 : no_memory(err);
    }
    if (rc == 0 && r.thread_names.count && r.string_class) {
        cd_hprof_visitor values = {.context = &r, .instance = note_instance};
        rc = run_pass(&r, 2, in_path, 0, &values, err);
    }
    if (rc == 0) {
        cd_idlist_seal(&r.keep);
        cd_sink *file = cd_sink_file(out_path, err);
        cd_sink *gzip = file ? cd_sink_gzip(file, GZIP_LEVEL, GZIP_MEMBER_BYTES, err) : NULL;
        r.out = gzip ? cd_sink_async(gzip, GZIP_MEMBER_BYTES, OUTPUT_BUFFERS, err) : NULL;
        rc = r.out ? 0 : -1;
    }
    if (rc == 0) {
        cd_hprof_visitor rewrite = {
            .context = &r,
            .primitive_array = count_zeroed_array,
            .bytes = copy_bytes,
        };
        rc = run_pass(&r, 3, in_path, CD_HPROF_INPUT_RELEASE, &rewrite, err);
        if (rc != 0 && r.out->failed)
            *err = r.out->error; /* the write failed first */
        if (rc == 0)
            rc = cd_sink_close(r.out, err);
        else
            cd_sink_abandon(r.out);
    }
    unlink(in_path);
    if (stats)
        *stats = r.stats;
    free_redactor(&r);
    return rc == 0 ? 0 : cd_error_wrap(err, "redacting the heap dump");
}
