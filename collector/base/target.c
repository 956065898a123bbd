/*
 * The target process, as seen from /proc: see target.h.
 *
 * Everything here reads /proc/<pid>/{status,comm,maps,cmdline,environ,ns/mnt}. A
 * process can exit between any two reads, so every read that fails with "no such
 * file" is reported as the process having gone away, never as an I/O error.
 */
#include "target.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "carbondump/fsutil.h"

/* Upper bounds for what we are willing to read from /proc. A JVM's maps run to a
 * few MiB with thousands of threads; argv and environ are bounded by the kernel's
 * argument limits, far below these. */
#define MAPS_MAX_BYTES (256u << 20)
#define CMDLINE_MAX_BYTES (64u << 20)
#define STATUS_MAX_BYTES (64u << 10)

/* ---------------------------------------------------------------- /proc reading */

static void proc_path(char *out, size_t outlen, pid_t pid, const char *entry)
{
    snprintf(out, outlen, "/proc/%d/%s", (int)pid, entry);
}

/* Reads /proc/<pid>/<entry> whole; err->code is CD_ERR_NOENT when the process is
 * gone and CD_ERR_PERM when /proc hides the entry from us. */
static int read_proc_entry(pid_t pid, const char *entry, size_t max_bytes, char **data, size_t *len,
                           cd_error *err)
{
    char path[64];
    proc_path(path, sizeof path, pid, entry);
    return cd_read_file(path, max_bytes, 0, data, len, err);
}

typedef struct proc_status {
    char state; /* 'R', 'S', 'Z', ... */
    pid_t tgid; /* the process a thread id belongs to */
    uid_t euid;
    gid_t egid;
    pid_t nspid; /* innermost pid namespace; the host pid on kernels without NSpid */
    unsigned long long caught_signals; /* SigCgt: bit n-1 set when signal n has a handler */
    int has_state, has_tgid, has_uid, has_gid, has_caught;
} proc_status;

/* Returns the value after "<key>:" on a line of /proc/<pid>/status, or NULL. */
static const char *status_field(const char *line, const char *key)
{
    size_t key_len = strlen(key);
    if (strncmp(line, key, key_len) != 0 || line[key_len] != ':')
        return NULL;
    return line + key_len + 1;
}

/* Parses the fields of /proc/<pid>/status that carbondump relies on. Uid: and Gid:
 * list real, effective, saved and fs ids; the second is the effective one. */
static int parse_status(const char *text, proc_status *st)
{
    memset(st, 0, sizeof *st);
    st->nspid = -1;
    for (const char *line = text; line && *line;) {
        const char *next = strchr(line, '\n');
        const char *value;
        unsigned long real_id, effective_id;
        if ((value = status_field(line, "State"))) {
            while (*value == ' ' || *value == '\t')
                value++;
            st->state = *value;
            st->has_state = 1;
        } else if ((value = status_field(line, "Tgid"))) {
            st->tgid = (pid_t)strtol(value, NULL, 10);
            st->has_tgid = 1;
        } else if ((value = status_field(line, "Uid"))) {
            if (sscanf(value, "%lu %lu", &real_id, &effective_id) == 2) {
                st->euid = (uid_t)effective_id;
                st->has_uid = 1;
            }
        } else if ((value = status_field(line, "Gid"))) {
            if (sscanf(value, "%lu %lu", &real_id, &effective_id) == 2) {
                st->egid = (gid_t)effective_id;
                st->has_gid = 1;
            }
        } else if ((value = status_field(line, "NSpid"))) {
            /* One pid per nested namespace, outermost first: keep the last. */
            const char *end = next ? next : value + strlen(value);
            char *after;
            for (const char *p = value; p < end; p = after) {
                long ns_pid = strtol(p, &after, 10);
                if (after == p || after > end)
                    break;
                st->nspid = (pid_t)ns_pid;
            }
        } else if ((value = status_field(line, "SigCgt"))) {
            st->caught_signals = strtoull(value, NULL, 16);
            st->has_caught = 1;
        }
        line = next ? next + 1 : NULL;
    }
    return st->has_state && st->has_tgid && st->has_uid && st->has_gid ? 0 : -1;
}

