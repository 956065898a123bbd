/*
 * File-system and clock utilities: see include/carbondump/fsutil.h.
 */
#include "carbondump/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cd_mkdirs(const char *path, mode_t mode, cd_error *err)
{
    char buf[PATH_MAX];
    if (strlen(path) >= sizeof buf)
        return cd_fail(err, CD_ERR_USAGE, "path too long: %.100s...", path);
    strcpy(buf, path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) != 0 && errno != EEXIST)
            return cd_fail_errno(err, CD_ERR_IO, errno, "cannot create directory %s", buf);
        if (saved == '\0')
            break;
        *p = saved;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return cd_fail(err, CD_ERR_IO, "%s exists and is not a directory", path);
    return 0;
}

static int relpath_is_safe(const char *relpath)
{
    if (relpath[0] == '/' || relpath[0] == '\0')
        return 0;
    for (const char *p = relpath; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if ((len == 2 && p[0] == '.' && p[1] == '.') || len == 0)
            return 0;
        if (!slash)
            break;
        p = slash + 1;
    }
    return 1;
}

cd_sink *cd_staging_open(const char *root, const char *relpath, cd_error *err)
{
    if (!relpath_is_safe(relpath)) {
        cd_fail(err, CD_ERR_INTERNAL, "unsafe staging path '%s'", relpath);
        return NULL;
    }
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", root, relpath);
    if (n < 0 || (size_t)n >= sizeof path) {
        cd_fail(err, CD_ERR_USAGE, "staging path too long: %s/%s", root, relpath);
        return NULL;
    }
    char *slash = strrchr(path, '/');
    *slash = '\0';
    int rc = cd_mkdirs(path, 0700, err);
    *slash = '/';
    if (rc != 0)
        return NULL;
    return cd_sink_file(path, err);
}

int cd_staging_write(const char *root, const char *relpath, const void *data, size_t len,
                     cd_error *err)
{
    cd_sink *sink = cd_staging_open(root, relpath, err);
    if (!sink)
        return -1;
    cd_sink_write(sink, data, len);
    return cd_sink_close(sink, err);
}

int cd_open_regular(const char *path, int flags, struct stat *st, cd_error *err)
{
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
    if (fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot open %s", path);
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return cd_fail(err, CD_ERR_IO, "%s is not a regular file", path);
    }
    return fd;
}

void *cd_read_buffer(size_t size)
{
    void *p = NULL;
    return posix_memalign(&p, CD_READ_BUFFER_ALIGN, size ? size : 1) == 0 ? p : NULL;
}

/* Grows a read buffer to size bytes, keeping its page alignment (realloc would not). */
static char *grow_read_buffer(char *buf, size_t used, size_t size)
{
    char *grown = cd_read_buffer(size);
    if (grown)
        memcpy(grown, buf, used);
    free(buf);
    return grown;
}

int cd_read_file(const char *path, size_t max_bytes, int truncate_ok, char **data, size_t *len,
                 cd_error *err)
{
    struct stat st;
    int fd = cd_open_regular(path, 0, &st, err);
    if (fd < 0)
        return -1;
    /* Sized for the whole file at once where its size is known (not in
     * /proc), one byte over so that the end shows without growing. */
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, used = 0;
    if (cap > max_bytes)
        cap = max_bytes;
    char *buf = cd_read_buffer(cap + 1);
    if (!buf) {
        close(fd);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory reading %s", path);
    }
    for (;;) {
        if (used == cap) {
            if (cap >= max_bytes)
                break;
            size_t grown_cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
            buf = grow_read_buffer(buf, used, grown_cap + 1);
            if (!buf) {
                close(fd);
                return cd_fail(err, CD_ERR_NOMEM, "out of memory reading %s", path);
            }
            cap = grown_cap;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return cd_fail_errno(err, CD_ERR_IO, e, "cannot read %s", path);
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    if (used == cap && cap >= max_bytes && !truncate_ok) {
        char probe;
        ssize_t more = read(fd, &probe, 1);
        if (more > 0) {
            free(buf);
            close(fd);
            return cd_fail(err, CD_ERR_IO, "%s is larger than %zu bytes", path, max_bytes);
        }
    }
    close(fd);
    buf[used] = '\0';
    *data = buf;
    if (len)
        *len = used;
    return 0;
}

static int remove_at(int dirfd, const char *name)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        if (remove_at(fd, entry->d_name) != 0)
            rc = -1;
    }
    closedir(dir);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        rc = -1;
    return rc;
}

int cd_remove_tree(const char *path)
{
    return remove_at(AT_FDCWD, path);
}

uint64_t cd_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t cd_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
