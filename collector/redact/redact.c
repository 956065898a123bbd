/*
 * The common part of the redactors and the run's register of what was masked:
 * see redact.h.
 */
#include "redact.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "carbondump/secrets.h"
#include "finders.h"
#include "masks.h"

/* ---------------------------------------------------------------- formats */

static int has_suffix(const char *name, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && strncasecmp(name + len - n, suffix, n) == 0;
}

cd_redact_format cd_redact_format_for(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (has_suffix(base, len, ".j2")) /* Carbon's configuration templates */
        len -= 3;
    if (len == strlen("cipher-text.properties") &&
        strncasecmp(base, "cipher-text.properties", len) == 0)
        return CD_REDACT_CIPHER_TEXT;
    static const char *const xml[] = {".xml", ".xsd", ".xsl", ".xslt", ".wsdl"};
    for (size_t i = 0; i < sizeof xml / sizeof *xml; i++)
        if (has_suffix(base, len, xml[i]))
            return CD_REDACT_XML;
    if (has_suffix(base, len, ".properties"))
        return CD_REDACT_PROPERTIES;
    if (has_suffix(base, len, ".toml"))
        return CD_REDACT_TOML;
    if (has_suffix(base, len, ".json"))
        return CD_REDACT_JSON;
    return CD_REDACT_LINES;
}

/* ---------------------------------------------------------------- text */

static int compare_masks(const void *a, const void *b)
{
    const cd_redact_mask *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/* Writes text[start..end) masked: each line's part keeps its indentation and
 * line break and has the rest replaced, so the line count does not change. */
static void write_masked(cd_sink *out, const char *text, size_t start, size_t end)
{
    size_t i = start;
    while (i < end) {
        size_t line_end = i;
        while (line_end < end && text[line_end] != '\n')
            line_end++;
        size_t content = i;
        while (content < line_end && (text[content] == ' ' || text[content] == '\t'))
            content++;
        size_t content_end = line_end;
        if (content_end > content && text[content_end - 1] == '\r')
            content_end--;
        cd_sink_write(out, text + i, content - i);
        if (content < content_end)
            cd_sink_puts(out, CD_SECRET_MASK);
        cd_sink_write(out, text + content_end, line_end - content_end);
        if (line_end < end)
            cd_sink_puts(out, "\n");
        i = line_end + 1;
    }
}

long cd_redact_text(cd_redact_format format, const char *text, size_t len, long first_line,
                    cd_sink *out, cd_redact_note_fn note, void *context)
{
    cd_redact_masks masks = {.text = text, .len = len};
    switch (format) {
    case CD_REDACT_XML: cd_redact_find_xml(&masks); break;
    case CD_REDACT_PROPERTIES: cd_redact_find_properties(&masks, 0); break;
    case CD_REDACT_CIPHER_TEXT: cd_redact_find_properties(&masks, 1); break;
    case CD_REDACT_TOML: cd_redact_find_toml(&masks); break;
    case CD_REDACT_JSON: cd_redact_find_json(&masks); break;
    case CD_REDACT_LINES: cd_redact_find_lines(&masks, 0, len); break;
    }
    if (masks.count > 1)
        qsort(masks.items, masks.count, sizeof *masks.items, compare_masks);

    long line = first_line, masked = 0;
    size_t at = 0, counted = 0; /* text[0..counted) has had its newlines counted */
    for (size_t i = 0; i < masks.count; i++) {
        cd_redact_mask *m = &masks.items[i];
        size_t end = m->end;
        /* overlapping ranges merge into one; the first one's key names it */
        while (i + 1 < masks.count && masks.items[i + 1].start < end) {
            if (masks.items[i + 1].end > end)
                end = masks.items[i + 1].end;
            i++;
        }
        size_t start = m->start < at ? at : m->start;
        if (start >= end)
            continue;
        for (; counted < start; counted++)
            line += text[counted] == '\n';
        cd_sink_write(out, text + at, start - at);
        write_masked(out, text, start, end);
        if (note)
            note(context, line, m->key);
        masked++;
        at = end;
    }
    cd_sink_write(out, text + at, len - at);
    free(masks.items);
    return masked;
}
