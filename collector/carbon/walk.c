/*
 * The tree walker: see walk.h.
 *
 * Each level holds one fd (its directory), so the fds in use are bounded by
 * CD_WALK_MAX_DEPTH; a directory's names are read completely and sorted before
 * any of them is visited, so the visit order does not depend on the file
 * system and callbacks may take their time.
 */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "base/sha256.h"
#include "carbondump/sha256sum_format.h"
#include "carbondump/array.h"

/* ---------------------------------------------------------------- names */

typedef struct name_list {
    char **names;
    size_t count, capacity;
} name_list;

static void name_list_free(name_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    free(list->names);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the names in the directory fd (without . and ..), sorted. The fd stays
 * open and usable for openat. Returns 0, or -1 with errno. */
static int read_names(int fd, name_list *list)
{
    int copy = dup(fd);
    if (copy < 0)
        return -1;
    DIR *dir = fdopendir(copy);
    if (!dir) {
        int e = errno;
        close(copy);
        errno = e;
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    for (errno = 0; (de = readdir(dir)) != NULL; errno = 0) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (CD_ARRAY_ROOM_FOR_ONE(list->names, list->capacity, list->count) != 0) {
            rc = -1;
            errno = ENOMEM;
            break;
        }
        if (!(list->names[list->count] = strdup(de->d_name))) {
            rc = -1;
            errno = ENOMEM;
            break;
        }
        list->count++;
    }
    int e = errno;
    if (rc == 0 && e != 0)
        rc = -1;
    closedir(dir);
    if (list->count > 1)
        qsort(list->names, list->count, sizeof *list->names, compare_names);
    errno = e;
    return rc;
}

/* ---------------------------------------------------------------- walk */

#define TEXT_OF(x) #x
#define TEXT(x) TEXT_OF(x)
#define CD_WALK_MAX_DEPTH_TEXT TEXT(CD_WALK_MAX_DEPTH)
#define PATH_MAX_TEXT TEXT(PATH_MAX)

typedef struct walk_state {
    cd_walk_visit_fn visit;
    void *context;
    cd_walk_problems *problems;
    const cd_walk_options *options;
    cd_error *err;
    char path[PATH_MAX];
    dev_t ancestor_dev[CD_WALK_MAX_DEPTH + 1];
    ino_t ancestor_ino[CD_WALK_MAX_DEPTH + 1];
} walk_state;

static void report(walk_state *w, const char *path, int errnum, const char *what)
{
    if (w->problems)
        cd_walk_problems_add(w->problems, path, errnum, what);
}

static int is_excluded_top(const walk_state *w, int depth, const char *name)
{
    const char *const *excluded = w->options ? w->options->excluded_top_dirs : NULL;
    if (depth != 1 || !excluded)
        return 0;
    for (int i = 0; excluded[i]; i++)
        if (strcmp(name, excluded[i]) == 0)
            return 1;
    return 0;
}

static int is_ancestor(const walk_state *w, int depth, const struct stat *st)
{
    for (int i = 0; i < depth; i++)
        if (w->ancestor_dev[i] == st->st_dev && w->ancestor_ino[i] == st->st_ino)
            return 1;
    return 0;
}

/* Walks the directory open as fd, whose path (relative to the root) is in
 * w->path[0..path_len). depth is the depth of its children. Returns -1 only
 * when the visitor stopped the walk. */
static int walk_dir(walk_state *w, int fd, size_t path_len, int depth)
{
    name_list names = {0};
    if (read_names(fd, &names) != 0)
        report(w, path_len ? w->path : ".", errno, "cannot read directory");

    int rc = 0;
    for (size_t i = 0; rc == 0 && i < names.count; i++) {
        const char *name = names.names[i];
        size_t name_len = strlen(name);
        size_t sep = path_len ? 1 : 0;
        if (path_len + sep + name_len >= sizeof w->path) {
            w->path[path_len] = '\0';
            report(w, path_len ? w->path : ".", 0,
                   "an entry below is not walked: its path would be " PATH_MAX_TEXT
                   " bytes or longer");
            continue;
        }
        if (sep)
            w->path[path_len] = '/';
        memcpy(w->path + path_len + sep, name, name_len + 1);
        size_t child_len = path_len + sep + name_len;

        struct stat st;
        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            report(w, w->path, errno, errno == ENOENT ? "vanished during the walk" : "cannot stat");
            continue;
        }
        if (S_ISDIR(st.st_mode) && is_excluded_top(w, depth, name))
            continue;

        cd_walk_entry entry = {w->path, w->path + path_len + sep, fd, &st, depth};
        cd_walk_action action = w->visit(w->context, &entry, w->err);
        if (action == CD_WALK_STOP) {
            rc = -1;
            break;
        }
        if (action == CD_WALK_PRUNE || !S_ISDIR(st.st_mode))
            continue;
        if (depth >= CD_WALK_MAX_DEPTH) {
            report(w, w->path, 0, "more than " CD_WALK_MAX_DEPTH_TEXT " levels deep, not entered");
            continue;
        }
        int child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat opened;
        if (child < 0) {
            report(w, w->path, errno,
                   errno == ENOENT ? "vanished during the walk" : "cannot open directory");
            continue;
        }
        if (fstat(child, &opened) != 0 || is_ancestor(w, depth, &opened)) {
            report(w, w->path, 0, "directory loop (a bind mount?), not entered");
            close(child);
            continue;
        }
        w->ancestor_dev[depth] = opened.st_dev;
        w->ancestor_ino[depth] = opened.st_ino;
        rc = walk_dir(w, child, child_len, depth + 1);
        close(child);
    }
    w->path[path_len] = '\0';
    name_list_free(&names);
    return rc;
}

