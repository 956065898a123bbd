/*
 * The run's register of what was masked and withheld, written out as
 * redaction_log.txt (redaction_log.h).
 */
#include "redaction_log.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/progress.h"
#include "carbondump/array.h"
#include "carbondump/fsutil.h"
#include "carbondump/redaction_notes.h"
#include "carbondump/secrets.h"

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
    if (CD_ARRAY_ROOM_FOR_ONE(files, file_capacity, file_count) != 0)
        return NULL;
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
    } else if (f && CD_ARRAY_ROOM_FOR_ONE(notes, note_capacity, note_count) != 0) {
        f = NULL;
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
