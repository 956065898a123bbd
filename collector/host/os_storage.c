/*
 * os_disk_space.txt: free space (and free inodes) where it matters, then the mount
 * table, without df.
 *
 * "Where it matters" is: the output directory (the bundle and a heap dump go
 * there), CARBON_HOME (logs, databases), /tmp (the attach socket, the agent's
 * staging area: the target's own /tmp when it lives in another mount namespace),
 * the target's working directory (hs_err files, default heap dump path) and root.
 *
 * statvfs on a dead NFS server blocks for minutes, so every file-system query runs
 * on a short-lived thread that the caller stops waiting for after
 * FS_QUERY_TIMEOUT_MS (the thread then finishes, or not, on its own and frees its
 * own state); network and pseudo file systems in the mount table are not queried
 * at all.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "osinfo.h"

#define FS_QUERY_TIMEOUT_MS 2000
#define MOUNT_TABLE_DEADLINE_MS 5000
#define MOUNTINFO_MAX_BYTES (16u << 20)
#define MOUNTS_MAX 4096u

/* ---------------------------------------------------------------- mountinfo */

/* Decodes the \ooo escapes the kernel uses for spaces, tabs, newlines, backslashes. */
static void decode_octal_escapes(char *s)
{
    char *out = s;
    for (char *in = s; *in;) {
        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
            in[3] >= '0' && in[3] <= '7') {
            *out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
            in += 4;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
}

/* Cuts the next space-separated field off *cursor. */
static char *next_field(char **cursor)
{
    char *p = *cursor;
    while (*p == ' ')
        p++;
    if (!*p)
        return NULL;
    char *start = p;
    while (*p && *p != ' ')
        p++;
    if (*p)
        *p++ = '\0';
    *cursor = p;
    return start;
}

int cd_parse_mountinfo_line(char *line, cd_mountinfo *out)
{
    /* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
    memset(out, 0, sizeof *out);
    char *cursor = line;
    char *mount_id = next_field(&cursor), *parent_id = next_field(&cursor);
    char *device = next_field(&cursor);
    if (!mount_id || !parent_id || !device ||
        sscanf(device, "%u:%u", &out->major, &out->minor) != 2)
        return -1;
    char *root = next_field(&cursor), *mount_point = next_field(&cursor);
    char *options = next_field(&cursor);
    if (!root || !mount_point || !options)
        return -1;
    char *field;
    while ((field = next_field(&cursor)) != NULL && strcmp(field, "-") != 0)
        ; /* optional fields: shared:N, master:N ... */
    if (!field)
        return -1;
    char *fstype = next_field(&cursor), *source = next_field(&cursor);
    char *super_options = next_field(&cursor);
    if (!fstype || !source)
        return -1;
    decode_octal_escapes(root);
    decode_octal_escapes(mount_point);
    decode_octal_escapes(source);
    out->root = root;
    out->mount_point = mount_point;
    out->mount_options = options;
    out->fstype = fstype;
    out->source = source;
    out->super_options = super_options ? super_options : "";
    return 0;
}

int cd_fstype_skip_statvfs(const char *fstype)
{
    static const char *const skipped[] = {
        /* network: a dead server hangs the caller */
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "ceph", "glusterfs", "fuse.glusterfs",
        "lustre", "afs", "9p", "fuse.sshfs", "fuse.s3fs", "fuse.rclone", "davfs", "fuse.davfs",
        "gfs2", "ocfs2", "beegfs",
        /* pseudo: no meaningful size */
        "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs", "tracefs",
        "securityfs", "pstore", "bpf", "configfs", "fusectl", "hugetlbfs", "autofs", "binfmt_misc",
        "nsfs", "efivarfs", "rpc_pipefs", "selinuxfs", "nfsd"};
    for (size_t i = 0; i < sizeof skipped / sizeof *skipped; i++)
        if (strcmp(fstype, skipped[i]) == 0)
            return 1;
    return 0;
}

typedef struct mount_table {
    char *text; /* the mountinfo text the entries point into */
    cd_mountinfo *items;
    size_t count;
} mount_table;

static int load_mounts(const char *path, mount_table *t, cd_error *err)
{
    memset(t, 0, sizeof *t);
    if (cd_read_file(path, MOUNTINFO_MAX_BYTES, 1, &t->text, NULL, err) != 0)
        return -1;
    t->items = calloc(MOUNTS_MAX, sizeof *t->items);
    if (!t->items) {
        free(t->text);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory reading %s", path);
    }
    char *save = NULL;
    for (char *line = strtok_r(t->text, "\n", &save); line && t->count < MOUNTS_MAX;
         line = strtok_r(NULL, "\n", &save))
        if (cd_parse_mountinfo_line(line, &t->items[t->count]) == 0)
            t->count++;
    return 0;
}

static void free_mounts(mount_table *t)
{
    free(t->text);
    free(t->items);
}

/* The mount of device dev whose mount point is the longest prefix of path (path
 * as the mount table's owner sees it), else the last mount of that device. */
static const cd_mountinfo *mount_of(const mount_table *t, dev_t dev, const char *path)
{
    const cd_mountinfo *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < t->count; i++) {
        const cd_mountinfo *m = &t->items[i];
        if (m->major != major(dev) || m->minor != minor(dev))
            continue;
        size_t len = strlen(m->mount_point);
        int prefix = path && strncmp(path, m->mount_point, len) == 0 &&
                     (path[len] == '/' || path[len] == '\0' || len == 1);
        if (!best || (prefix && len >= best_len)) {
            best = m;
            best_len = prefix ? len : 0;
        }
    }
    return best;
}

