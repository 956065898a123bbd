/*
 * The forgiving TOML reader: see toml_scan.h.
 *
 * Names are kept as dotted paths of their parts with the quotes taken off
 * ('header.X-KEY' stays one part, so "parent" and "last" are the parts as
 * written, not split at dots inside quotes).
 */
#include "toml_scan.h"

#include <string.h>

#define MAX_PARTS 64
#define MAX_NESTING 32

typedef struct name_path {
    char text[CD_TOML_NAME_MAX];
    size_t len;
    size_t part_start[MAX_PARTS]; /* where each part begins in text */
    int parts;
} name_path;

typedef struct parser {
    const char *text;
    size_t len, pos;
    const cd_toml_handler *handler;
    void *context;
    name_path table;
    name_path key;
} parser;

static void path_push(name_path *path, const char *part, size_t len)
{
    if (path->parts > 0 && path->len < sizeof path->text - 1)
        path->text[path->len++] = '.';
    size_t room = sizeof path->text - 1 - path->len;
    if (len > room)
        len = room;
    if (path->parts < MAX_PARTS)
        path->part_start[path->parts] = path->len;
    path->parts++;
    memcpy(path->text + path->len, part, len);
    path->len += len;
    path->text[path->len] = '\0';
}

/* Back to the first `parts` parts. */
static void path_truncate(name_path *path, int parts)
{
    if (parts >= path->parts)
        return;
    if (parts <= 0) {
        path->len = 0;
        path->parts = 0;
    } else if (parts < MAX_PARTS) {
        path->len = path->part_start[parts] - 1; /* drop the '.' too */
        path->parts = parts;
    }
    path->text[path->len] = '\0';
}

/* The i-th part (0-based) as pointer and length. */
static const char *path_part(const name_path *path, int i, size_t *len)
{
    if (i < 0 || i >= path->parts || i >= MAX_PARTS) {
        *len = 0;
        return "";
    }
    size_t start = path->part_start[i];
    size_t end = i + 1 < path->parts && i + 1 < MAX_PARTS ? path->part_start[i + 1] - 1 : path->len;
    *len = end - start;
    return path->text + start;
}

static int at_end(const parser *p)
{
    return p->pos >= p->len;
}

static char peek(const parser *p, size_t ahead)
{
    return p->pos + ahead < p->len ? p->text[p->pos + ahead] : '\0';
}

static void skip_blanks(parser *p)
{
    while (!at_end(p) && (peek(p, 0) == ' ' || peek(p, 0) == '\t'))
        p->pos++;
}

static void skip_to_line_end(parser *p)
{
    while (!at_end(p) && peek(p, 0) != '\n')
        p->pos++;
}

static void comment(parser *p)
{
    size_t start = ++p->pos;
    skip_to_line_end(p);
    if (p->handler->comment)
        p->handler->comment(p->context, start, p->pos);
}

