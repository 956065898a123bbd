/*
 * HotSpot dynamic attach: see attach.h for the mechanism and the wire format.
 *
 * What the JVMs here really answer (protocol 1; "\n" is the byte 0x0a; <lib> is
 * the absolute path sent). JDK 17 = OpenJDK 17.0.15, JDK 25 = Temurin 25.0.3:
 *
 *   load <lib> true <opts>, Agent_OnAttach returns 0
 *     JDK 17 and 25: "0\nreturn code: 0\n"
 *   load, Agent_OnAttach returns 7
 *     JDK 17 and 25: "0\nreturn code: 7\n"
 *   load, library does not exist
 *     JDK 17: "-1\n<lib> was not loaded.\n"
 *             "<lib>: cannot open shared object file: No such file or directory\n"
 *     JDK 25: "0\n<lib> was not loaded.\n"
 *             "<lib>: cannot open shared object file: No such file or directory\n"
 *   load, a shared library without Agent_OnAttach
 *     JDK 17: "-1\nAgent_OnAttach is not available in <lib>\n"
 *     JDK 25: "0\nAgent_OnAttach is not available in <lib>\n"
 *   load, JVM started with -XX:-EnableDynamicAgentLoading
 *     JDK 17: "-1\nDynamic agent loading is not enabled. "
 *             "Use -XX:+EnableDynamicAgentLoading to launch target VM."   (no newline)
 *     JDK 25: "0\nDynamic agent loading is not enabled. "
 *             "Use -XX:+EnableDynamicAgentLoading to launch target VM.\n"
 *   properties
 *     both: "0\n#<date>\n<key>=<value>\n..." (java.util.Properties.store format)
 *   threaddump
 *     both: "0\n<yyyy-mm-dd hh:mm:ss>\nFull thread dump OpenJDK 64-Bit Server VM (...):\n..."
 *     (JDK 25 sends it in many small writes as it goes)
 *   jcmd VM.version
 *     JDK 17: "0\nOpenJDK 64-Bit Server VM version 17.0.15+6-Debian-1deb12u1\nJDK 17.0.15\n"
 *     JDK 25: "0\nOpenJDK 64-Bit Server VM version 25.0.3+9-LTS\nJDK 25.0.3\n"
 *   jcmd <unknown command>
 *     both: "-1\njava.lang.IllegalArgumentException: Unknown diagnostic command\n"
 *   an unknown operation, e.g. bogus
 *     both: "-1\nOperation bogus not recognized!"   (no newline)
 *   getversion options
 *     JDK 17: "-1\nOperation getversion not recognized!"
 *     JDK 25: "0\n2 streaming"   (protocol 2 available; protocol 1 keeps working)
 *   a command over 16 bytes or an argument over 1024 bytes
 *     both: the connection is closed with no reply at all
 *   JDK 8 (not installed here; as DESIGN.md section 9 records): "0\n<N>\n" for a load
 *     that ran.
 *
 * So the status of a load reply means nothing on JDK 21+, and "return code: N" is
 * Agent_OnAttach's own result. With -XX:+DisableAttachMechanism the JVM ignores the
 * trigger file and SIGQUIT only prints a thread dump on its stdout; the socket never
 * appears.
 */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"
#include "carbondump/array.h"
#include "carbondump/fsutil.h"
#include "carbondump/procstat.h"

/* The request never exceeds: "1\0" + command + NUL + 3 * (argument + NUL). */
#define REQUEST_MAX_BYTES                                                                          \
    (2 + CD_ATTACH_COMMAND_MAX_BYTES + 1 + CD_ATTACH_MAX_ARGS * (CD_ATTACH_ARG_MAX_BYTES + 1))

/* How long to wait between looks for the socket: short at first (a healthy JVM
 * starts its listener within milliseconds), then backing off. */
#define LISTENER_POLL_FIRST_MS 10
#define LISTENER_POLL_MAX_MS 500
/* The first SIGQUIT again after this long without a listener, then after twice as
 * long each time (1, 2, 4 ... s from the first). */
