/*
 * --heap-redact for the VM's own heap dumps: the dump is rewritten as a stream
 * (gunzip, record rewriter, gzip) into a new file, never uncompressed on disk.
 * The agent's jvmti engine applies the same rules (include/carbondump/hprof.h)
 * while it writes, so only dumps from the VM pass through here.
 */
#ifndef CARBONDUMP_COLLECTOR_HPROF_REDACT_H
#define CARBONDUMP_COLLECTOR_HPROF_REDACT_H

#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/request.h"

typedef struct cd_hprof_redact_stats {
    uint64_t arrays_zeroed, values_zeroed, names_blanked, threads_kept;
} cd_hprof_redact_stats;

/* Reads the dump at in_path (plain or gzip), writes the redacted dump to
 * out_path (gzip level 1, 1 MiB members, through a .partial file) and removes
 * in_path. The input's blocks are released as they are read, so the two files
 * together take little more room than the larger. Two read-only passes first
 * find what stays readable: the names the dump uses (class, field, method) and
 * the Strings that name threads. Returns 0, or -1 with err (out_path is then
 * not created; in_path is removed either way, as it is unusable once read). */
int cd_hprof_redact_file(const char *in_path, const char *out_path, cd_heap_redact level,
                         cd_hprof_redact_stats *stats, cd_error *err);

#endif
