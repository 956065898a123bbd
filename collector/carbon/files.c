/*
 * The files section: see files.h.
 *
 * Each area (conf, logs, database) is walked with the shared walker, which
 * collects what is there; then each file is opened below CARBON_HOME without
 * following links (cd_walk_open), checked to be a regular file with fstat,
 * and copied through a sink into the staging area at its bundle path, with
 * its modification time carried over. Configuration is read whole and masked
 * by its format; logs are streamed through the line redactor in pieces that
 * end at a line break, so no value is ever split between two pieces (a line
 * longer than LINE_MAX_BYTES is the one exception, and is cut there).
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/progress.h"
#include "base/sha256.h"
#include "carbondump/array.h"
#include "carbondump/fsutil.h"
#include "carbondump/sha256sum_format.h"
#include "redact/redact.h"
#include "redact/redaction_log.h"
#include "walk.h"

#define CONF_WHOLE_MAX_BYTES (64u << 20) /* larger configuration is streamed as lines */
#define CHUNK_BYTES (1u << 20)
#define LINE_MAX_BYTES (4u << 20)
#define BINARY_PROBE_BYTES 8192
#define DB_ATTEMPTS 4
#define DB_RETRY_PAUSE_MS 250
/* A rotated log is compressed again once masked, and stored so in the ZIP:
 * zlib's fastest level, as the bundle uses for any file past a few pages.
 * On dpkg.log it takes a quarter of the default's time for a fifth more
 * bytes. */
#define ROTATED_LOG_GZIP_LEVEL 1

/* ---------------------------------------------------------------- what is copied */

int cd_files_is_key_material(const char *relpath)
{
    static const char *const root_files[] = {"password", "password-tmp", "password-persist"};
    for (size_t i = 0; i < sizeof root_files / sizeof *root_files; i++)
        if (strcmp(relpath, root_files[i]) == 0)
            return 1;
    static const char *const extensions[] = {".jks", ".p12", ".pfx", ".keystore", ".pem", ".key"};
    size_t len = strlen(relpath);
    for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++) {
        size_t n = strlen(extensions[i]);
        if (len > n && strcasecmp(relpath + len - n, extensions[i]) == 0)
            return 1;
    }
    return 0;
}

