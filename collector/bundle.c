/*
 * Writing the bundle ZIP: see bundle.h.
 *
 * libzip reads the sources and writes the archive in zip_close(), into a
 * temporary file it renames to <name>.zip.partial; we then rename that to
 * <name>.zip, so a reader never sees a half-written ZIP under the final name.
 * Both live in the run's staging directory (inside the output directory, so the
 * last rename stays on one file system): a carbondump killed while writing
 * leaves them only there, where the next run's sweep finds them (run.h).
 * Already-compressed entries (*.gz) are stored, not deflated again.
 */
#include "bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "carbondump/fsutil.h"
#include "progress.h"

static int entries_add(cd_bundle_entries *entries, const char *path, const char *source,
                       cd_error *err)
{
    if (entries->count == entries->capacity) {
        size_t capacity = entries->capacity ? entries->capacity * 2 : 64;
        cd_bundle_entry *grown = realloc(entries->items, capacity * sizeof *grown);
        if (!grown)
            return cd_fail(err, CD_ERR_NOMEM, "out of memory listing bundle files");
        entries->items = grown;
        entries->capacity = capacity;
    }
    cd_bundle_entry *e = &entries->items[entries->count];
    memset(e, 0, sizeof *e);
    e->path = strdup(path);
    e->source = strdup(source);
    if (!e->path || !e->source) {
        free(e->path);
        free(e->source);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory listing bundle files");
    }
    entries->count++;
    return 0;
}

static int is_skipped(const char *name, const char *const skip_names[])
{
    for (int i = 0; skip_names && skip_names[i]; i++)
        if (strcmp(name, skip_names[i]) == 0)
            return 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int collect_dir(const char *dir, const char *prefix, const char *const skip_names[],
                       cd_bundle_entries *entries, cd_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot read %s", dir);
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!*prefix && is_skipped(de->d_name, skip_names))
            continue;
        if (ends_with(de->d_name, ".partial"))
            continue; /* a sink that never finished (its writer died or ran out of time) */
        char *source = NULL, *path = NULL;
        if (asprintf(&source, "%s/%s", dir, de->d_name) < 0)
            source = NULL;
        if (asprintf(&path, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) < 0)
            path = NULL;
        struct stat st;
        if (!source || !path)
            rc = cd_fail(err, CD_ERR_NOMEM, "out of memory listing bundle files");
        else if (lstat(source, &st) != 0)
            rc = cd_fail_errno(err, CD_ERR_IO, errno, "cannot stat %s", source);
        else if (S_ISDIR(st.st_mode))
            rc = collect_dir(source, path, NULL, entries, err);
        else if (S_ISREG(st.st_mode))
            rc = entries_add(entries, path, source, err);
        /* anything else (sockets, links) has no place in a staging area and is
         * left out */
        free(source);
        free(path);
    }
    closedir(d);
    return rc;
}

int cd_bundle_collect(const char *root, const char *const skip_names[],
                      cd_bundle_entries *entries, cd_error *err)
{
    return collect_dir(root, "", skip_names, entries, err);
}

void cd_bundle_entries_free(cd_bundle_entries *entries)
{
    for (size_t i = 0; i < entries->count; i++) {
        free(entries->items[i].path);
        free(entries->items[i].source);
    }
    free(entries->items);
    memset(entries, 0, sizeof *entries);
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const cd_bundle_entry *)a)->path, ((const cd_bundle_entry *)b)->path);
}

static int zip_failure(zip_t *zip, cd_error *err, const char *what, const char *name)
{
    return cd_fail(err, CD_ERR_IO, "%s %s: %s", what, name, zip_error_strerror(zip_get_error(zip)));
}

/* The error of a zip_close() that failed: a full disk is named as such, with
 * the directory, since that is what the operator has to act on. */
static int write_failure(const cd_run *run, zip_t *zip, const char *partial_path, cd_error *err)
{
    int system_errno = zip_error_code_system(zip_get_error(zip));
    int zip_code = zip_error_code_zip(zip_get_error(zip));
    if ((zip_code == ZIP_ER_WRITE || zip_code == ZIP_ER_CLOSE || zip_code == ZIP_ER_TMPOPEN ||
         zip_code == ZIP_ER_RENAME) &&
        (system_errno == ENOSPC || system_errno == EDQUOT))
        return cd_fail(err, CD_ERR_NOSPACE,
                       "the output directory %s is full (%s: %s) while writing the bundle; "
                       "free space there or choose another directory with -o",
                       run->output_dir, system_errno == ENOSPC ? "ENOSPC" : "EDQUOT",
                       strerror(system_errno));
    return zip_failure(zip, err, "cannot write", partial_path);
}

/* Entries past a few pages (logs, thread dumps, checksum lists, histograms)
 * get zlib's fastest level: it keeps most of the saving at several times the
 * speed (a checksum list of 6,000 files is about 1 MB), and the bundle is
 * written while an operator waits. Small files keep zlib's default. */
#define FAST_DEFLATE_FROM_BYTES (64u << 10)

/* Adds one entry; takes ownership of source (freed by libzip on failure too).
 * store: already compressed; bytes: its size, to choose the deflate level. */
static int add_entry(zip_t *zip, const char *name, zip_source_t *source, int store,
                     uint64_t bytes, cd_error *err)
{
    zip_int64_t index = zip_file_add(zip, name, source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
        zip_source_free(source);
        return zip_failure(zip, err, "cannot add", name);
    }
    if (store)
        zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_STORE, 0);
    else if (bytes >= FAST_DEFLATE_FROM_BYTES)
        zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_DEFLATE, 1);
    zip_file_set_external_attributes(zip, (zip_uint64_t)index, 0, ZIP_OPSYS_UNIX,
                                     (zip_uint32_t)(S_IFREG | 0600) << 16);
    return 0;
}

