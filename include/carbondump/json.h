/*
 * Integers in the cJSON trees carbondump writes.
 *
 * cJSON 1.7.15 (Debian 12's) prints every number as a double: a printf of
 * "%1.15g" and a scanf back to check it, close to a microsecond each. A
 * thread dump's JSON holds a hundred thousand numbers, and printing them
 * would cost more than everything else in it. Integers are therefore added
 * as raw items that hold their decimal text, which cJSON prints unchanged:
 * a reader sees the same JSON number.
 *
 * Only for trees that are printed: a raw item has no valueint or
 * valuedouble, so code that reads numbers back from a tree it built keeps
 * cJSON's own number items.
 */
#ifndef CARBONDUMP_JSON_H
#define CARBONDUMP_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* A number item for value, or NULL out of memory. */
cJSON *cd_json_integer(int64_t value);

/* Adds name: value to object; returns the item or NULL out of memory. */
cJSON *cd_json_add_integer(cJSON *object, const char *name, int64_t value);

/* The JSON file at path (at most max_bytes), parsed; NULL when it cannot be
 * read or is not JSON. The caller deletes it with cJSON_Delete. */
cJSON *cd_json_read_file(const char *path, size_t max_bytes);

/* A parsed document whose nodes all live in a few large blocks: parsing a
 * large file (a thread dump's threads.json) costs much less than with one
 * malloc per node and string, and the whole tree goes at once. Read only:
 * nothing may be added to, detached from or deleted in the tree, and it is
 * never passed to cJSON_Delete. */
typedef struct cd_json_doc cd_json_doc;

/* Parses len bytes of text; NULL when they are not JSON or memory ran out. */
cd_json_doc *cd_json_doc_parse(const char *text, size_t len);
cJSON *cd_json_doc_root(const cd_json_doc *doc);
void cd_json_doc_free(cd_json_doc *doc);

/* Routes cJSON's allocations through carbondump's (plain malloc and free
 * but while a document is being parsed on the same thread). Call once
 * before starting threads; cd_json_doc_parse calls it too. */
void cd_json_hooks_install(void);

#endif
