/*
 * Sets of 64-bit ids, for the heap dump code (HPROF object, class and name
 * ids; JVMTI tags).
 *
 *  - cd_idlist: a growing array. Append freely; cd_idlist_seal() sorts it and
 *    drops duplicates, after which cd_idlist_has() answers by binary search
 *    (before, and after another append, by a scan). For sets built once and
 *    then asked often, or for very small ones.
 *  - cd_idmap: a hash map from nonzero ids to 32-bit values, kept at most half
 *    full, for sets that are asked while they grow. Ids are never removed.
 */
#ifndef CARBONDUMP_IDSET_H
#define CARBONDUMP_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct cd_idlist {
    uint64_t *items;
    size_t count, cap;
    int sealed;
} cd_idlist;

/* Returns 0, or -1 out of memory. */
int cd_idlist_push(cd_idlist *list, uint64_t id);
void cd_idlist_seal(cd_idlist *list);
int cd_idlist_has(const cd_idlist *list, uint64_t id);
/* The position of id in the list, or -1. */
long cd_idlist_index(const cd_idlist *list, uint64_t id);
void cd_idlist_free(cd_idlist *list);

typedef struct cd_idmap {
    uint64_t *keys;
    uint32_t *values;
    size_t cap, count;
} cd_idmap;

/* 1 and *value (if value) when key is in the map, else 0. */
int cd_idmap_find(const cd_idmap *map, uint64_t key, uint32_t *value);
/* Adds key (nonzero) with value: 0 added, 1 already there (value kept), -1 out
 * of memory. */
int cd_idmap_add(cd_idmap *map, uint64_t key, uint32_t value);
void cd_idmap_free(cd_idmap *map);

#endif
