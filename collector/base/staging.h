/*
 * Staging areas that name their owner, so that a later run can tell the
 * leftovers of a killed carbondump from the work of a live one.
 *
 *   cd_staging_create        a fresh 0700 directory named for this process
 *   cd_staging_sweep         remove the areas of owners that have ended
 *   cd_process_start_ticks   a process's start time, which names it with its pid
 *   cd_target_tmp            the target's /tmp as seen from here
 */
#ifndef CARBONDUMP_COLLECTOR_STAGING_H
#define CARBONDUMP_COLLECTOR_STAGING_H

#include <stddef.h>
#include <sys/types.h>

#include "carbondump/error.h"
#include "target.h"

/* Creates the directory dir/<prefix>.owner-<pid namespace>-<pid>-<start>.XXXXXX,
 * 0700, naming this process; out receives its path. */
int cd_staging_create(const char *dir, const char *prefix, char *out, size_t outlen, cd_error *err);

/* Removes every directory in dir whose name starts with prefix and names an
 * owner (as cd_staging_create does) that has ended: no process with that pid and
 * start time in this pid namespace. Areas of live owners, of owners in other pid
 * namespaces and of unknown form are kept. Returns how many were removed. */
int cd_staging_sweep(const char *dir, const char *prefix);

/* The start time of process pid (clock ticks since boot): with the pid, it
 * names a process for good. Returns 0 or -1. */
int cd_process_start_ticks(pid_t pid, unsigned long long *ticks);

/* The target's /tmp as seen from here: plain /tmp when the target's root is
 * ours (so it stays reachable after the target dies, unlike /proc/<pid>/root),
 * else through /proc/<pid>/root. */
void cd_target_tmp(const cd_target *t, char *out, size_t outlen);

#endif