int cd_walk(const char *root, const cd_walk_options *options, cd_walk_visit_fn visit, void *context,
            cd_walk_problems *problems, cd_error *err)
{
    walk_state *w = calloc(1, sizeof *w);
    if (!w)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory walking %s", root);
    w->visit = visit;
    w->context = context;
    w->problems = problems;
    w->options = options;
    w->err = err;

    int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) {
        int e = errno;
        free(w);
        return cd_fail_errno(err, CD_ERR_IO, e, "cannot open directory %s", root);
    }
    const char *subdir = options && options->subdir ? options->subdir : "";
    int start_fd = root_fd;
    int depth = 1;
    if (*subdir) {
        start_fd = cd_walk_open(root_fd, subdir, O_RDONLY | O_DIRECTORY);
        if (start_fd < 0) {
            int e = errno;
            close(root_fd);
            free(w);
            return cd_fail_errno(err, CD_ERR_IO, e, "cannot open directory %s/%s", root, subdir);
        }
        for (const char *p = subdir; *p; p++)
            depth += *p == '/' && p[1] != '\0';
        depth++;
        snprintf(w->path, sizeof w->path, "%s", subdir);
    }
    /* ancestors are indexed by depth: the start directory's slot is depth - 1 */
    struct stat st;
    if (depth > CD_WALK_MAX_DEPTH) {
        if (start_fd != root_fd)
            close(start_fd);
        close(root_fd);
        free(w);
        return cd_fail(err, CD_ERR_USAGE, "%s/%s is too deep to walk", root, subdir);
    }
    if (fstat(start_fd, &st) == 0) {
        w->ancestor_dev[depth - 1] = st.st_dev;
        w->ancestor_ino[depth - 1] = st.st_ino;
    }
    size_t len = strlen(w->path);
    while (len > 0 && w->path[len - 1] == '/')
        w->path[--len] = '\0';
    int rc = walk_dir(w, start_fd, len, depth);
    if (start_fd != root_fd)
        close(start_fd);
    close(root_fd);
    free(w);
    return rc;
}

/* ---------------------------------------------------------------- open */

