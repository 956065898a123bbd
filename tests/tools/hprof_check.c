/*
 * hprof-check: validates a heap dump (.hprof or .hprof.gz) with carbondump's
 * HPROF reader and prints what it holds, for the tests and the benchmarks.
 *
 *   hprof-check [--objects] FILE
 *
 * --objects also checks that every object reference resolves (memory grows
 * with the heap). Output on success (exit 0):
 *
 *   ok: <N> records, <N> classes, <N> instances, <N> object arrays,
 *       <N> primitive arrays, <N> roots, <N> frames, <N> traces    (one line)
 *   roots <sub-record name> <N>          per root kind present
 *   count <N> <class name>               per class with instances or arrays,
 *                                        most first; primitive arrays as int[]
 *
 * On a malformed dump: the reader's message on stderr, exit 1. Usage: exit 2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/hprof.h"

typedef struct name {
    uint64_t id;
    char *text;
} name;

typedef struct check {
    name *names;
    size_t name_count, name_cap;
    uint64_t roots[256];
    uint64_t primitive_arrays[16];
} check;

static int keep_name(void *context, uint64_t id, const char *text, size_t len, cd_error *err)
{
    check *c = context;
    if (c->name_count == c->name_cap) {
        size_t cap = c->name_cap ? c->name_cap * 2 : 4096;
        name *grown = realloc(c->names, cap * sizeof *grown);
        if (!grown)
            return cd_fail(err, CD_ERR_NOMEM, "out of memory");
        c->names = grown;
        c->name_cap = cap;
    }
    char *copy = strndup(text, len);
    if (!copy)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    c->names[c->name_count++] = (name){id, copy};
    return 0;
}

static int count_root(void *context, uint8_t sub_tag, uint64_t id, cd_error *err)
{
    ((check *)context)->roots[sub_tag]++;
    return 0;
}

static int count_primitive_array(void *context, uint64_t id, uint8_t type, uint32_t length,
                                 cd_error *err)
{
    ((check *)context)->primitive_arrays[type & 15]++;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = ((const name *)a)->id, y = ((const name *)b)->id;
    return x < y ? -1 : x > y;
}

static const char *name_of(const check *c, uint64_t id)
{
    name key = {id, NULL};
    const name *found = bsearch(&key, c->names, c->name_count, sizeof key, by_id);
    return found ? found->text : "?";
}

/* "java/lang/String" -> "java.lang.String"; "[I" -> "int[]"; "[Ljava/lang/Object;" ->
 * "java.lang.Object[]", as jmap -histo and heap viewers print them. */
static void java_name(const char *vm_name, char *out, size_t outlen)
{
    int dims = 0;
    while (vm_name[dims] == '[')
        dims++;
    const char *base = vm_name + dims;
    char element[512];
    if (dims == 0 || (base[0] == 'L' && base[strlen(base) - 1] == ';')) {
        size_t skip = dims ? 1 : 0;
        size_t len = strlen(base) - 2 * skip;
        snprintf(element, sizeof element, "%.*s", (int)len, base + skip);
    } else {
        static const char *const primitive[][2] = {{"Z", "boolean"}, {"C", "char"}, {"F", "float"},
                                                   {"D", "double"},  {"B", "byte"}, {"S", "short"},
                                                   {"I", "int"},     {"J", "long"}};
        snprintf(element, sizeof element, "%s", base);
        for (size_t i = 0; i < sizeof primitive / sizeof *primitive; i++)
            if (strcmp(base, primitive[i][0]) == 0)
                snprintf(element, sizeof element, "%s", primitive[i][1]);
    }
    for (char *p = element; *p; p++)
        if (*p == '/')
            *p = '.';
    size_t at = (size_t)snprintf(out, outlen, "%s", element);
    for (int i = 0; i < dims && at + 2 < outlen; i++, at += 2)
        strcpy(out + at, "[]");
}

typedef struct histogram_row {
    uint64_t count;
    char name[600];
} histogram_row;

