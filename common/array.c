/*
 * Growable arrays (array.h).
 */
#include "carbondump/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cd_array_reserve(void *items, size_t *capacity, size_t needed, size_t item_size)
{
    if (needed <= *capacity)
        return 0;
    size_t room = *capacity ? *capacity : CD_ARRAY_FIRST_ROOM;
    while (room < needed)
        room = room > SIZE_MAX / 2 ? needed : room * 2;
    if (item_size && room > SIZE_MAX / item_size)
        return -1;
    /* items is the address of some T *: read and write it as bytes, which
     * every object pointer type allows. */
    void *old;
    memcpy(&old, items, sizeof old);
    void *grown = realloc(old, room * item_size);
    if (!grown)
        return -1;
    memcpy(items, &grown, sizeof grown);
    *capacity = room;
    return 0;
}
