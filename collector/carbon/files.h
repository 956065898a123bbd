/*
 * The files section: repository/conf (redacted), repository/logs (redacted,
 * capped) and repository/database copied into the bundle at the same paths,
 * with copy_notes.txt saying what was left out, cut or found changing.
 *
 *  - Key material (*.jks *.p12 *.pfx *.keystore *.pem *.key, and the password,
 *    password-tmp and password-persist files at CARBON_HOME's root) is never
 *    copied, even with --no-redact; redaction_log.txt names each such file.
 *  - Lock files (*.lock, *.lck, H2's *.lock.db) are skipped.
 *  - Logs: newest first (by modification time), the last --max-log-bytes of
 *    each (default 50 MiB, cut at a line start) until --max-logs-total-bytes
 *    (default 200 MiB) are used up; a gzip-compressed log is copied whole (and
 *    stays compressed) or not at all, counted at its compressed size.
 *  - Databases are copied as they are; a file whose size, time or SHA-256 is
 *    not the same after the copy as before is copied again, up to four times,
 *    and flagged in copy_notes.txt if it never holds still.
 *  - A symbolic link is copied only when it resolves to a regular file inside
 *    CARBON_HOME (a Kubernetes ConfigMap's ..data links); FIFOs, sockets and
 *    devices are never opened.
 */
#ifndef CARBONDUMP_FILES_H
#define CARBONDUMP_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "base/run_context.h"

/* The files section: conf, logs and database copied, secrets masked. */
int cd_files_section(cd_run *run, cd_error *err);

/* 1 if relpath (relative to CARBON_HOME) is key material that never leaves. */
int cd_files_is_key_material(const char *relpath);

/* 1 if the file called name is a lock file: *.lock, *.lck, *.lock.db, .lock. */
int cd_files_is_lock_file(const char *name);

typedef struct cd_log_file {
    const char *path;
    uint64_t size_bytes;
    int64_t mtime_ns;
    int whole_only;      /* compressed: all or nothing */
    uint64_t keep_bytes; /* out: how much of its end to copy (0: none) */
} cd_log_file;

/* Decides how much of each log to copy: sorts logs newest first (then by
 * path) and gives each the last min(size, per_file) bytes while the total
 * lasts; a whole_only log gets all of itself or nothing. */
void cd_files_plan_logs(cd_log_file *logs, size_t count, uint64_t per_file_bytes,
                        uint64_t total_bytes);

#endif
