/*
 * Masking secrets in the files a bundle carries (DESIGN section 8).
 *
 * A redactor never rewrites a file; it finds the byte ranges that hold secret
 * values and cd_redact_text writes the text with each range replaced by
 * "********", keeping everything else: quotes, tags, comments, indentation and
 * line breaks (a value spread over several lines becomes one "********" per
 * line), so line numbers still match the original and redaction_log.txt can
 * point at them. One finder per format, in its own file (finders.h):
 *
 *   redact_xml.c         elements and attributes whose name is a secret,
 *                        <parameter name="Password">v</parameter>,
 *                        <Property name="password" value="v"/>; comments too
 *   redact_properties.c  keys (also commented-out ones); in
 *                        cipher-text.properties every [plaintext] value
 *   redact_toml.c        keys, dotted/quoted, in tables, arrays of tables and
 *                        inline tables; every string form
 *   redact_json.c        keys, nested (a secret key masks everything below it)
 *   redact_lines.c       lines of logs and other text: name=value, name: value,
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
 *
 *   cd_redact_format_for  the format of a file from its name
 *   cd_redact_text        a text with its secrets masked
 */
#ifndef CARBONDUMP_REDACT_H
#define CARBONDUMP_REDACT_H

#include <stddef.h>

#include "carbondump/sink.h"

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

#endif