#define LISTENER_RESEND_FIRST_MS 1000

/* How many bytes of the JVM's text a message quotes. */
#define QUOTED_TEXT_MAX 300

/* ---------------------------------------------------------------- small helpers */

static int64_t remaining_ms(uint64_t deadline_ms)
{
    uint64_t now = cd_monotonic_ms();
    return now >= deadline_ms ? 0 : (int64_t)(deadline_ms - now);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* "10 s", "2.5 s": timeouts as operators give them. */
static void format_seconds(int64_t ms, char *out, size_t outlen)
{
    if (ms % 1000 == 0)
        snprintf(out, outlen, "%lld s", (long long)(ms / 1000));
    else
        snprintf(out, outlen, "%.1f s", (double)ms / 1000.0);
}

/* Copies the JVM's text for a message: surrounding white space trimmed, line breaks
 * shown as "; ", other control bytes as '?', cut at QUOTED_TEXT_MAX with "...". */
static void quote_text(const char *text, size_t len, char *out, size_t outlen)
{
    while (len > 0 && (text[0] == ' ' || text[0] == '\n' || text[0] == '\r' || text[0] == '\t'))
        text++, len--;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\n' || text[len - 1] == '\r' ||
                       text[len - 1] == '\t' || text[len - 1] == '\0'))
        len--;
    size_t used = 0;
    for (size_t i = 0; i < len && used + 6 < outlen && used < QUOTED_TEXT_MAX; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            out[used++] = ';';
            out[used++] = ' ';
        } else if (c == '\r') {
            continue;
        } else {
            out[used++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
        }
        if (i + 1 < len && (used + 6 >= outlen || used >= QUOTED_TEXT_MAX)) {
            memcpy(out + used, "...", 3);
            used += 3;
            break;
        }
    }
    out[used] = '\0';
}

/* Parses an optionally negative decimal int in [p, end); returns 0 and sets *value
 * and *after, or -1 when there are no digits or the number does not fit. */
static int parse_int(const char *p, const char *end, int *value, const char **after)
{
    int negative = 0;
    if (p < end && *p == '-')
        negative = 1, p++;
    if (p >= end || *p < '0' || *p > '9')
        return -1;
    long long n = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (*p - '0');
        if (n > (long long)INT_MAX + 1)
            return -1;
    }
    if (!negative && n > INT_MAX)
        return -1;
    *value = (int)(negative ? -n : n);
    *after = p;
    return 0;
}

/* Returns a pointer just after `prefix` where a line of text starts with it. */
static const char *line_starting_with(const char *text, size_t len, const char *prefix)
{
    size_t prefix_len = strlen(prefix);
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        if ((size_t)(end - line) >= prefix_len && memcmp(line, prefix, prefix_len) == 0)
            return line + prefix_len;
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        if (!newline)
            break;
        line = newline + 1;
    }
    return NULL;
}

static int contains(const char *text, size_t len, const char *needle)
{
    return memmem(text, len, needle, strlen(needle)) != NULL;
}

/* ---------------------------------------------------------------- credentials */

int cd_creds_enter(const cd_target *t, cd_creds *creds, cd_error *err)
{
    memset(creds, 0, sizeof *creds);
    uid_t euid = geteuid();
    gid_t egid = getegid();
    if (euid == t->uid && egid == t->gid)
        return 0;
    if (euid != 0) {
        if (euid != t->uid)
            return cd_target_fail_foreign_user(t->pid, t->uid, err);
        /* Same user, other group: only root could switch the group. Carry on; if the
         * JVM refuses the peer it closes the connection, which is reported then. */
        return 0;
    }
    creds->saved_euid = euid;
    creds->saved_egid = egid;
    /* Group first: once the uid is no longer 0 the thread may not change it. */
    if (syscall(SYS_setresgid, -1, t->gid, -1) != 0)
        return cd_fail_errno(err, CD_ERR_PERM, errno,
                             "cannot switch to group %u, the group of pid %d", (unsigned)t->gid,
                             (int)t->pid);
    if (syscall(SYS_setresuid, -1, t->uid, -1) != 0) {
        int saved_errno = errno;
        syscall(SYS_setresgid, -1, egid, -1);
        return cd_fail_errno(err, CD_ERR_PERM, saved_errno,
                             "cannot switch to uid %u, the user of pid %d", (unsigned)t->uid,
                             (int)t->pid);
    }
    creds->switched = 1;
    return 0;
}

