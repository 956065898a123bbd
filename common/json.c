/*
 * Integers in cJSON trees: see include/carbondump/json.h.
 */
#include "carbondump/json.h"

#include "carbondump/fsutil.h"

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
