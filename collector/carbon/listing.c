/*
 * directory_listing.txt: every entry under CARBON_HOME but the top-level
 * samples/ and docs/, one line each, in walk order (a directory, then what it
 * holds, names in byte order), in the spirit of `ls -lR` and `find -printf`:
 *
 *   f -rw-r--r-- wso2carbon:wso2carbon        1234 2026-11-26 08:15:02 bin/version.txt
 *   l lrwxrwxrwx root:root                      12 2026-11-26 08:15:02 lib/current -> lib/4.4
 *
 * Fields: type (find's %y letters: f d l p s c b), mode as ls prints it, owner,
 * size in bytes, modification time (UTC), path relative to CARBON_HOME with
 * sha256sum's escapes for backslash, newline and carriage return, and a
 * symbolic link's target. Nothing is opened but directories: FIFOs, sockets and
 * devices are only looked at with lstat. What could not be read is listed at
 * the end.
 */
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "carbondump/sha256sum_format.h"
#include "checksums.h"
#include "listing.h"
#include "walk.h"

/* Owners repeat on almost every line: resolve each uid and gid once. */
#define OWNER_CACHE 16

typedef struct owner_cache {
    unsigned ids[OWNER_CACHE];
    char names[OWNER_CACHE][64];
    int count;
} owner_cache;

typedef struct listing {
    cd_sink *sink;
    owner_cache users, groups;
    unsigned long entries;
} listing;

static const char *owner_name(owner_cache *cache, unsigned id, int is_group)
{
    for (int i = 0; i < cache->count; i++)
        if (cache->ids[i] == id)
            return cache->names[i];
    int slot = cache->count < OWNER_CACHE ? cache->count++ : (int)(id % OWNER_CACHE);
    char buffer[4096];
    const char *name = NULL;
    if (is_group) {
        struct group g, *found = NULL;
        if (getgrgid_r((gid_t)id, &g, buffer, sizeof buffer, &found) == 0 && found)
            name = found->gr_name;
    } else {
        struct passwd p, *found = NULL;
        if (getpwuid_r((uid_t)id, &p, buffer, sizeof buffer, &found) == 0 && found)
            name = found->pw_name;
    }
    cache->ids[slot] = id;
    if (name)
        snprintf(cache->names[slot], sizeof cache->names[slot], "%s", name);
    else
        snprintf(cache->names[slot], sizeof cache->names[slot], "%u", id);
    return cache->names[slot];
}

/* The mode the way ls -l prints it: "drwxr-x---", with s/S t/T. */
static void mode_string(mode_t mode, char out[11])
{
    static const char *const rwx = "rwxrwxrwx";
    char type = cd_walk_type_char(mode);
    out[0] = type == 'f' ? '-' : type;
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
    if (mode & S_ISUID)
        out[3] = out[3] == 'x' ? 's' : 'S';
    if (mode & S_ISGID)
        out[6] = out[6] == 'x' ? 's' : 'S';
    if (mode & S_ISVTX)
        out[9] = out[9] == 'x' ? 't' : 'T';
    out[10] = '\0';
}

static cd_walk_action list_entry(void *context, const cd_walk_entry *entry, cd_error *err)
{
    listing *l = context;
    const struct stat *st = entry->st;
    char mode[11], when[32];
    mode_string(st->st_mode, mode);
    struct tm tm;
    time_t mtime = st->st_mtime;
    gmtime_r(&mtime, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    char owner[140];
    snprintf(owner, sizeof owner, "%s:%s", owner_name(&l->users, st->st_uid, 0),
             owner_name(&l->groups, st->st_gid, 1));
    cd_sink_printf(l->sink, "%c %s %-21s %12lld %s ", cd_walk_type_char(st->st_mode), mode, owner,
                   (long long)st->st_size, when);
    cd_sha256sum_write_name(l->sink, entry->path);
    if (S_ISLNK(st->st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(entry->parent_fd, entry->name, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = '\0';
            cd_sink_puts(l->sink, " -> ");
            cd_sha256sum_write_name(l->sink, target);
        }
    } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
        cd_sink_printf(l->sink, " (device %u,%u)", major(st->st_rdev), minor(st->st_rdev));
    }
    cd_sink_puts(l->sink, "\n");
    l->entries++;
    return l->sink->failed ? (cd_fail(err, CD_ERR_IO, "%s", l->sink->error.message), CD_WALK_STOP)
                           : CD_WALK_CONTINUE;
}

int cd_listing_section(cd_run *run, cd_error *err)
{
    listing l = {0};
    l.sink = cd_staging_open(run->host_staging, "directory_listing.txt", err);
    if (!l.sink)
        return -1;
    cd_walk_problems problems;
    cd_walk_problems_init(&problems);
    cd_sink_printf(l.sink,
                   "# Every entry under %s except the top-level samples/ and docs/.\n"
                   "# type mode owner size-in-bytes modified-UTC path [-> link target]\n",
                   run->carbon_home);
    cd_walk_options options = {.excluded_top_dirs = cd_checksum_excluded_top_dirs};
    int rc = cd_walk(run->carbon_home, &options, list_entry, &l, &problems, err);
    if (rc == 0) {
        cd_sink_printf(l.sink, "# %lu entries\n", l.entries);
        if (problems.count)
            cd_sink_puts(l.sink, "# Could not be listed:\n");
        cd_walk_problems_write(&problems, l.sink, "# ");
        rc = cd_sink_close(l.sink, err);
    } else {
        cd_sink_abandon(l.sink);
    }
    cd_walk_problems_free(&problems);
    return rc;
}