static int read_status(pid_t pid, proc_status *st, cd_error *err)
{
    char *text;
    if (read_proc_entry(pid, "status", STATUS_MAX_BYTES, &text, NULL, err) != 0)
        return -1;
    int rc = parse_status(text, st);
    free(text);
    if (rc != 0)
        return cd_fail(err, CD_ERR_PROTOCOL, "cannot understand /proc/%d/status", (int)pid);
    if (st->nspid <= 0)
        st->nspid = pid;
    return 0;
}

/* The process name as ps shows it, for messages; "?" when it cannot be read. */
static void read_comm(pid_t pid, char *out, size_t outlen)
{
    char *text;
    cd_error ignored;
    snprintf(out, outlen, "?");
    if (read_proc_entry(pid, "comm", 4096, &text, NULL, &ignored) != 0)
        return;
    text[strcspn(text, "\n")] = '\0';
    if (text[0])
        snprintf(out, outlen, "%s", text);
    free(text);
}

static int fail_gone(pid_t pid, cd_error *err)
{
    return cd_fail(err, CD_ERR_NOENT, "no process with pid %d", (int)pid);
}

int cd_target_fail_foreign_user(pid_t pid, uid_t owner, cd_error *err)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (owner == 0)
        return cd_fail(err, CD_ERR_PERM, "pid %d belongs to root; run carbondump as root",
                       (int)pid);
    if (getpwuid_r(owner, &pw, buf, sizeof buf, &found) == 0 && found)
        return cd_fail(err, CD_ERR_PERM,
                       "pid %d belongs to uid %u (%s); run carbondump as that user or as root",
                       (int)pid, (unsigned)owner, found->pw_name);
    return cd_fail(err, CD_ERR_PERM,
                   "pid %d belongs to uid %u; run carbondump as that user or as root", (int)pid,
                   (unsigned)owner);
}

int cd_target_alive(pid_t pid)
{
    proc_status st;
    cd_error ignored;
    if (pid <= 0 || read_status(pid, &st, &ignored) != 0)
        return 0;
    return st.state != 'Z' && st.state != 'X';
}

