/*
 * Sets of 64-bit ids: see include/carbondump/idset.h.
 */
#include "carbondump/idset.h"
#include "carbondump/array.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- lists */

int cd_idlist_push(cd_idlist *list, uint64_t id)
{
    if (CD_ARRAY_ROOM_FOR_ONE(list->items, list->cap, list->count) != 0)
        return -1;
    list->items[list->count++] = id;
    list->sealed = 0;
    return 0;
}

static int compare_ids(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void cd_idlist_seal(cd_idlist *list)
{
    if (list->sealed)
        return;
    if (list->count)
        qsort(list->items, list->count, sizeof *list->items, compare_ids);
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++)
        if (kept == 0 || list->items[kept - 1] != list->items[i])
            list->items[kept++] = list->items[i];
    list->count = kept;
    list->sealed = 1;
}

long cd_idlist_index(const cd_idlist *list, uint64_t id)
{
    if (!list->count)
        return -1;
    if (!list->sealed) {
        for (size_t i = 0; i < list->count; i++)
            if (list->items[i] == id)
                return (long)i;
        return -1;
    }
    const uint64_t *found = bsearch(&id, list->items, list->count, sizeof id, compare_ids);
    return found ? (long)(found - list->items) : -1;
}

int cd_idlist_has(const cd_idlist *list, uint64_t id)
{
    return cd_idlist_index(list, id) >= 0;
}

void cd_idlist_free(cd_idlist *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* ---------------------------------------------------------------- maps */

static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

int cd_idmap_find(const cd_idmap *map, uint64_t key, uint32_t *value)
{
    if (!map->cap || key == 0)
        return 0;
    for (size_t i = slot_of(key, map->cap);; i = (i + 1) & (map->cap - 1)) {
        if (map->keys[i] == key) {
            if (value)
                *value = map->values[i];
            return 1;
        }
        if (map->keys[i] == 0)
            return 0;
    }
}

static int grow(cd_idmap *map)
{
    size_t cap = map->cap ? map->cap * 2 : 1024;
    uint64_t *keys = calloc(cap, sizeof *keys);
    uint32_t *values = calloc(cap, sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return -1;
    }
    for (size_t i = 0; i < map->cap; i++) {
        if (!map->keys[i])
            continue;
        size_t j = slot_of(map->keys[i], cap);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = map->keys[i];
        values[j] = map->values[i];
    }
    free(map->keys);
    free(map->values);
    map->keys = keys;
    map->values = values;
    map->cap = cap;
    return 0;
}

int cd_idmap_add(cd_idmap *map, uint64_t key, uint32_t value)
{
    if ((map->count + 1) * 2 > map->cap && grow(map) != 0)
        return -1;
    size_t i = slot_of(key, map->cap);
    while (map->keys[i]) {
        if (map->keys[i] == key)
            return 1;
        i = (i + 1) & (map->cap - 1);
    }
    map->keys[i] = key;
    map->values[i] = value;
    map->count++;
    return 0;
}

void cd_idmap_free(cd_idmap *map)
{
    free(map->keys);
    free(map->values);
    memset(map, 0, sizeof *map);
}
