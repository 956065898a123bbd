/*
 * Secrets in lines of text: logs, and every copied file that is not XML,
 * properties, TOML or JSON (YAML, .conf, .ini, scripts); also the comments of
 * those formats. See redact.h.
 *
 * Line by line, a value is masked when it follows a secret name as
 *   name=value  name = "value"  name: value  "name": "value"  -Dname=value
 *   <name>value</name>         (XML printed into a log)
 *   scheme://user:value@host   (credentials in a URL, whatever the names)
 *   Authorization: Basic value (and Bearer, Digest, ...)
 * An unquoted value ends at a blank or one of , ; & ) ] } < > " '; a quoted one
 * at its closing quote, or at the end of the line when there is none.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "carbondump/secrets.h"
#include "finders.h"

/* Character classes, looked up: a log is scanned byte by byte. */
enum { NAME_CHAR = 1, VALUE_END = 2 };
static const unsigned char char_class[256] = {
    ['0' ... '9'] = NAME_CHAR, ['A' ... 'Z'] = NAME_CHAR,   ['a' ... 'z'] = NAME_CHAR,
    ['_'] = NAME_CHAR,         ['.'] = NAME_CHAR,           ['-'] = NAME_CHAR,
    [' '] = VALUE_END,         ['\t' ... '\r'] = VALUE_END, [','] = VALUE_END,
    [';'] = VALUE_END,         ['&'] = VALUE_END,           [')'] = VALUE_END,
    [']'] = VALUE_END,         ['}'] = VALUE_END,           ['<'] = VALUE_END,
    ['>'] = VALUE_END,         ['"'] = VALUE_END,           ['\''] = VALUE_END,
};

static int is_name_char(char c)
{
    return char_class[(unsigned char)c] & NAME_CHAR;
}

static int ends_unquoted_value(char c)
{
    return char_class[(unsigned char)c] & VALUE_END;
}

/* 1 for "AccessTokenIssuer.java": a source file named in a stack trace. */
static int is_source_file(const char *name, size_t len)
{
    static const char *const extensions[] = {".java", ".kt", ".scala", ".groovy", ".js", ".jsp"};
    for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++) {
        size_t n = strlen(extensions[i]);
        if (len > n && strncasecmp(name + len - n, extensions[i], n) == 0)
            return 1;
    }
    return 0;
}

/* The value starting at p (a quote, or a bare word): masks it, returns where
 * it ends. */
static size_t mask_value(cd_redact_masks *masks, size_t p, size_t end, const char *key,
                         size_t key_len)
{
    const char *text = masks->text;
    if (p < end && (text[p] == '"' || text[p] == '\'')) {
        const char *close = memchr(text + p + 1, text[p], end - (p + 1));
        size_t value_end = close ? (size_t)(close - text) : end;
        cd_redact_masks_add(masks, p + 1, value_end, key, key_len);
        return close ? value_end + 1 : end;
    }
    size_t value_end = p;
    while (value_end < end && !ends_unquoted_value(text[value_end]))
        value_end++;
    cd_redact_masks_add(masks, p, value_end, key, key_len);
    return value_end;
}

/* "Authorization: Basic xyz": the credentials after the scheme word. */
static size_t authorization(cd_redact_masks *masks, size_t p, size_t end)
{
    const char *text = masks->text;
    size_t word = p;
    while (word < end && isalpha((unsigned char)text[word]))
        word++;
    size_t value = word;
    while (value < end && text[value] == ' ')
        value++;
    if (word == p || value == word) /* no scheme: the whole value is the secret */
        return mask_value(masks, p, end, "Authorization", 13);
    return mask_value(masks, value, end, "Authorization", 13);
}

/* scheme://user:password@host: masks password; p is just after "://". */
static void url_credentials(cd_redact_masks *masks, size_t p, size_t end)
{
    const char *text = masks->text;
    size_t colon = 0;
    for (size_t i = p; i < end; i++) {
        char c = text[i];
        if (c == '/' || c == '?' || c == '#' || isspace((unsigned char)c))
            return;
        if (c == ':' && !colon)
            colon = i;
        if (c == '@') {
            if (colon)
                cd_redact_masks_add(masks, colon + 1, i, "url-credentials", 15);
            return;
        }
    }
}

/* One line, text[start..end). */
static void scan_line(cd_redact_masks *masks, size_t start, size_t end)
{
    const char *text = masks->text;
    size_t i = start;
    while (i < end) {
        if (text[i] == ':' && i + 2 < end && text[i + 1] == '/' && text[i + 2] == '/') {
            url_credentials(masks, i + 3, end);
            i += 3;
            continue;
        }
        if (!is_name_char(text[i]) || (i > start && is_name_char(text[i - 1]))) {
            i++;
            continue;
        }
        size_t name = i;
        while (i < end && is_name_char(text[i]))
            i++;
        size_t name_len = i - name;
        int tagged = name > start && text[name - 1] == '<' && i < end && text[i] == '>';
        size_t p = i;
        /* "name": value, 'name' = value */
        if (name > start && (text[name - 1] == '"' || text[name - 1] == '\'') && p < end &&
            text[p] == text[name - 1])
            p++;
        while (p < end && (text[p] == ' ' || text[p] == '\t'))
            p++;
        int assigned = p < end && (text[p] == '=' || text[p] == ':') &&
                       !(p + 1 < end && text[p + 1] == text[p]) &&
                       !(text[p] == ':' && p + 2 < end && text[p + 1] == '/' && text[p + 2] == '/');
        if (!tagged && !assigned)
            continue;
        int is_authorization = name_len == 13 && strncasecmp(text + name, "Authorization", 13) == 0;
        if (!is_authorization && !cd_secret_name(text + name, name_len))
            continue;
        if (is_source_file(text + name, name_len)) /* a stack frame: (TokenUtil.java:42) */
            continue;
        if (tagged) { /* <password>value</password> */
            size_t value_end = i + 1;
            while (value_end < end && text[value_end] != '<')
                value_end++;
            cd_redact_masks_add(masks, i + 1, value_end, text + name, name_len);
            i = value_end;
            continue;
        }
        p++;
        while (p < end && (text[p] == ' ' || text[p] == '\t'))
            p++;
        i = is_authorization ? authorization(masks, p, end)
                             : mask_value(masks, p, end, text + name, name_len);
    }
}

void cd_redact_find_lines(cd_redact_masks *masks, size_t start, size_t end)
{
    const char *text = masks->text;
    while (start < end) {
        const char *nl = memchr(text + start, '\n', end - start);
        size_t line_end = nl ? (size_t)(nl - text) : end;
        scan_line(masks, start, line_end);
        start = line_end + 1;
    }
}