int cd_target_gone(pid_t pid, int settle_ms)
{
    for (int waited = 0;; waited += 10) {
        if (!cd_target_alive(pid))
            return 1;
        if (waited >= settle_ms)
            return 0;
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

int cd_target_catches_signal(pid_t pid, int sig)
{
    proc_status st;
    cd_error ignored;
    if (sig < 1 || sig > 64 || read_status(pid, &st, &ignored) != 0 || !st.has_caught)
        return -1;
    return (st.caught_signals >> (sig - 1)) & 1 ? 1 : 0;
}

/* ---------------------------------------------------------------- inspection */

/* 1 when both processes share a mount namespace. When the target's namespace link
 * cannot be read we answer 0: the callers then take the path that works either way
 * (copying the agent into the target's /tmp). */
static int same_mount_namespace(pid_t pid)
{
    char path[64], ours[128], theirs[128];
    ssize_t ours_len = readlink("/proc/self/ns/mnt", ours, sizeof ours - 1);
    proc_path(path, sizeof path, pid, "ns/mnt");
    ssize_t theirs_len = readlink(path, theirs, sizeof theirs - 1);
    if (ours_len <= 0 || theirs_len <= 0)
        return 0;
    return ours_len == theirs_len && memcmp(ours, theirs, (size_t)ours_len) == 0;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t suffix_len = strlen(suffix);
    return len >= suffix_len && memcmp(s + len - suffix_len, suffix, suffix_len) == 0;
}

/* Cuts the last path component off dir (in place); returns the removed component. */
static const char *cut_last_component(char *dir)
{
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return NULL;
    *slash = '\0';
    return slash + 1;
}

/* Derives java.home from the path of libjvm.so: <home>/lib/<vm>/libjvm.so since JDK 9,
 * <home>/lib/<arch>/<vm>/libjvm.so before (where <home> is the jre/ directory of a
 * JDK 8). Leaves home empty when the layout is neither. */
static void java_home_from_libjvm(const char *libjvm, char *home, size_t homelen)
{
    char dir[4096];
    home[0] = '\0';
    if (strlen(libjvm) >= sizeof dir)
        return;
    strcpy(dir, libjvm);
    if (!cut_last_component(dir) || !cut_last_component(dir)) /* libjvm.so, <vm> */
        return;
    const char *last = cut_last_component(dir);
    if (!last)
        return;
    if (strcmp(last, "lib") != 0) { /* <arch>: one more level to lib/ */
        last = cut_last_component(dir);
        if (!last || strcmp(last, "lib") != 0)
            return;
    }
    if (strlen(dir) < homelen)
        strcpy(home, dir);
}

/* Finds the libjvm.so mapping in the text of /proc/<pid>/maps and copies its path
 * (without a " (deleted)" suffix: a JDK upgraded under a running JVM is still one).
 * Returns 1 when found. */
static int find_libjvm(char *maps, char *path, size_t pathlen)
{
    for (char *line = maps; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next = '\0';
        /* address perms offset dev inode path: the path starts at the first '/'
         * after the five fixed fields and may contain spaces. */
        char *file = strchr(line, '/');
        if (file) {
            size_t len = strlen(file);
            if (ends_with(file, len, " (deleted)"))
                len -= strlen(" (deleted)");
            if (ends_with(file, len, "/libjvm.so") && len < pathlen) {
                memcpy(path, file, len);
                path[len] = '\0';
                return 1;
            }
        }
        line = next ? next + 1 : NULL;
    }
    return 0;
}

int cd_target_inspect(pid_t pid, cd_target *t, cd_error *err)
{
    memset(t, 0, sizeof *t);
    if (pid <= 0)
        return cd_fail(err, CD_ERR_USAGE, "%d is not a process id", (int)pid);

    proc_status st;
    if (read_status(pid, &st, err) != 0)
        return err && err->code == CD_ERR_NOENT ? fail_gone(pid, err) : -1;
    char name[64];
    read_comm(st.tgid, name, sizeof name); /* a thread's own comm is the thread's name */
    if (st.tgid != pid)
        return cd_fail(err, CD_ERR_USAGE,
                       "%d is a thread of process %d (%s), not a process; use pid %d", (int)pid,
                       (int)st.tgid, name, (int)st.tgid);
    if (st.state == 'Z' || st.state == 'X')
        return cd_fail(err, CD_ERR_NOENT,
                       "pid %d (%s) has exited; only its zombie entry is left for its parent to "
                       "collect",
                       (int)pid, name);

    t->pid = pid;
    t->nspid = st.nspid;
    t->uid = st.euid;
    t->gid = st.egid;
    proc_path(t->root, sizeof t->root, pid, "root");
    t->same_mount_ns = same_mount_namespace(pid);

    char *maps;
    if (read_proc_entry(pid, "maps", MAPS_MAX_BYTES, &maps, NULL, err) != 0) {
        if (err && err->code == CD_ERR_NOENT)
            return cd_fail(err, CD_ERR_NOENT, "pid %d (%s) exited while being inspected", (int)pid,
                           name);
        if (err && err->code == CD_ERR_PERM && geteuid() != 0 && geteuid() != t->uid)
            return cd_target_fail_foreign_user(pid, t->uid, err);
        /* /proc lets a process see another only when user and group both match. */
        if (err && err->code == CD_ERR_PERM && geteuid() != 0 && getegid() != t->gid)
            return cd_fail(err, CD_ERR_PERM,
                           "pid %d runs with group %u, carbondump with group %u; run carbondump "
                           "with that group (sg) or as root",
                           (int)pid, (unsigned)t->gid, (unsigned)getegid());
        if (err && err->code == CD_ERR_PERM)
            return cd_fail(err, CD_ERR_PERM,
                           "cannot read /proc/%d/maps: permission denied (the process is not "
                           "dumpable, or carbondump runs without CAP_SYS_PTRACE)",
                           (int)pid);
        return -1;
    }
    /* Kernel threads and zombies have empty maps; both are "not a JVM". */
    char libjvm[4096];
    int is_jvm = find_libjvm(maps, libjvm, sizeof libjvm);
    free(maps);
    if (!is_jvm)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "pid %d (%s) is not a Java VM: no libjvm.so mapped",
                       (int)pid, name);
    java_home_from_libjvm(libjvm, t->java_home, sizeof t->java_home);
    return 0;
}

/* ---------------------------------------------------------------- command line */

int cd_target_cmdline(pid_t pid, char ***argv_out, int *argc_out, cd_error *err)
{
    char *data;
    size_t len;
    *argv_out = NULL;
    *argc_out = 0;
    if (read_proc_entry(pid, "cmdline", CMDLINE_MAX_BYTES, &data, &len, err) != 0)
        return err && err->code == CD_ERR_NOENT ? fail_gone(pid, err) : -1;
    /* Arguments end with NUL; a process that rewrote its title may leave the last one
     * unterminated, and cd_read_file's terminator then closes it. */
    size_t argc = 0;
    for (size_t i = 0; i < len; i++)
        if (data[i] == '\0' || i == len - 1)
            argc++;
    size_t table_bytes = (argc + 1) * sizeof(char *);
    char **argv = malloc(table_bytes + len + 1);
    if (!argv) {
        free(data);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory reading the command line of pid %d",
                       (int)pid);
    }
    char *strings = (char *)argv + table_bytes;
    memcpy(strings, data, len + 1);
    free(data);
    size_t n = 0;
    for (size_t start = 0; start < len; start += strlen(strings + start) + 1)
        argv[n++] = strings + start;
    argv[n] = NULL;
    *argv_out = argv;
    *argc_out = (int)n;
    return 0;
}

