/*
 * The common part of the redactors and the run's register of what was masked:
 * see redact.h.
 */
#include "redact.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "carbondump/fsutil.h"
#include "carbondump/redaction_notes.h"
#include "carbondump/secrets.h"
#include "progress.h"

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

/* ---------------------------------------------------------------- masks */

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
    if (masks->count == masks->capacity) {
        size_t capacity = masks->capacity ? masks->capacity * 2 : 16;
        cd_redact_mask *grown = realloc(masks->items, capacity * sizeof *grown);
        if (!grown) {
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
        masks->items = grown;
        masks->capacity = capacity;
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

/* ---------------------------------------------------------------- the register */

/* A log with a password on every line must not make a log of millions of
 * lines: each file's first NOTES_PER_FILE masked values are listed, the rest
 * counted. */
#define NOTES_PER_FILE 1000

typedef struct note {
    const char *file; /* owned by the file_entry */
    long line;
    char *key; /* NULL: the whole file was withheld, why in reason */
    char *reason;
} note;

typedef struct file_entry {
    char *file;
    size_t listed, unlisted;
} file_entry;

static pthread_mutex_t register_lock = PTHREAD_MUTEX_INITIALIZER;
static const cd_run *register_run;
static char register_staging[PATH_MAX]; /* with the pointer, tells one run from the next */
static note *notes;
static size_t note_count, note_capacity;
static file_entry *files;
static size_t file_count, file_capacity, last_file;

static void register_reset(const cd_run *run)
{
    for (size_t i = 0; i < note_count; i++) {
        free(notes[i].key);
        free(notes[i].reason);
    }
    for (size_t i = 0; i < file_count; i++)
        free(files[i].file);
    note_count = file_count = last_file = 0;
    register_run = run;
    snprintf(register_staging, sizeof register_staging, "%s", run->host_staging);
}

static int is_register_of(const cd_run *run)
{
    return register_run == run && strcmp(register_staging, run->host_staging) == 0;
}

/* The entry of file, added if new; NULL when out of memory. */
static file_entry *file_entry_for(const char *file)
{
    if (last_file < file_count && strcmp(files[last_file].file, file) == 0)
        return &files[last_file];
    for (size_t i = 0; i < file_count; i++)
        if (strcmp(files[i].file, file) == 0) {
            last_file = i;
            return &files[i];
        }
    if (file_count == file_capacity) {
        size_t capacity = file_capacity ? file_capacity * 2 : 64;
        file_entry *grown = realloc(files, capacity * sizeof *grown);
        if (!grown)
            return NULL;
        files = grown;
        file_capacity = capacity;
    }
    file_entry *f = &files[file_count];
    if (!(f->file = strdup(file)))
        return NULL;
    f->listed = f->unlisted = 0;
    last_file = file_count++;
    return f;
}

static void register_add(cd_run *run, const char *file, long line, const char *key,
                         const char *reason)
{
    pthread_mutex_lock(&register_lock);
    if (!is_register_of(run)) /* a new run (tests run several in one process) */
        register_reset(run);
    file_entry *f = file_entry_for(file);
    if (f && key && f->listed >= NOTES_PER_FILE) {
        f->unlisted++;
        f = NULL;
    } else if (f && note_count == note_capacity) {
        size_t capacity = note_capacity ? note_capacity * 2 : 64;
        note *grown = realloc(notes, capacity * sizeof *grown);
        if (grown) {
            notes = grown;
            note_capacity = capacity;
        } else {
            f = NULL;
        }
    }
    if (f) {
        note *n = &notes[note_count++];
        n->file = f->file;
        n->line = line;
        n->key = key ? strdup(key) : NULL;
        n->reason = reason ? strdup(reason) : NULL;
        f->listed += key != NULL;
    }
    pthread_mutex_unlock(&register_lock);
}

void cd_redaction_note(cd_run *run, const char *file, long line, const char *key)
{
    register_add(run, file, line, key ? key : "?", NULL);
}

void cd_redaction_withheld(cd_run *run, const char *file, const char *why)
{
    register_add(run, file, 0, NULL, why ? why : "");
}

static void note_agent_masking(void *run, const char *file, long line, const char *key)
{
    cd_redaction_note(run, file, line, key);
}

void cd_redaction_merge_agent(cd_run *run)
{
    cd_error err = {0};
    if (run->agent_staging[0] &&
        cd_redaction_notes_read(run->agent_staging, note_agent_masking, run, &err) < 0)
        cd_warn("redaction_log.txt cannot list what the agent masked: %s", err.message);
}

static int compare_notes(const void *a, const void *b)
{
    const note *x = a, *y = b;
    int by_file = strcmp(x->file, y->file);
    if (by_file)
        return by_file;
    return x->line < y->line ? -1 : x->line > y->line ? 1 : 0;
}

static size_t unlisted_of(const char *file)
{
    for (size_t i = 0; i < file_count; i++)
        if (files[i].file == file)
            return files[i].unlisted;
    return 0;
}

int cd_redaction_log_write(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_staging_open(run->host_staging, "redaction_log.txt", err);
    if (!sink)
        return -1;
    pthread_mutex_lock(&register_lock);
    if (!is_register_of(run))
        register_reset(run);
    if (note_count > 1)
        qsort(notes, note_count, sizeof *notes, compare_notes);
    size_t masked = 0, masked_files = 0;
    for (size_t i = 0; i < file_count; i++) {
        masked += files[i].listed + files[i].unlisted;
        masked_files += files[i].listed > 0;
    }

    cd_sink_puts(sink, "# redaction_log.txt: what carbondump kept out of this bundle. Values are "
                       "never written here.\n");
    if (run->cli->redact)
        cd_sink_printf(sink, "masking: on (secret values replaced by %s)\n", CD_SECRET_MASK);
    else
        cd_sink_puts(sink, "masking: OFF (--no-redact): nothing was masked; this bundle holds "
                           "passwords, tokens and keys in the clear\n");
    cd_sink_puts(sink, "never copied: key material (*.jks *.p12 *.pfx *.keystore *.pem *.key) and "
                       "the password, password-tmp and password-persist files of CARBON_HOME\n");
    cd_sink_printf(sink,
                   "\n# masked values (%zu in %zu files): file:line: key (lines of the copy in "
                   "this bundle)\n",
                   masked, masked_files);
    for (size_t i = 0; i < note_count; i++) {
        if (!notes[i].key)
            continue;
        cd_sink_printf(sink, "%s:%ld: %s\n", notes[i].file, notes[i].line, notes[i].key);
        int last_of_file = i + 1 == note_count || notes[i + 1].file != notes[i].file;
        size_t more = last_of_file ? unlisted_of(notes[i].file) : 0;
        if (more)
            cd_sink_printf(sink, "%s: and %zu more masked values, not listed one by one\n",
                           notes[i].file, more);
    }
    cd_sink_puts(sink, "\n# files withheld: file: why\n");
    for (size_t i = 0; i < note_count; i++)
        if (!notes[i].key)
            cd_sink_printf(sink, "%s: %s\n", notes[i].file, notes[i].reason ? notes[i].reason : "");
    pthread_mutex_unlock(&register_lock);
    return cd_sink_close(sink, err);
}
