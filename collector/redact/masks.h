/*
 * What a finder reports: the byte ranges of one text that hold secret values,
 * each with the key that made it secret. Shared by the finders (finders.h)
 * and cd_redact_text, which writes the text with the ranges masked.
 *
 *   cd_redact_masks_add    mark a range, unless it is empty, masked or a reference
 *   cd_redact_secret_key   is a (parent, name) pair a secret
 */
#ifndef CARBONDUMP_REDACT_MASKS_H
#define CARBONDUMP_REDACT_MASKS_H

#include <stddef.h>

typedef struct cd_redact_mask {
    size_t start, end; /* the value: text[start..end) */
    char key[160];
} cd_redact_mask;

/* The ranges found in one text, in any order, possibly overlapping. */
typedef struct cd_redact_masks {
    const char *text;
    size_t len;
    cd_redact_mask *items;
    size_t count, capacity;
} cd_redact_masks;

/* Adds text[start..end) under key (key_len bytes; may be longer than the slot:
 * its end is kept). Ranges that are empty, blank, already masked or only a
 * reference (${...}, $name{...}) are not added. */
void cd_redact_masks_add(cd_redact_masks *masks, size_t start, size_t end, const char *key,
                         size_t key_len);

/* 1 if name (len bytes) is a secret, or is the generic word "key" or "value"
 * under a parent whose name makes it one ("encryption" + "key"). parent may be
 * NULL. Shared by the TOML and JSON finders. */
int cd_redact_secret_key(const char *parent, size_t parent_len, const char *name, size_t len);

#endif