/* ---------------------------------------------------------------- timed queries */

typedef struct fs_query {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    int done, abandoned;
    char path[PATH_MAX];
    int stat_errno, statvfs_errno; /* 0 on success */
    struct stat st;
    struct statvfs vfs;
} fs_query;

static void *fs_query_thread(void *arg)
{
    fs_query *q = arg;
    q->stat_errno = stat(q->path, &q->st) == 0 ? 0 : errno;
    q->statvfs_errno = statvfs(q->path, &q->vfs) == 0 ? 0 : errno;
    pthread_mutex_lock(&q->lock);
    q->done = 1;
    int abandoned = q->abandoned;
    pthread_cond_signal(&q->done_cond);
    pthread_mutex_unlock(&q->lock);
    if (abandoned) {
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->done_cond);
        free(q);
    }
    return NULL;
}

typedef struct fs_answer {
    int answered; /* 0: timed out or no thread */
    int stat_errno, statvfs_errno;
    struct stat st;
    struct statvfs vfs;
} fs_answer;

/* stat and statvfs of path, waiting at most FS_QUERY_TIMEOUT_MS. */
static void query_file_system(const char *path, fs_answer *answer)
{
    memset(answer, 0, sizeof *answer);
    fs_query *q = calloc(1, sizeof *q);
    if (!q)
        return;
    snprintf(q->path, sizeof q->path, "%s", path);
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->done_cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_t thread;
    if (pthread_create(&thread, NULL, fs_query_thread, q) != 0) {
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->done_cond);
        free(q);
        return;
    }
    pthread_detach(thread);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += FS_QUERY_TIMEOUT_MS / 1000;
    deadline.tv_nsec += (FS_QUERY_TIMEOUT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&q->lock);
    while (!q->done)
        if (pthread_cond_timedwait(&q->done_cond, &q->lock, &deadline) == ETIMEDOUT)
            break;
    int done = q->done;
    if (done) {
        answer->answered = 1;
        answer->stat_errno = q->stat_errno;
        answer->statvfs_errno = q->statvfs_errno;
        answer->st = q->st;
        answer->vfs = q->vfs;
    } else {
        q->abandoned = 1; /* the thread frees q when (if) it returns */
    }
    pthread_mutex_unlock(&q->lock);
    if (done) {
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->done_cond);
        free(q);
    }
}

/* ---------------------------------------------------------------- formatting */

static const char table_header_format[] = "%-24s %-10s %14s %14s %14s %5s %10s %10s %5s %s\n";

static void write_table_header(cd_sink *sink, const char *last_column)
{
    cd_sink_printf(sink, table_header_format, "Filesystem", "Type", "1K-blocks", "Used",
                   "Available", "Use%", "Inodes", "IFree", "IUse%", last_column);
}

/* Rounds up like df: a file system 99.1% full shows 100%. */
static unsigned percent_used(unsigned long long used, unsigned long long available)
{
    unsigned long long total = used + available;
    if (total == 0)
        return 0;
    return (unsigned)((used * 100 + total - 1) / total);
}

