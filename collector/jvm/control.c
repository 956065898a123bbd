/*
 * Triggering a start-up agent through its control file: see control.h.
 *
 * The request is written atomically (a private temporary file renamed into
 * place, mode 0600, so the agent accepts it) with a unique id; the agent
 * consumes it, writes FILE.status as "running", then the outcome. We wait for
 * the outcome that carries our id, or for a refusal written after our request.
 */
#include "control.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"
#include "carbondump/fsutil.h"
#include "carbondump/json.h"

#define POLL_MS 100

static int write_request(const cd_cli *cli, const char *control, const char *id, cd_error *err)
{
    char parts[256];
    cd_section_set agent_parts = cli->sections & CD_SECTIONS_AGENT;
    if (!agent_parts)
        return cd_fail(err, CD_ERR_USAGE,
                       "--control-file needs at least one JVM section (jvm, threads, ...)");
    cd_section_set_format(agent_parts, '+', parts, sizeof parts);
    char text[1024];
    snprintf(text, sizeof text,
             "# written by carbondump --control-file\nid=%s\nparts=%s\nlive=%d\nheap-engine=%s\n"
             "heap-redact=%s\nthread-samples=%d\nthread-interval-ms=%d\n",
             id, parts, cli->live, cd_heap_engine_name(cli->heap_engine),
             cd_heap_redact_name(cli->heap_redact), cli->thread_samples, cli->thread_interval_ms);
    char temporary[PATH_MAX + 32];
    snprintf(temporary, sizeof temporary, "%s.%d.new", control, (int)getpid());
    cd_sink *sink = cd_sink_file(temporary, err);
    if (!sink)
        return -1;
    cd_sink_puts(sink, text);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    if (rename(temporary, control) != 0) {
        int e = errno;
        unlink(temporary);
        return cd_fail_errno(err, CD_ERR_IO, e, "cannot write the control file %s", control);
    }
    return 0;
}

static const char *json_string(const cJSON *o, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Reads FILE.status; returns 1 when it holds our final outcome (or a refusal
 * newer than the request), 0 to keep waiting. */
static int read_outcome(const char *status_path, const char *id, uint64_t requested_ms,
                        int *exit_status)
{
    struct stat st;
    cJSON *root = stat(status_path, &st) == 0 ? cd_json_read_file(status_path, 1 << 20) : NULL;
    if (!root)
        return 0;
    const char *result = json_string(root, "result");
    const char *their_id = json_string(root, "id");
    const char *reason = json_string(root, "reason");
    const char *bundle = json_string(root, "bundle");
    uint64_t written_ms = (uint64_t)st.st_mtim.tv_sec * 1000 + (uint64_t)st.st_mtim.tv_nsec / 1000000;
    int done = 0;
    if (result && their_id && strcmp(their_id, id) == 0 && strcmp(result, "running") != 0) {
        const cJSON *exit_item = cJSON_GetObjectItemCaseSensitive(root, "collector_exit");
        int collector_exit = cJSON_IsNumber(exit_item) ? exit_item->valueint : -1;
        if (bundle && (collector_exit == 0 || collector_exit == 3)) {
            *exit_status = collector_exit;
            if (reason)
                cd_warn("%s", reason);
            printf("%s\n", bundle);
        } else {
            fprintf(stderr, "carbondump: the agent's bundle %s: %s%s%s\n", result,
                    reason ? reason : "no reason given", bundle ? "; JVM parts kept in " : "",
                    bundle ? bundle : "");
            *exit_status = bundle ? 3 : 2;
        }
        done = 1;
    } else if (result && !their_id && written_ms + 1000 >= requested_ms &&
               (strcmp(result, "refused") == 0 || strcmp(result, "failed") == 0)) {
        fprintf(stderr, "carbondump: the agent %s the request: %s\n", result,
                reason ? reason : "no reason given");
        *exit_status = 2;
        done = 1;
    }
    cJSON_Delete(root);
    return done;
}

int cd_control_run(const cd_cli *cli)
{
    cd_progress_init(cli->quiet, cli->verbose);
    const char *control = cli->control_file;
    char id[64];
    snprintf(id, sizeof id, "cli-%d-%llu", (int)getpid(), (unsigned long long)cd_wall_ms());
    char status_path[PATH_MAX + 8];
    snprintf(status_path, sizeof status_path, "%s.status", control);

    cd_error err = {0};
    uint64_t requested = cd_wall_ms();
    if (write_request(cli, control, id, &err) != 0) {
        fprintf(stderr, "carbondump: %s\n", err.message);
        return err.code == CD_ERR_USAGE ? 1 : 2;
    }
    cd_progress("requested a bundle through %s (id %s)", control, id);

    uint64_t samples_ms = (uint64_t)(cli->thread_samples - 1) * (uint64_t)cli->thread_interval_ms;
    uint64_t deadline = cd_monotonic_ms() + (uint64_t)cli->timeout_s * 1000 + samples_ms;
    struct timespec pause = {0, POLL_MS * 1000000L};
    int exit_status = 2, consumed = 0;
    while (!read_outcome(status_path, id, requested, &exit_status)) {
        if (!consumed && access(control, F_OK) != 0) {
            consumed = 1;
            cd_progress("the agent took the request");
        }
        if (cd_monotonic_ms() > deadline) {
            fprintf(stderr,
                    "carbondump: no answer in %s within %d s: %s\n", status_path, cli->timeout_s,
                    consumed ? "the agent is still working (see its status file later)"
                             : "no agent polls this control file (is the JVM running with "
                               "-agentpath:...=control=FILE?)");
            if (!consumed)
                unlink(control);
            return 2;
        }
        nanosleep(&pause, NULL);
    }
    fflush(stdout);
    return exit_status;
}