/* Blanks, line breaks and comments (inside arrays and inline tables). */
static void skip_space_and_comments(parser *p)
{
    for (;;) {
        char c = peek(p, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            p->pos++;
        else if (c == '#')
            comment(p);
        else
            return;
    }
}

/* One key part at pos: "quoted", 'literal' or bare. Returns 0 if there is none. */
static int key_part(parser *p, name_path *path)
{
    char c = peek(p, 0);
    size_t start, end;
    if (c == '"' || c == '\'') {
        start = ++p->pos;
        while (!at_end(p) && peek(p, 0) != c && peek(p, 0) != '\n') {
            if (c == '"' && peek(p, 0) == '\\' && peek(p, 1) != '\n')
                p->pos++;
            p->pos++;
        }
        end = p->pos < p->len ? p->pos : p->len;
        if (peek(p, 0) == c)
            p->pos++;
    } else {
        start = p->pos;
        while (!at_end(p)) {
            c = peek(p, 0);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-'))
                break;
            p->pos++;
        }
        end = p->pos;
        if (end == start)
            return 0;
    }
    path_push(path, p->text + start, end - start);
    return 1;
}

/* A dotted key: a.b."c d". Returns the number of parts read. */
static int dotted_key(parser *p, name_path *path)
{
    int parts = 0;
    for (;;) {
        skip_blanks(p);
        if (!key_part(p, path))
            return parts;
        parts++;
        skip_blanks(p);
        if (peek(p, 0) != '.')
            return parts;
        p->pos++;
    }
}

static void emit(parser *p, cd_toml_kind kind, size_t start, size_t end, int terminated,
                 int in_array)
{
    if (!p->handler->value)
        return;
    cd_toml_value v = {0};
    v.table = p->table.text;
    v.table_len = p->table.len;
    v.key = p->key.text;
    v.key_len = p->key.len;
    v.last = path_part(&p->key, p->key.parts - 1, &v.last_len);
    if (p->key.parts >= 2)
        v.parent = path_part(&p->key, p->key.parts - 2, &v.parent_len);
    else
        v.parent = path_part(&p->table, p->table.parts - 1, &v.parent_len);
    v.kind = kind;
    v.start = start;
    v.end = end;
    v.terminated = terminated;
    v.in_array = in_array;
    p->handler->value(p->context, &v);
}

/* A string opened by `quote` (one or three characters) at pos. */
static void string_value(parser *p, char quote, int triple, int in_array)
{
    p->pos += triple ? 3 : 1;
    size_t start = p->pos;
    int escapes = quote == '"';
    while (!at_end(p)) {
        char c = peek(p, 0);
        if (escapes && c == '\\' && p->pos + 1 < p->len) {
            p->pos += 2;
            continue;
        }
        if (!triple && c == '\n')
            break;
        if (c == quote && (!triple || (peek(p, 1) == quote && peek(p, 2) == quote))) {
            /* """a"""" : up to two quotes before the closing three are content */
            size_t extra = 0;
            while (triple && extra < 2 && peek(p, 3 + extra) == quote)
                extra++;
            size_t end = p->pos + extra;
            p->pos = end + (triple ? 3 : 1);
            emit(p,
                 triple         ? CD_TOML_MULTILINE
                 : quote == '"' ? CD_TOML_BASIC
                                : CD_TOML_LITERAL,
                 start, end, 1, in_array);
            return;
        }
        p->pos++;
    }
    size_t end = p->pos;
    if (!triple && end > start && p->text[end - 1] == '\r')
        end--;
    emit(p,
         triple         ? CD_TOML_MULTILINE
         : quote == '"' ? CD_TOML_BASIC
                        : CD_TOML_LITERAL,
         start, end, 0, in_array);
}

static void value(parser *p, int in_array, int nesting);

static void array_value(parser *p, int nesting)
{
    p->pos++; /* [ */
    for (;;) {
        skip_space_and_comments(p);
        if (at_end(p))
            return;
        if (peek(p, 0) == ']') {
            p->pos++;
            return;
        }
        if (peek(p, 0) == ',') {
            p->pos++;
            continue;
        }
        size_t before = p->pos;
        value(p, 1, nesting + 1);
        if (p->pos == before)
            p->pos++;
    }
}

static void inline_table(parser *p, int nesting)
{
    p->pos++; /* { */
    int outer_parts = p->key.parts;
    for (;;) {
        skip_space_and_comments(p);
        if (at_end(p))
            return;
        char c = peek(p, 0);
        if (c == '}') {
            p->pos++;
            return;
        }
        if (c == ',') {
            p->pos++;
            continue;
        }
        size_t before = p->pos;
        if (dotted_key(p, &p->key) > 0) {
            skip_blanks(p);
            if (peek(p, 0) == '=') {
                p->pos++;
                value(p, 0, nesting + 1);
            }
        }
        path_truncate(&p->key, outer_parts);
        if (p->pos == before)
            p->pos++;
    }
}

static void value(parser *p, int in_array, int nesting)
{
    skip_blanks(p);
    char c = peek(p, 0);
    if (nesting > MAX_NESTING) { /* absurdly deep: the rest of the line is the value */
        size_t start = p->pos;
        skip_to_line_end(p);
        emit(p, CD_TOML_BARE, start, p->pos, 0, in_array);
    } else if (c == '"' || c == '\'') {
        string_value(p, c, peek(p, 1) == c && peek(p, 2) == c, in_array);
    } else if (c == '[') {
        array_value(p, nesting);
    } else if (c == '{') {
        inline_table(p, nesting);
    } else if (nesting == 0) {
        /* a bare value on its own line runs to the line's end: in well-formed
         * TOML that is the value and perhaps a comment, in broken TOML it may be
         * a value with blanks, which must not be half masked */
        size_t start = p->pos;
        skip_to_line_end(p);
        size_t end = p->pos;
        while (end > start &&
               (p->text[end - 1] == '\r' || p->text[end - 1] == ' ' || p->text[end - 1] == '\t'))
            end--;
        if (end > start)
            emit(p, CD_TOML_BARE, start, end, 1, in_array);
    } else {
        size_t start = p->pos;
        while (!at_end(p) && !strchr(" \t\r\n,]}#", peek(p, 0)))
            p->pos++;
        if (p->pos > start)
            emit(p, CD_TOML_BARE, start, p->pos, 1, in_array);
    }
}

/* [table] or [[array.of.tables]] */
static void table_header(parser *p)
{
    int twice = peek(p, 1) == '[';
    p->pos += twice ? 2 : 1;
    path_truncate(&p->table, 0);
    dotted_key(p, &p->table);
    skip_blanks(p);
    while (peek(p, 0) == ']')
        p->pos++;
    skip_blanks(p);
    if (peek(p, 0) == '#')
        comment(p);
    else
        skip_to_line_end(p);
}

void cd_toml_scan(const char *text, size_t len, const cd_toml_handler *handler, void *context)
{
    parser p = {.text = text, .len = len, .handler = handler, .context = context};
    while (!at_end(&p)) {
        char c = peek(&p, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            p.pos++;
        } else if (c == '#') {
            comment(&p);
        } else if (c == '[') {
            table_header(&p);
        } else {
            size_t before = p.pos;
            path_truncate(&p.key, 0);
            if (dotted_key(&p, &p.key) > 0) {
                skip_blanks(&p);
                if (peek(&p, 0) == '=') {
                    p.pos++;
                    value(&p, 0, 0);
                }
            }
            /* anything else on the line is not TOML we understand */
            skip_blanks(&p);
            if (!at_end(&p) && peek(&p, 0) != '\n' && peek(&p, 0) != '#' && peek(&p, 0) != '\r')
                skip_to_line_end(&p);
            if (p.pos == before)
                p.pos++;
        }
    }
}
