/*
 * Integers in cJSON trees: see include/carbondump/json.h.
 */
#include "carbondump/json.h"

#include "carbondump/fsutil.h"
#include "carbondump/format.h"

#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

cJSON *cd_json_integer(int64_t value)
{
    char text[CD_INT_TEXT_MAX];
    cd_format_int(value, text);
    return cJSON_CreateRaw(text);
}

cJSON *cd_json_add_integer(cJSON *object, const char *name, int64_t value)
{
    cJSON *item = cd_json_integer(value);
    if (item && !cJSON_AddItemToObject(object, name, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

/* ---------------------------------------------------------------- documents */

typedef struct doc_block {
    struct doc_block *next;
    size_t size, used;
    max_align_t data[];
} doc_block;

struct cd_json_doc {
    cJSON *root;
    doc_block *blocks; /* newest first */
};

#define DOC_FIRST_BLOCK (64u << 10)

/* The document being parsed on this thread: cJSON's allocations go to it. */
static _Thread_local cd_json_doc *parsing;

static void *doc_alloc(cd_json_doc *doc, size_t size)
{
    size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    doc_block *b = doc->blocks;
    if (!b || b->size - b->used < size) {
        size_t want = b ? b->size * 2 : DOC_FIRST_BLOCK;
        if (want < size)
            want = size;
        doc_block *grown = malloc(sizeof *grown + want);
        if (!grown)
            return NULL;
        *grown = (doc_block){b, want, 0};
        doc->blocks = b = grown;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

static int doc_owns(const cd_json_doc *doc, const void *p)
{
    for (const doc_block *b = doc->blocks; b; b = b->next)
        if ((const char *)p >= (const char *)b->data &&
            (const char *)p < (const char *)b->data + b->size)
            return 1;
    return 0;
}

static void *hook_malloc(size_t size)
{
    return parsing ? doc_alloc(parsing, size) : malloc(size);
}

static void hook_free(void *p)
{
    if (!parsing || !doc_owns(parsing, p)) /* a failed parse drops its own nodes */
        free(p);
}

static void install_hooks(void)
{
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
}

void cd_json_hooks_install(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_hooks);
}

cd_json_doc *cd_json_doc_parse(const char *text, size_t len)
{
    cd_json_hooks_install();
    cd_json_doc *doc = calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    parsing = doc;
    doc->root = cJSON_ParseWithLength(text, len);
    parsing = NULL;
    if (!doc->root) {
        cd_json_doc_free(doc);
        return NULL;
    }
    return doc;
}

cJSON *cd_json_doc_root(const cd_json_doc *doc)
{
    return doc ? doc->root : NULL;
}

void cd_json_doc_free(cd_json_doc *doc)
{
    if (!doc)
        return;
    for (doc_block *b = doc->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(doc);
}

cJSON *cd_json_read_file(const char *path, size_t max_bytes)
{
    char *text = NULL;
    size_t len = 0;
    if (cd_read_file(path, max_bytes, 0, &text, &len, NULL) != 0)
        return NULL;
    cJSON *json = cJSON_ParseWithLength(text, len);
    free(text);
    return json;
}
