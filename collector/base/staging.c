/*
 * Staging areas named for their owner (staging.h): the collector's in the
 * output directory, the agent's in the target's /tmp. A name says which
 * process made it (pid namespace, pid, start time), so a later run removes
 * the leftovers of a killed carbondump and never the work of a live one.
 */
#include "staging.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "carbondump/procstat.h"
#include "progress.h"

#define OWNER_TAG ".owner-"

int cd_process_start_ticks(pid_t pid, unsigned long long *ticks)
{
    char path[64], *text = NULL;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (cd_read_file(path, 4096, 1, &text, NULL, NULL) != 0)
        return -1;
    cd_proc_stat st;
    int rc = cd_parse_proc_stat(text, &st);
    free(text);
    if (rc != 0 || st.state == 'Z' || st.state == 'X')
        return -1;
    *ticks = st.start_ticks;
    return 0;
}

void cd_target_tmp(const cd_target *t, char *out, size_t outlen)
{
    struct stat ours, theirs;
    int same_root = t->same_mount_ns && stat("/", &ours) == 0 && stat(t->root, &theirs) == 0 &&
                    ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
    snprintf(out, outlen, "%s/tmp", same_root ? "" : t->root);
}

/* The inode of our pid namespace: pids in an owner tag mean something only
 * there. */
static unsigned long long pid_namespace(void)
{
    struct stat st;
    return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

int cd_staging_create(const char *dir, const char *prefix, char *out, size_t outlen, cd_error *err)
{
    unsigned long long start = 0;
    cd_process_start_ticks(getpid(), &start);
    int n = snprintf(out, outlen, "%s/%s" OWNER_TAG "%llu-%d-%llu.XXXXXX", dir, prefix,
                     pid_namespace(), (int)getpid(), start);
    if (n < 0 || (size_t)n >= outlen)
        return cd_fail(err, CD_ERR_USAGE, "directory path too long: %s", dir);
    if (!mkdtemp(out)) {
        int e = errno;
        out[0] = '\0';
        cd_fail_errno(err, CD_ERR_IO, e, "cannot create a staging directory in %s", dir);
        errno = e;
        return -1;
    }
    return 0;
}

/* 1 when the owner named in a staging area's name has ended, 0 when it may
 * still run or the name does not say. */
static int owner_has_ended(const char *name, unsigned long long our_namespace)
{
    const char *tag = strstr(name, OWNER_TAG);
    unsigned long long namespace, start, now;
    int pid, used = 0;
    if (!tag ||
        sscanf(tag + strlen(OWNER_TAG), "%llu-%d-%llu.%*6[A-Za-z0-9]%n", &namespace, &pid, &start,
               &used) != 3 ||
        used == 0 || tag[strlen(OWNER_TAG) + (size_t)used] != '\0')
        return 0;
    if (namespace == 0 || namespace != our_namespace || pid <= 0)
        return 0;
    if (pid == (int)getpid())
        return 0;
    return cd_process_start_ticks(pid, &now) != 0 || now != start;
}

int cd_staging_sweep(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned long long our_namespace = pid_namespace();
    size_t prefix_len = strlen(prefix);
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, prefix, prefix_len) != 0 ||
            !owner_has_ended(de->d_name, our_namespace))
            continue;
        char path[PATH_MAX];
        struct stat st;
        int n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (n < 0 || (size_t)n >= sizeof path || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (st.st_uid != geteuid() && geteuid() != 0)
            continue; /* not ours to judge (nor, without root, to remove) */
        if (cd_remove_tree(path) == 0) {
            removed++;
            cd_progress("removed %s, left by a carbondump that is no longer running", path);
        }
    }
    closedir(d);
    return removed;
}