void cd_creds_leave(cd_creds *creds)
{
    if (!creds->switched)
        return;
    syscall(SYS_setresuid, -1, creds->saved_euid, -1);
    syscall(SYS_setresgid, -1, creds->saved_egid, -1);
    creds->switched = 0;
}

/* ---------------------------------------------------------------- request and reply */

int cd_attach_encode_request(const char *command, const char *const args[], int nargs, char *buf,
                             size_t cap, size_t *len_out, cd_error *err)
{
    if (!command || !*command)
        return cd_fail(err, CD_ERR_USAGE, "empty attach command");
    if (nargs < 0 || nargs > CD_ATTACH_MAX_ARGS)
        return cd_fail(err, CD_ERR_USAGE, "attach command '%s' given %d arguments; at most %d",
                       command, nargs, CD_ATTACH_MAX_ARGS);
    size_t command_len = strlen(command);
    if (command_len > CD_ATTACH_COMMAND_MAX_BYTES)
        return cd_fail(err, CD_ERR_USAGE,
                       "attach command '%.40s' is %zu bytes; the JVM accepts at most %d", command,
                       command_len, CD_ATTACH_COMMAND_MAX_BYTES);
    const char *fields[2 + CD_ATTACH_MAX_ARGS] = {CD_ATTACH_PROTOCOL_VERSION, command, "", "", ""};
    for (int i = 0; i < nargs; i++) {
        const char *arg = args && args[i] ? args[i] : "";
        size_t arg_len = strlen(arg);
        if (arg_len > CD_ATTACH_ARG_MAX_BYTES)
            return cd_fail(err, CD_ERR_USAGE,
                           "argument %d of attach command '%s' is %zu bytes; the JVM accepts at "
                           "most %d",
                           i + 1, command, arg_len, CD_ATTACH_ARG_MAX_BYTES);
        fields[2 + i] = arg;
    }
    size_t used = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        size_t field_len = strlen(fields[i]) + 1;
        if (used + field_len > cap)
            return cd_fail(err, CD_ERR_USAGE, "attach request '%s' does not fit in %zu bytes",
                           command, cap);
        memcpy(buf + used, fields[i], field_len);
        used += field_len;
    }
    *len_out = used;
    return 0;
}

int cd_attach_parse_reply(const char *data, size_t len, cd_attach_reply *reply, cd_error *err)
{
    char quoted[QUOTED_TEXT_MAX + 8];
    memset(reply, 0, sizeof *reply);
    const char *newline = memchr(data, '\n', len);
    const char *after;
    int status;
    if (!newline || parse_int(data, newline, &status, &after) != 0 || after != newline) {
        quote_text(data, len < 60 ? len : 60, quoted, sizeof quoted);
        return cd_fail(err, CD_ERR_PROTOCOL, "not an attach reply: \"%s\"", quoted);
    }
    size_t text_len = len - (size_t)(newline + 1 - data);
    char *text = malloc(text_len + 1);
    if (!text)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory for a %zu-byte attach reply", len);
    memcpy(text, newline + 1, text_len);
    text[text_len] = '\0';
    reply->status = status;
    reply->text = text;
    reply->len = text_len;
    return 0;
}

void cd_attach_reply_free(cd_attach_reply *reply)
{
    if (!reply)
        return;
    free(reply->text);
    reply->text = NULL;
    reply->len = 0;
    reply->status = 0;
}

