/*
 * The `os` section: what the original carbondump.sh gathered with lsmod, modinfo,
 * netstat, ifconfig, dpkg, rpm, w, top, env and df, read natively from /proc, /sys
 * and the package databases, because containers rarely have those tools. Every file
 * goes to osinfo/ under the original tool's name.
 *
 * The section is split by mechanism:
 *   osinfo.c          the driver, kernel and distribution, modules, meminfo, cpuinfo,
 *                     uptime and logged-in users
 *   os_network.c      sockets (open ports with owning processes) and interfaces
 *   os_tasks.c        the top-like snapshot of running tasks
 *   os_packages.c     installed packages (dpkg, apk databases; rpm -qa when rpm exists)
 *   os_environment.c  the target's environment, secrets masked
 *   os_storage.c      free space of the file systems that matter, the mount table
 *   os_kernel_log.c   the kernel log's OOM-killer lines
 *
 * Contract of every file writer: it returns 1 when it wrote data, 0 when it wrote a
 * file that only says why the data is missing (no permission, not on this machine),
 * and -1 with err set when the file could not be written at all (the staging area
 * failed). Partial data is normal (other users' processes are opaque to a non-root
 * collector); what was unreadable is said inside the file, in lines starting "# ".
 *
 * Nothing here blocks without bound: /proc and /sys files are read with O_NONBLOCK
 * and a size cap, a process in uninterruptible sleep is not asked for its command
 * line (that read takes its memory-map lock), walks over /proc stop at a deadline,
 * file systems are asked for their sizes under a timeout, and links in /proc/PID/fd
 * are only read with readlink, never opened.
 *
 * The pure parsers below take text and are unit-tested with fixed input
 * (tests/unit/test_osinfo.c).
 */
#ifndef CARBONDUMP_COLLECTOR_OSINFO_H
#define CARBONDUMP_COLLECTOR_OSINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/run_context.h"
#include "carbondump/command_line_mask.h"
#include "carbondump/error.h"
#include "carbondump/procstat.h"
#include "carbondump/sink.h"

/* os_section.c: the os section (section_runner.c). Fails only when no file
 * could be produced. */
int cd_os_section(cd_run *run, cd_error *err);

/* The most of a /proc text file (meminfo, cpuinfo, modules) that is read. */
#define CD_PROC_TEXT_MAX_BYTES (8u << 20)

/* Opens osinfo/<name> in the run's staging area (shared with the process section). */
cd_sink *cd_osinfo_open(cd_run *run, const char *name, cd_error *err);

/* Writes osinfo/<name> as a copy of the text file at source (at most max_bytes; the
 * rest is cut with a note), preceded by header lines when header is not NULL. An
 * unreadable source gives a file that says so. Returns 1, 0 or -1 as above. */
int cd_osinfo_copy(cd_run *run, const char *name, const char *source, size_t max_bytes,
                   const char *header, cd_error *err);

/* The writing half of cd_osinfo_copy, for text read already: text[0..len) as read
 * with a limit of max_bytes, or, when text is NULL, the reason in read_err. */
int cd_osinfo_write_read(cd_run *run, const char *name, const char *header, const char *text,
                         size_t len, size_t max_bytes, const cd_error *read_err, cd_error *err);

/* Calls visit(dir_fd, number, ctx) for every entry of dir whose name is a number
 * (pids in /proc, fds in /proc/<pid>/fd, tids in /proc/<pid>/task) until visit
 * returns nonzero or the monotonic clock passes deadline_ms (0: no deadline).
 * dir_fd is the open directory, for readlinkat. Returns 1 when the deadline ended
 * the walk, 0 when it ran to its end or visit stopped it, -1 with errno set when
 * dir cannot be opened. */
int cd_proc_each_entry(const char *dir, uint64_t deadline_ms,
                       int (*visit)(int dir_fd, int number, void *ctx), void *ctx);

/* The root of the file system the target sees, with no trailing slash: "" for our
 * own when there is no target or it shares our mount namespace, else
 * "/proc/<pid>/root". Paths the target names are read as root + path. */
const char *cd_osinfo_target_root(const cd_run *run);

/* ---------------------------------------------------------------- osinfo.c */

/* osinfo/os_kernel.txt: uname, release and kernel command line. */
int cd_os_write_kernel(cd_run *run, cd_error *err);
/* osinfo/os_module_list.txt: the loaded kernel modules. */
int cd_os_write_module_list(cd_run *run, cd_error *err);
/* osinfo/os_module_info.txt: each module's size, users and state. */
int cd_os_write_module_info(cd_run *run, cd_error *err);
/* osinfo/os_system_up_time.txt: uptime and load. */
int cd_os_write_system_up_time(cd_run *run, cd_error *err);

