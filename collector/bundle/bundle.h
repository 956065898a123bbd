/*
 * The bundle: every file the sections left in the staging areas, at its bundle
 * path under carbondump-<timestamp>/, plus manifest.json, in one ZIP written by
 * libzip (ZIP64 when needed). The ZIP is built as <name>.zip.partial and renamed
 * to <name>.zip only once complete; it is 0600.
 *
 *   cd_bundle_collect       every file below a staging area
 *   cd_bundle_add           one file of a staging area
 *   cd_bundle_entries_free  release a list of entries
 *   cd_bundle_deflate_ahead start deflating the big files on worker threads
 *   cd_bundle_write         the ZIP, with manifest.json, renamed into place
 *   cd_manifest_json        manifest.json's text (manifest.c)
 */
#ifndef CARBONDUMP_BUNDLE_H
#define CARBONDUMP_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/run_context.h"
#include "base/sha256.h"
#include "bundle/deflate_ahead.h"
#include "carbondump/error.h"
#include "findings/finding.h"

typedef struct cd_bundle_entry {
    char *path;   /* inside the bundle, relative to carbondump-<ts>/ */
    char *source; /* the file on disk */
    uint64_t bytes;
    char sha256[CD_SHA256_HEX_LEN + 1];
} cd_bundle_entry;

typedef struct cd_bundle_entries {
    cd_bundle_entry *items;
    size_t count, capacity;
} cd_bundle_entries;

/* Adds every regular file below root (symlinks are not followed), with bundle
 * paths relative to root. Names in skip_names (NULL-terminated) at the top level
 * are left out. */
int cd_bundle_collect(const char *root, const char *const skip_names[], cd_bundle_entries *entries,
                      cd_error *err);

/* Adds root/relpath under bundle path relpath when it is a regular file;
 * nothing when it does not exist. Returns 0, or -1 when out of memory. */
int cd_bundle_add(cd_bundle_entries *entries, const char *root, const char *relpath, cd_error *err);

/* Frees every entry and the list's memory. */
void cd_bundle_entries_free(cd_bundle_entries *entries);

/* Starts deflating the entries that cd_bundle_write would deflate, each at
 * the level it would get (deflate_ahead.h), so that it happens on the other
 * CPUs while the caller does other work. NULL when there are none: cd_bundle_write deflates
 * everything. Free the result with cd_deflate_ahead_free after cd_bundle_write. */
cd_deflate_ahead *cd_bundle_deflate_ahead(const cd_bundle_entries *entries);

/* Hashes and writes everything, then the manifest (with findings, which may
 * be empty), then renames the ZIP into place. Files ahead (NULL allowed) has
 * deflated are copied from it. zip_path receives the final absolute path. */
int cd_bundle_write(cd_run *run, cd_bundle_entries *entries, cd_deflate_ahead *ahead,
                    const cd_findings *findings, char *zip_path, size_t zip_path_len,
                    cd_error *err);

/* manifest.c: the manifest for this run, these entries and findings
 * (malloc'd JSON). */
char *cd_manifest_json(const cd_run *run, const cd_bundle_entries *entries,
                       const cd_findings *findings, uint64_t finished_wall_ms);

/* manifest_command_line.c: the manifest's command_line, carbondump's own argv,
 * its secrets masked unless --no-redact; each masked key noted for
 * redaction_log.txt when noting is the run. */
struct cJSON *cd_manifest_command_line_json(const cd_run *run, cd_run *noting);

/* Records in redaction_log.txt what the manifest's command_line masks; before
 * cd_redaction_log_write. */
void cd_manifest_note_masked(cd_run *run);

#endif
