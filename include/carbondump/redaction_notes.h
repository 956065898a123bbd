/*
 * What the agent masked, handed to the collector for redaction_log.txt.
 *
 * The agent masks the files it writes inside the JVM (javainfo/: system
 * properties, VM flags, VM arguments, jvm_info.json), but redaction_log.txt is
 * the collector's. So a request collects the place of each masked value (the
 * file's path in the bundle, its line or 0 for a file without lines, the key;
 * never the value) and writes them to its staging directory as
 * agent-redactions.json, before agent-result.json:
 *
 *   {"masked": [{"file": "javainfo/system_properties.txt", "line": 12,
 *                "key": "db.url password"}, ...]}
 *
 * The collector reads it when it writes redaction_log.txt, records every entry
 * there and leaves the file out of the bundle. No file: nothing was masked (or
 * redact=0). The staging directory belongs to the target's user, so the reader
 * takes the file as untrusted input: bounded in size and count, and entries
 * that are not plain one-line text are dropped.
 */
#ifndef CARBONDUMP_REDACTION_NOTES_H
#define CARBONDUMP_REDACTION_NOTES_H

#include <stddef.h>

#include "carbondump/error.h"

#define CD_AGENT_REDACTIONS_FILE "agent-redactions.json"

typedef struct cd_redaction_note_entry {
    char *file;
    long line;
    char *key;
} cd_redaction_note_entry;

/* A growing list of notes; zero-initialise. */
typedef struct cd_redaction_notes {
    cd_redaction_note_entry *items;
    size_t count, capacity;
} cd_redaction_notes;

/* Adds (file, line, key). Out of memory the note is lost, never the masking. */
void cd_redaction_notes_add(cd_redaction_notes *notes, const char *file, long line,
                            const char *key);

/* Writes notes to dir/agent-redactions.json; nothing when there are none.
 * Returns 0, or -1 with err. */
int cd_redaction_notes_write(const cd_redaction_notes *notes, const char *dir, cd_error *err);

/* Frees what the notes hold; they are empty again. */
void cd_redaction_notes_free(cd_redaction_notes *notes);

typedef void (*cd_redaction_notes_fn)(void *context, const char *file, long line, const char *key);

/* Calls fn for each well-formed entry of dir/agent-redactions.json. Returns the
 * number of entries passed on: 0 when there is no such file, -1 with err when
 * it cannot be read or is not the JSON above. */
long cd_redaction_notes_read(const char *dir, cd_redaction_notes_fn fn, void *context,
                             cd_error *err);

/* Where values get masked: the context of cd_redaction_place_note. */
typedef struct cd_redaction_place {
    cd_redaction_notes *notes;
    const char *file;   /* bundle path: "javainfo/vm_arguments.txt" */
    long line;          /* the line being written, 0 for JSON */
    const char *prefix; /* put before each key ("system_properties"), or NULL */
} cd_redaction_place;

/* A cd_mask_note_fn (carbondump/command_line_mask.h) adding key at place. */
void cd_redaction_place_note(void *place, const char *key);

#endif