/* The attempt-th name for the bundle: DIR/NAME.zip, then DIR/NAME-2.zip, ... */
static int zip_name(const cd_run *run, int attempt, char *path, size_t len, cd_error *err)
{
    int n = attempt == 1
                ? snprintf(path, len, "%s/%s.zip", run->output_dir, run->bundle_name)
                : snprintf(path, len, "%s/%s-%d.zip", run->output_dir, run->bundle_name, attempt);
    if (n < 0 || (size_t)n >= len)
        return cd_fail(err, CD_ERR_USAGE, "output path too long");
    return 0;
}

#define MAX_NAME_ATTEMPTS 100

/* The first free name, for the progress line; placing the ZIP decides. */
static int unique_zip_path(const cd_run *run, char *path, size_t len, cd_error *err)
{
    for (int attempt = 1; attempt < MAX_NAME_ATTEMPTS; attempt++) {
        if (zip_name(run, attempt, path, len, err) != 0)
            return -1;
        struct stat st;
        if (lstat(path, &st) != 0 && errno == ENOENT)
            return 0;
    }
    return cd_fail(err, CD_ERR_IO, "too many bundles named %s in %s", run->bundle_name,
                   run->output_dir);
}

/* Moves the finished ZIP to the first free name, never over an existing file:
 * two runs begun in the same second into the same directory (one waited for
 * the other's JVM) both find their bundle. */
static int place_zip(const cd_run *run, const char *partial_path, char *final_path, size_t len,
                     cd_error *err)
{
    for (int attempt = 1; attempt < MAX_NAME_ATTEMPTS; attempt++) {
        if (zip_name(run, attempt, final_path, len, err) != 0)
            return -1;
        int rc = renameat2(AT_FDCWD, partial_path, AT_FDCWD, final_path, RENAME_NOREPLACE);
        if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
            /* a file system without RENAME_NOREPLACE: link(2) refuses an existing name too */
            rc = link(partial_path, final_path);
            if (rc == 0)
                unlink(partial_path);
        }
        if (rc == 0)
            return 0;
        if (errno != EEXIST)
            return cd_fail_errno(err, CD_ERR_IO, errno, "cannot move %s into place as %s",
                                 partial_path, final_path);
    }
    return cd_fail(err, CD_ERR_IO, "too many bundles named %s in %s", run->bundle_name,
                   run->output_dir);
}

int cd_bundle_write(cd_run *run, cd_bundle_entries *entries, char *zip_path, size_t zip_path_len,
                    cd_error *err)
{
    qsort(entries->items, entries->count, sizeof *entries->items, compare_entries);
    for (size_t i = 0; i < entries->count; i++) {
        cd_bundle_entry *e = &entries->items[i];
        if (cd_sha256_file(e->source, e->sha256, &e->bytes, err) != 0)
            return -1;
    }

    char final_path[PATH_MAX], partial_path[PATH_MAX * 2];
    if (unique_zip_path(run, final_path, sizeof final_path, err) != 0)
        return -1;
    snprintf(partial_path, sizeof partial_path, "%s/%s.zip.partial", run->host_staging,
             run->bundle_name);

    int zerr = 0;
    zip_t *zip = zip_open(partial_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!zip) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        cd_fail(err, CD_ERR_IO, "cannot create %s: %s", partial_path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return -1;
    }

    int rc = 0;
    char name[PATH_MAX + 128];
    for (size_t i = 0; rc == 0 && i < entries->count; i++) {
        cd_bundle_entry *e = &entries->items[i];
        snprintf(name, sizeof name, "%s/%s", run->bundle_name, e->path);
        zip_source_t *source = zip_source_file(zip, e->source, 0, -1);
        if (!source)
            rc = zip_failure(zip, err, "cannot read", e->source);
        else
            rc = add_entry(zip, name, source,
                           ends_with(e->path, ".gz") || ends_with(e->path, ".zip"), e->bytes, err);
    }

    char *manifest = NULL;
    if (rc == 0) {
        manifest = cd_manifest_json(run, entries, cd_wall_ms());
        snprintf(name, sizeof name, "%s/manifest.json", run->bundle_name);
        zip_source_t *source =
            manifest ? zip_source_buffer(zip, manifest, strlen(manifest), 0) : NULL;
        if (!source)
            rc = cd_fail(err, CD_ERR_NOMEM, "out of memory writing manifest.json");
        else
            rc = add_entry(zip, name, source, 0, strlen(manifest), err);
    }

    if (rc == 0) {
        cd_progress("writing %s (%zu files)", final_path, entries->count + 1);
        if (zip_close(zip) != 0) {
            rc = write_failure(run, zip, partial_path, err);
            zip_discard(zip);
        }
    } else {
        zip_discard(zip);
    }
    free(manifest);
    if (rc != 0) {
        unlink(partial_path);
        return -1;
    }
    if (chmod(partial_path, 0600) != 0) {
        rc = cd_fail_errno(err, CD_ERR_IO, errno, "cannot make %s private", partial_path);
        unlink(partial_path);
        return rc;
    }
    if (place_zip(run, partial_path, final_path, sizeof final_path, err) != 0) {
        unlink(partial_path);
        return -1;
    }
    snprintf(zip_path, zip_path_len, "%s", final_path);
    return 0;
}