/* Failure to load the library at all: dlopen's own words follow "<lib> was not
 * loaded." on the next line. */
static int fail_library_not_loaded(const char *text, size_t len, const char *marker, cd_error *err)
{
    char quoted[QUOTED_TEXT_MAX + 8];
    const char *dl_error = marker + strlen(" was not loaded.");
    const char *end = text + len;
    while (dl_error < end && (*dl_error == '\n' || *dl_error == ' '))
        dl_error++;
    if (dl_error < end)
        quote_text(dl_error, (size_t)(end - dl_error), quoted, sizeof quoted);
    else
        quote_text(text, len, quoted, sizeof quoted);
    cd_code code = CD_ERR_UNSUPPORTED;
    if (contains(text, len, "No such file or directory"))
        code = CD_ERR_NOENT;
    else if (contains(text, len, "Permission denied"))
        code = CD_ERR_PERM;
    return cd_fail(err, code, "the JVM could not load the library: %s", quoted);
}

int cd_attach_parse_load_reply(int status, const char *text, size_t len, int *agent_rc,
                               cd_error *err)
{
    char quoted[QUOTED_TEXT_MAX + 8];
    const char *end = text + len;
    const char *after;
    int rc;
    *agent_rc = CD_ATTACH_AGENT_DID_NOT_RUN;

    /* JDK 9 and later: "return code: N" is what Agent_OnAttach returned. */
    const char *rc_text = line_starting_with(text, len, "return code: ");
    int have_rc = rc_text && parse_int(rc_text, end, &rc, &after) == 0 &&
                  (after == end || *after == '\n' || *after == '\r');
    /* JDK 8: status 0, then Agent_OnAttach's result alone. */
    if (!have_rc && status == 0) {
        const char *p = text;
        while (p < end && (*p == ' ' || *p == '\n'))
            p++;
        if (parse_int(p, end, &rc, &after) == 0) {
            while (after < end && (*after == '\n' || *after == '\r' || *after == ' '))
                after++;
            have_rc = after == end;
        }
    }
    if (have_rc && (status == 0 || rc != 0)) {
        *agent_rc = rc;
        if (rc == 0)
            return 0;
        return cd_fail(err, CD_ERR_INTERNAL,
                       "the library was loaded but Agent_OnAttach failed (returned %d)", rc);
    }

    if (contains(text, len, "Dynamic agent loading is not enabled"))
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "the JVM was started with -XX:-EnableDynamicAgentLoading and refuses to "
                       "load agents at run time; restart it without that option, or load "
                       "carbondump at start-up with -agentpath");
    const char *not_loaded = memmem(text, len, " was not loaded.", strlen(" was not loaded."));
    if (not_loaded)
        return fail_library_not_loaded(text, len, not_loaded, err);
    if (contains(text, len, "Agent_OnAttach is not available")) {
        quote_text(text, len, quoted, sizeof quoted);
        return cd_fail(err, CD_ERR_UNSUPPORTED, "the library is not a JVMTI agent: %s", quoted);
    }

    quote_text(text, len, quoted, sizeof quoted);
    if (!quoted[0])
        return cd_fail(err, CD_ERR_PROTOCOL,
                       "the JVM answered the load request with status %d and no explanation",
                       status);
    if (status != 0)
        return cd_fail(err, CD_ERR_PROTOCOL, "the JVM refused to load the agent (status %d): %s",
                       status, quoted);
    return cd_fail(err, CD_ERR_PROTOCOL, "the JVM did not confirm that the agent started: %s",
                   quoted);
}

/* ---------------------------------------------------------------- the listener */

/* Present means: a socket, owned by the JVM's user. Some file systems and careless
 * clean-up scripts leave other things under that name; the JVM would not have
 * created them, so they are not to be trusted. Returns 1 present, 0 absent. */
