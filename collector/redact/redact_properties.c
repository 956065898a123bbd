/*
 * Secrets in Java .properties files: see redact.h.
 *
 * The syntax is java.util.Properties': a key runs to the first unescaped '=',
 * ':' or blank; the value runs to the end of the line and on over every line
 * that ends in an odd number of backslashes. A value is masked when its key is
 * a secret name; in cipher-text.properties (the secure vault's input) every
 * [plaintext] value is masked whatever its key, since aliases need not say
 * "password" (Analytics.Publisher.Credential=[...]). Comment lines are read as
 * text lines, so "#password=old" is masked too.
 */
#include <stdlib.h>
#include <string.h>

#include "carbondump/secrets.h"
#include "finders.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* The end of the physical line starting at i (the offset of its '\n' or len). */
static size_t line_end(const char *text, size_t len, size_t i)
{
    const char *nl = memchr(text + i, '\n', len - i);
    return nl ? (size_t)(nl - text) : len;
}

/* 1 if the line text[start..end) continues on the next one. */
static int continues(const char *text, size_t start, size_t end)
{
    if (end > start && text[end - 1] == '\r')
        end--;
    size_t backslashes = 0;
    while (end > start && text[end - 1] == '\\') {
        backslashes++;
        end--;
    }
    return backslashes % 2 == 1;
}

/* The key without its escapes, for cd_secret_name. */
static size_t unescape_key(const char *key, size_t len, char *out, size_t out_size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < out_size - 1; i++) {
        if (key[i] == '\\' && i + 1 < len)
            i++;
        out[n++] = key[i];
    }
    out[n] = '\0';
    return n;
}

/* A [plaintext] value: the range inside the brackets (to the end of the value
 * when the bracket is never closed). Returns 0 when the value is not one. */
static int bracketed(const char *text, size_t start, size_t end, size_t *inner_start,
                     size_t *inner_end)
{
    while (start < end && is_blank(text[start]))
        start++;
    if (start >= end || text[start] != '[')
        return 0;
    *inner_start = start + 1;
    *inner_end = end;
    for (size_t i = end; i > start + 1; i--)
        if (text[i - 1] == ']') {
            *inner_end = i - 1;
            break;
        }
    return 1;
}

void cd_redact_find_properties(cd_redact_masks *masks, int cipher_text)
{
    const char *text = masks->text;
    size_t len = masks->len;
    size_t i = 0;
    while (i < len) {
        size_t end = line_end(text, len, i);
        size_t p = i;
        while (p < end && is_blank(text[p]))
            p++;
        if (p >= end || text[p] == '\r') {
            i = end + 1;
            continue;
        }
        if (text[p] == '#' || text[p] == '!') {
            cd_redact_find_lines(masks, p + 1, end);
            i = end + 1;
            continue;
        }
        size_t key_start = p;
        while (p < end && !is_blank(text[p]) && text[p] != '=' && text[p] != ':' &&
               text[p] != '\r') {
            if (text[p] == '\\' && p + 1 < end)
                p++;
            p++;
        }
        size_t key_end = p;
        while (p < end && is_blank(text[p]))
            p++;
        if (p < end && (text[p] == '=' || text[p] == ':'))
            p++;
        while (p < end && is_blank(text[p]))
            p++;
        size_t value_start = p, value_end = end;
        size_t last = end;
        while (continues(text, i, last) && last < len) {
            i = last + 1;
            last = line_end(text, len, i);
            value_end = last;
        }
        if (value_end > value_start && text[value_end - 1] == '\r')
            value_end--;

        char key[256];
        size_t key_len = unescape_key(text + key_start, key_end - key_start, key, sizeof key);
        size_t inner_start, inner_end;
        if (cipher_text && bracketed(text, value_start, value_end, &inner_start, &inner_end))
            cd_redact_masks_add(masks, inner_start, inner_end, key, key_len);
        else if (cd_secret_name(key, key_len))
            cd_redact_masks_add(masks, value_start, value_end, key, key_len);
        i = last + 1;
    }
}