/* "3 days,  4:05", "12 min", "1 day, 12 min": the way uptime, w and top print it. */
void cd_format_uptime(double seconds, char *out, size_t outlen);

/* One line of /proc/modules: "name size refcount deps state address". */
typedef struct cd_module {
    char name[64];
    unsigned long long size_bytes;
    long refcount;     /* -1 when the kernel cannot unload modules ("-") */
    char used_by[512]; /* comma-separated names, "" when none */
    char state[16];    /* Live, Loading, Unloading */
} cd_module;

/* Parses one line of /proc/modules. Returns 0, or -1 for a malformed line. */
int cd_parse_module_line(const char *line, cd_module *out);

/* ---------------------------------------------------------------- os_network.c */

/* osinfo/os_open_ports.txt: listening and connected sockets with their owners. */
int cd_os_write_open_ports(cd_run *run, cd_error *err);
/* osinfo/os_network_cards.txt: interfaces, addresses and counters. */
int cd_os_write_network_cards(cd_run *run, cd_error *err);

/* One socket from /proc/net/{tcp,tcp6,udp,udp6}. Addresses are in network byte
 * order (4 bytes used for AF_INET). */
typedef struct cd_net_socket {
    char proto[8]; /* "tcp", "tcp6", "udp", "udp6" */
    int family;    /* AF_INET or AF_INET6 */
    unsigned char local_addr[16];
    unsigned char remote_addr[16];
    unsigned local_port, remote_port;
    unsigned state; /* the kernel's TCP state number (UDP uses 1 connected, 7 unconnected) */
    unsigned long long tx_queue, rx_queue;
    unsigned long uid;
    unsigned long long inode;
} cd_net_socket;

/* Parses one data line of /proc/net/tcp[6] or udp[6] (not the header) for the
 * given family. The kernel prints addresses as 32-bit words in host byte order,
 * so the same text means the same address only on machines of the same
 * endianness, which is always the case when reading the local /proc.
 * Returns 0, or -1 for a malformed line. */
int cd_parse_net_socket_line(const char *line, int family, cd_net_socket *out);

/* "127.0.0.1:8080", "[::1]:9443", "0.0.0.0:*" (port 0 of a peer shown as '*'). */
void cd_format_endpoint(int family, const unsigned char *addr, unsigned port, int port_zero_star,
                        char *out, size_t outlen);

/* "LISTEN", "ESTABLISHED", ... for TCP; for UDP "" (unconnected) or "ESTABLISHED". */
const char *cd_socket_state_name(const cd_net_socket *socket);

/* 1 when the socket is a listening TCP socket or an unconnected (bound) UDP one. */
int cd_socket_is_listening(const cd_net_socket *socket);

/* The sockets of a network namespace, searchable by inode. */
typedef struct cd_socket_table {
    cd_net_socket *items; /* sorted by inode after loading */
    size_t count, capacity;
    char problems[512]; /* files that could not be read, "" when none */
} cd_socket_table;

/* Loads tcp, tcp6, udp and udp6 of /proc/<pid>/net (pid 0: /proc/net, ours).
 * Files that cannot be read are named in t->problems; fails only when nothing
 * could be read or memory ran out. */
int cd_socket_table_load(pid_t pid, cd_socket_table *t, cd_error *err);
const cd_net_socket *cd_socket_table_find(const cd_socket_table *t, unsigned long long inode);
void cd_socket_table_free(cd_socket_table *t);

/* The inode of a /proc/PID/fd link target "socket:[12345]", or 0. */
unsigned long long cd_socket_inode_of_link(const char *link_target);

/* ---------------------------------------------------------------- os_tasks.c */

/* osinfo/os_running_tasks.txt: every process, top-like, with %CPU between a
 * first reading (cd_os_tasks_first_take; NULL when out of memory) and a
 * second one at least half a second later. The write waits out what is left
 * of that half second and frees first, whatever it returns. */
typedef struct cd_os_tasks_first cd_os_tasks_first;
cd_os_tasks_first *cd_os_tasks_first_take(void);
void cd_os_tasks_first_free(cd_os_tasks_first *first);
int cd_os_write_running_tasks(cd_run *run, cd_os_tasks_first *first, cd_error *err);

/* The fields of /proc/<pid>/stat that a top-like view needs. */

/* The user name of uid, or its number; cached (NSS look-ups may be slow). */
void cd_user_name(uid_t uid, char *out, size_t outlen);

/* ---------------------------------------------------------------- os_packages.c */

/* osinfo/os_installed_software_<manager>.txt from the package database. */
int cd_os_write_installed_software(cd_run *run, cd_error *err);

typedef struct cd_package {
    char *name, *version, *arch, *summary;
} cd_package;

typedef struct cd_package_list {
    cd_package *items;
    size_t count, capacity;
} cd_package_list;

