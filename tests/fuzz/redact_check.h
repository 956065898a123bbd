/*
 * The redactors' fuzz check, shared by fuzz_redact_<format>.c: masks the input
 * with cd_redact_text into a memory sink and checks what DESIGN section 8
 * promises, with the finder's own list of secret ranges as the oracle.
 *
 * Invariants:
 *  - the output has exactly the input's line breaks (line numbers still match);
 *  - cd_redact_text's count equals the notes it made, and is no more than the
 *    ranges the finder reported;
 *  - no secret leaks: for each range the finder reported, its value V (first
 *    line, trimmed, without '*', at least 4 bytes) occurs fewer times in the
 *    output than in the input. The output is the input with line contents
 *    replaced by "********", so every occurrence of V in it is an occurrence in
 *    the input outside the masked ranges; the masked one must be gone;
 *  - in replayed regression files, the values an "expect-masked:" first line
 *    names are masked (see redact_check_expected).
 */
#ifndef CARBONDUMP_FUZZ_REDACT_CHECK_H
#define CARBONDUMP_FUZZ_REDACT_CHECK_H

#include <ctype.h>

#include "carbondump/sink.h"
#include "fuzz.h"
#include "redact/redact.h"
#include "redact/finders.h"

/* A value must be this long to be checked: shorter ones ("1", "ab") occur
 * by chance all over an input. */
#define REDACT_CHECK_MIN_VALUE 4

static void redact_check_note(void *context, long line, const char *key)
{
    FUZZ_CHECK(line >= 1, "notes name a line from 1");
    FUZZ_CHECK(strlen(key) < sizeof(((cd_redact_mask *)0)->key), "a key fits its slot");
    (*(long *)context)++;
}

static size_t redact_check_count(const char *hay, size_t hay_len, const char *needle,
                                 size_t needle_len)
{
    size_t count = 0;
    const char *p = hay, *end = hay + hay_len;
    while ((size_t)(end - p) >= needle_len) {
        const char *hit = memmem(p, (size_t)(end - p), needle, needle_len);
        if (!hit)
            break;
        count++;
        p = hit + 1;
    }
    return count;
}

static size_t redact_check_newlines(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return n;
}

/* Regression files may start with a line "expect-masked: WORD..." naming
 * values that must not appear in the rest of the output: secrets the finder
 * once missed, which the checks above cannot see (they trust the finder).
 * Checked only when replaying (replay_main.c sets CD_FUZZ_REPLAY): under the
 * fuzzer that line is mutated like any other. */
static void redact_check_expected(const char *text, size_t size, const char *out, size_t out_len)
{
    static const char prefix[] = "expect-masked: ";
    size_t prefix_len = sizeof prefix - 1;
    if (!getenv("CD_FUZZ_REPLAY") || size < prefix_len || memcmp(text, prefix, prefix_len) != 0)
        return;
    const char *line_end = memchr(text, '\n', size);
    const char *rest = memchr(out, '\n', out_len);
    FUZZ_CHECK(line_end && rest, "an expect-masked line is followed by the input");
    size_t rest_len = out_len - (size_t)(rest - out);
    for (const char *word = text + prefix_len; word < line_end;) {
        size_t len = strcspn(word, " \n");
        if (len > 0 && memmem(rest, rest_len, word, len)) {
            fprintf(stderr, "expected masked, found in the output: %.*s\n", (int)len, word);
            FUZZ_CHECK(0, "an expected secret is masked");
        }
        word += len + 1;
    }
}

/* The finder for format, as cd_redact_text runs it. */
static void redact_check_find(cd_redact_format format, cd_redact_masks *masks)
{
    switch (format) {
    case CD_REDACT_XML: cd_redact_find_xml(masks); break;
    case CD_REDACT_PROPERTIES: cd_redact_find_properties(masks, 0); break;
    case CD_REDACT_CIPHER_TEXT: cd_redact_find_properties(masks, 1); break;
    case CD_REDACT_TOML: cd_redact_find_toml(masks); break;
    case CD_REDACT_JSON: cd_redact_find_json(masks); break;
    case CD_REDACT_LINES: cd_redact_find_lines(masks, 0, masks->len); break;
    }
}

static void redact_check(cd_redact_format format, const uint8_t *data, size_t size)
{
    char *text = fuzz_bytes(data, size);

    cd_sink *sink = cd_sink_buffer();
    FUZZ_CHECK(sink != NULL, "a buffer sink");
    long notes = 0;
    long masked = cd_redact_text(format, text, size, 1, sink, redact_check_note, &notes);
    size_t out_len;
    char *out = cd_sink_buffer_take(sink, &out_len);
    FUZZ_CHECK(out != NULL, "the buffer sink holds the output");
    FUZZ_CHECK(masked == notes, "one note per masked value");
    FUZZ_CHECK(redact_check_newlines(out, out_len) == redact_check_newlines(text, size),
               "the output keeps every line break");
    redact_check_expected(text, size, out, out_len);

    cd_redact_masks masks = {.text = text, .len = size};
    redact_check_find(format, &masks);
    FUZZ_CHECK((size_t)masked <= masks.count, "no more masked values than ranges found");
    for (size_t i = 0; i < masks.count; i++) {
        size_t s = masks.items[i].start, e = masks.items[i].end;
        FUZZ_CHECK(s <= e && e <= size, "a range lies within the input");
        while (s < e && isspace((unsigned char)text[s]))
            s++;
        const char *newline = memchr(text + s, '\n', e - s);
        if (newline)
            e = (size_t)(newline - text);
        while (e > s && isspace((unsigned char)text[e - 1]))
            e--;
        if (e - s < REDACT_CHECK_MIN_VALUE || memchr(text + s, '*', e - s))
            continue;
        size_t before = redact_check_count(text, size, text + s, e - s);
        size_t after = redact_check_count(out, out_len, text + s, e - s);
        if (after >= before) {
            fprintf(stderr, "secret value at %zu..%zu (key %s) left in the output: \"%.*s\"\n", s,
                    e, masks.items[i].key, (int)(e - s < 80 ? e - s : 80), text + s);
            FUZZ_CHECK(0, "a masked value does not survive in the output");
        }
    }
    free(masks.items);
    free(out);
    free(text);
}

#endif
