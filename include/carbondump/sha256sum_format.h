/*
 * The lines sha256sum prints and checks, so that checksum_values.txt verifies
 * with `sha256sum -c`, and so that every text file of the bundle that names a
 * CARBON_HOME path (listing, copy notes, redaction log) writes odd names the
 * same way: backslash, line feed and carriage return escaped, every other byte
 * as it is.
 *
 *   cd_sha256sum_name_needs_escape  does a name need escapes
 *   cd_sha256sum_write_name         a name, escaped
 *   cd_sha256sum_write_line         "<hex>  <name>" with sha256sum's leading backslash
 */
#ifndef CARBONDUMP_SHA256SUM_FORMAT_H
#define CARBONDUMP_SHA256SUM_FORMAT_H

#include "carbondump/sink.h"

/* 1 if sha256sum escapes this name: it holds a backslash, a newline or a
 * carriage return (the line then starts with a backslash). */
int cd_sha256sum_name_needs_escape(const char *path);

/* Writes path the way sha256sum prints a name: backslash, newline and carriage
 * return as \\, \n and \r, everything else as it is. */
void cd_sha256sum_write_name(cd_sink *sink, const char *path);

/* Writes one line of `sha256sum` output: "<hex>  <name>\n", with the leading
 * backslash and escapes when the name needs them. */
void cd_sha256sum_write_line(cd_sink *sink, const char *hex, const char *path);

#endif
