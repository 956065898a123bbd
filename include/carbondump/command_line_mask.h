/*
 * Secrets in command lines, arguments and the values of system properties,
 * environment variables and VM flags, found in one place for the agent and the
 * collector (DESIGN section 8).
 *
 * Command lines carry secrets in shapes no key=value file has:
 *
 *   --password VALUE  -token VALUE    a flag whose name says password, pass,
 *                                     secret, token, credential or key, then its value
 *   --token=VALUE  -Dx.secret=VALUE   an assignment whose name says so (also NAME=VALUE
 *   DB_PASSWORD=VALUE                 of an environment)
 *   scheme://user:VALUE@host          URL userinfo, whatever the names around it
 *   ?password=VALUE  &pwd=VALUE       query and JDBC/ODBC connection-string parameters
 *   ;password=VALUE  ;Pwd={VALUE}     (the value ends at the parameter separator)
 *   jdbc:oracle:thin:user/VALUE@host  Oracle's thin URL
 *   Authorization: Bearer VALUE       headers (also "X-Auth-Token: VALUE" and a lone
 *   Bearer VALUE  Basic VALUE         "Bearer VALUE"), openssl's pass:VALUE
 *   --user NAME:VALUE  -u NAME:VALUE  curl's credentials (not uid:gid numbers)
 *
 * What counts as a secret name is carbondump/secrets.h's cd_secret_option_name
 * (cd_secret_parameter_name for parameters). References to a secret kept
 * elsewhere (${admin.password}, $secret{alias}) are no secret and stay, and so
 * do empty values and values masked already.
 *
 * An argv (/proc/PID/cmdline, RuntimeMXBean's input arguments) is scanned one
 * argument at a time with a cd_argv_mask carrying what the previous argument
 * left ("--password" makes the next argument its value, unless that starts
 * with "--": the next option, as a secret seldom does); its boundaries are
 * exact, so a value that starts an argument runs to the argument's end, blanks
 * included. A line joined by blanks (sun.java.command, a JAVA_OPTS value, an
 * OnOutOfMemoryError command) has lost its quoting: it is split at blanks, and a
 * secret value that opens with a quote runs to the closing quote (to the end of
 * the line when there is none). An argument holding blanks (bash -c "...") is
 * scanned as such a line, too.
 *
 * The finders are pure functions over bytes: no allocation, no NUL needed, any
 * input safe, time linear in the input. They report each secret value as a byte
 * range, in order and without overlap, with a key naming what made it secret:
 * "--password", "-Ddb.url password" (a parameter inside a property),
 * "url-credentials", "Authorization"; never any byte of a value. The masked-copy
 * functions build on them.
 */
#ifndef CARBONDUMP_COMMAND_LINE_MASK_H
#define CARBONDUMP_COMMAND_LINE_MASK_H

#include <stddef.h>

#include "carbondump/sink.h"

/* Room for a key, its NUL included; longer keys are cut. */
#define CD_MASK_KEY_MAX 160

/* Called for each secret value text[start..end), in order; key is NUL-terminated. */
typedef void (*cd_mask_found_fn)(void *context, size_t start, size_t end, const char *key);

/* Called for each masked value with its key, for redaction_log.txt. */
typedef void (*cd_mask_note_fn)(void *context, const char *key);

/* What one argument of an argv leaves for the next. Zero it before the first. */
typedef struct cd_argv_mask {
    int pending; /* the next argument is a value (of key) */
    char key[CD_MASK_KEY_MAX];
} cd_argv_mask;

/* Finds the secrets of one argument arg[0..len) of an argv, after those before
 * it (state). Returns how many it reported. */
size_t cd_mask_find_in_argument(cd_argv_mask *state, const char *arg, size_t len,
                                cd_mask_found_fn found, void *context);

/* Finds the secrets of a command line joined by blanks, line[0..len). */
size_t cd_mask_find_in_command_line(const char *line, size_t len, cd_mask_found_fn found,
                                    void *context);

/* Finds the secrets of value[0..value_len), stored under name[0..name_len) (a
 * system property, an environment variable, a VM flag): the whole value when
 * the name says secret, else those inside it, as in a command line, with keys
 * "name inner-key". */
size_t cd_mask_find_in_named_value(const char *name, size_t name_len, const char *value,
                                   size_t value_len, cd_mask_found_fn found, void *context);

/* Writes a text through a finder: what lies between the ranges as it is (or
 * through write, e.g. to escape it), each range as CD_SECRET_MASK, its key
 * passed to note (may be NULL). Pass cd_mask_writer_range as the finder's
 * callback with the writer as context, then call cd_mask_writer_finish. */
typedef struct cd_mask_writer {
    cd_sink *out;
    const char *text;                                          /* what the finder scans */
    size_t written;                                            /* text written so far; 0 at first */
    void (*write)(cd_sink *out, const char *text, size_t len); /* NULL: as is */
    cd_mask_note_fn note;
    void *context; /* note's */
} cd_mask_writer;

/* A cd_mask_found_fn writing through writer (a cd_mask_writer). */
void cd_mask_writer_range(void *writer, size_t start, size_t end, const char *key);

/* Writes the rest of the text, up to len. */
void cd_mask_writer_finish(cd_mask_writer *writer, size_t len);

/* arg with its secrets replaced by CD_SECRET_MASK, as a malloc'd NUL-terminated
 * string (*masked_count set when not NULL); note (may be NULL) is told each key.
 * NULL only when out of memory. */
char *cd_masked_argument(cd_argv_mask *state, const char *arg, size_t len, cd_mask_note_fn note,
                         void *context, size_t *masked_count);

/* value masked as cd_mask_find_in_named_value says, like cd_masked_argument. */
char *cd_masked_named_value(const char *name, size_t name_len, const char *value, size_t value_len,
                            cd_mask_note_fn note, void *context, size_t *masked_count);

#endif
