/*
 * Integers in cJSON trees: see include/carbondump/json.h.
 */
#include "carbondump/json.h"

#include <stddef.h>

size_t cd_format_int(int64_t value, char *text)
{
    /* the magnitude as unsigned, so INT64_MIN has one too */
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    size_t len = 0;
    if (value < 0)
        text[len++] = '-';
    while (n)
        text[len++] = digits[--n];
    text[len] = '\0';
    return len;
}

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
