/*
 * HotSpot dynamic attach, in C, without JDK tools.
 *
 * A HotSpot JVM listens for attach requests on a Unix socket, /tmp/.java_pid<nspid>
 * in its own mount namespace, which it creates on demand: when it receives SIGQUIT
 * and finds a trigger file .attach_pid<nspid> in its working directory (or /tmp),
 * it starts the listener instead of printing a thread dump. It accepts a connection
 * only from a peer with its own effective uid and gid (or root, on newer JDKs), so
 * carbondump switches to those credentials when it runs as root.
 *
 * One request per connection, protocol 1 (understood by JDK 6 to 25):
 *   request: "1\0<command>\0<arg0>\0<arg1>\0<arg2>\0"   (command <= 16 bytes,
 *            each argument <= 1024 bytes; longer ones make the JVM drop the connection)
 *   reply:   "<status>\n<text>" until the JVM closes the connection.
 * The status alone does not say whether an agent load worked (see
 * cd_attach_parse_load_reply), so callers look at the text too.
 *
 * Credentials: cd_creds_enter/leave switch only the calling thread (raw setresuid/
 * setresgid system calls, not the glibc wrappers, which would switch every thread of
 * the collector and make concurrently running host-side sections create files as the
 * target's user). Files created while switched belong to the target's user.
 */
#ifndef CARBONDUMP_COLLECTOR_ATTACH_H
#define CARBONDUMP_COLLECTOR_ATTACH_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/target.h"
#include "carbondump/error.h"

#define CD_ATTACH_PROTOCOL_VERSION "1"
#define CD_ATTACH_MAX_ARGS 3
#define CD_ATTACH_COMMAND_MAX_BYTES 16
#define CD_ATTACH_ARG_MAX_BYTES 1024
/* A reply larger than this is refused rather than buffered. */
#define CD_ATTACH_REPLY_MAX_BYTES (256u << 20)
/* *agent_rc when Agent_OnAttach never ran (the library did not load, or loading
 * agents is disabled). */
#define CD_ATTACH_AGENT_DID_NOT_RUN INT_MIN

/* ---------------------------------------------------------------- credentials */

typedef struct cd_creds {
    int switched; /* 1 while the calling thread runs as the target's user */
    uid_t saved_euid;
    gid_t saved_egid;
} cd_creds;

/* Makes the calling thread act as the target's user: as root with a target of
 * another uid or gid, switches the effective gid, then the effective uid. Running
 * as the target's uid needs no switch. As another non-root user: CD_ERR_PERM. */
int cd_creds_enter(const cd_target *t, cd_creds *creds, cd_error *err);

/* Undoes cd_creds_enter (uid first, then gid); a no-op when nothing was switched.
 * Cannot fail: the saved ids are still the thread's saved set-user/group ids. */
void cd_creds_leave(cd_creds *creds);

/* ---------------------------------------------------------------- requests */

typedef struct cd_attach_reply {
    int status; /* the number on the first line of the reply */
    char *text; /* everything after it, NUL-terminated; owned by the reply */
    size_t len; /* bytes in text, not counting the terminator */
} cd_attach_reply;

/* Frees the reply's text. */
void cd_attach_reply_free(cd_attach_reply *reply);

/* Connects to the target's attach listener (starting it if needed), sends one
 * protocol-1 request and reads the whole reply, all within timeout_ms. Missing
 * arguments (nargs < 3, or NULL entries) are sent as empty strings. Returns 0 when
 * the JVM answered, whatever the status in *reply; -1 with err otherwise. */
int cd_attach_execute(const cd_target *t, const char *command, const char *const args[], int nargs,
                      int timeout_ms, cd_attach_reply *reply, cd_error *err);

/* Loads a JVMTI agent: "load <path> true <options>". agent_path is absolute and as
 * the target sees it (inside its mount namespace). Returns 0 when Agent_OnAttach
 * ran and returned 0; -1 otherwise, with the JVM's own explanation in err. The raw
 * reply is left in *reply either way (empty when the JVM never answered). */
int cd_attach_load_agent(const cd_target *t, const char *agent_path, const char *options,
                         int timeout_ms, cd_attach_reply *reply, cd_error *err);

/* ---------------------------------------------------------------- pure parts */

/* Writes the wire form of a protocol-1 request into buf. Returns 0 and sets *len_out,
 * or -1 with CD_ERR_USAGE when the command or an argument is longer than the JVM
 * accepts, or does not fit in cap bytes. */
int cd_attach_encode_request(const char *command, const char *const args[], int nargs, char *buf,
                             size_t cap, size_t *len_out, cd_error *err);

/* Splits raw reply bytes into status and text (copied into reply->text). Returns 0,
 * or -1 with CD_ERR_PROTOCOL when the bytes do not start with "<integer>\n". */
int cd_attach_parse_reply(const char *data, size_t len, cd_attach_reply *reply, cd_error *err);

/* Decides from the status and text of a "load" reply whether the agent started.
 * Understands every dialect in attach.c's table of observed replies. Returns 0 when
 * Agent_OnAttach returned 0. Otherwise -1 with err set, and *agent_rc holds
 * Agent_OnAttach's result when it ran, CD_ATTACH_AGENT_DID_NOT_RUN when it did not. */
int cd_attach_parse_load_reply(int status, const char *text, size_t len, int *agent_rc,
                               cd_error *err);

#endif