static int listener_socket_present(const cd_target *t, const char *path, cd_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot look at %s", path);
    }
    if (!S_ISSOCK(st.st_mode))
        return cd_fail(err, CD_ERR_PERM, "%s is not a socket; refusing to use it", path);
    if (st.st_uid != t->uid)
        return cd_fail(err, CD_ERR_PERM,
                       "%s is owned by uid %u, not by uid %u which runs pid %d; refusing to "
                       "use it",
                       path, (unsigned)st.st_uid, (unsigned)t->uid, (int)t->pid);
    return 1;
}

/* Wall-clock time, in seconds, at which pid started; 0 when unknown. */
static double process_started_at(pid_t pid)
{
    char path[64], *text = NULL;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (cd_read_file(path, 4096, 1, &text, NULL, NULL) != 0)
        return 0;
    cd_proc_stat st;
    int parsed = cd_parse_proc_stat(text, &st) == 0;
    free(text);
    long hz = sysconf(_SC_CLK_TCK);
    struct timespec boot, wall;
    if (!parsed || hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &boot) != 0 ||
        clock_gettime(CLOCK_REALTIME, &wall) != 0)
        return 0;
    double since_boot = (double)boot.tv_sec + (double)boot.tv_nsec / 1e9;
    double now = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
    return now - since_boot + (double)st.start_ticks / (double)hz;
}

/* Whether the listener socket at path was left behind by an earlier process:
 * a JVM killed with SIGKILL leaves its socket, and a later process that gets
 * the same pid (a container's JVM is pid 1 again after a restart) finds it
 * with nobody listening. Both must hold: the socket was made more than a
 * second before the target started (a cheap test, but the wall clock can
 * step), and connecting to it is refused, which a live listener never does:
 * the JVM renames its socket into place only once it listens. */
static int socket_left_behind(const cd_target *t, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
        return 0;
    double started = process_started_at(t->pid);
    double made = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
    if (started <= 0 || made >= started - 1.0)
        return 0;
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path)
        return 0;
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return 0;
    int refused =
        connect(fd, (struct sockaddr *)&address, sizeof address) != 0 && errno == ECONNREFUSED;
    close(fd);
    return refused;
}

/* The trigger file the JVM looks for on SIGQUIT. The directory is held open so that
 * the file can be removed even after the process has gone and /proc/<pid>/cwd with it. */
typedef struct trigger_file {
    int dir_fd; /* -1 when there is nothing of ours to remove */
    char name[32];
} trigger_file;

/* Creates the trigger in the JVM's working directory or, when that is not writable
 * for its user, in its /tmp. A trigger already there (another tool attaching at the
 * same moment) serves as well, and is left for its owner to remove. */
static int create_trigger(const cd_target *t, trigger_file *trigger, cd_error *err)
{
    char dirs[2][96];
    snprintf(dirs[0], sizeof dirs[0], "/proc/%d/cwd", (int)t->pid);
    snprintf(dirs[1], sizeof dirs[1], "%s/tmp", t->root);
    snprintf(trigger->name, sizeof trigger->name, ".attach_pid%d", (int)t->nspid);
    trigger->dir_fd = -1;
    int errors[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        int dir_fd = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
            errors[i] = errno;
            continue;
        }
        int fd = openat(dir_fd, trigger->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0600);
        if (fd >= 0) {
            close(fd);
            trigger->dir_fd = dir_fd;
            return 0;
        }
        errors[i] = errno;
        close(dir_fd);
        if (errors[i] == EEXIST)
            return 0;
    }
    if (!cd_target_alive(t->pid))
        return cd_fail(err, CD_ERR_NOENT, "pid %d exited while carbondump was attaching to it",
                       (int)t->pid);
    return cd_fail_errno(err, CD_ERR_PERM, errors[1],
                         "cannot create the attach trigger file %s/%s (%s) nor %s/%s", dirs[0],
                         trigger->name, strerror(errors[0]), dirs[1], trigger->name);
}

static void remove_trigger(trigger_file *trigger)
{
    if (trigger->dir_fd < 0)
        return;
    unlinkat(trigger->dir_fd, trigger->name, 0);
    close(trigger->dir_fd);
    trigger->dir_fd = -1;
}

