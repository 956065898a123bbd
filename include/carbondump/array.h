/*
 * Growable arrays: the one place that decides how an array grows, for the
 * agent and the collector alike. An array is a pointer to its items and the
 * number of items it has room for; the caller keeps its own count.
 *
 *   cd_array_reserve       room for at least n items
 *   CD_ARRAY_ROOM_FOR_ONE  room for one more item after count
 */
#ifndef CARBONDUMP_ARRAY_H
#define CARBONDUMP_ARRAY_H

#include <stddef.h>

/* The room a new array starts with, in items. */
#define CD_ARRAY_FIRST_ROOM 16

/* Makes room for at least needed items of item_size bytes in the array whose
 * address is items (a T **, passed as void *) and whose room is *capacity
 * items: the room doubles until it is enough, starting from
 * CD_ARRAY_FIRST_ROOM. Returns 0, or -1 when out of memory or when the size
 * would overflow; the array and *capacity are then unchanged. */
int cd_array_reserve(void *items, size_t *capacity, size_t needed, size_t item_size);

/* Room for the item after the first count of array items (a T * lvalue),
 * whose room is capacity (a size_t lvalue). 0 or -1, as cd_array_reserve. */
#define CD_ARRAY_ROOM_FOR_ONE(items, capacity, count)                                          \
    cd_array_reserve(&(items), &(capacity), (count) + 1, sizeof *(items))

#endif
