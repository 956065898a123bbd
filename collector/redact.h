/*
 * Masking secrets in the files a bundle carries (DESIGN section 8).
 *
 * A redactor never rewrites a file; it finds the byte ranges that hold secret
 * values and cd_redact_text writes the text with each range replaced by
 * "********", keeping everything else: quotes, tags, comments, indentation and
 * line breaks (a value spread over several lines becomes one "********" per
 * line), so line numbers still match the original and redaction_log.txt can
 * point at them. One finder per format, in its own file:
 *
 *   redact_xml.c         elements and attributes whose name is a secret,
 *                        <parameter name="Password">v</parameter>,
 *                        <Property name="password" value="v"/>; comments too
 *   redact_properties.c  keys (also commented-out ones); in
 *                        cipher-text.properties every [plaintext] value
 *   redact_toml.c        keys, dotted/quoted, in tables, arrays of tables and
 *                        inline tables; every string form
 *   redact_json.c        keys, nested (a secret key masks everything below it)
 *   redact_log.c         lines of logs and other text: name=value, name: value,
 *                        name="value", <name>value, -Dname=value, user:pass@ in
 *                        URLs, Authorization headers
 *
 * What is a secret name is decided by cd_secret_name (carbondump/secrets.h).
 * Values that are only a reference to a secret kept elsewhere (${admin.password},
 * $secret{alias}, $ref{...}, $env{...}) are left as they are: they tell the
 * reader how the server is configured and hold nothing secret. Bad input
 * (unterminated tags, quotes or strings) is masked to the end of the input
 * rather than risk a leak.
 *
 * The run keeps one register of what was masked, fed by cd_redaction_note from
 * any section (thread-safe), written out as redaction_log.txt at the end: file,
 * line and key of each masked value, never the value.
 */
#ifndef CARBONDUMP_REDACT_H
#define CARBONDUMP_REDACT_H

#include <stddef.h>

#include "carbondump/sink.h"
#include "run.h"

typedef enum cd_redact_format {
    CD_REDACT_XML,
    CD_REDACT_PROPERTIES,
    CD_REDACT_CIPHER_TEXT, /* cipher-text.properties: also every [plaintext] value */
    CD_REDACT_TOML,
    CD_REDACT_JSON,
    CD_REDACT_LINES, /* logs and any other text */
} cd_redact_format;

/* The format of a file, from its name (path or base name): .xml .xsd .xsl
 * .wsdl, .properties, .toml, .json, each also with a template's ".j2" suffix;
 * everything else is text lines. */
cd_redact_format cd_redact_format_for(const char *path);

/* Called once per masked value: its 1-based line and its key (an element path
 * "Server/Security/KeyStore/Password", an attribute ".../Connector/@keystorePass",
 * a properties, TOML or JSON key, or the name found in a log line). */
typedef void (*cd_redact_note_fn)(void *context, long line, const char *key);

/* Writes text[0..len) to out with the secrets of format masked, calling note
 * (may be NULL) for each; line numbers start at first_line (for a log read in
 * pieces). Returns the number of masked values; write errors stay in the sink. */
long cd_redact_text(cd_redact_format format, const char *text, size_t len, long first_line,
                    cd_sink *out, cd_redact_note_fn note, void *context);

/* ---------------------------------------------------------------- the run's register */

/* Records that the value of key at file:line was masked (file relative to the
 * bundle, e.g. "repository/conf/carbon.xml" or "osinfo/os_env_variables.txt";
 * line 0 when there are no lines). Thread-safe; the key is never a value. */
void cd_redaction_note(cd_run *run, const char *file, long line, const char *key);

/* Records that a whole file was left out of the bundle, and why ("key material"). */
void cd_redaction_withheld(cd_run *run, const char *file, const char *why);

/* Records what the agent masked in the JVM's files, from its staging directory
 * (agent-redactions.json: carbondump/redaction_notes.h); a warning when that
 * file is there but unreadable. */
void cd_redaction_merge_agent(cd_run *run);

/* Writes redaction_log.txt into run->host_staging: whether masking was on
 * (--no-redact turns it off), each masked value's file, line and key, sorted,
 * and the files withheld. Always written, also when nothing was masked. */
int cd_redaction_log_write(cd_run *run, cd_error *err);

/* ---------------------------------------------------------------- for the finders */

typedef struct cd_redact_mask {
    size_t start, end; /* the value: text[start..end) */
    char key[160];
} cd_redact_mask;

/* The ranges found in one text, in any order, possibly overlapping. */
typedef struct cd_redact_masks {
    const char *text;
    size_t len;
    cd_redact_mask *items;
    size_t count, capacity;
} cd_redact_masks;

/* Adds text[start..end) under key (key_len bytes; may be longer than the slot:
 * its end is kept). Ranges that are empty, blank, already masked or only a
 * reference (${...}, $name{...}) are not added. */
void cd_redact_masks_add(cd_redact_masks *masks, size_t start, size_t end, const char *key,
                         size_t key_len);

/* 1 if name (len bytes) is a secret, or is the generic word "key" or "value"
 * under a parent whose name makes it one ("encryption" + "key"). parent may be
 * NULL. Shared by the TOML and JSON finders. */
int cd_redact_secret_key(const char *parent, size_t parent_len, const char *name, size_t len);

void cd_redact_find_xml(cd_redact_masks *masks);
void cd_redact_find_properties(cd_redact_masks *masks, int cipher_text);
void cd_redact_find_toml(cd_redact_masks *masks);
void cd_redact_find_json(cd_redact_masks *masks);
/* Lines finder over text[start..end) only (comments of the other formats). */
void cd_redact_find_lines(cd_redact_masks *masks, size_t start, size_t end);

#endif