static void write_sizes(cd_sink *sink, const char *source, const char *fstype,
                        const struct statvfs *v, const char *last_column)
{
    unsigned long long unit = v->f_frsize ? v->f_frsize : v->f_bsize;
    unsigned long long total_kib = v->f_blocks * unit / 1024;
    unsigned long long free_kib = v->f_bfree * unit / 1024;
    unsigned long long available_kib = v->f_bavail * unit / 1024;
    unsigned long long used_kib = total_kib - free_kib;
    unsigned long long inodes = v->f_files, inodes_free = v->f_ffree;
    char use[8], inode_use[8];
    snprintf(use, sizeof use, "%u%%", percent_used(used_kib, available_kib));
    if (inodes)
        snprintf(inode_use, sizeof inode_use, "%u%%",
                 percent_used(inodes - inodes_free, inodes_free));
    else
        snprintf(inode_use, sizeof inode_use, "-");
    char inode_text[24], inode_free_text[24];
    snprintf(inode_text, sizeof inode_text, "%llu", inodes);
    snprintf(inode_free_text, sizeof inode_free_text, "%llu", inodes_free);
    char total_text[24], used_text[24], available_text[24];
    snprintf(total_text, sizeof total_text, "%llu", total_kib);
    snprintf(used_text, sizeof used_text, "%llu", used_kib);
    snprintf(available_text, sizeof available_text, "%llu", available_kib);
    cd_sink_printf(sink, table_header_format, source, fstype, total_text, used_text, available_text,
                   use, inode_text, inode_free_text, inode_use, last_column);
}

/* ---------------------------------------------------------------- the places */

typedef struct place {
    char role[96];
    char path[PATH_MAX]; /* as carbondump reaches it */
    int of_target;       /* resolve its mount in the target's mount table */
} place;

static size_t list_places(const cd_run *run, place *places, size_t max)
{
    size_t n = 0;
#define ADD_PLACE(role_text, path_text, target)                                                    \
    do {                                                                                           \
        if (n < max) {                                                                             \
            snprintf(places[n].role, sizeof places[n].role, "%s", role_text);                      \
            snprintf(places[n].path, sizeof places[n].path, "%s", path_text);                      \
            places[n].of_target = target;                                                          \
            n++;                                                                                   \
        }                                                                                          \
    } while (0)
    ADD_PLACE("output directory", run->output_dir, 0);
    if (run->carbon_home[0])
        ADD_PLACE("CARBON_HOME", run->carbon_home, 0);
    ADD_PLACE("/tmp", "/tmp", 0);
    ADD_PLACE("/", "/", 0);
    if (run->have_target) {
        char path[PATH_MAX], role[96];
        snprintf(path, sizeof path, "/proc/%d/cwd", (int)run->pid);
        snprintf(role, sizeof role, "working directory of pid %d", (int)run->pid);
        ADD_PLACE(role, path, 1);
        if (!run->target.same_mount_ns) {
            snprintf(path, sizeof path, "%s/tmp", run->target.root);
            snprintf(role, sizeof role, "/tmp of pid %d", (int)run->pid);
            ADD_PLACE(role, path, 1);
            snprintf(role, sizeof role, "/ of pid %d", (int)run->pid);
            ADD_PLACE(role, run->target.root, 1);
        }
    }
#undef ADD_PLACE
    return n;
}

/* The place's path as its own mount table sees it, for matching mount points. */
static void path_as_seen(const place *p, const cd_run *run, char *out, size_t outlen)
{
    if (p->of_target) {
        ssize_t n = readlink(p->path, out, outlen - 1);
        if (n > 0) {
            out[n] = '\0';
            return;
        }
        size_t root_len = strlen(run->target.root);
        snprintf(out, outlen, "%s",
                 strncmp(p->path, run->target.root, root_len) == 0 ? p->path + root_len : "/");
        if (!out[0])
            snprintf(out, outlen, "/");
        return;
    }
    if (!realpath(p->path, out))
        snprintf(out, outlen, "%s", p->path);
}

