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

#include "base/run_context.h"
#include "carbondump/sink.h"

/* The directories directly below CARBON_HOME that checksums and listing skip. */
extern const char *const cd_checksum_excluded_top_dirs[];

/* The checksums section: checksum_values.txt (and checksum_problems.txt). */
int cd_checksums_section(cd_run *run, cd_error *err);

#endif
