/*
 * The checksums and listing sections: checksum_values.txt (SHA-256 of every
 * regular file under CARBON_HOME, in sha256sum's format, so that
 * `sha256sum -c checksum_values.txt` run in CARBON_HOME verifies it) and
 * directory_listing.txt (every entry, with type, mode, owner, size and time).
 *
 * Both leave out the top-level samples/ and docs/ directories only (the
 * original tool's pattern dropped every path containing "samples"). Symbolic
 * links are listed, never followed; FIFOs, sockets and devices are listed,
 * never opened. Entries that vanish or cannot be read while we look are
 * written to checksum_problems.txt / the listing's tail and do not fail the
 * section.
 */
#ifndef CARBONDUMP_CHECKSUMS_H
#define CARBONDUMP_CHECKSUMS_H

#include <stddef.h>

#include "carbondump/sink.h"
#include "run.h"

/* The directories directly below CARBON_HOME that checksums and listing skip. */
extern const char *const cd_checksum_excluded_top_dirs[];

int cd_checksums_section(cd_run *run, cd_error *err);
int cd_listing_section(cd_run *run, cd_error *err);

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
