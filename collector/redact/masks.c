/*
 * The ranges a finder marks as secret (masks.h): what is worth masking, and
 * which generic names become secret under their parent.
 */
#include "masks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "carbondump/array.h"
#include "carbondump/secrets.h"

/* ${name}, $secret{alias}, $ref{...}, $env{...}: a pointer to a secret. */
static int is_reference(const char *value, size_t len)
{
    if (len < 3 || value[0] != '$' || value[len - 1] != '}')
        return 0;
    size_t i = 1;
    while (i < len && isalpha((unsigned char)value[i]))
        i++;
    if (i >= len || value[i] != '{')
        return 0;
    for (size_t j = i + 1; j < len - 1; j++)
        if (value[j] == '{' || value[j] == '}')
            return 0;
    return 1;
}

static int is_already_masked(const char *value, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (value[i] != '*')
            return 0;
    return 1;
}

void cd_redact_masks_add(cd_redact_masks *masks, size_t start, size_t end, const char *key,
                         size_t key_len)
{
    if (end > masks->len)
        end = masks->len;
    size_t s = start, e = end;
    while (s < e && isspace((unsigned char)masks->text[s]))
        s++;
    while (e > s && isspace((unsigned char)masks->text[e - 1]))
        e--;
    if (s >= e || is_already_masked(masks->text + s, e - s) || is_reference(masks->text + s, e - s))
        return;
    if (CD_ARRAY_ROOM_FOR_ONE(masks->items, masks->capacity, masks->count) != 0) {
        /* Without room to remember the range, mask everything from here on:
         * losing text is better than leaking a value. */
        if (masks->count > 0) {
            cd_redact_mask *last = &masks->items[masks->count - 1];
            if (start < last->start)
                last->start = start;
            last->end = masks->len;
        }
        return;
    }
    cd_redact_mask *m = &masks->items[masks->count++];
    m->start = start;
    m->end = end;
    size_t room = sizeof m->key - 1;
    const char *k = key_len > room ? key + key_len - room : key;
    size_t n = key_len > room ? room : key_len;
    for (size_t i = 0; i < n; i++) /* a key is one line of the log */
        m->key[i] = iscntrl((unsigned char)k[i]) ? '?' : k[i];
    m->key[n] = '\0';
}

int cd_redact_secret_key(const char *parent, size_t parent_len, const char *name, size_t len)
{
    if (cd_secret_name(name, len))
        return 1;
    int generic = (len == 3 && strncasecmp(name, "key", 3) == 0) ||
                  (len == 5 && strncasecmp(name, "value", 5) == 0);
    if (!generic || !parent || parent_len == 0 || parent_len + 1 + len > 256)
        return 0;
    char joined[260];
    memcpy(joined, parent, parent_len);
    joined[parent_len] = '.';
    memcpy(joined + parent_len + 1, name, len);
    return cd_secret_name(joined, parent_len + 1 + len);
}