void cd_target_cmdline_free(char **argv)
{
    free(argv);
}

/* Called once per JVM option, in the order the JVM applies them. */
typedef void (*option_visitor)(const char *option, void *ctx);

/* Launcher options whose value is the next argument; skipping the value keeps it
 * from being taken for the main class. */
static int takes_separate_value(const char *arg)
{
    static const char *const with_value[] = {
        "-cp",
        "-classpath",
        "--class-path",
        "-p",
        "--module-path",
        "--upgrade-module-path",
        "--add-modules",
        "--limit-modules",
        "--add-reads",
        "--add-exports",
        "--add-opens",
        "--patch-module",
        "--enable-native-access",
        "--source",
    };
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
        if (strcmp(arg, with_value[i]) == 0)
            return 1;
    return 0;
}

/* Visits the launcher/JVM options of argv: everything before the main class, the
 * source file, -jar or -m. What follows belongs to the application, so a
 * "-Dx=y" after the main class is not a system property. */
static void visit_command_line(char **argv, int argc, option_visitor visit, void *ctx)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || strcmp(arg, "-jar") == 0 || strcmp(arg, "-m") == 0 ||
            strcmp(arg, "--module") == 0 || strncmp(arg, "--module=", 9) == 0)
            return;
        visit(arg, ctx);
        if (takes_separate_value(arg))
            i++;
    }
}

/* Visits the options of a JAVA_TOOL_OPTIONS-style variable: words separated by
 * white space, where single or double quotes group a word that contains spaces. */
static void visit_env_options(const char *value, option_visitor visit, void *ctx)
{
    char *word = malloc(strlen(value) + 1);
    if (!word)
        return;
    const char *p = value;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        size_t n = 0;
        char quote = 0;
        for (; *p; p++) {
            if (quote) {
                if (*p == quote)
                    quote = 0;
                else
                    word[n++] = *p;
            } else if (*p == '\'' || *p == '"') {
                quote = *p;
            } else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                break;
            } else {
                word[n++] = *p;
            }
        }
        word[n] = '\0';
        visit(word, ctx);
    }
    free(word);
}

