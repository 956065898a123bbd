/*
 * Secrets in JSON (updates/config.json's tokens, *.json under conf): see
 * redact.h.
 *
 * A value is masked when its key is a secret name (or the generic "key"/"value"
 * under a parent that makes it one), and everything below a secret key is
 * masked too: "credentials": {"user": ..., "password": ...} leaves nothing.
 * Strings keep their quotes; a secret number or boolean becomes a bare
 * ******** (the one place the file stops being JSON), null stays null. The reader is a tokenizer
 * with a stack, not a validator: comments are read as text lines, malformed input is passed over,
 * and a string the input never closes is masked to the end when it is a secret value.
 */
#include <string.h>

#include "finders.h"

#define MAX_DEPTH 128
#define PATH_MAX_BYTES 512

typedef struct level {
    char type;                 /* '{' or '[' */
    int secret;                /* everything inside is secret */
    int expect_key;            /* in an object: the next string is a key */
    size_t key_start, key_len; /* the last key seen in this object */
    size_t path_len;           /* the path up to this container */
} level;

typedef struct json_redactor {
    cd_redact_masks *masks;
    level stack[MAX_DEPTH];
    int depth; /* may exceed MAX_DEPTH: deeper levels inherit the deepest tracked one */
    char path[PATH_MAX_BYTES];
    size_t path_len;
} json_redactor;

static level *top(json_redactor *r)
{
    if (r->depth == 0)
        return NULL;
    return &r->stack[(r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH) - 1];
}

/* Whether the value about to come is secret, and its key path in key. */
static int value_is_secret(json_redactor *r, char *key, size_t *key_len)
{
    level *l = top(r);
    const char *text = r->masks->text;
    *key_len = 0;
    if (!l)
        return 0;
    size_t n = r->path_len;
    memcpy(key, r->path, n);
    /* The key joins the path while there is room for it, a dot and the NUL;
     * a longer path is cut (secrecy is judged from the key itself). */
    if (l->type == '{' && l->key_len && n + 2 < PATH_MAX_BYTES) {
        size_t room = PATH_MAX_BYTES - 2 - n;
        size_t add = l->key_len < room ? l->key_len : room;
        if (n)
            key[n++] = '.';
        memcpy(key + n, text + l->key_start, add);
        n += add;
    }
    key[n] = '\0';
    *key_len = n;
    /* beyond the stack keys cannot be told from values: mask them all */
    if (l->secret || r->depth > MAX_DEPTH)
        return 1;
    if (l->type != '{' || !l->key_len)
        return 0;
    /* the parent is the last part of the path to this object */
    const char *parent = r->path;
    size_t parent_len = r->path_len;
    const char *dot = NULL;
    for (size_t i = 0; i < r->path_len; i++)
        if (r->path[i] == '.')
            dot = r->path + i;
    if (dot) {
        parent = dot + 1;
        parent_len = r->path_len - (size_t)(parent - r->path);
    }
    return cd_redact_secret_key(parent, parent_len, text + l->key_start, l->key_len);
}

static void open_container(json_redactor *r, char type)
{
    char key[PATH_MAX_BYTES];
    size_t key_len;
    int secret = value_is_secret(r, key, &key_len);
    if (r->depth < MAX_DEPTH) {
        level *l = &r->stack[r->depth];
        memset(l, 0, sizeof *l);
        l->type = type;
        l->secret = secret;
        l->expect_key = type == '{';
        l->path_len = r->path_len;
        if (key_len) { /* the container's path is its key's */
            memcpy(r->path, key, key_len);
            r->path_len = key_len;
        }
    }
    r->depth++;
}

static void close_container(json_redactor *r)
{
    if (r->depth == 0)
        return;
    if (r->depth <= MAX_DEPTH)
        r->path_len = r->stack[r->depth - 1].path_len;
    r->depth--;
}

/* A string starting at the quote at i; returns the offset after it. */
static size_t string_token(json_redactor *r, size_t i)
{
    const char *text = r->masks->text;
    size_t len = r->masks->len, start = i + 1, j = start;
    while (j < len && text[j] != '"' && text[j] != '\n') { /* JSON strings are one line */
        if (text[j] == '\\' && j + 1 < len && text[j + 1] != '\n')
            j++;
        j++;
    }
    int terminated = j < len && text[j] == '"';
    level *l = top(r);
    if (l && l->type == '{' && l->expect_key && r->depth <= MAX_DEPTH) {
        l->key_start = start;
        l->key_len = j - start;
        l->expect_key = 0;
    } else {
        char key[PATH_MAX_BYTES];
        size_t key_len;
        if (value_is_secret(r, key, &key_len))
            cd_redact_masks_add(r->masks, start, terminated ? j : len, key, key_len);
        else if (!terminated)
            return j; /* an unclosed string that holds no secret: read on after it */
    }
    return terminated ? j + 1 : len;
}

/* A number, true, false, null or garbage starting at i. */
static size_t bare_token(json_redactor *r, size_t i)
{
    const char *text = r->masks->text;
    size_t len = r->masks->len, j = i;
    while (j < len && !strchr(",:{}[]\" \t\r\n/", text[j]))
        j++;
    if (j == i)
        return i + 1;
    char key[PATH_MAX_BYTES];
    size_t key_len;
    level *l = top(r);
    int is_null = j - i == 4 && memcmp(text + i, "null", 4) == 0;
    int is_key = l && l->type == '{' && l->expect_key && r->depth <= MAX_DEPTH;
    if (!is_null && !is_key && value_is_secret(r, key, &key_len))
        cd_redact_masks_add(r->masks, i, j, key, key_len);
    return j;
}

/* // and slash-star comments, which some "JSON" configuration files carry. */
static size_t comment_token(json_redactor *r, size_t i)
{
    const char *text = r->masks->text;
    size_t len = r->masks->len;
    if (i + 1 >= len || (text[i + 1] != '/' && text[i + 1] != '*'))
        return bare_token(r, i);
    size_t end;
    if (text[i + 1] == '/') {
        const char *nl = memchr(text + i, '\n', len - i);
        end = nl ? (size_t)(nl - text) : len;
    } else {
        const char *close = memmem(text + i + 2, len - i - 2, "*/", 2);
        end = close ? (size_t)(close - text) + 2 : len;
    }
    cd_redact_find_lines(r->masks, i + 2, end);
    return end;
}

void cd_redact_find_json(cd_redact_masks *masks)
{
    json_redactor r = {.masks = masks};
    const char *text = masks->text;
    size_t i = 0;
    while (i < masks->len) {
        char c = text[i];
        level *l = top(&r);
        switch (c) {
        case '{':
        case '[':
            open_container(&r, c);
            i++;
            break;
        case '}':
        case ']':
            close_container(&r);
            i++;
            break;
        case ',':
            if (l && l->type == '{') {
                l->expect_key = 1;
                l->key_len = 0;
            }
            i++;
            break;
        case ':':
            if (l && l->type == '{')
                l->expect_key = 0;
            i++;
            break;
        case '"': i = string_token(&r, i); break;
        case '/': i = comment_token(&r, i); break;
        case ' ':
        case '\t':
        case '\r':
        case '\n': i++; break;
        default: i = bare_token(&r, i); break;
        }
    }
}
