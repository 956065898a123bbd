/*
 * The ranges a finder marks as secret (masks.h): what is worth masking, and
 * which generic names become secret under their parent.
 */
#include "masks.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "carbondump/array.h"
#include "carbondump/secrets.h"

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
    if (s >= e || cd_secret_masked(masks->text + s, e - s) ||
        cd_secret_reference(masks->text + s, e - s))
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