static int by_count(const void *a, const void *b)
{
    const histogram_row *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static const char *root_name(int tag)
{
    switch (tag) {
    case CD_HPROF_ROOT_UNKNOWN: return "unknown";
    case CD_HPROF_ROOT_JNI_GLOBAL: return "jni_global";
    case CD_HPROF_ROOT_JNI_LOCAL: return "jni_local";
    case CD_HPROF_ROOT_JAVA_FRAME: return "java_frame";
    case CD_HPROF_ROOT_NATIVE_STACK: return "native_stack";
    case CD_HPROF_ROOT_STICKY_CLASS: return "sticky_class";
    case CD_HPROF_ROOT_THREAD_BLOCK: return "thread_block";
    case CD_HPROF_ROOT_MONITOR_USED: return "monitor_used";
    case CD_HPROF_ROOT_THREAD_OBJ: return "thread_object";
    default: return "other";
    }
}

static void print_report(const check *c, const cd_hprof_reader *reader)
{
    const cd_hprof_stats *s = cd_hprof_reader_stats(reader);
    printf("ok: %" PRIu64 " records, %" PRIu64 " classes, %" PRIu64 " instances, %" PRIu64
           " object arrays, %" PRIu64 " primitive arrays, %" PRIu64 " roots, %" PRIu64
           " frames, %" PRIu64 " traces\n",
           s->records, s->classes, s->instances, s->object_arrays, s->primitive_arrays, s->roots,
           s->frames, s->traces);
    for (int tag = 0; tag < 256; tag++)
        if (c->roots[tag])
            printf("roots %s %" PRIu64 "\n", root_name(tag), c->roots[tag]);

    size_t classes = cd_hprof_reader_class_count(reader);
    histogram_row *rows = calloc(classes + 16, sizeof *rows);
    if (!rows)
        return;
    size_t n = 0;
    for (size_t i = 0; i < classes; i++) {
        const cd_hprof_class *cls = cd_hprof_reader_class_at(reader, i);
        if (!cls->count)
            continue;
        rows[n].count = cls->count;
        java_name(name_of(c, cls->name_id), rows[n].name, sizeof rows[n].name);
        n++;
    }
    static const char *const arrays[16] = {
        [CD_HPROF_BOOLEAN] = "[Z", [CD_HPROF_CHAR] = "[C", [CD_HPROF_FLOAT] = "[F",
        [CD_HPROF_DOUBLE] = "[D",  [CD_HPROF_BYTE] = "[B", [CD_HPROF_SHORT] = "[S",
        [CD_HPROF_INT] = "[I",     [CD_HPROF_LONG] = "[J"};
    for (int type = 0; type < 16; type++) {
        if (!c->primitive_arrays[type] || !arrays[type])
            continue;
        rows[n].count = c->primitive_arrays[type];
        java_name(arrays[type], rows[n].name, sizeof rows[n].name);
        n++;
    }
    qsort(rows, n, sizeof *rows, by_count);
    for (size_t i = 0; i < n; i++)
        printf("count %" PRIu64 " %s\n", rows[i].count, rows[i].name);
    free(rows);
}

int main(int argc, char **argv)
{
    unsigned flags = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--objects") == 0)
            flags |= CD_HPROF_CHECK_OBJECTS;
        else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "usage: hprof-check [--objects] FILE\n");
            return 2;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: hprof-check [--objects] FILE\n");
        return 2;
    }
    check c;
    memset(&c, 0, sizeof c);
    cd_error err = {0};
    cd_hprof_input *in = cd_hprof_input_file(path, 0, &err);
    cd_hprof_reader *reader = in ? cd_hprof_reader_new(flags, &err) : NULL;
    cd_hprof_visitor visitor = {
        .context = &c,
        .utf8 = keep_name,
        .root = count_root,
        .primitive_array = count_primitive_array,
    };
    int rc = reader ? cd_hprof_reader_run(reader, in, &visitor, &err) : -1;
    if (rc == 0) {
        qsort(c.names, c.name_count, sizeof *c.names, by_id);
        print_report(&c, reader);
    } else {
        fprintf(stderr, "hprof-check: %s: %s\n", path, err.message);
    }
    cd_hprof_reader_free(reader);
    cd_hprof_input_close(in);
    for (size_t i = 0; i < c.name_count; i++)
        free(c.names[i].text);
    free(c.names);
    return rc == 0 ? 0 : 1;
}
