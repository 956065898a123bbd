/*
 * The target process, as seen from /proc.
 *
 * Before carbondump talks to a JVM it needs to know who the process is: whether it
 * exists and is alive, which user runs it (attach must happen under that user's
 * credentials), which pid it has inside its own pid namespace (the attach files are
 * named after that one), where its file system is (/proc/<pid>/root, which differs
 * from ours in a container), and whether it is a HotSpot JVM at all (libjvm.so is
 * mapped). All of it comes from /proc; no JDK tool is needed, so this works with a
 * JRE-only target.
 *
 * The command-line helpers answer questions about the options the JVM was started
 * with (-Dcarbon.home=..., -XX:+DisableAttachMechanism) the way the JVM itself
 * resolves them: JAVA_TOOL_OPTIONS first, then JDK_JAVA_OPTIONS, then the command
 * line up to the main class, then _JAVA_OPTIONS; a later setting wins. The
 * environment is read only where /proc lets us (same user or root). Options from
 * @argfiles, -XX:Flags= and -XX:VMOptionsFile= are not seen.
 */
#ifndef CARBONDUMP_COLLECTOR_TARGET_H
#define CARBONDUMP_COLLECTOR_TARGET_H

#include <stddef.h>
#include <sys/types.h>

#include "carbondump/error.h"

typedef struct cd_target {
    pid_t pid;            /* host pid */
    pid_t nspid;          /* pid inside the target's pid namespace (last NSpid: field) */
    uid_t uid;            /* the target's effective uid */
    gid_t gid;            /* the target's effective gid */
    char root[64];        /* "/proc/<pid>/root": the target's file system as seen from here */
    int same_mount_ns;    /* 1 when /proc/self/ns/mnt and /proc/<pid>/ns/mnt are the same */
    char java_home[4096]; /* the JVM's java.home, derived from the libjvm.so mapping, as the
                             target sees it ("" if unknown) */
} cd_target;

/* Fills t for a live HotSpot JVM with the given host pid. Returns 0, or -1 with
 * CD_ERR_NOENT (no such process, exited, zombie), CD_ERR_PERM (another user's process),
 * CD_ERR_UNSUPPORTED (not a Java VM) or CD_ERR_USAGE (pid <= 0, or a thread id). */
int cd_target_inspect(pid_t pid, cd_target *t, cd_error *err);

/* Returns 1 when the process exists and is not a zombie, else 0. */
int cd_target_alive(pid_t pid);

/* After a failure on the JVM side: whether the target has exited, waiting up
 * to settle_ms for a JVM that is being torn down (a killed process closes its
 * sockets, which is what the failure saw, before it becomes a zombie). */
int cd_target_gone(pid_t pid, int settle_ms);

/* Returns 1 when the process has a handler installed for sig (SigCgt in
 * /proc/<pid>/status), 0 when it has none, -1 when that cannot be read. */
int cd_target_catches_signal(pid_t pid, int sig);

/* Fails with CD_ERR_PERM and the message operators get when carbondump runs as
 * neither root nor the target's user. Always returns -1. */
int cd_target_fail_foreign_user(pid_t pid, uid_t owner, cd_error *err);

/* Reads the target's argv from /proc/<pid>/cmdline. *argv_out is a NULL-terminated
 * array in one allocation; release it with cd_target_cmdline_free. A zombie or a
 * kernel thread has an empty command line (argc 0). */
int cd_target_cmdline(pid_t pid, char ***argv_out, int *argc_out, cd_error *err);
void cd_target_cmdline_free(char **argv);

/* Looks up -D<name>=value as the JVM resolves it (see the top of this file) and
 * copies the value into out. Returns 1 found, 0 not found, -1 when the command line
 * cannot be read or the value does not fit in outlen. */
int cd_target_system_property(pid_t pid, const char *name, char *out, size_t outlen);

/* Returns 1 when the boolean VM flag (bare name, e.g. "DisableAttachMechanism") ends
 * up set with the given sign: -XX:+flag for plus = 1, -XX:-flag for plus = 0. Returns
 * 0 when it is absent or set the other way, -1 when the command line cannot be read. */
int cd_target_has_vm_flag(pid_t pid, const char *flag, int plus);

#endif