/* Returns the value of name in an environ block (NUL-separated KEY=VALUE), or NULL. */
static const char *environ_lookup(const char *block, size_t len, const char *name)
{
    size_t name_len = strlen(name);
    for (size_t i = 0; i < len; i += strlen(block + i) + 1)
        if (strncmp(block + i, name, name_len) == 0 && block[i + name_len] == '=')
            return block + i + name_len + 1;
    return NULL;
}

/* Visits every JVM option of the target in the order the JVM applies them (see
 * target.h). The environment is skipped when /proc does not let us read it. */
static int visit_jvm_options(pid_t pid, option_visitor visit, void *ctx)
{
    char **argv;
    int argc;
    cd_error ignored;
    if (cd_target_cmdline(pid, &argv, &argc, &ignored) != 0)
        return -1;
    char *environ_block = NULL;
    size_t environ_len = 0;
    if (read_proc_entry(pid, "environ", CMDLINE_MAX_BYTES, &environ_block, &environ_len,
                        &ignored) != 0)
        environ_block = NULL;
    const char *tool_options =
        environ_block ? environ_lookup(environ_block, environ_len, "JAVA_TOOL_OPTIONS") : NULL;
    const char *jdk_options =
        environ_block ? environ_lookup(environ_block, environ_len, "JDK_JAVA_OPTIONS") : NULL;
    const char *override_options =
        environ_block ? environ_lookup(environ_block, environ_len, "_JAVA_OPTIONS") : NULL;

    if (tool_options)
        visit_env_options(tool_options, visit, ctx);
    if (jdk_options)
        visit_env_options(jdk_options, visit, ctx);
    visit_command_line(argv, argc, visit, ctx);
    if (override_options)
        visit_env_options(override_options, visit, ctx);
    free(environ_block);
    cd_target_cmdline_free(argv);
    return 0;
}

typedef struct property_search {
    const char *name;
    size_t name_len;
    char *out;
    size_t outlen;
    int found;
    int too_long; /* the winning value did not fit in out */
} property_search;

static void match_property(const char *option, void *ctx)
{
    property_search *search = ctx;
    if (strncmp(option, "-D", 2) != 0 || strncmp(option + 2, search->name, search->name_len) != 0)
        return;
    const char *rest = option + 2 + search->name_len;
    if (*rest != '=' && *rest != '\0') /* -Dcarbon.homeX=... is another property */
        return;
    const char *value = *rest == '=' ? rest + 1 : rest; /* a bare -Dname means "" */
    search->found = 1;
    search->too_long = strlen(value) >= search->outlen;
    if (!search->too_long)
        strcpy(search->out, value);
}

int cd_target_system_property(pid_t pid, const char *name, char *out, size_t outlen)
{
    if (!name || !*name || !out || outlen == 0)
        return -1;
    property_search search = {name, strlen(name), out, outlen, 0, 0};
    if (visit_jvm_options(pid, match_property, &search) != 0)
        return -1;
    if (search.found && search.too_long)
        return -1;
    return search.found;
}

typedef struct flag_search {
    const char *flag;
    char last_sign; /* '+', '-' or 0 when never seen */
} flag_search;

static void match_flag(const char *option, void *ctx)
{
    flag_search *search = ctx;
    if (strncmp(option, "-XX:", 4) == 0 && (option[4] == '+' || option[4] == '-') &&
        strcmp(option + 5, search->flag) == 0)
        search->last_sign = option[4];
}

int cd_target_has_vm_flag(pid_t pid, const char *flag, int plus)
{
    if (!flag || !*flag)
        return -1;
    flag_search search = {flag, 0};
    if (visit_jvm_options(pid, match_flag, &search) != 0)
        return -1;
    return search.last_sign == (plus ? '+' : '-');
}