static void write_places(cd_sink *sink, const cd_run *run, const mount_table *ours,
                         const mount_table *theirs)
{
    place places[8];
    size_t count = list_places(run, places, sizeof places / sizeof *places);
    cd_sink_puts(sink, "== the file systems that matter\n");
    write_table_header(sink, "Mounted on  (what)");
    for (size_t i = 0; i < count; i++) {
        const place *p = &places[i];
        char seen[PATH_MAX], what[PATH_MAX + 128];
        path_as_seen(p, run, seen, sizeof seen);
        fs_answer a;
        query_file_system(p->path, &a);
        if (!a.answered) {
            cd_sink_printf(sink,
                           "# %s (%s): no answer within %d ms (a hung network file "
                           "system?)\n",
                           p->role, seen, FS_QUERY_TIMEOUT_MS);
            continue;
        }
        if (a.stat_errno || a.statvfs_errno) {
            cd_sink_printf(sink, "# %s (%s): %s\n", p->role, seen,
                           strerror(a.stat_errno ? a.stat_errno : a.statvfs_errno));
            continue;
        }
        const mount_table *table = p->of_target && theirs->count ? theirs : ours;
        const cd_mountinfo *m = mount_of(table, a.st.st_dev, seen);
        snprintf(what, sizeof what, "%s  (%s: %s)", m ? m->mount_point : "?", p->role, seen);
        write_sizes(sink, m ? m->source : "?", m ? m->fstype : "?", &a.vfs, what);
    }
}

static void write_mount_table(cd_sink *sink, const char *title, const mount_table *t,
                              const char *prefix)
{
    cd_sink_printf(sink, "\n== %s: %zu mounts\n", title, t->count);
    write_table_header(sink, "Mounted on  [options]");
    uint64_t deadline = cd_monotonic_ms() + MOUNT_TABLE_DEADLINE_MS;
    int out_of_time = 0;
    for (size_t i = 0; i < t->count; i++) {
        const cd_mountinfo *m = &t->items[i];
        char last[PATH_MAX + 256];
        snprintf(last, sizeof last, "%s  [%s]", m->mount_point, m->mount_options);
        if (!out_of_time && cd_monotonic_ms() > deadline) {
            out_of_time = 1;
            cd_sink_printf(sink, "# sizes not asked after %d ms: '-' below\n",
                           MOUNT_TABLE_DEADLINE_MS);
        }
        if (out_of_time || cd_fstype_skip_statvfs(m->fstype)) {
            cd_sink_printf(sink, table_header_format, m->source, m->fstype, "-", "-", "-", "-", "-",
                           "-", "-", last);
            continue;
        }
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s%s", prefix, m->mount_point);
        fs_answer a;
        query_file_system(path, &a);
        const char *problem = !a.answered       ? "no answer"
                              : a.statvfs_errno ? strerror(a.statvfs_errno)
                                                : NULL;
        if (problem) {
            cd_sink_printf(sink, table_header_format, m->source, m->fstype, "?", "?", "?", "?", "?",
                           "?", "?", last);
            cd_sink_printf(sink, "#   %s: %s\n", m->mount_point, problem);
            continue;
        }
        write_sizes(sink, m->source, m->fstype, &a.vfs, last);
    }
}

int cd_os_write_disk_space(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, "os_disk_space.txt", err);
    if (!sink)
        return -1;
    mount_table ours = {0}, theirs = {0};
    cd_error mount_err = {0};
    int have_ours = load_mounts("/proc/self/mountinfo", &ours, &mount_err) == 0;
    if (!have_ours)
        cd_sink_printf(sink, "# %s\n", mount_err.message);
    int have_theirs = 0;
    if (run->have_target && !run->target.same_mount_ns) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)run->pid);
        cd_error_clear(&mount_err);
        have_theirs = load_mounts(path, &theirs, &mount_err) == 0;
        if (!have_theirs)
            cd_sink_printf(sink, "# %s\n", mount_err.message);
    }
    cd_sink_puts(sink, "# sizes in KiB; network and pseudo file systems are not queried ('-')\n");
    write_places(sink, run, &ours, &theirs);
    if (have_ours)
        write_mount_table(sink, "carbondump's mount table (/proc/self/mountinfo)", &ours, "");
    if (have_theirs) {
        char title[128];
        snprintf(title, sizeof title, "mount table of pid %d (/proc/%d/mountinfo)", (int)run->pid,
                 (int)run->pid);
        write_mount_table(sink, title, &theirs, run->target.root);
    }
    free_mounts(&ours);
    free_mounts(&theirs);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return 1;
}
