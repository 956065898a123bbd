/*
 * The bundle: every file the sections left in the staging areas, at its bundle
 * path under carbondump-<timestamp>/, plus manifest.json, in one ZIP written by
 * libzip (ZIP64 when needed). The ZIP is built as <name>.zip.partial and renamed
 * to <name>.zip only once complete; it is 0600.
 */
#ifndef CARBONDUMP_BUNDLE_H
#define CARBONDUMP_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "run.h"
#include "sha256.h"

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
int cd_bundle_collect(const char *root, const char *const skip_names[],
                      cd_bundle_entries *entries, cd_error *err);

void cd_bundle_entries_free(cd_bundle_entries *entries);

/* Hashes and writes everything, then the manifest, then renames the ZIP into
 * place. zip_path receives the final absolute path. */
int cd_bundle_write(cd_run *run, cd_bundle_entries *entries, char *zip_path,
                    size_t zip_path_len, cd_error *err);

/* manifest.c: the manifest for this run and these entries (malloc'd JSON). */
char *cd_manifest_json(const cd_run *run, const cd_bundle_entries *entries,
                       uint64_t finished_wall_ms);

/* manifest_command_line.c: the manifest's command_line, carbondump's own argv,
 * its secrets masked unless --no-redact; each masked key noted for
 * redaction_log.txt when noting is the run. */
struct cJSON *cd_manifest_command_line_json(const cd_run *run, cd_run *noting);

/* Records in redaction_log.txt what the manifest's command_line masks; before
 * cd_redaction_log_write. */
void cd_manifest_note_masked(cd_run *run);

#endif