/* Asks the JVM to start its attach listener and waits for its socket until the
 * deadline. Refuses up front when the JVM cannot do it, rather than sending a signal
 * that would only print a thread dump into its log, or kill it. */
static int start_listener(const cd_target *t, const char *socket_path, uint64_t started_ms,
                          uint64_t deadline_ms, cd_error *err)
{
    if (cd_target_has_vm_flag(t->pid, "DisableAttachMechanism", 1) == 1)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "pid %d was started with -XX:+DisableAttachMechanism and accepts no "
                       "attach requests; load carbondump at start-up with -agentpath instead",
                       (int)t->pid);
    int catches = cd_target_catches_signal(t->pid, SIGQUIT);
    if (catches < 0 || !cd_target_alive(t->pid))
        return cd_fail(err, CD_ERR_NOENT, "pid %d exited while carbondump was attaching to it",
                       (int)t->pid);
    if (catches == 0)
        return cd_fail(err, CD_ERR_UNSUPPORTED,
                       "pid %d has no SIGQUIT handler (started with -Xrs, or still starting up), "
                       "so it cannot be asked to start its attach listener; the signal could "
                       "terminate it",
                       (int)t->pid);

    trigger_file trigger;
    if (create_trigger(t, &trigger, err) != 0)
        return -1;
    int rc = -1;
    uint64_t resend_after_ms = LISTENER_RESEND_FIRST_MS;
    int64_t delay_ms = LISTENER_POLL_FIRST_MS;
    if (kill(t->pid, SIGQUIT) != 0) {
        if (errno == ESRCH)
            cd_fail(err, CD_ERR_NOENT, "pid %d exited while carbondump was attaching to it",
                    (int)t->pid);
        else
            cd_fail_errno(err, CD_ERR_PERM, errno, "cannot send SIGQUIT to pid %d", (int)t->pid);
        goto out;
    }
    for (;;) {
        int present = listener_socket_present(t, socket_path, err);
        if (present != 0) {
            rc = present > 0 ? 0 : -1;
            break;
        }
        if (!cd_target_alive(t->pid)) {
            cd_fail(err, CD_ERR_NOENT, "pid %d exited while carbondump was attaching to it",
                    (int)t->pid);
            break;
        }
        int64_t left_ms = remaining_ms(deadline_ms);
        if (left_ms == 0) {
            char waited[32];
            format_seconds((int64_t)(cd_monotonic_ms() - started_ms), waited, sizeof waited);
            cd_fail(err, CD_ERR_TIMEOUT,
                    "the JVM (pid %d) did not start its attach listener within %s", (int)t->pid,
                    waited);
            break;
        }
        /* The JVM starts its listener on the signal that finds the trigger file,
         * and gives up for that signal when it cannot: a JVM still starting up, or
         * one whose heap is so full that the listener's Thread object cannot be
         * allocated (it prints "Exception in VM (AttachListener::init)"). Each
         * SIGQUIT is a new try; one that finds the trigger prints no thread dump,
         * and backing off keeps them few (eight in 300 s). */
        if (cd_monotonic_ms() - started_ms >= resend_after_ms) {
            kill(t->pid, SIGQUIT);
            resend_after_ms *= 2;
        }
        sleep_ms(delay_ms < left_ms ? delay_ms : left_ms);
        delay_ms = delay_ms * 2 > LISTENER_POLL_MAX_MS ? LISTENER_POLL_MAX_MS : delay_ms * 2;
    }
out:
    remove_trigger(&trigger);
    return rc;
}

/* Connects to the listener socket. Non-blocking, so that a listener whose backlog is
 * full cannot hold us past the deadline. */
