/*
 * One carbondump at a time per JVM: see target_lock.h.
 *
 * The holder removes the file before it lets go, so that /tmp keeps no litter;
 * whoever then gets the lock on the removed file notices (the path no longer
 * names the file it locked) and starts over on a fresh one.
 */
#include "target_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "base/progress.h"
#include "base/run_context.h"
#include "base/staging.h"
#include "carbondump/fsutil.h"

#define LOCK_POLL_NS 100000000L /* 100 ms */

/* Opens (creating) the lock file as the target's user; refuses anything but a
 * regular file of that user or ours (a planted link or foreign file in /tmp). */
static int open_lock_file(const cd_target *t, const char *path, cd_error *err)
{
    cd_creds creds;
    if (cd_creds_enter(t, &creds, err) != 0)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
    int saved_errno = errno;
    cd_creds_leave(&creds);
    if (fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, saved_errno, "cannot open the lock file %s", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != t->uid && st.st_uid != geteuid())) {
        close(fd);
        return cd_fail(err, CD_ERR_PERM,
                       "refusing the lock file %s: not a regular file of the JVM's user", path);
    }
    return fd;
}

/* 1 when path still names the file open on fd. */
static int still_named(int fd, const char *path)
{
    struct stat open_st, path_st;
    return fstat(fd, &open_st) == 0 && lstat(path, &path_st) == 0 &&
           open_st.st_dev == path_st.st_dev && open_st.st_ino == path_st.st_ino;
}

/* The pid the holder wrote into the file, or 0. */
static int holder_pid(int fd)
{
    char text[32] = "";
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    return atoi(text);
}

int cd_target_lock_acquire(const cd_target *t, int wait_s, cd_target_lock *lock, cd_error *err)
{
    lock->fd = -1;
    unsigned long long start;
    if (cd_process_start_ticks(t->pid, &start) != 0)
        return 0; /* the target has ended: nothing to serialise */
    char tmp[sizeof t->root + 8];
    cd_target_tmp(t, tmp, sizeof tmp); /* reachable to remove the file if the target dies */
    int n = snprintf(lock->path, sizeof lock->path, "%s/.carbondump-%d-%llu.lock", tmp,
                     (int)t->nspid, start);
    if (n < 0 || (size_t)n >= sizeof lock->path)
        return cd_fail(err, CD_ERR_USAGE, "lock file path too long");

    uint64_t deadline = cd_monotonic_ms() + (uint64_t)wait_s * 1000;
    int said_waiting = 0, fd = -1;
    for (;;) {
        if (fd < 0 && (fd = open_lock_file(t, lock->path, err)) < 0)
            return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (still_named(fd, lock->path))
                break;
            close(fd); /* the last holder removed it as it let go: take a fresh one */
            fd = -1;
            continue;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int saved_errno = errno;
            close(fd);
            return cd_fail_errno(err, CD_ERR_IO, saved_errno, "cannot lock %s", lock->path);
        }
        int holder = holder_pid(fd);
        char who[64];
        if (holder > 0)
            snprintf(who, sizeof who, "carbondump pid %d", holder);
        else
            snprintf(who, sizeof who, "another carbondump");
        if (!cd_target_alive(t->pid)) {
            close(fd);
            return 0;
        }
        if (cd_monotonic_ms() >= deadline) {
            close(fd);
            return cd_fail(err, CD_ERR_TIMEOUT,
                           "pid %d is busy: %s is collecting from it and did not finish within "
                           "%d s (--lock-wait); try again when it has finished",
                           (int)t->pid, who, wait_s);
        }
        if (!said_waiting) {
            cd_warn("%s is collecting from pid %d; waiting for it (up to %d s, --lock-wait)", who,
                    (int)t->pid, wait_s);
            said_waiting = 1;
        }
        struct timespec pause = {0, LOCK_POLL_NS};
        nanosleep(&pause, NULL);
        if (!still_named(fd, lock->path)) {
            close(fd);
            fd = -1;
        }
    }
    char text[32];
    int len = snprintf(text, sizeof text, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)len, 0) != len) {
        /* the lock holds without its note; a waiter just cannot name us */
    }
    lock->fd = fd;
    if (said_waiting)
        cd_progress("pid %d is free; going on", (int)t->pid);
    return 0;
}

void cd_target_lock_release(const cd_target *t, cd_target_lock *lock)
{
    if (lock->fd < 0)
        return;
    cd_creds creds;
    cd_error ignored;
    if (still_named(lock->fd, lock->path) && cd_creds_enter(t, &creds, &ignored) == 0) {
        unlink(lock->path);
        cd_creds_leave(&creds);
    }
    close(lock->fd); /* drops the lock */
    lock->fd = -1;
}
