/*
 * slowfs: an LD_PRELOAD library that makes part of the file system slow or hung,
 * for the fault tests of carbondump (tests/integration/host_faults.sh).
 *
 * Environment:
 *   CD_SLOWFS_PREFIX    absolute directory; only opens of paths below it are touched
 *   CD_SLOWFS_DELAY_MS  every such open first sleeps this long (a slow disk, NFS)
 *   CD_SLOWFS_HANG      an open of such a path containing this text never returns
 *                       (a hung mount: the thread sleeps forever in the call)
 *   CD_SLOWFS_READ_DELAY_MS
 *                       every read(2) or fread(3) from such a file first
 *                       sleeps this long (the bundle's files are read into
 *                       the ZIP while it is written)
 *
 * It wraps the ways carbondump and libzip open files: open, openat and their
 * 64-bit and fortified forms, fopen, and openat2 through syscall(2). A path
 * relative to a directory descriptor is resolved through /proc/self/fd. Opening
 * is what is delayed: a program that opens files one after another is slowed in
 * proportion to how many it opens, as on a slow network file system.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The absolute form of path, relative to dirfd (AT_FDCWD: the working directory). */
static void absolute_path(int dirfd, const char *path, char *out, size_t outlen)
{
    if (!path) {
        out[0] = '\0';
        return;
    }
    if (path[0] == '/') {
        snprintf(out, outlen, "%s", path);
        return;
    }
    char base[PATH_MAX] = "";
    if (dirfd == AT_FDCWD) {
        if (!getcwd(base, sizeof base))
            base[0] = '\0';
    } else {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
        ssize_t n = readlink(link, base, sizeof base - 1);
        base[n > 0 ? n : 0] = '\0';
    }
    snprintf(out, outlen, "%s/%s", base, path);
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/* The part of full below CD_SLOWFS_PREFIX, or NULL when it is not below it. */
static const char *below_prefix(const char *full)
{
    const char *prefix = getenv("CD_SLOWFS_PREFIX");
    if (!prefix || !*prefix)
        return NULL;
    size_t len = strlen(prefix);
    if (strncmp(full, prefix, len) != 0 || (full[len] != '/' && full[len] != '\0'))
        return NULL;
    return full + len;
}

/* Applies the configured fault to an open of path (relative to dirfd). */
static void before_open(int dirfd, const char *path)
{
    if (!getenv("CD_SLOWFS_PREFIX"))
        return;
    int saved_errno = errno;
    char full[PATH_MAX * 2];
    absolute_path(dirfd, path, full, sizeof full);
    const char *below = below_prefix(full);
    if (!below) {
        errno = saved_errno;
        return;
    }
    const char *hang = getenv("CD_SLOWFS_HANG");
    if (hang && *hang && strstr(below, hang))
        for (;;)
            sleep_ms(3600 * 1000L);
    const char *delay = getenv("CD_SLOWFS_DELAY_MS");
    if (delay && atol(delay) > 0)
        sleep_ms(atol(delay));
    errno = saved_errno;
}

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*open_2_fn)(const char *, int);
typedef int (*openat_2_fn)(int, const char *, int);
typedef FILE *(*fopen_fn)(const char *, const char *);
typedef long (*syscall_fn)(long, ...);
typedef size_t (*fread_fn)(void *, size_t, size_t, FILE *);
typedef ssize_t (*read_fn)(int, void *, size_t);

/* The wrapped function, looked up once. */
#define NEXT(name, type)                                                                           \
    static type next_##name;                                                                       \
    next_##name = next_##name ? next_##name : (type)dlsym(RTLD_NEXT, #name)

static int takes_mode(int flags)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* The mode argument, which open(2) and openat(2) take only with O_CREAT or
 * O_TMPFILE; last is the parameter before it. */
#define MODE_ARGUMENT(last, flags)                                                                 \
    ({                                                                                             \
        mode_t mode_ = 0;                                                                          \
        if (takes_mode(flags)) {                                                                   \
            va_list ap;                                                                            \
            va_start(ap, last);                                                                    \
            mode_ = (mode_t)va_arg(ap, int);                                                       \
            va_end(ap);                                                                            \
        }                                                                                          \
        mode_;                                                                                     \
    })

#define WRAP_OPEN(name)                                                                            \
    int name(const char *path, int flags, ...)                                                     \
    {                                                                                              \
        mode_t mode = MODE_ARGUMENT(flags, flags);                                                 \
        NEXT(name, open_fn);                                                                       \
        before_open(AT_FDCWD, path);                                                               \
        return next_##name(path, flags, mode);                                                     \
    }

#define WRAP_OPENAT(name)                                                                          \
    int name(int dirfd, const char *path, int flags, ...)                                          \
    {                                                                                              \
        mode_t mode = MODE_ARGUMENT(flags, flags);                                                 \
        NEXT(name, openat_fn);                                                                     \
        before_open(dirfd, path);                                                                  \
        return next_##name(dirfd, path, flags, mode);                                              \
    }

#define WRAP_OPEN_2(name)                                                                          \
    int name(const char *path, int flags)                                                          \
    {                                                                                              \
        NEXT(name, open_2_fn);                                                                     \
        before_open(AT_FDCWD, path);                                                               \
        return next_##name(path, flags);                                                           \
    }

#define WRAP_OPENAT_2(name)                                                                        \
    int name(int dirfd, const char *path, int flags)                                               \
    {                                                                                              \
        NEXT(name, openat_2_fn);                                                                   \
        before_open(dirfd, path);                                                                  \
        return next_##name(dirfd, path, flags);                                                    \
    }

#define WRAP_FOPEN(name)                                                                           \
    FILE *name(const char *path, const char *mode)                                                 \
    {                                                                                              \
        NEXT(name, fopen_fn);                                                                      \
        before_open(AT_FDCWD, path);                                                               \
        return next_##name(path, mode);                                                            \
    }

WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
WRAP_OPEN_2(__open_2)
WRAP_OPEN_2(__open64_2)
WRAP_OPENAT_2(__openat_2)
WRAP_OPENAT_2(__openat64_2)
WRAP_FOPEN(fopen)
WRAP_FOPEN(fopen64)

/* syscall(2) for openat2, which carbondump's walker calls directly. Every
 * system call passes at most six register arguments on Linux, so forwarding
 * six longs is exact. */
long syscall(long number, ...)
{
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
#ifdef SYS_openat2
    if (number == SYS_openat2)
        before_open((int)a[0], (const char *)a[1]);
#endif
    NEXT(syscall, syscall_fn);
    return next_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Sleeps CD_SLOWFS_READ_DELAY_MS before a read from fd if it is a file below
 * the prefix. */
static void before_read(int fd)
{
    const char *delay = getenv("CD_SLOWFS_READ_DELAY_MS");
    if (!delay || atol(delay) <= 0 || !getenv("CD_SLOWFS_PREFIX"))
        return;
    int saved_errno = errno;
    char link[64], full[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, full, sizeof full - 1);
    full[n > 0 ? n : 0] = '\0';
    if (n > 0 && below_prefix(full))
        sleep_ms(atol(delay));
    errno = saved_errno;
}

size_t fread(void *buffer, size_t size, size_t count, FILE *stream)
{
    before_read(fileno(stream));
    NEXT(fread, fread_fn);
    return next_fread(buffer, size, count, stream);
}

ssize_t read(int fd, void *buffer, size_t count)
{
    before_read(fd);
    NEXT(read, read_fn);
    return next_read(fd, buffer, count);
}