static int connect_listener(const cd_target *t, const char *socket_path, uint64_t deadline_ms,
                            int *fd_out, cd_error *err)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof address.sun_path)
        return cd_fail(err, CD_ERR_USAGE,
                       "the attach socket path %s is longer than a Unix socket address allows "
                       "(%zu bytes)",
                       socket_path, sizeof address.sun_path - 1);
    strcpy(address.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot create a Unix socket");
    for (;;) {
        if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0)
            break;
        int e = errno;
        if (e == EINTR)
            continue;
        if (e == EAGAIN && remaining_ms(deadline_ms) > 0) {
            sleep_ms(10);
            continue;
        }
        close(fd);
        if (e == EAGAIN)
            return cd_fail(err, CD_ERR_TIMEOUT,
                           "the attach listener of pid %d accepted no connection in time",
                           (int)t->pid);
        if (e == ECONNREFUSED)
            return cd_fail(err, CD_ERR_IO,
                           "nobody listens on %s: the attach listener of pid %d is not running "
                           "(a socket left behind by an earlier process?)",
                           socket_path, (int)t->pid);
        if (e == ENOENT && !cd_target_alive(t->pid))
            return cd_fail(err, CD_ERR_NOENT, "pid %d exited while carbondump was attaching to it",
                           (int)t->pid);
        return cd_fail_errno(err, CD_ERR_IO, e, "cannot connect to %s", socket_path);
    }
    *fd_out = fd;
    return 0;
}

/* Waits until fd is ready for events or the deadline passes; 1 ready, 0 timed out. */
static int wait_ready(int fd, short events, uint64_t deadline_ms)
{
    for (;;) {
        int64_t left_ms = remaining_ms(deadline_ms);
        if (left_ms == 0)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int n = poll(&pfd, 1, left_ms > INT_MAX ? INT_MAX : (int)left_ms);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return 1; /* let the following send/recv report the error */
    }
}

static int send_request(const cd_target *t, int fd, const char *command, const char *data,
                        size_t len, uint64_t deadline_ms, cd_error *err)
{
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, data + sent, len - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_ready(fd, POLLOUT, deadline_ms))
                return cd_fail(err, CD_ERR_TIMEOUT, "pid %d did not take the '%s' request in time",
                               (int)t->pid, command);
            continue;
        }
        if (errno == EPIPE || errno == ECONNRESET)
            return cd_fail(err, CD_ERR_IO,
                           "pid %d closed the attach connection before reading the '%s' request",
                           (int)t->pid, command);
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot send the '%s' request to pid %d",
                             command, (int)t->pid);
    }
    return 0;
}

/* Reads until the JVM closes the connection, growing the buffer as needed. A reset
 * after data counts as the end of the reply: the JVM has said all it will say. */
static int receive_reply(const cd_target *t, int fd, const char *command, int timeout_ms,
                         uint64_t deadline_ms, char **data_out, size_t *len_out, cd_error *err)
{
    size_t cap = 4096, len = 0;
    char *data = malloc(cap);
    if (!data)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory for the attach reply");
    for (;;) {
        if (len == cap) {
            if (cap >= CD_ATTACH_REPLY_MAX_BYTES) {
                free(data);
                return cd_fail(err, CD_ERR_IO,
                               "pid %d answered '%s' with more than %u MiB; giving up", (int)t->pid,
                               command, CD_ATTACH_REPLY_MAX_BYTES >> 20);
            }
            if (cd_array_reserve(&data, &cap, cap * 2, 1) != 0) {
                free(data);
                return cd_fail(err, CD_ERR_NOMEM, "out of memory for a %zu-byte attach reply",
                               cap * 2);
            }
        }
        ssize_t n = recv(fd, data + len, cap - len, 0);
        if (n > 0) {
            len += (size_t)n;
            continue;
        }
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            break;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait_ready(fd, POLLIN, deadline_ms)) {
                char limit[32];
                free(data);
                format_seconds(timeout_ms, limit, sizeof limit);
                return cd_fail(err, CD_ERR_TIMEOUT,
                               "pid %d did not finish answering '%s' within %s", (int)t->pid,
                               command, limit);
            }
            continue;
        }
        int e = errno;
        free(data);
        return cd_fail_errno(err, CD_ERR_IO, e, "cannot read the answer of pid %d to '%s'",
                             (int)t->pid, command);
    }
    *data_out = data;
    *len_out = len;
    return 0;
}