/* Parses a dpkg status database (/var/lib/dpkg/status): one stanza per package,
 * "Field: value" lines, continuation lines starting with a space. Only packages
 * whose Status is "install ok installed" (or "hold ok installed") are kept. */
int cd_parse_dpkg_status(const char *text, cd_package_list *out, cd_error *err);

/* Parses an apk database (/lib/apk/db/installed): stanzas of "X:value" lines
 * (P name, V version, A arch, T description). */
int cd_parse_apk_installed(const char *text, cd_package_list *out, cd_error *err);

/* Sorts by name (then version). */
void cd_package_list_sort(cd_package_list *list);
void cd_package_list_free(cd_package_list *list);

/* ---------------------------------------------------------------- os_environment.c */

/* osinfo/os_env_variables.txt: the target's environment, secrets masked. */
int cd_os_write_env_variables(cd_run *run, cd_error *err);

/* Called for each masked key; detail names an option inside the value
 * ("JAVA_OPTS" with detail "-Djavax.net.ssl.keyStorePassword"), else NULL. */
typedef void (*cd_masked_fn)(void *ctx, const char *key, const char *detail);

/* Writes one environment entry "KEY=value" (len bytes, no NUL needed) as a line:
 * control characters escaped (\n, \t, \xHH, and \\) so one entry is one line, the
 * value masked when the key is a secret name, and the secrets inside the value
 * masked when it is not ("-Dname=value" words of JAVA_OPTS, a URL's password:
 * carbondump/command_line_mask.h). redact 0 writes the entry unmasked. Returns the
 * number of masked items. */
int cd_env_write_entry(cd_sink *out, const char *entry, size_t len, int redact,
                       cd_masked_fn on_masked, void *ctx);

/* Writes one argument of a command line (len bytes) escaped like an environment
 * entry, its secrets masked given what the arguments before it left in state
 * ("--password" then its value). Returns the number of masked items. */
int cd_command_write_argument(cd_sink *out, cd_argv_mask *state, const char *arg, size_t len,
                              int redact, cd_masked_fn on_masked, void *ctx);

/* What a writer passes as ctx to cd_env_write_entry with cd_osinfo_note_masked as
 * the callback: each masked key goes to the run's redaction register
 * (redaction_log.txt) as file:line, prefixed by subject ("pid 42") when one file
 * covers many processes. */
typedef struct cd_masked_note {
    cd_run *run;
    const char *file; /* bundle path, "osinfo/os_env_variables.txt" */
    long line;        /* the output line being written */
    const char *subject;
} cd_masked_note;

/* A cd_masked_fn recording "[subject: ]key[ detail]" with cd_redaction_note. */
void cd_osinfo_note_masked(void *ctx, const char *key, const char *detail);

/* ---------------------------------------------------------------- os_storage.c */

/* osinfo/os_disk_space.txt: the file systems that matter, space and inodes. */
int cd_os_write_disk_space(cd_run *run, cd_error *err);

/* One line of /proc/<pid>/mountinfo, pointing into the (modified) line. Octal
 * escapes (\040 for a space) are decoded in place. */
typedef struct cd_mountinfo {
    unsigned major, minor;
    const char *root;        /* the mounted directory inside its file system */
    const char *mount_point; /* where it is mounted */
    const char *mount_options;
    const char *fstype;
    const char *source;
    const char *super_options;
} cd_mountinfo;

/* Parses one mountinfo line in place. Returns 0, or -1 for a malformed line. */
int cd_parse_mountinfo_line(char *line, cd_mountinfo *out);

/* 1 for file systems whose statvfs may hang or cost a network round trip (nfs,
 * cifs, sshfs ...), or that have no meaningful size (proc, sysfs, cgroup ...). */
int cd_fstype_skip_statvfs(const char *fstype);

/* ---------------------------------------------------------------- os_kernel_log.c */

/* osinfo/os_oom_killer.txt: the kernel's OOM-killer lines. */
int cd_os_write_oom_killer(cd_run *run, cd_error *err);

/* One record of /dev/kmsg: "priority,sequence,microseconds,flags[,...];message". */
typedef struct cd_kmsg_record {
    int priority; /* facility << 3 | level */
    unsigned long long sequence;
    unsigned long long usec; /* since boot */
    const char *message;     /* points into the record; ends at the first '\n' */
    size_t message_len;
} cd_kmsg_record;

/* Parses a /dev/kmsg record (as one read() returns it). Returns 0 or -1. */
int cd_parse_kmsg_record(const char *record, size_t len, cd_kmsg_record *out);

/* 1 when a kernel message is part of an OOM-killer report (the invocation, the
 * memory state header, the kill itself, a memory cgroup running out). */
int cd_kernel_message_is_oom(const char *message, size_t len);

#endif
