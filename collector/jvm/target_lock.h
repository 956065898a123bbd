/*
 * One carbondump at a time per JVM.
 *
 * Two runs against the same JVM at once would attach and load the agent twice,
 * ask the VM for two heap dumps and pause it twice as long; their requests must
 * follow each other, never interleave. The lock is an flock(2) on
 * /tmp/.carbondump-<nspid>-<start>.lock in the target's own /tmp (seen from
 * here through /proc/<pid>/root), so every carbondump that reaches the JVM,
 * from whichever mount or pid namespace, meets the same file; the target's
 * start time in the name keeps a recycled pid from meeting an old lock. The
 * file is created as the target's user, 0600, and holds the holder's pid for
 * the message of the one who waits. The kernel drops the lock when its holder
 * dies, however it dies.
 */
#ifndef CARBONDUMP_COLLECTOR_TARGET_LOCK_H
#define CARBONDUMP_COLLECTOR_TARGET_LOCK_H

#include <limits.h>

#include "base/target.h"
#include "carbondump/error.h"

typedef struct cd_target_lock {
    int fd; /* -1: not held */
    char path[PATH_MAX];
} cd_target_lock;

/* Takes the lock of target t, waiting up to wait_s seconds while another
 * carbondump holds it (saying so once on stderr). Returns 0 holding it (or not
 * holding it when the target ended meanwhile: there is nothing to protect), or
 * -1 with CD_ERR_TIMEOUT when the other run kept it longer, or another code when
 * the lock file cannot be used. */
int cd_target_lock_acquire(const cd_target *t, int wait_s, cd_target_lock *lock, cd_error *err);

/* Releases the lock (removing its file) if held. */
void cd_target_lock_release(const cd_target *t, cd_target_lock *lock);

#endif
