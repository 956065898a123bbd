/*
 * os_environment.c: the environment the target runs with, os_env_variables.txt.
 *
 * The original tool ran `env` in its own shell, which says little about the server.
 * carbondump prints the target's environment (/proc/<pid>/environ, readable by its
 * user and root) and falls back to its own, saying so, when there is no target or
 * the target's cannot be read.
 *
 * Environments carry secrets two ways: a variable named like a secret
 * (DB_PASSWORD=...) and a secret inside a value (JAVA_OPTS="-Dkeystore.password=...",
 * DATABASE_URL=postgres://user:password@host/db). Both are masked by the rules of
 * carbondump/command_line_mask.h unless --no-redact; each masked key is recorded
 * (file, line, key: never the value) for redaction_log.txt. The same writer
 * masks the command-line arguments of os_running_tasks.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbondump/command_line_mask.h"
#include "carbondump/fsutil.h"
#include "carbondump/secrets.h"
#include "osinfo.h"
#include "redact/redact.h"
#include "redact/redaction_log.h"

/* The kernel bounds an environment by the argument limit (a quarter of the stack
 * limit); 16 MiB covers any real one. */
#define ENVIRON_MAX_BYTES (16u << 20)

extern char **environ;

/* ---------------------------------------------------------------- masked keys */

void cd_osinfo_note_masked(void *ctx, const char *key, const char *detail)
{
    const cd_masked_note *note = ctx;
    char text[512];
    snprintf(text, sizeof text, "%s%s%s%s%s", note->subject ? note->subject : "",
             note->subject ? ": " : "", key, detail ? " " : "", detail ? detail : "");
    cd_redaction_note(note->run, note->file, note->line, text);
}

/* ---------------------------------------------------------------- one entry */

/* Writes text[0..len) with control characters and backslashes escaped. */
static void write_escaped(cd_sink *out, const char *text, size_t len)
{
    size_t plain = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c != 0x7f && c != '\\')
            continue;
        cd_sink_write(out, text + plain, i - plain);
        plain = i + 1;
        switch (c) {
        case '\n': cd_sink_puts(out, "\\n"); break;
        case '\t': cd_sink_puts(out, "\\t"); break;
        case '\r': cd_sink_puts(out, "\\r"); break;
        case '\\': cd_sink_puts(out, "\\\\"); break;
        default: cd_sink_printf(out, "\\x%02x", c); break;
        }
    }
    cd_sink_write(out, text + plain, len - plain);
}

/* What on_masked wants: the key and no detail (the key holds the context). */
typedef struct masked_note {
    cd_masked_fn on_masked;
    void *ctx;
} masked_note;

static void pass_on_note(void *context, const char *key)
{
    masked_note *note = context;
    if (note->on_masked)
        note->on_masked(note->ctx, key, NULL);
}

int cd_command_write_argument(cd_sink *out, cd_argv_mask *state, const char *arg, size_t len,
                              int redact, cd_masked_fn on_masked, void *ctx)
{
    if (!redact) {
        write_escaped(out, arg, len);
        return 0;
    }
    masked_note note = {on_masked, ctx};
    cd_mask_writer w = {out, arg, 0, write_escaped, pass_on_note, &note};
    size_t masked = cd_mask_find_in_argument(state, arg, len, cd_mask_writer_range, &w);
    cd_mask_writer_finish(&w, len);
    return (int)masked;
}

int cd_env_write_entry(cd_sink *out, const char *entry, size_t len, int redact,
                       cd_masked_fn on_masked, void *ctx)
{
    const char *eq = memchr(entry, '=', len);
    if (!redact || !eq || eq == entry) {
        cd_argv_mask state = {0};
        return cd_command_write_argument(out, &state, entry, len, redact, on_masked, ctx);
    }
    size_t name_len = (size_t)(eq - entry), value_len = len - name_len - 1;
    write_escaped(out, entry, name_len + 1);
    masked_note note = {on_masked, ctx};
    cd_mask_writer w = {out, eq + 1, 0, write_escaped, pass_on_note, &note};
    size_t masked =
        cd_mask_find_in_named_value(entry, name_len, eq + 1, value_len, cd_mask_writer_range, &w);
    cd_mask_writer_finish(&w, value_len);
    return (int)masked;
}

/* ---------------------------------------------------------------- the file */

int cd_os_write_env_variables(cd_run *run, cd_error *err)
{
    char *block = NULL;
    size_t len = 0;
    char source[128];
    char fallback_reason[CD_ERROR_MESSAGE_MAX] = "";
    if (run->have_target) {
        snprintf(source, sizeof source, "/proc/%d/environ", (int)run->pid);
        cd_error read_err = {0};
        if (cd_read_file(source, ENVIRON_MAX_BYTES, 1, &block, &len, &read_err) != 0) {
            snprintf(fallback_reason, sizeof fallback_reason, "%s", read_err.message);
            block = NULL;
        }
    } else {
        snprintf(fallback_reason, sizeof fallback_reason, "%s",
                 run->pid ? "the target could not be inspected" : "no target process");
    }

    cd_sink *sink = cd_osinfo_open(run, "os_env_variables.txt", err);
    if (!sink) {
        free(block);
        return -1;
    }
    long line = 1;
    if (block) {
        cd_sink_printf(sink, "# environment of pid %d (the target), from %s\n", (int)run->pid,
                       source);
    } else {
        cd_sink_printf(sink, "# environment of carbondump itself (pid %d): %s\n", (int)getpid(),
                       fallback_reason);
    }
    line++;
    cd_sink_puts(sink, run->cli->redact ? "# values of secret names masked as " CD_SECRET_MASK
                                          " (--no-redact keeps them)\n"
                                        : "# --no-redact: nothing is masked\n");
    line++;

    cd_masked_note note = {run, "osinfo/os_env_variables.txt", 0, NULL};
    size_t entries = 0;
    if (block) {
        for (size_t at = 0; at < len;) {
            size_t entry_len = strnlen(block + at, len - at);
            if (entry_len > 0) {
                note.line = line++;
                cd_env_write_entry(sink, block + at, entry_len, run->cli->redact,
                                   cd_osinfo_note_masked, &note);
                cd_sink_puts(sink, "\n");
                entries++;
            }
            at += entry_len + 1;
        }
        if (len == ENVIRON_MAX_BYTES)
            cd_sink_printf(sink, "# cut after %u bytes\n", ENVIRON_MAX_BYTES);
    } else {
        for (char **e = environ; e && *e; e++) {
            note.line = line++;
            cd_env_write_entry(sink, *e, strlen(*e), run->cli->redact, cd_osinfo_note_masked,
                               &note);
            cd_sink_puts(sink, "\n");
            entries++;
        }
    }
    free(block);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return entries > 0;
}