/* Component by component with O_NOFOLLOW, for kernels without openat2. */
static int open_by_components(int root_fd, const char *relpath, int flags)
{
    char copy[PATH_MAX];
    if (strlen(relpath) >= sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(copy, relpath);
    int dir_fd = root_fd;
    char *component = copy;
    for (;;) {
        char *slash = strchr(component, '/');
        if (!slash)
            break;
        *slash = '\0';
        if (*component == '\0' || strcmp(component, ".") == 0) {
            component = slash + 1;
            continue;
        }
        int next = strcmp(component, "..") == 0
                       ? (errno = EXDEV, -1)
                       : openat(dir_fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        if (dir_fd != root_fd)
            close(dir_fd);
        if (next < 0) {
            errno = e;
            return -1;
        }
        dir_fd = next;
        component = slash + 1;
    }
    int fd = strcmp(component, "..") == 0 ? (errno = EXDEV, -1)
                                          : openat(dir_fd, *component ? component : ".", flags);
    int e = errno;
    if (dir_fd != root_fd)
        close(dir_fd);
    errno = e;
    return fd;
}

int cd_walk_open(int root_fd, const char *relpath, int flags)
{
    flags |= O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
#ifdef SYS_openat2
    struct open_how how = {0};
    how.flags = (unsigned long long)flags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, root_fd, relpath, &how, sizeof how);
    if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
        return (int)fd;
#endif
    return open_by_components(root_fd, relpath, flags);
}

#define MAX_LINKS_FOLLOWED 40 /* as the kernel's path resolution */

int cd_walk_resolve_beneath(int root_fd, const char *relpath, char *out, size_t size)
{
    char todo[PATH_MAX], target[PATH_MAX];
    if (snprintf(todo, sizeof todo, "%s", relpath) >= (int)sizeof todo)
        return errno = ENAMETOOLONG, -1;
    size_t done = 0; /* out[0..done) holds the resolved components, '/'-joined */
    out[0] = '\0';
    int links = 0;
    char *rest = todo;
    while (*rest) {
        char *slash = strchr(rest, '/');
        size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
        char *next = slash ? slash + 1 : rest + len;
        if (len == 0 || (len == 1 && rest[0] == '.')) {
            rest = next;
            continue;
        }
        if (len == 2 && rest[0] == '.' && rest[1] == '.') {
            if (done == 0)
                return errno = EXDEV, -1;
            char *cut = memrchr(out, '/', done);
            done = cut ? (size_t)(cut - out) : 0;
            out[done] = '\0';
            rest = next;
            continue;
        }
        size_t grown = done + (done ? 1 : 0) + len;
        if (grown >= size)
            return errno = ENAMETOOLONG, -1;
        size_t at = done;
        if (done)
            out[at++] = '/';
        memcpy(out + at, rest, len);
        out[grown] = '\0';
        struct stat st;
        if (fstatat(root_fd, out, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(st.st_mode)) {
            done = grown; /* a missing name fails at the open, with its own errno */
            rest = next;
            continue;
        }
        if (++links > MAX_LINKS_FOLLOWED)
            return errno = ELOOP, -1;
        ssize_t n = readlinkat(root_fd, out, target, sizeof target - 1);
        if (n <= 0)
            return -1;
        target[n] = '\0';
        if (target[0] == '/')
            return errno = EXDEV, -1;
        out[done] = '\0'; /* the link itself is replaced by its target */
        char joined[PATH_MAX];
        if (snprintf(joined, sizeof joined, "%s%s%s", target, *next ? "/" : "", next) >=
            (int)sizeof joined)
            return errno = ENAMETOOLONG, -1;
        memcpy(todo, joined, strlen(joined) + 1);
        rest = todo;
    }
    return 0;
}

int cd_walk_open_beneath(int root_fd, const char *relpath, int flags)
{
    flags |= O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
#ifdef SYS_openat2
    struct open_how how = {0};
    how.flags = (unsigned long long)flags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, root_fd, relpath, &how, sizeof how);
    if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
        return (int)fd;
#endif
    char resolved[PATH_MAX];
    if (cd_walk_resolve_beneath(root_fd, relpath, resolved, sizeof resolved) != 0)
        return -1;
    return open_by_components(root_fd, resolved, flags | O_NOFOLLOW);
}

/* ---------------------------------------------------------------- odd names */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when s does not start one. */
static size_t utf8_sequence_length(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    if (len == 0)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

/* Encodes one component (len bytes at name) into out, which has room for at
 * least 3 * len + 1 bytes. Returns the encoded length. */
static size_t encode_component(const unsigned char *name, size_t len, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t used = 0;
    for (size_t i = 0; i < len;) {
        size_t n = name[i] >= 0x80 ? utf8_sequence_length(name + i) : 1;
        if (n > len - i)
            n = 0;
        if (n == 0 || name[i] < 0x20 || name[i] == 0x7F || name[i] == '%' || name[i] == '\\') {
            out[used++] = '%';
            out[used++] = hex[name[i] >> 4];
            out[used++] = hex[name[i] & 0xF];
            i++;
        } else {
            memcpy(out + used, name + i, n);
            used += n;
            i += n;
        }
    }
    out[used] = '\0';
    return used;
}

/* Where to cut an encoded component so that it is at most max bytes and
 * neither a %XX escape nor a UTF-8 sequence is split. */
static size_t cut_point(const char *encoded, size_t max)
{
    size_t i = 0;
    while (encoded[i]) {
        size_t n = encoded[i] == '%' ? 3 : utf8_sequence_length((const unsigned char *)encoded + i);
        if (n == 0)
            n = 1;
        if (i + n > max)
            break;
        i += n;
    }
    return i;
}

int cd_walk_bundle_path(const char *relpath, char *out, size_t size)
{
    size_t used = 0;
    int changed = 0;
    const char *component = relpath;
    for (;;) {
        size_t len = strcspn(component, "/");
        char *encoded = malloc(3 * len + 1);
        if (!encoded) {
            errno = ENOMEM;
            return -1;
        }
        size_t encoded_len = encode_component((const unsigned char *)component, len, encoded);
        if (encoded_len != len)
            changed = 1;
        if (encoded_len > CD_WALK_BUNDLE_NAME_MAX) {
            char digest[CD_SHA256_HEX_LEN + 1];
            cd_sha256_buffer(component, len, digest);
            size_t keep = cut_point(encoded, CD_WALK_BUNDLE_NAME_MAX - 17);
            encoded_len =
                (size_t)snprintf(encoded + keep, 3 * len + 1 - keep, "~%.16s", digest) + keep;
            changed = 1;
        }
        int fits = used + encoded_len + 1 < size;
        if (fits) {
            memcpy(out + used, encoded, encoded_len);
            used += encoded_len;
        }
        free(encoded);
        if (!fits) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (component[len] == '\0')
            break;
        out[used++] = '/';
        component += len + 1;
    }
    out[used] = '\0';
    return changed;
}

char *cd_walk_escape_name(const char *path)
{
    if (!cd_sha256sum_name_needs_escape(path))
        return strdup(path);
    cd_sink *sink = cd_sink_buffer();
    if (!sink)
        return NULL;
    cd_sha256sum_write_name(sink, path);
    return cd_sink_buffer_take(sink, NULL);
}

/* ---------------------------------------------------------------- problems */

void cd_walk_problems_init(cd_walk_problems *problems)
{
    memset(problems, 0, sizeof *problems);
    pthread_mutex_init(&problems->lock, NULL);
}

void cd_walk_problems_add(cd_walk_problems *problems, const char *path, int errnum,
                          const char *what)
{
    char *line = NULL;
    char *shown = cd_walk_escape_name(path); /* one line per problem, whatever the name */
    int rc = asprintf(&line, "%s: %s%s%s", shown ? shown : "?", what, errnum ? ": " : "",
                      errnum ? strerror(errnum) : "");
    free(shown);
    if (rc < 0)
        return;
    pthread_mutex_lock(&problems->lock);
    if (CD_ARRAY_ROOM_FOR_ONE(problems->lines, problems->capacity, problems->count) != 0) {
        pthread_mutex_unlock(&problems->lock);
        free(line);
        return;
    }
    problems->lines[problems->count++] = line;
    pthread_mutex_unlock(&problems->lock);
}

void cd_walk_problems_write(cd_walk_problems *problems, cd_sink *sink, const char *prefix)
{
    pthread_mutex_lock(&problems->lock);
    for (size_t i = 0; i < problems->count; i++)
        cd_sink_printf(sink, "%s%s\n", prefix, problems->lines[i]);
    pthread_mutex_unlock(&problems->lock);
}

void cd_walk_problems_free(cd_walk_problems *problems)
{
    for (size_t i = 0; i < problems->count; i++)
        free(problems->lines[i]);
    free(problems->lines);
    pthread_mutex_destroy(&problems->lock);
    memset(problems, 0, sizeof *problems);
}

char cd_walk_type_char(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return 'f';
    case S_IFDIR: return 'd';
    case S_IFLNK: return 'l';
    case S_IFIFO: return 'p';
    case S_IFSOCK: return 's';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    }
    return '?';
}
