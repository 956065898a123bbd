/*
 * The command-line masker (common/command_line_mask.c) on hostile text: the
 * command lines of every process on a host, the JVM's arguments, system
 * properties and environment values are whatever someone typed.
 *
 * The first byte picks how the rest is read: an argv (arguments split at NUL),
 * a line joined by blanks, or a value under a name (split at the first '=').
 * The second picks one of the forms below, planted, with a canary as its
 * secret, between the two halves of the input.
 *
 * Invariants:
 *  - the ranges reported lie within the input, in order, without overlap, none
 *    empty; their keys are one-line text that fits CD_MASK_KEY_MAX;
 *  - the masked copy is the input with exactly those ranges replaced by
 *    CD_SECRET_MASK, and one note per range;
 *  - masking the masked copy again changes nothing (a mask holds no secret);
 *  - whatever surrounds it, a planted form's canary is not in the masked copy,
 *    nor in any key.
 */
#include "carbondump/command_line_mask.h"
#include "carbondump/secrets.h"
#include "carbondump/sink.h"
#include "fuzz.h"

#define CANARY "CDCANARY7q"

/* Each a few arguments (separated by '\n') holding the canary as a secret. */
static const char *const forms[] = {
    "--password\n" CANARY,
    "--token=" CANARY,
    "-Dfoo.secret=" CANARY,
    "DB_PASSWORD=" CANARY,
    "https://user:" CANARY "@host/x",
    "-Ddb.url=jdbc:sqlserver://db;user=sa;password=" CANARY ";encrypt=true",
    "-Ddb.url=jdbc:mysql://db/app?user=a&password=" CANARY "&ssl=1",
    "-H\nAuthorization: Bearer " CANARY,
    "Authorization:\nBasic\n" CANARY,
    "Bearer\n" CANARY,
    "--api-key\n" CANARY,
};

/* The ranges of one scan, checked and written into copy as masks. */
typedef struct ranges {
    const char *text;
    size_t len, previous_end, count;
    int first;
    cd_sink *copy;
} ranges;

/* Set while the planted input is masked, when the input held no canary of its
 * own (a name is shown as it is, canary or not). */
static int canary_planted_only;

static void check_key(const char *key)
{
    size_t len = strnlen(key, CD_MASK_KEY_MAX);
    FUZZ_CHECK(len > 0 && len < CD_MASK_KEY_MAX, "a key is a non-empty string within its room");
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK((unsigned char)key[i] >= 0x20 && key[i] != 0x7f, "a key is one line of text");
    FUZZ_CHECK(!canary_planted_only || strstr(key, CANARY) == NULL, "a key never holds a secret");
}

static void check_range(void *context, size_t start, size_t end, const char *key)
{
    ranges *r = context;
    FUZZ_CHECK(start < end && end <= r->len, "a range is within the input and not empty");
    FUZZ_CHECK(r->first || start >= r->previous_end, "ranges come in order, without overlap");
    cd_sink_write(r->copy, r->text + r->previous_end, start - r->previous_end);
    cd_sink_puts(r->copy, CD_SECRET_MASK);
    r->first = 0;
    r->previous_end = end;
    r->count++;
    check_key(key);
}

static void count_note(void *context, const char *key)
{
    check_key(key);
    (*(size_t *)context)++;
}

/* The masked copy a cd_masked_* function made of text[0..len) is what the
 * finder's ranges make of it, up to the first NUL (it returns a C string). */
static void check_masked_copy(const char *masked, const char *text, size_t len, const char *copy,
                              size_t copy_len, size_t count, size_t notes, size_t found)
{
    FUZZ_CHECK(masked != NULL, "a masked copy");
    FUZZ_CHECK(count == found && notes == found, "one note per masked range");
    size_t masked_len = strlen(masked);
    FUZZ_CHECK(masked_len <= copy_len && memcmp(masked, copy, masked_len) == 0,
               "the masked copy is the input with its ranges masked");
    FUZZ_CHECK(memchr(text, '\0', len) || masked_len == copy_len,
               "the masked copy is all of the input");
}

typedef enum mode { MODE_ARGV, MODE_LINE, MODE_NAMED, MODE_COUNT } mode;

/* Where the '=' between a named value's name and value is; NO_NAME: none, the
 * whole text is the value of "x". Taken from the input once: a planted form
 * brings '=' of its own. */
#define NO_NAME ((size_t)-1)

/* text[0..len) masked as mode says (a fresh argv state each call; a named
 * value split at named), checking
 * the ranges, the masked copies and the notes; returns the masked text
 * (malloc'd) and its length. */