int cd_files_is_lock_file(const char *name)
{
    size_t len = strlen(name);
    static const char *const suffixes[] = {".lock", ".lck", ".lock.db"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        size_t n = strlen(suffixes[i]);
        if (len >= n && strcasecmp(name + len - n, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

static int compare_newest_first(const void *a, const void *b)
{
    const cd_log_file *x = a, *y = b;
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns > y->mtime_ns ? -1 : 1;
    return strcmp(x->path, y->path);
}

void cd_files_plan_logs(cd_log_file *logs, size_t count, uint64_t per_file_bytes,
                        uint64_t total_bytes)
{
    if (count > 1)
        qsort(logs, count, sizeof *logs, compare_newest_first);
    uint64_t left = total_bytes;
    for (size_t i = 0; i < count; i++) {
        cd_log_file *log = &logs[i];
        uint64_t allowed = per_file_bytes < left ? per_file_bytes : left;
        if (log->whole_only)
            log->keep_bytes = log->size_bytes <= allowed ? log->size_bytes : 0;
        else
            log->keep_bytes = log->size_bytes < allowed ? log->size_bytes : allowed;
        left -= log->keep_bytes;
    }
}

/* ---------------------------------------------------------------- the job */

typedef struct found_file {
    char *path;        /* relative to CARBON_HOME, as found */
    char *shown;       /* path as text files name it (sha256sum's escapes) */
    char *bundle_path; /* where its copy goes (cd_walk_bundle_path); NULL: nowhere */
    struct stat st;    /* lstat from the walk */
} found_file;

typedef struct found_list {
    found_file *items;
    size_t count, capacity;
} found_list;

typedef struct files_job {
    cd_run *run;
    int home_fd;
    cd_sink *notes; /* copy_notes.txt */
    found_list found;
    uint64_t bytes_copied;
    unsigned long files_copied;
} files_job;

static void note(files_job *job, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One line of copy_notes.txt about path (the CARBON_HOME path as found: it is
 * written with sha256sum's escapes, so an odd name stays on one line). */
static void note(files_job *job, const char *path, const char *fmt, ...)
{
    cd_sha256sum_write_name(job->notes, path);
    cd_sink_puts(job->notes, ": ");
    va_list ap;
    va_start(ap, fmt);
    cd_sink_vprintf(job->notes, fmt, ap);
    va_end(ap);
    cd_sink_puts(job->notes, "\n");
}

static const char *type_word(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFLNK: return "symbolic link";
    case S_IFIFO: return "FIFO";
    case S_IFSOCK: return "socket";
    case S_IFCHR: return "character device";
    case S_IFBLK: return "block device";
    }
    return "special file";
}

static cd_walk_action collect(void *context, const cd_walk_entry *entry, cd_error *err)
{
    files_job *job = context;
    mode_t mode = entry->st->st_mode;
    if (S_ISDIR(mode))
        return CD_WALK_CONTINUE;
    if (cd_files_is_key_material(entry->path)) {
        char *shown = cd_walk_escape_name(entry->path);
        cd_redaction_withheld(job->run, shown ? shown : "?", "key material, never copied");
        free(shown);
        note(job, entry->path, "not copied: key material");
        return CD_WALK_CONTINUE;
    }
    if (cd_files_is_lock_file(entry->name)) {
        note(job, entry->path, "not copied: lock file");
        return CD_WALK_CONTINUE;
    }
    if (!S_ISREG(mode) && !S_ISLNK(mode)) {
        note(job, entry->path, "not copied: a %s, never opened", type_word(mode));
        return CD_WALK_CONTINUE;
    }
    found_list *list = &job->found;
    if (CD_ARRAY_ROOM_FOR_ONE(list->items, list->capacity, list->count) != 0) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing %s", entry->path);
        return CD_WALK_STOP;
    }
    found_file *f = &list->items[list->count];
    memset(f, 0, sizeof *f);
    f->path = strdup(entry->path);
    f->shown = cd_walk_escape_name(entry->path);
    char bundle_path[PATH_MAX]; /* too long to be stored: NULL, open_copy says so */
    int encoded = cd_walk_bundle_path(entry->path, bundle_path, sizeof bundle_path);
    int out_of_memory = encoded < 0 && errno == ENOMEM;
    if (encoded >= 0)
        out_of_memory = !(f->bundle_path = strdup(bundle_path));
    if (!f->path || !f->shown || out_of_memory) {
        free(f->path);
        free(f->shown);
        free(f->bundle_path);
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing CARBON_HOME");
        return CD_WALK_STOP;
    }
    f->st = *entry->st;
    list->count++;
    return CD_WALK_CONTINUE;
}

static void found_clear(found_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].path);
        free(list->items[i].shown);
        free(list->items[i].bundle_path);
    }
    list->count = 0;
}

/* Walks one area; a missing one is noted, not an error. */
static int collect_area(files_job *job, const char *area, cd_error *err)
{
    found_clear(&job->found);
    char target[PATH_MAX];
    ssize_t n = readlinkat(job->home_fd, area, target, sizeof target - 1);
    if (n > 0) { /* the walk would refuse it; say what it is */
        target[n] = '\0';
        char *shown = cd_walk_escape_name(target);
        note(job, area, "not copied: a symbolic link to %s, not followed", shown ? shown : "?");
        free(shown);
        return 0;
    }
    cd_walk_problems problems;
    cd_walk_problems_init(&problems);
    cd_walk_options options = {.subdir = area};
    cd_error walk_err = {0};
    int rc = cd_walk(job->run->carbon_home, &options, collect, job, &problems, &walk_err);
    if (rc != 0 && walk_err.code == CD_ERR_NOENT) {
        note(job, area, "not present");
        rc = 0;
    } else if (rc != 0 && job->found.count == 0 && walk_err.code != CD_ERR_NOMEM) {
        note(job, area, "not copied: %s", walk_err.message);
        rc = 0;
    } else if (rc != 0) {
        *err = walk_err;
    }
    cd_walk_problems_write(&problems, job->notes, "");
    cd_walk_problems_free(&problems);
    return rc;
}

/* Opens a found file for reading: a regular file without following links, a
 * link only when it leads to a regular file inside CARBON_HOME. Returns the
 * fd (with *st filled) or -1 after noting why. */
static int open_found(files_job *job, const found_file *f, struct stat *st)
{
    int is_link = S_ISLNK(f->st.st_mode);
    int fd = is_link ? cd_walk_open_beneath(job->home_fd, f->path, O_RDONLY)
                     : cd_walk_open(job->home_fd, f->path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        if (is_link && (e == EXDEV || e == ELOOP))
            note(job, f->path, "not copied: a symbolic link %s, not followed",
                 e == EXDEV ? "that is absolute or leads out of CARBON_HOME"
                            : "in a loop (or too many links in a row)");
        else if (is_link)
            note(job, f->path,
                 "not copied: a symbolic link that does not stay inside "
                 "CARBON_HOME or cannot be followed safely (%s)",
                 strerror(e));
        else
            note(job, f->path, "not copied: %s",
                 e == ENOENT ? "vanished before it was copied" : strerror(e));
        return -1;
    }
    if (is_link) { /* where the links led, however many: key material stays */
        char proc[64], target[PATH_MAX];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        if (n <= 0 || cd_files_is_key_material(target)) {
            cd_redaction_withheld(job->run, f->shown, "link to key material, never copied");
            note(job, f->path, "not copied: a link to key material (or to what cannot be named)");
            close(fd);
            return -1;
        }
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        note(job, f->path, "not copied: not a regular file when opened (%s)",
             is_link ? "a link to something else" : "replaced since the walk");
        close(fd);
        return -1;
    }
    if (is_link)
        note(job, f->path, "copied through a symbolic link inside CARBON_HOME");
    return fd;
}

/* Whether the copy of f can be staged: a path longer than the file system
 * takes (deep nesting) would fail in the staging area, and is noted instead. */
static int can_stage(files_job *job, const found_file *f)
{
    if (f->bundle_path &&
        strlen(job->run->host_staging) + 1 + strlen(f->bundle_path) + sizeof ".partial" <= PATH_MAX)
        return 1;
    note(job, f->path, "not copied: its path is too long to be stored in the bundle");
    return 0;
}

/* Opens a found file and its copy in the staging area. Returns the source fd;
 * -1 when the file is skipped (noted why); -2 when the staging area cannot be
 * written (err says why). */
static int open_copy(files_job *job, const found_file *f, struct stat *st, cd_sink **sink,
                     cd_error *err)
{
    if (!can_stage(job, f))
        return -1;
    int fd = open_found(job, f, st);
    if (fd < 0)
        return -1;
    *sink = cd_staging_open(job->run->host_staging, f->bundle_path, err);
    if (!*sink) {
        close(fd);
        return -2;
    }
    return fd;
}

/* ---------------------------------------------------------------- copying */

typedef struct note_context {
    cd_run *run;
    const char *path;
} note_context;

static void redaction_note(void *context, long line, const char *key)
{
    note_context *n = context;
    cd_redaction_note(n->run, n->path, line, key);
}

/* Reads until buffer is full or the file ends; returns bytes read or -1. */
static ssize_t read_full(int fd, char *buffer, size_t len)
{
    size_t used = 0;
    while (used < len) {
        ssize_t n = read(fd, buffer + used, len - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        used += (size_t)n;
    }
    return (ssize_t)used;
}

/* Up to limit bytes from fd's current offset into sink, as they are. */
static int copy_raw(int fd, cd_sink *sink, uint64_t limit, const char *path, cd_error *err)
{
    char *buffer = cd_read_buffer(CHUNK_BYTES);
    if (!buffer)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory copying %s", path);
    int rc = 0;
    while (limit > 0) {
        ssize_t n = read_full(fd, buffer, limit < CHUNK_BYTES ? (size_t)limit : CHUNK_BYTES);
        if (n < 0) {
            rc = cd_fail_errno(err, CD_ERR_IO, errno, "cannot read %s", path);
            break;
        }
        if (n == 0)
            break;
        if (cd_sink_write(sink, buffer, (size_t)n) != 0)
            break;
        limit -= (uint64_t)n;
    }
    free(buffer);
    return rc;
}

/* A source of text for the line redactor: a plain fd or a gzip stream. */
typedef struct text_source {
    int fd;
    gzFile gz;
} text_source;

static ssize_t source_read(text_source *source, char *buffer, size_t len)
{
    if (!source->gz)
        return read_full(source->fd, buffer, len);
    int n = gzread(source->gz, buffer, (unsigned)len);
    return n < 0 ? -1 : n;
}

/* Streams up to limit bytes through the line redactor (or as they are when
 * redact is 0). With skip_partial_line, text up to the first line break is
 * dropped: the copy starts in the middle of the file. */
static int copy_lines(files_job *job, text_source *source, cd_sink *sink, uint64_t limit,
                      int skip_partial_line, const char *path, cd_error *err)
{
    /* The unfinished line is kept just before a page boundary, where the next
     * read starts: see cd_read_buffer. */
    char *buffer = cd_read_buffer(LINE_MAX_BYTES + CD_READ_BUFFER_ALIGN);
    char *text = buffer;
    if (!buffer)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory copying %s", path);
    note_context context = {job->run, path};
    int redact = job->run->cli->redact;
    size_t carried = 0;
    long line = 1;
    int rc = 0;
    for (;;) {
        size_t room = LINE_MAX_BYTES - carried;
        if (room > CHUNK_BYTES)
            room = CHUNK_BYTES;
        if (room > limit)
            room = (size_t)limit;
        ssize_t n = room ? source_read(source, text + carried, room) : 0;
        if (n < 0) {
            rc = cd_fail(err, CD_ERR_IO, "cannot read %s", path);
            break;
        }
        limit -= (uint64_t)n;
        size_t have = carried + (size_t)n;
        int last = n == 0;
        size_t start = 0;
        if (skip_partial_line && have > 0) {
            const char *nl = memchr(text, '\n', have);
            if (!nl && !last && have < LINE_MAX_BYTES) {
                carried = have;
                continue;
            }
            start = nl ? (size_t)(nl - text) + 1 : have;
            skip_partial_line = 0;
        }
        /* hand over whole lines; keep the unfinished one for the next round */
        size_t end = have;
        if (!last) {
            const char *nl = memrchr(text + start, '\n', have - start);
            if (nl)
                end = (size_t)(nl - text) + 1;
            else if (have < LINE_MAX_BYTES)
                end = start; /* no line break yet: read more first */
        }
        if (end > start) {
            if (redact) {
                cd_redact_text(CD_REDACT_LINES, text + start, end - start, line, sink,
                               redaction_note, &context);
                for (const char *nl = text + start;
                     (nl = memchr(nl, '\n', (size_t)(text + end - nl))) != NULL; nl++)
                    line++;
            } else {
                cd_sink_write(sink, text + start, end - start);
            }
        }
        carried = have - end;
        char *next =
            buffer + (CD_READ_BUFFER_ALIGN - carried % CD_READ_BUFFER_ALIGN) % CD_READ_BUFFER_ALIGN;
        memmove(next, text + end, carried);
        text = next;
        if (last || sink->failed)
            break;
    }
    free(buffer);
    return rc;
}

/* Configuration: read whole and masked by format; binary files as they are. */
static int copy_config(files_job *job, int fd, const struct stat *st, cd_sink *sink,
                       const char *path, cd_error *err)
{
    if (!job->run->cli->redact)
        return copy_raw(fd, sink, UINT64_MAX, path, err);
    if ((uint64_t)st->st_size > CONF_WHOLE_MAX_BYTES) {
        text_source source = {fd, NULL};
        return copy_lines(job, &source, sink, UINT64_MAX, 0, path, err);
    }
    size_t cap = (size_t)st->st_size + 1;
    char *text = cd_read_buffer(cap + 1);
    if (!text)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory copying %s", path);
    ssize_t len = read_full(fd, text, cap);
    if (len < 0) {
        free(text);
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot read %s", path);
    }
    if ((size_t)len == cap) { /* grew since fstat: read it as a stream instead */
        free(text);
        if (lseek(fd, 0, SEEK_SET) != 0)
            return cd_fail_errno(err, CD_ERR_IO, errno, "cannot read %s", path);
        text_source source = {fd, NULL};
        return copy_lines(job, &source, sink, UINT64_MAX, 0, path, err);
    }
    size_t probe = (size_t)len < BINARY_PROBE_BYTES ? (size_t)len : BINARY_PROBE_BYTES;
    if (memchr(text, '\0', probe)) {
        cd_sink_write(sink, text, (size_t)len);
    } else {
        note_context context = {job->run, path};
        cd_redact_text(cd_redact_format_for(path), text, (size_t)len, 1, sink, redaction_note,
                       &context);
    }
    free(text);
    return 0;
}

/* Gives the staged copy the original's modification time. */
static void keep_mtime(files_job *job, const char *path, const struct stat *st)
{
    char staged[PATH_MAX];
    snprintf(staged, sizeof staged, "%s/%s", job->run->host_staging, path);
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    utimensat(AT_FDCWD, staged, times, AT_SYMLINK_NOFOLLOW);
}

/* Closes sink and counts the copy. A copy that failed (rc != 0, why in
 * copy_err) is noted and does not stop the others, unless the disk is full:
 * then -1 with the error in err. */
static int finish_copy(files_job *job, cd_sink *sink, int rc, const cd_error *copy_err,
                       const found_file *f, const struct stat *st, cd_error *err)
{
    uint64_t bytes = sink->bytes_written;
    cd_error close_err = {0};
    if (rc != 0) {
        cd_sink_abandon(sink);
        close_err = *copy_err;
    } else if (cd_sink_close(sink, &close_err) == 0) {
        keep_mtime(job, f->bundle_path, st);
        if (strcmp(f->bundle_path, f->path) != 0)
            note(job, f->path, "copied as %s", f->bundle_path);
        job->bytes_copied += bytes;
        job->files_copied++;
        return 0;
    }
    note(job, f->path, "not copied: %s", close_err.message);
    if (close_err.code != CD_ERR_NOSPACE)
        return 0;
    *err = close_err;
    return -1;
}

/* ---------------------------------------------------------------- areas */

static int copy_conf(files_job *job, cd_error *err)
{
    if (collect_area(job, "repository/conf", err) != 0)
        return -1;
    for (size_t i = 0; i < job->found.count; i++) {
        const found_file *f = &job->found.items[i];
        struct stat st;
        cd_sink *sink = NULL;
        int fd = open_copy(job, f, &st, &sink, err);
        if (fd == -2)
            return -1;
        if (fd < 0)
            continue;
        cd_error copy_err = {0};
        int rc = copy_config(job, fd, &st, sink, f->shown, &copy_err);
        close(fd);
        if (finish_copy(job, sink, rc, &copy_err, f, &st, err) != 0)
            return -1;
    }
    return 0;
}

static int is_gzip_name(const char *path)
{
    size_t len = strlen(path);
    return len > 3 && strcasecmp(path + len - 3, ".gz") == 0;
}

static int copy_one_log(files_job *job, const found_file *f, const cd_log_file *plan, cd_error *err)
{
    struct stat st;
    cd_sink *sink = NULL;
    int fd = open_copy(job, f, &st, &sink, err);
    if (fd < 0)
        return fd == -2 ? -1 : 0;
    cd_error copy_err = {0};
    int rc = 0;
    if (plan->whole_only) {
        /* decompressed, masked and compressed again */
        int gz_fd = dup(fd);
        text_source source = {-1, gz_fd >= 0 ? gzdopen(gz_fd, "rb") : NULL};
        if (!source.gz) {
            if (gz_fd >= 0)
                close(gz_fd);
            rc = cd_fail(&copy_err, CD_ERR_NOMEM, "cannot read %s as gzip", f->shown);
        } else {
            cd_sink *gzip = cd_sink_gzip(sink, ROTATED_LOG_GZIP_LEVEL, 1 << 20, &copy_err);
            if (!gzip) { /* the file sink is gone with it */
                gzclose(source.gz);
                close(fd);
                note(job, f->path, "not copied: %s", copy_err.message);
                return 0;
            }
            sink = gzip; /* which owns the file sink: finish through it */
            rc = copy_lines(job, &source, sink, UINT64_MAX, 0, f->shown, &copy_err);
            gzclose(source.gz);
        }
    } else {
        uint64_t offset = plan->size_bytes - plan->keep_bytes;
        if (offset > 0 && lseek(fd, (off_t)offset, SEEK_SET) < 0) {
            rc = cd_fail_errno(&copy_err, CD_ERR_IO, errno, "cannot seek in %s", f->shown);
        } else {
            text_source source = {fd, NULL};
            rc = copy_lines(job, &source, sink, plan->keep_bytes, offset > 0, f->shown, &copy_err);
        }
        if (rc == 0 && offset > 0)
            note(job, f->path,
                 "cut: kept the last %llu of %llu bytes, from the first whole line (log caps)",
                 (unsigned long long)plan->keep_bytes, (unsigned long long)plan->size_bytes);
    }
    close(fd);
    return finish_copy(job, sink, rc, &copy_err, f, &st, err);
}

static int copy_logs(files_job *job, cd_error *err)
{
    if (collect_area(job, "repository/logs", err) != 0)
        return -1;
    size_t count = job->found.count;
    cd_log_file *plan = calloc(count ? count : 1, sizeof *plan);
    if (!plan)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory planning the log copies");
    for (size_t i = 0; i < count; i++) {
        const found_file *f = &job->found.items[i];
        plan[i].path = f->path;
        plan[i].size_bytes = (uint64_t)f->st.st_size;
        plan[i].mtime_ns = (int64_t)f->st.st_mtim.tv_sec * 1000000000 + f->st.st_mtim.tv_nsec;
        plan[i].whole_only = is_gzip_name(f->path);
        if (S_ISLNK(f->st.st_mode)) { /* a link's own size says nothing: use its target's */
            struct stat target;
            int fd = cd_walk_open_beneath(job->home_fd, f->path, O_RDONLY);
            if (fd >= 0 && fstat(fd, &target) == 0) {
                plan[i].size_bytes = (uint64_t)target.st_size;
                plan[i].mtime_ns =
                    (int64_t)target.st_mtim.tv_sec * 1000000000 + target.st_mtim.tv_nsec;
            }
            if (fd >= 0)
                close(fd);
        }
    }
    const cd_cli *cli = job->run->cli;
    cd_files_plan_logs(plan, count, cli->max_log_bytes, cli->max_logs_total_bytes);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const found_file *f = NULL;
        for (size_t j = 0; j < count && !f; j++) /* plan is sorted; find its file */
            if (job->found.items[j].path == plan[i].path)
                f = &job->found.items[j];
        if (plan[i].keep_bytes == 0 && plan[i].size_bytes > 0) {
            int too_big = plan[i].size_bytes > cli->max_log_bytes &&
                          (plan[i].whole_only || cli->max_log_bytes == 0);
            note(job, plan[i].path, "not copied: %s",
                 too_big ? "larger than --max-log-bytes (a compressed log is copied whole or "
                           "not at all)"
                         : "the total log cap (--max-logs-total-bytes) was reached");
            continue;
        }
        rc = copy_one_log(job, f, &plan[i], err);
    }
    free(plan);
    return rc;
}

static int same_state(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_ino == b->st_ino &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* One database file, copied until a copy matches the file before and after
 * (size, time, SHA-256), at most DB_ATTEMPTS times. */
static int copy_database_file(files_job *job, const found_file *f, cd_error *err)
{
    char staged[PATH_MAX];
    snprintf(staged, sizeof staged, "%s/%s", job->run->host_staging,
             f->bundle_path ? f->bundle_path : "");
    for (int attempt = 1;; attempt++) {
        struct stat before, after;
        cd_sink *sink = NULL;
        int fd = open_copy(job, f, &before, &sink, err);
        if (fd < 0)
            return fd == -2 ? -1 : 0;
        cd_error copy_err = {0};
        int rc = copy_raw(fd, sink, UINT64_MAX, f->shown, &copy_err);
        unsigned long copied_before = job->files_copied;
        if (finish_copy(job, sink, rc, &copy_err, f, &before, err) != 0) {
            close(fd);
            return -1;
        }
        if (job->files_copied == copied_before) { /* noted by finish_copy */
            close(fd);
            return 0;
        }
        char copy_hex[CD_SHA256_HEX_LEN + 1], source_hex[CD_SHA256_HEX_LEN + 1];
        cd_error hash_err = {0};
        int stable = lseek(fd, 0, SEEK_SET) == 0 &&
                     cd_sha256_fd(fd, f->shown, source_hex, NULL, &hash_err) == 0 &&
                     cd_sha256_file(staged, copy_hex, NULL, &hash_err) == 0 &&
                     fstat(fd, &after) == 0 && same_state(&before, &after) &&
                     strcmp(copy_hex, source_hex) == 0;
        close(fd);
        if (stable) {
            if (attempt > 1)
                note(job, f->path, "changed while being copied; copy %d of %d is consistent",
                     attempt, DB_ATTEMPTS);
            return 0;
        }
        if (attempt == DB_ATTEMPTS) {
            note(job, f->path,
                 "INCONSISTENT: changed during each of %d copies; the copy in this bundle "
                 "may be torn (the database was being written)",
                 DB_ATTEMPTS);
            cd_progress("%s kept changing while being copied: flagged in copy_notes.txt", f->shown);
            return 0;
        }
        job->files_copied--; /* the retry counts once */
        job->bytes_copied -= (uint64_t)before.st_size;
        usleep(DB_RETRY_PAUSE_MS * 1000 * attempt);
    }
}

static int copy_databases(files_job *job, cd_error *err)
{
    if (collect_area(job, "repository/database", err) != 0)
        return -1;
    for (size_t i = 0; i < job->found.count; i++)
        if (copy_database_file(job, &job->found.items[i], err) != 0)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------- section */

int cd_files_section(cd_run *run, cd_error *err)
{
    files_job job = {.run = run};
    job.home_fd = open(run->carbon_home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (job.home_fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot open %s", run->carbon_home);
    job.notes = cd_sink_buffer();
    if (!job.notes) {
        close(job.home_fd);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    }
    int rc = copy_conf(&job, err);
    if (rc == 0)
        rc = copy_logs(&job, err);
    if (rc == 0)
        rc = copy_databases(&job, err);
    found_clear(&job.found);
    free(job.found.items);
    close(job.home_fd);

    size_t notes_len = 0;
    char *notes = cd_sink_buffer_take(job.notes, &notes_len);
    if (rc == 0) {
        cd_sink *sink = cd_staging_open(run->host_staging, "copy_notes.txt", err);
        if (!sink) {
            rc = -1;
        } else {
            cd_sink_printf(sink,
                           "# copy_notes.txt: repository/conf, repository/logs and "
                           "repository/database as copied into this bundle\n"
                           "# %lu files, %llu bytes; configuration and logs %s; logs: newest "
                           "first, at most %llu bytes each, %llu in all\n",
                           job.files_copied, (unsigned long long)job.bytes_copied,
                           run->cli->redact ? "masked (see redaction_log.txt)"
                                            : "NOT masked (--no-redact)",
                           (unsigned long long)run->cli->max_log_bytes,
                           (unsigned long long)run->cli->max_logs_total_bytes);
            cd_sink_puts(sink, "# what was left out, cut, or changing while copied:\n");
            if (notes)
                cd_sink_write(sink, notes, notes_len);
            rc = cd_sink_close(sink, err);
        }
    }
    free(notes);
    return rc;
}
