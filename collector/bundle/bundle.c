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
 *
 * Every file is read once: by libzip, through a source that hashes what it
 * hands over (file_source), or, for the big files deflated ahead on worker
 * threads (deflate_ahead.h), by the worker that deflates and hashes it. The
 * manifest's SHA-256 is of exactly the bytes in the ZIP, and a heap dump of
 * gigabytes is not read a second time to hash it. manifest.json is the last
 * entry, and its source makes the JSON when libzip comes to it, after every
 * file before it has been read.
 */
#include "bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "base/progress.h"
#include "carbondump/array.h"
#include "carbondump/fsutil.h"

static int entries_add(cd_bundle_entries *entries, const char *path, const char *source,
                       cd_error *err)
{
    if (CD_ARRAY_ROOM_FOR_ONE(entries->items, entries->capacity, entries->count) != 0)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory listing bundle files");
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

int cd_bundle_collect(const char *root, const char *const skip_names[], cd_bundle_entries *entries,
                      cd_error *err)
{
    return collect_dir(root, "", skip_names, entries, err);
}

int cd_bundle_add(cd_bundle_entries *entries, const char *root, const char *relpath, cd_error *err)
{
    char source[PATH_MAX];
    struct stat st;
    snprintf(source, sizeof source, "%s/%s", root, relpath);
    if (lstat(source, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return entries_add(entries, relpath, source, err);
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
#define FAST_DEFLATE_LEVEL 1

static int deflate_level(uint64_t bytes)
{
    return bytes >= FAST_DEFLATE_FROM_BYTES ? FAST_DEFLATE_LEVEL : Z_DEFAULT_COMPRESSION;
}

static int is_stored(const cd_bundle_entry *e)
{
    return ends_with(e->path, ".gz") || ends_with(e->path, ".zip");
}

cd_deflate_ahead *cd_bundle_deflate_ahead(const cd_bundle_entries *entries)
{
    const char **files = calloc(entries->count + 1, sizeof *files);
    uint64_t *sizes = calloc(entries->count + 1, sizeof *sizes);
    int *levels = calloc(entries->count + 1, sizeof *levels);
    size_t count = 0;
    for (size_t i = 0; files && sizes && levels && i < entries->count; i++) {
        const cd_bundle_entry *e = &entries->items[i];
        struct stat st;
        if (is_stored(e) || lstat(e->source, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
            continue;
        files[count] = e->source;
        sizes[count] = (uint64_t)st.st_size;
        levels[count++] = deflate_level((uint64_t)st.st_size);
    }
    cd_deflate_ahead *ahead = count ? cd_deflate_ahead_start(files, sizes, levels, count) : NULL;
    free(files);
    free(sizes);
    free(levels);
    return ahead;
}

/* Adds one entry; takes ownership of source (freed by libzip on failure too).
 * store: already compressed; bytes: its size, to choose the deflate level. */
static int add_entry(zip_t *zip, const char *name, zip_source_t *source, int store, uint64_t bytes,
                     cd_error *err)
{
    zip_int64_t index = zip_file_add(zip, name, source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
        zip_source_free(source);
        return zip_failure(zip, err, "cannot add", name);
    }
    if (store)
        zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_STORE, 0);
    else if (bytes >= FAST_DEFLATE_FROM_BYTES)
        zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_DEFLATE,
                                 (zip_uint32_t)deflate_level(bytes));
    zip_file_set_external_attributes(zip, (zip_uint64_t)index, 0, ZIP_OPSYS_UNIX,
                                     (zip_uint32_t)(S_IFREG | 0600) << 16);
    return 0;
}

/* ---------------------------------------------------------------- sources */

/* One staged file as libzip reads it: opened when libzip starts on it (a
 * bundle of thousands of files never holds them all open), hashed on the
 * way; entry->sha256 and entry->bytes are set once the end is reached. */
typedef struct file_source {
    cd_bundle_entry *entry;
    int fd;
    cd_sha256_hasher *hasher;
    uint64_t bytes;
    int hashed;
    zip_error_t error;
} file_source;

/* What both sources answer: a read-only source, read once from the start. */
#define READ_SOURCE_COMMANDS                                                                       \
    zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,             \
                                   ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1)

static zip_int64_t source_failure(zip_error_t *error, int zip_code, int system_errno)
{
    zip_error_set(error, zip_code, system_errno);
    return -1;
}

static void file_source_close(file_source *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    cd_sha256_hasher_free(f->hasher);
    f->hasher = NULL;
}

static zip_int64_t file_source_open(file_source *f)
{
    file_source_close(f); /* libzip may read a source again: start over */
    f->fd = open(f->entry->source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (f->fd < 0)
        return source_failure(&f->error, ZIP_ER_OPEN, errno);
    f->hasher = cd_sha256_hasher_new();
    if (!f->hasher || cd_sha256_hasher_begin(f->hasher) != 0) {
        file_source_close(f);
        return source_failure(&f->error, ZIP_ER_MEMORY, 0);
    }
    f->bytes = 0;
    f->hashed = 0;
    return 0;
}

static zip_int64_t file_source_read(file_source *f, void *data, zip_uint64_t len)
{
    if (f->fd < 0)
        return source_failure(&f->error, ZIP_ER_INTERNAL, 0);
    ssize_t n;
    do
        n = read(f->fd, data, len > (1u << 30) ? (1u << 30) : (size_t)len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return source_failure(&f->error, ZIP_ER_READ, errno);
    if (n > 0) {
        cd_sha256_hasher_update(f->hasher, data, (size_t)n);
        f->bytes += (uint64_t)n;
    } else if (!f->hashed) {
        if (cd_sha256_hasher_end(f->hasher, f->entry->sha256) != 0)
            return source_failure(&f->error, ZIP_ER_INTERNAL, 0);
        f->entry->bytes = f->bytes;
        f->hashed = 1;
    }
    return n;
}

static zip_int64_t file_source_stat(file_source *f, void *data, zip_uint64_t len)
{
    struct stat st;
    if (len < sizeof(zip_stat_t))
        return source_failure(&f->error, ZIP_ER_INVAL, 0);
    if (lstat(f->entry->source, &st) != 0)
        return source_failure(&f->error, ZIP_ER_READ, errno);
    zip_stat_t *zs = data;
    zip_stat_init(zs);
    zs->size = (zip_uint64_t)st.st_size;
    zs->mtime = st.st_mtime;
    zs->valid = ZIP_STAT_SIZE | ZIP_STAT_MTIME;
    return sizeof(zip_stat_t);
}

static zip_int64_t file_source_callback(void *user, void *data, zip_uint64_t len,
                                        zip_source_cmd_t cmd)
{
    file_source *f = user;
    switch (cmd) {
    case ZIP_SOURCE_OPEN: return file_source_open(f);
    case ZIP_SOURCE_READ: return file_source_read(f, data, len);
    case ZIP_SOURCE_CLOSE: file_source_close(f); return 0;
    case ZIP_SOURCE_STAT: return file_source_stat(f, data, len);
    case ZIP_SOURCE_ERROR: return zip_error_to_data(&f->error, data, len);
    case ZIP_SOURCE_FREE:
        file_source_close(f);
        free(f);
        return 0;
    case ZIP_SOURCE_SUPPORTS: return READ_SOURCE_COMMANDS;
    default: return source_failure(&f->error, ZIP_ER_OPNOTSUPP, 0);
    }
}

static zip_source_t *file_source_new(zip_t *zip, cd_bundle_entry *entry)
{
    file_source *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->entry = entry;
    f->fd = -1;
    zip_error_init(&f->error);
    zip_source_t *source = zip_source_function(zip, file_source_callback, f);
    if (!source)
        free(f);
    return source;
}

/* manifest.json, made when libzip comes to it: the files before it have
 * been read and hashed by then. A file libzip did not read to its end
 * (which it always does) would be hashed here on its own. */
typedef struct manifest_source {
    cd_run *run;
    cd_bundle_entries *entries;
    const cd_findings *findings;
    char *json;
    size_t len, offset;
    zip_error_t error;
} manifest_source;

static int manifest_make(manifest_source *m)
{
    if (m->json)
        return 0;
    for (size_t i = 0; i < m->entries->count; i++) {
        cd_bundle_entry *e = &m->entries->items[i];
        cd_error err = {0};
        if (!e->sha256[0] && cd_sha256_file(e->source, e->sha256, &e->bytes, &err) != 0) {
            zip_error_set(&m->error, ZIP_ER_READ, 0);
            return -1;
        }
    }
    m->json = cd_manifest_json(m->run, m->entries, m->findings, cd_wall_ms());
    if (!m->json) {
        zip_error_set(&m->error, ZIP_ER_MEMORY, 0);
        return -1;
    }
    m->len = strlen(m->json);
    return 0;
}

static zip_int64_t manifest_source_callback(void *user, void *data, zip_uint64_t len,
                                            zip_source_cmd_t cmd)
{
    manifest_source *m = user;
    switch (cmd) {
    case ZIP_SOURCE_OPEN: m->offset = 0; return manifest_make(m);
    case ZIP_SOURCE_READ: {
        size_t n = m->len - m->offset < len ? m->len - m->offset : (size_t)len;
        memcpy(data, m->json + m->offset, n);
        m->offset += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE: return 0;
    case ZIP_SOURCE_STAT: {
        if (len < sizeof(zip_stat_t) || manifest_make(m) != 0)
            return -1;
        zip_stat_t *zs = data;
        zip_stat_init(zs);
        zs->size = m->len;
        zs->mtime = time(NULL);
        zs->valid = ZIP_STAT_SIZE | ZIP_STAT_MTIME;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR: return zip_error_to_data(&m->error, data, len);
    case ZIP_SOURCE_FREE:
        free(m->json);
        free(m);
        return 0;
    case ZIP_SOURCE_SUPPORTS: return READ_SOURCE_COMMANDS;
    default: return source_failure(&m->error, ZIP_ER_OPNOTSUPP, 0);
    }
}

static zip_source_t *manifest_source_new(zip_t *zip, cd_run *run, cd_bundle_entries *entries,
                                         const cd_findings *findings)
{
    manifest_source *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    *m = (manifest_source){.run = run, .entries = entries, .findings = findings};
    zip_error_init(&m->error);
    zip_source_t *source = zip_source_function(zip, manifest_source_callback, m);
    if (!source)
        free(m);
    return source;
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

int cd_bundle_write(cd_run *run, cd_bundle_entries *entries, cd_deflate_ahead *ahead,
                    const cd_findings *findings, char *zip_path, size_t zip_path_len, cd_error *err)
{
    qsort(entries->items, entries->count, sizeof *entries->items, compare_entries);
    for (size_t i = 0; i < entries->count; i++) { /* the sizes choose the deflate level */
        cd_bundle_entry *e = &entries->items[i];
        struct stat st;
        if (lstat(e->source, &st) != 0 || !S_ISREG(st.st_mode))
            return cd_fail(err, CD_ERR_IO, "%s is not a regular file any more", e->source);
        e->bytes = (uint64_t)st.st_size;
        e->sha256[0] = '\0';
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
        zip_source_t *source = cd_deflate_ahead_source(ahead, zip, e->source, e->sha256, &e->bytes);
        if (!source)
            source = file_source_new(zip, e);
        if (!source)
            rc = zip_failure(zip, err, "cannot read", e->source);
        else
            rc = add_entry(zip, name, source, is_stored(e), e->bytes, err);
    }

    if (rc == 0) {
        snprintf(name, sizeof name, "%s/manifest.json", run->bundle_name);
        zip_source_t *source = manifest_source_new(zip, run, entries, findings);
        if (!source)
            rc = cd_fail(err, CD_ERR_NOMEM, "out of memory writing manifest.json");
        else
            rc = add_entry(zip, name, source, 0, 0, err);
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