static char *mask(mode m, const char *text, size_t len, size_t named, size_t *out_len)
{
    cd_sink *copy = cd_sink_buffer();
    FUZZ_CHECK(copy != NULL, "a buffer sink");
    size_t masked = 0;
    cd_argv_mask state = {0}, shadow = {0};
    for (size_t at = 0; at <= len;) {
        /* an argv: one argument at a time; else the one value after its name */
        const char *name = "x", *value = text + at;
        size_t name_len = m == MODE_LINE ? 0 : 1;
        size_t value_len = m == MODE_ARGV ? strnlen(text + at, len - at) : len;
        const char *eq = m == MODE_NAMED && named != NO_NAME ? text + named : NULL;
        if (eq) {
            name = text;
            name_len = (size_t)(eq - text);
            value = eq + 1;
            value_len = len - name_len - 1;
            cd_sink_write(copy, text, name_len + 1);
        }
        cd_sink *value_copy = cd_sink_buffer();
        FUZZ_CHECK(value_copy != NULL, "a buffer sink");
        ranges r = {value, value_len, 0, 0, 1, value_copy};
        size_t found =
            m == MODE_ARGV ? cd_mask_find_in_argument(&shadow, value, value_len, check_range, &r)
            : m == MODE_LINE
                ? cd_mask_find_in_command_line(value, value_len, check_range, &r)
                : cd_mask_find_in_named_value(name, name_len, value, value_len, check_range, &r);
        FUZZ_CHECK(found == r.count, "the count returned is the ranges reported");
        cd_sink_write(value_copy, value + r.previous_end, value_len - r.previous_end);
        size_t copy_len;
        char *copied = cd_sink_buffer_take(value_copy, &copy_len);
        FUZZ_CHECK(copied != NULL, "the buffer sink holds the copy");

        size_t notes = 0, count = 0;
        char *masked_copy = m == MODE_ARGV ? cd_masked_argument(&state, value, value_len,
                                                                count_note, &notes, &count)
                                           : cd_masked_named_value(name, name_len, value, value_len,
                                                                   count_note, &notes, &count);
        check_masked_copy(masked_copy, value, value_len, copied, copy_len, count, notes, found);
        free(masked_copy);

        cd_sink_write(copy, copied, copy_len);
        free(copied);
        masked += found;
        if (m != MODE_ARGV)
            break;
        cd_sink_write(copy, "", at + value_len < len ? 1 : 0);
        at += value_len + 1;
    }
    char *out = cd_sink_buffer_take(copy, out_len);
    FUZZ_CHECK(out != NULL, "the buffer sink holds the copy");
    FUZZ_CHECK(*out_len <= len + masked * strlen(CD_SECRET_MASK), "a copy grows by masks only");
    return out;
}

/* The input with a form planted between its halves (in a named value's value),
 * its words separated as mode separates them (NUL between arguments, else a
 * blank). */
static char *plant(mode m, const char *text, size_t len, size_t form_index, size_t *planted_len)
{
    const char *form = forms[form_index % (sizeof forms / sizeof *forms)];
    size_t form_len = strlen(form);
    char separator = m == MODE_ARGV ? '\0' : ' ';
    size_t half = len / 2;
    const char *eq = m == MODE_NAMED ? memchr(text, '=', len) : NULL;
    if (eq && (size_t)(eq - text) >= half)
        half = (size_t)(eq - text) + 1; /* in the value: a name is shown as it is */
    char *out = malloc(len + form_len + 2);
    FUZZ_CHECK(out != NULL, "memory");
    memcpy(out, text, half);
    out[half] = separator;
    for (size_t i = 0; i < form_len; i++)
        out[half + 1 + i] = form[i] == '\n' ? separator : form[i];
    out[half + 1 + form_len] = separator;
    memcpy(out + half + 2 + form_len, text + half, len - half);
    *planted_len = len + form_len + 2;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    mode m = (mode)(data[0] % MODE_COUNT);
    size_t form_index = data[1];
    char *text = fuzz_bytes(data + 2, size - 2);
    size_t len = size - 2;

    size_t out_len, again_len;
    const char *eq = memchr(text, '=', len);
    size_t named = eq ? (size_t)(eq - text) : NO_NAME;
    char *out = mask(m, text, len, named, &out_len);
    char *again = mask(m, out, out_len, named, &again_len);
    FUZZ_CHECK(again_len == out_len && memcmp(again, out, out_len) == 0,
               "masking a masked copy changes nothing");
    free(again);
    free(out);

    size_t planted_len;
    char *planted = plant(m, text, len, form_index, &planted_len);
    canary_planted_only = memmem(text, len, CANARY, strlen(CANARY)) == NULL;
    out = mask(m, planted, planted_len, named, &out_len);
    if (canary_planted_only && memmem(out, out_len, CANARY, strlen(CANARY))) {
        fprintf(stderr, "planted form %zu left its secret in: %.*s\n",
                form_index % (sizeof forms / sizeof *forms), (int)(out_len < 400 ? out_len : 400),
                out);
        FUZZ_CHECK(0, "a planted secret is masked");
    }
    canary_planted_only = 0;
    free(out);
    free(planted);
    free(text);
    return 0;
}
