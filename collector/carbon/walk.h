/*
 * The one tree walker behind checksums, listing and files (and the patch check).
 *
 * cd_walk visits every entry below a root, depth first, each directory's entries
 * in byte order of their names, and hands the callback the entry's lstat() and
 * the open directory that holds it. It is built for CARBON_HOMEs that are being
 * written to while we look, and for odd trees:
 *
 *  - symbolic links are never followed: they are reported as links, so a link
 *    out of the tree or into a loop costs nothing;
 *  - directories are opened with O_NOFOLLOW relative to their parent's fd, and
 *    a directory that is its own ancestor (a bind mount looping back) is not
 *    entered; the depth is bounded;
 *  - an entry that vanishes between readdir() and lstat(), or a directory that
 *    cannot be read, is reported to the problem callback and the walk goes on;
 *  - FIFOs, sockets and devices are reported by type and never opened.
 *
 * cd_walk_open opens a file found by the walk later (another thread, another
 * moment) without following any symbolic link on the way, so what is opened is
 * still inside the tree.
 */
#ifndef CARBONDUMP_WALK_H
#define CARBONDUMP_WALK_H

#include <pthread.h>
#include <stddef.h>
#include <sys/stat.h>

#include "carbondump/error.h"
#include "carbondump/sink.h"

#define CD_WALK_MAX_DEPTH 128

typedef struct cd_walk_entry {
    const char *path;      /* relative to the walk's root: "repository/conf/carbon.xml" */
    const char *name;      /* the last component of path */
    int parent_fd;         /* the directory holding it, open during the callback */
    const struct stat *st; /* lstat() of the entry */
    int depth;             /* 1 for the root's own children */
} cd_walk_entry;

/* What the visit callback wants next. */
typedef enum cd_walk_action {
    CD_WALK_CONTINUE, /* go on (and into the entry, if it is a directory) */
    CD_WALK_PRUNE,    /* go on, but not into this directory */
    CD_WALK_STOP,     /* end the walk; cd_walk returns -1 with the visitor's error */
} cd_walk_action;

typedef cd_walk_action (*cd_walk_visit_fn)(void *context, const cd_walk_entry *entry,
                                           cd_error *err);

typedef struct cd_walk_options {
    /* Walk only this directory below the root ("repository/conf"); NULL or ""
     * for the whole root. Entry paths stay relative to the root. */
    const char *subdir;
    /* Directories directly below the root that are not walked (NULL-terminated),
     * e.g. {"samples", "docs", NULL}: anchored, so repository/samples is walked. */
    const char *const *excluded_top_dirs;
} cd_walk_options;

typedef struct cd_walk_problems cd_walk_problems;

/* Walks root (or root/subdir), calling visit with context for each entry.
 * Returns 0 when the walk ran to its end, also when some entries could not be
 * read: each of those is added to problems (may be NULL) as "path: what:
 * reason" ("vanished during the walk", "cannot read directory", ...). Returns
 * -1 when the start directory cannot be opened (CD_ERR_NOENT if it does not
 * exist) or the visitor stopped the walk. */
int cd_walk(const char *root, const cd_walk_options *options, cd_walk_visit_fn visit, void *context,
            cd_walk_problems *problems, cd_error *err);

/* Opens relpath below the directory root_fd with flags (O_RDONLY, ...), refusing
 * every symbolic link on the way and at the end (ELOOP/ENOTDIR) and never
 * leaving the tree. O_NOFOLLOW, O_NONBLOCK, O_NOCTTY and O_CLOEXEC are added:
 * a FIFO that replaced a file in the meantime does not block the caller.
 * Returns the fd, or -1 with errno set. */
int cd_walk_open(int root_fd, const char *relpath, int flags);

/* Like cd_walk_open, but follows symbolic links as long as every step stays
 * below root_fd (relative links such as Kubernetes' ..data/ ones); absolute
 * links and links leaving the tree are refused (EXDEV). With openat2 (Linux
 * 5.6) the kernel resolves; without it, cd_walk_resolve_beneath. */
int cd_walk_open_beneath(int root_fd, const char *relpath, int flags);

/* cd_walk_open_beneath's way where openat2 is missing (kernels before 5.6,
 * seccomp filters, valgrind): resolves relpath below root_fd as
 * RESOLVE_BENEATH does (symbolic links read and their targets spliced in; an
 * absolute target or a ".." above the root: EXDEV; more than 40 links:
 * ELOOP) and writes the link-free path to out. A change after the check is
 * caught by the O_NOFOLLOW open that follows. Returns 0 or -1 with errno. */
int cd_walk_resolve_beneath(int root_fd, const char *relpath, char *out, size_t size);

/* A thread-safe list of problem lines ("path: what: strerror"), filled by
 * cd_walk and by whoever opens the files it found. */
struct cd_walk_problems {
    pthread_mutex_t lock;
    char **lines;
    size_t count, capacity;
};

/* An empty list of problems. */
void cd_walk_problems_init(cd_walk_problems *problems);
/* Records that path could not be walked: errnum (0 for none) and what was tried. */
void cd_walk_problems_add(cd_walk_problems *problems, const char *path, int errnum,
                          const char *what);
/* Writes each line, prefixed with prefix, to sink. */
void cd_walk_problems_write(cd_walk_problems *problems, cd_sink *sink, const char *prefix);
void cd_walk_problems_free(cd_walk_problems *problems);

/* ---------------------------------------------------------------- odd names
 *
 * Names under CARBON_HOME are bytes: they may hold line breaks, backslashes and
 * bytes that are not UTF-8. Two spellings are used for them in the bundle:
 *
 *  - in text files that name CARBON_HOME paths (checksum_values.txt,
 *    directory_listing.txt, checksum_problems.txt, copy_notes.txt,
 *    redaction_log.txt) the path is written the way sha256sum writes names:
 *    backslash, line feed and carriage return as \\, \n and \r, every other
 *    byte as it is, so that `sha256sum -c` finds the file and grep finds the line;
 *  - a copied file is stored under its bundle path (cd_walk_bundle_path), which
 *    is always valid UTF-8 without control characters, because ZIP entry names
 *    and the manifest's JSON must be. */

/* Longest encoded name component of a bundle path: room is left for the
 * ".partial" suffix of staging files within NAME_MAX (255). */
#define CD_WALK_BUNDLE_NAME_MAX 200

/* Writes relpath's bundle path to out: every byte that is a control character
 * or part of an invalid UTF-8 sequence, and every '%' and '\\', becomes %XX
 * (upper-case hex), so distinct paths stay distinct; a component longer than
 * CD_WALK_BUNDLE_NAME_MAX once encoded is cut and ends in "~" and 16 hex digits
 * of the SHA-256 of the whole component. Returns 1 when the bundle path differs
 * from relpath, 0 when it is the same, -1 (ENAMETOOLONG) when out is too small. */
int cd_walk_bundle_path(const char *relpath, char *out, size_t size);

/* Returns path as sha256sum writes a name (see above), malloc'd; NULL when out
 * of memory. */
char *cd_walk_escape_name(const char *path);

/* The character find(1) and ls(1) use for the file type of mode: f d l p s c b ?. */
char cd_walk_type_char(mode_t mode);

#endif
