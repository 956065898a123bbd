/*
 * The forgiving XML tokenizer: see xml_scan.h.
 */
#include "xml_scan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"

typedef struct scanner {
    const char *text;
    size_t end;
    cd_xml_attr *attrs;
    size_t attr_capacity;
} scanner;

static int is_name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':' || (unsigned char)c >= 0x80;
}

static int is_name_char(char c)
{
    return is_name_start(c) || isdigit((unsigned char)c) || c == '-' || c == '.';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The offset just past the first `marker` at or after from, or end. */
static size_t find_after(const scanner *s, size_t from, const char *marker, int *found)
{
    size_t n = strlen(marker);
    for (size_t i = from; i + n <= s->end; i++)
        if (memcmp(s->text + i, marker, n) == 0) {
            *found = 1;
            return i + n;
        }
    *found = 0;
    return s->end;
}

static int starts_with(const scanner *s, size_t at, const char *prefix)
{
    size_t n = strlen(prefix);
    return at + n <= s->end && memcmp(s->text + at, prefix, n) == 0;
}

/* <!-- -->, <![CDATA[ ]]>, <? ?>: a token with content between fixed markers. */
static size_t delimited(scanner *s, size_t at, cd_xml_kind kind, const char *open,
                        const char *close, cd_xml_token *t)
{
    t->kind = kind;
    t->content_start = at + strlen(open);
    int found;
    size_t after = find_after(s, t->content_start, close, &found);
    t->terminated = found;
    t->content_end = found ? after - strlen(close) : s->end;
    return after;
}

/* <!DOCTYPE ...> with an optional [internal subset]. */
static size_t declaration(scanner *s, size_t at, cd_xml_token *t)
{
    t->kind = CD_XML_OTHER;
    int brackets = 0;
    char quote = 0;
    for (size_t i = at + 2; i < s->end; i++) {
        char c = s->text[i];
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[') {
            brackets++;
        } else if (c == ']') {
            brackets -= brackets > 0;
        } else if (c == '>' && brackets == 0) {
            t->terminated = 1;
            return i + 1;
        }
    }
    t->terminated = 0;
    return s->end;
}

static int push_attr(scanner *s, size_t count, const cd_xml_attr *attr)
{
    if (CD_ARRAY_ROOM_FOR_ONE(s->attrs, s->attr_capacity, count) != 0)
        return -1;
    s->attrs[count] = *attr;
    return 0;
}

/* <name a="v" b='w' c=bare d>: returns the offset after it, or 0 when out of
 * memory. */
static size_t start_tag(scanner *s, size_t at, cd_xml_token *t)
{
    const char *text = s->text;
    size_t i = at + 1;
    t->kind = CD_XML_START;
    t->name = text + i;
    while (i < s->end && is_name_char(text[i]))
        i++;
    t->name_len = (size_t)(text + i - t->name);
    size_t count = 0;
    t->terminated = 0;
    while (i < s->end) {
        while (i < s->end && is_space(text[i]))
            i++;
        if (i >= s->end)
            break;
        if (text[i] == '>') {
            t->terminated = 1;
            i++;
            break;
        }
        if (text[i] == '/' && i + 1 < s->end && text[i + 1] == '>') {
            t->self_closing = 1;
            t->terminated = 1;
            i += 2;
            break;
        }
        if (text[i] == '<') /* a tag that never closed; the next one starts here */
            break;
        cd_xml_attr attr = {text + i, 0, 0, 0, 1};
        while (i < s->end && !is_space(text[i]) && text[i] != '=' && text[i] != '>' &&
               text[i] != '<' && !(text[i] == '/' && i + 1 < s->end && text[i + 1] == '>'))
            i++;
        attr.name_len = (size_t)(text + i - attr.name);
        if (attr.name_len == 0) { /* a stray character: step over it */
            i++;
            continue;
        }
        size_t j = i;
        while (j < s->end && is_space(text[j]))
            j++;
        attr.value_start = attr.value_end = i;
        if (j < s->end && text[j] == '=') {
            j++;
            while (j < s->end && is_space(text[j]))
                j++;
            if (j < s->end && (text[j] == '"' || text[j] == '\'')) {
                char quote = text[j];
                attr.value_start = j + 1;
                const char *close = memchr(text + j + 1, quote, s->end - (j + 1));
                attr.value_end = close ? (size_t)(close - text) : s->end;
                attr.terminated = close != NULL;
                i = close ? attr.value_end + 1 : s->end;
            } else {
                attr.value_start = j;
                while (j < s->end && !is_space(text[j]) && text[j] != '>' && text[j] != '<')
                    j++;
                attr.value_end = j;
                i = j;
            }
        }
        if (push_attr(s, count, &attr) != 0)
            return 0;
        count++;
    }
    t->attrs = s->attrs;
    t->attr_count = count;
    return i;
}

static size_t end_tag(scanner *s, size_t at, cd_xml_token *t)
{
    size_t i = at + 2;
    t->kind = CD_XML_END;
    t->name = s->text + i;
    while (i < s->end && is_name_char(s->text[i]))
        i++;
    t->name_len = (size_t)(s->text + i - t->name);
    const char *close = memchr(s->text + i, '>', s->end - i);
    t->terminated = close != NULL;
    return close ? (size_t)(close - s->text) + 1 : s->end;
}

int cd_xml_scan(const char *text, size_t start, size_t end, cd_xml_fn fn, void *context)
{
    scanner s = {text, end, NULL, 0};
    size_t at = start;
    int rc = 0;
    while (at < end) {
        cd_xml_token t;
        memset(&t, 0, sizeof t);
        t.start = at;
        t.terminated = 1;
        size_t next;
        if (text[at] != '<' || at + 1 >= end ||
            !(is_name_start(text[at + 1]) || text[at + 1] == '/' || text[at + 1] == '!' ||
              text[at + 1] == '?')) {
            /* text up to the next thing that looks like markup */
            next = at + 1;
            while (next < end && text[next] != '<')
                next++;
            t.kind = CD_XML_TEXT;
            t.content_start = at;
            t.content_end = next;
        } else if (starts_with(&s, at, "<!--")) {
            next = delimited(&s, at, CD_XML_COMMENT, "<!--", "-->", &t);
        } else if (starts_with(&s, at, "<![CDATA[")) {
            next = delimited(&s, at, CD_XML_CDATA, "<![CDATA[", "]]>", &t);
        } else if (text[at + 1] == '?') {
            next = delimited(&s, at, CD_XML_OTHER, "<?", "?>", &t);
        } else if (text[at + 1] == '!') {
            next = declaration(&s, at, &t);
        } else if (text[at + 1] == '/') {
            next = end_tag(&s, at, &t);
        } else {
            next = start_tag(&s, at, &t);
            if (next == 0) {
                rc = -1;
                break;
            }
        }
        t.end = next;
        if (fn(context, &t) != 0)
            break;
        at = next;
    }
    free(s.attrs);
    return rc;
}

const char *cd_xml_local_name(const char *name, size_t len, size_t *local_len)
{
    const char *colon = memchr(name, ':', len);
    if (!colon) {
        *local_len = len;
        return name;
    }
    *local_len = len - (size_t)(colon + 1 - name);
    return colon + 1;
}