int cd_attach_execute(const cd_target *t, const char *command, const char *const args[], int nargs,
                      int timeout_ms, cd_attach_reply *reply, cd_error *err)
{
    memset(reply, 0, sizeof *reply);
    if (timeout_ms <= 0)
        return cd_fail(err, CD_ERR_USAGE, "attach timeout must be positive, not %d ms", timeout_ms);
    char request[REQUEST_MAX_BYTES];
    size_t request_len;
    if (cd_attach_encode_request(command, args, nargs, request, sizeof request, &request_len,
                                 err) != 0)
        return -1;
    char socket_path[sizeof t->root + 32];
    snprintf(socket_path, sizeof socket_path, "%s/tmp/.java_pid%d", t->root, (int)t->nspid);

    uint64_t started_ms = cd_monotonic_ms();
    uint64_t deadline_ms = started_ms + (uint64_t)timeout_ms;
    /* Before taking the target's credentials: the socket left behind may be
     * another user's (unlink never follows a symlink put in its place). */
    if (socket_left_behind(t, socket_path) && unlink(socket_path) == 0)
        cd_progress_detail("removed %s, left behind by an earlier process with pid %d", socket_path,
                           (int)t->nspid);
    cd_creds creds;
    if (cd_creds_enter(t, &creds, err) != 0)
        return -1;
    int fd = -1;
    int present = listener_socket_present(t, socket_path, err);
    int rc = present < 0 ? -1 : 0;
    if (rc == 0 && present == 0)
        rc = start_listener(t, socket_path, started_ms, deadline_ms, err);
    if (rc == 0)
        rc = connect_listener(t, socket_path, deadline_ms, &fd, err);
    /* The JVM checks the peer's credentials when it accepts; from here on nothing
     * needs them. */
    cd_creds_leave(&creds);
    if (rc != 0)
        return -1;

    char *data = NULL;
    size_t len = 0;
    rc = send_request(t, fd, command, request, request_len, deadline_ms, err);
    if (rc == 0)
        rc = receive_reply(t, fd, command, timeout_ms, deadline_ms, &data, &len, err);
    close(fd);
    if (rc != 0)
        return -1;
    if (len == 0) {
        free(data);
        if (!cd_target_alive(t->pid))
            return cd_fail(err, CD_ERR_NOENT, "pid %d exited while answering '%s'", (int)t->pid,
                           command);
        return cd_fail(err, CD_ERR_PROTOCOL,
                       "pid %d closed the attach connection without answering '%s' (it refused "
                       "the request or carbondump's credentials)",
                       (int)t->pid, command);
    }
    rc = cd_attach_parse_reply(data, len, reply, err);
    free(data);
    if (rc != 0)
        return cd_error_wrap(err, "pid %d answered '%s' with something else", (int)t->pid, command);
    return 0;
}

int cd_attach_load_agent(const cd_target *t, const char *agent_path, const char *options,
                         int timeout_ms, cd_attach_reply *reply, cd_error *err)
{
    memset(reply, 0, sizeof *reply);
    if (!agent_path || agent_path[0] != '/')
        return cd_fail(err, CD_ERR_USAGE, "the agent path must be absolute, not '%s'",
                       agent_path ? agent_path : "");
    const char *args[3] = {agent_path, "true", options ? options : ""};
    if (cd_attach_execute(t, "load", args, 3, timeout_ms, reply, err) != 0)
        return -1;
    int agent_rc;
    if (cd_attach_parse_load_reply(reply->status, reply->text, reply->len, &agent_rc, err) != 0)
        return cd_error_wrap(err, "cannot load %s into pid %d", agent_path, (int)t->pid);
    return 0;
}
