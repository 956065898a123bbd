/*
 * The JVM side of a collection: make a staging directory the target can write,
 * attach and load the agent with a request, wait for agent-result.json, and
 * record how each JVM section went.
 *
 * The staging directory lives in the target's /tmp as the target sees it
 * (/proc/<pid>/root/tmp from here), owned by the target's user and 0700, so a
 * JVM in a container can write it; when the target is in another mount
 * namespace the agent library is copied there too, since the target cannot
 * see our file system.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent_session.h"
#include "attach.h"
#include "base/progress.h"
#include "base/run_context.h"
#include "base/staging.h"
#include "carbondump/fsutil.h"
#include "carbondump/request.h"
#include "heapdump_vm.h"
#include "histogram_vm.h"

/* The agent's result is looked for after 1 ms, then ever less often up to
 * every 50 ms: a quick request is noticed at once, a long one costs little. */
#define AGENT_POLL_FIRST_NS 1000000L
#define AGENT_POLL_MAX_NS 5000000L
#define AGENT_LIVENESS_CHECK_MS 100
#define TARGET_EXIT_SETTLE_MS 300 /* a failed JVM side gives a dying target this long */ /* how often a watched wait checks the target is alive */

/* The agent library: --agent, else next to this program, in the build layout
 * (bin/../lib/) or the installed one (bin/../lib/carbondump/). */
int cd_find_agent(const char *agent_path, char *out, size_t outlen, cd_error *err)
{
    if (agent_path) {
        if (!realpath(agent_path, out))
            return cd_fail_errno(err, CD_ERR_USAGE, errno, "--agent %s", agent_path);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot find this program's directory");
    exe[n] = '\0';
    const char *dir = dirname(exe);
    static const char *const layouts[] = {"../lib/libcarbondump.so",
                                          "../lib/carbondump/libcarbondump.so"};
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++) {
        char candidate[PATH_MAX];
        snprintf(candidate, sizeof candidate, "%s/%s", dir, layouts[i]);
        if (realpath(candidate, out) && access(out, R_OK) == 0)
            return 0;
    }
    return cd_fail(err, CD_ERR_NOENT,
                   "agent library not found next to %s (looked in ../lib and ../lib/carbondump); "
                   "use --agent PATH",
                   dir);
}

static int copy_file(const char *from, const char *to, cd_error *err)
{
    char *data = NULL;
    size_t len = 0;
    if (cd_read_file(from, 64 << 20, 0, &data, &len, err) != 0)
        return -1;
    cd_sink *sink = cd_sink_file(to, err);
    if (!sink) {
        free(data);
        return -1;
    }
    cd_sink_write(sink, data, len);
    free(data);
    return cd_sink_close(sink, err);
}

/* Creates the staging directory in the target's /tmp (removing those of
 * carbondumps killed before they could); fills the path as seen from here and
 * as the target sees it. Runs as the target's user. */
static int make_agent_staging(cd_run *run, char *target_view, size_t target_view_len, cd_error *err)
{
    char tmp[sizeof run->target.root + 8], prefix[32], host_view[PATH_MAX];
    cd_target_tmp(&run->target, tmp, sizeof tmp);
    snprintf(prefix, sizeof prefix, "carbondump-%d", (int)run->target.nspid);
    cd_staging_sweep(tmp, "carbondump-");
    if (cd_staging_create(tmp, prefix, host_view, sizeof host_view, err) != 0)
        return cd_fail_errno(err, CD_ERR_IO, errno,
                             "cannot create a staging directory in the /tmp of pid %d",
                             (int)run->pid);
    snprintf(run->agent_staging, sizeof run->agent_staging, "%s", host_view);
    snprintf(target_view, target_view_len, "%s", host_view + strlen(tmp) - strlen("/tmp"));
    return 0;
}

/* Reads agent-result.json and records each requested part's outcome. */
static void record_agent_result(cd_run *run, cd_section_set parts, const char *path)
{
    char *text = NULL;
    cd_error err = {0};
    if (cd_read_file(path, 1 << 20, 0, &text, NULL, &err) != 0) {
        cd_run_settle(run, parts, CD_STATUS_FAILED, err.message);
        return;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "parts");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    for (int s = 0; s < CD_SECTION_COUNT; s++) {
        if (!(parts & CD_SECTION_BIT(s)))
            continue;
        const cJSON *part = cJSON_GetObjectItemCaseSensitive(results, cd_section_name((cd_section)s));
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(part, "status");
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(part, "reason");
        const cJSON *duration = cJSON_GetObjectItemCaseSensitive(part, "duration_ms");
        if (!cJSON_IsString(status)) {
            cd_run_set_outcome(run, (cd_section)s, CD_STATUS_FAILED,
                               cJSON_IsString(error) ? error->valuestring
                                                     : "the agent did not report this part",
                               0);
            continue;
        }
        cd_status st = strcmp(status->valuestring, "ok") == 0        ? CD_STATUS_OK
                       : strcmp(status->valuestring, "skipped") == 0 ? CD_STATUS_SKIPPED
                                                                     : CD_STATUS_FAILED;
        cd_run_set_outcome(run, (cd_section)s, st,
                           cJSON_IsString(reason) ? reason->valuestring : NULL,
                           cJSON_IsNumber(duration) ? (uint64_t)duration->valuedouble : 0);
    }
    cJSON_Delete(root);
}

/* Watches dir for files that appear in it; -1 where inotify cannot. */
static int watch_directory(const char *dir)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd >= 0 && inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void *close_watch_run(void *arg)
{
    close((int)(intptr_t)arg);
    return NULL;
}

/* Closing an inotify descriptor that has a watch waits for a kernel RCU
 * grace period, up to 16 ms on Linux 6.x: longer than the rest of a small
 * bundle's work after the agent. It is closed on a short-lived thread of its
 * own, which ends long before the bundle is written. */
static void close_watch(int fd)
{
    pthread_attr_t attr;
    pthread_t thread;
    int started = 0;
    if (pthread_attr_init(&attr) == 0) {
        started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                  pthread_create(&thread, &attr, close_watch_run, (void *)(intptr_t)fd) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started)
        close(fd);
}

/* Sleeps until the watched directory changes or timeout_ms pass. */
static void wait_for_change(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) > 0) {
        char events[4096];
        while (read(fd, events, sizeof events) > 0)
            ; /* drained: the caller looks for the file itself */
    }
}

/* Waits for the agent's result file; gives up when the target dies or the
 * deadline passes. inotify wakes us the moment the agent renames the file
 * into place, so no time is lost between the agent finishing and the bundle
 * starting; where the directory cannot be watched, it is polled every few
 * milliseconds. */
static int wait_for_agent(cd_run *run, const char *result_path, uint64_t deadline_ms,
                          cd_error *err)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", result_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int watch = slash ? watch_directory(dir) : -1;
    struct timespec pause = {0, AGENT_POLL_FIRST_NS};
    int rc;
    for (;;) {
        if (access(result_path, F_OK) == 0) {
            rc = 0;
            break;
        }
        if (!cd_target_alive(run->pid)) {
            rc = cd_fail(err, CD_ERR_NOENT, "pid %d exited while the agent was working",
                         (int)run->pid);
            break;
        }
        if (cd_monotonic_ms() >= deadline_ms) {
            rc = cd_fail(err, CD_ERR_TIMEOUT,
                         "the agent in pid %d did not finish within %d s (--timeout)",
                         (int)run->pid, run->cli->timeout_s);
            break;
        }
        if (watch >= 0) {
            wait_for_change(watch, AGENT_LIVENESS_CHECK_MS);
        } else {
            nanosleep(&pause, NULL);
            pause.tv_nsec =
                pause.tv_nsec * 2 > AGENT_POLL_MAX_NS ? AGENT_POLL_MAX_NS : pause.tv_nsec * 2;
        }
    }
    if (watch >= 0)
        close_watch(watch);
    return rc;
}

static int load_agent(cd_run *run, cd_section_set parts, char *result_path, size_t len,
                      cd_error *err)
{
    const cd_cli *cli = run->cli;
    char agent[PATH_MAX];
    if (cd_find_agent(cli->agent_path, agent, sizeof agent, err) != 0)
        return -1;

    cd_creds creds;
    if (cd_creds_enter(&run->target, &creds, err) != 0)
        return -1;
    int rc = -1;
    char staging[PATH_MAX], agent_in_target[PATH_MAX];
    if (make_agent_staging(run, staging, sizeof staging, err) != 0)
        goto out;
    snprintf(agent_in_target, sizeof agent_in_target, "%s", agent);
    if (!run->target.same_mount_ns) {
        char copy[PATH_MAX];
        snprintf(copy, sizeof copy, "%s/libcarbondump.so", run->agent_staging);
        if (copy_file(agent, copy, err) != 0)
            goto out;
        snprintf(agent_in_target, sizeof agent_in_target, "%s/libcarbondump.so", staging);
    }

    cd_request request;
    cd_request_init(&request);
    snprintf(request.dir, sizeof request.dir, "%s", staging);
    /* one run's request, told apart from another's begun in the same second */
    snprintf(request.id, sizeof request.id, "%s.%d", run->bundle_name, (int)getpid());
    request.parts = parts;
    request.live = cli->live;
    request.redact = cli->redact;
    request.heap_engine = cli->heap_engine;
    request.heap_redact = cli->heap_redact;
    request.thread_samples = cli->thread_samples;
    request.thread_interval_ms = cli->thread_interval_ms;
    char options[CD_ATTACH_ARG_MAX_BYTES];
    if (cd_request_format(&request, options, sizeof options, err) != 0)
        goto out;

    cd_progress("attaching to pid %d", (int)run->pid);
    cd_attach_reply reply = {0};
    rc = cd_attach_load_agent(&run->target, agent_in_target, options, cli->timeout_s * 1000,
                              &reply, err);
    cd_attach_reply_free(&reply);
    snprintf(result_path, len, "%s/agent-result.json", run->agent_staging);
out:
    cd_creds_leave(&creds);
    return rc;
}

/* Start-up mode: the agent has produced its parts already and started this
 * collector to bundle them with the host side; nothing to attach to. */
static int adopt_agent_output(cd_run *run, cd_section_set parts)
{
    char result_path[PATH_MAX];
    if (!realpath(run->cli->agent_output, run->agent_staging)) {
        cd_run_settle(run, parts, CD_STATUS_FAILED, "the agent's output directory is gone");
        return -1;
    }
    snprintf(result_path, sizeof result_path, "%s/agent-result.json", run->agent_staging);
    record_agent_result(run, parts, result_path);
    return 0;
}

/* The JVM sections the agent produces: attach and load it (or, in start-up
 * mode, take what it produced), wait, record. */
static int run_agent_parts(cd_run *run, cd_section_set parts)
{
    const cd_cli *cli = run->cli;
    uint64_t started = cd_monotonic_ms();
    cd_error err = {0};
    char result_path[PATH_MAX];
    if (cli->agent_output)
        return adopt_agent_output(run, parts);
    if (load_agent(run, parts, result_path, sizeof result_path, &err) != 0) {
        cd_warn("%s", err.message);
        /* A failure the agent itself recorded (bad options) is more precise. */
        if (run->agent_staging[0] && access(result_path, F_OK) == 0)
            record_agent_result(run, parts, result_path);
        cd_run_settle(run, parts, CD_STATUS_FAILED, err.message);
        return -1;
    }
    uint64_t samples_ms = (uint64_t)(cli->thread_samples - 1) * (uint64_t)cli->thread_interval_ms;
    uint64_t deadline = started + (uint64_t)cli->timeout_s * 1000 + samples_ms;
    if (wait_for_agent(run, result_path, deadline, &err) != 0) {
        cd_warn("%s", err.message);
        cd_run_settle(run, parts, CD_STATUS_FAILED, err.message);
        return -1;
    }
    cd_progress_detail("agent finished in %llu ms",
                       (unsigned long long)(cd_monotonic_ms() - started));
    record_agent_result(run, parts, result_path);
    return 0;
}

/* The vm engine's heap dump, into the agent's staging area (made now if no
 * agent part was asked for). */
static int run_vm_heap_dump(cd_run *run)
{
    cd_error err = {0};
    char in_target[PATH_MAX];
    if (!run->agent_staging[0]) {
        cd_creds creds;
        int rc = cd_creds_enter(&run->target, &creds, &err);
        if (rc == 0) {
            rc = make_agent_staging(run, in_target, sizeof in_target, &err);
            cd_creds_leave(&creds);
        }
        if (rc != 0) {
            cd_warn("%s", err.message);
            cd_run_settle(run, CD_SECTION_BIT(CD_SECTION_HEAPDUMP), CD_STATUS_FAILED, err.message);
            return -1;
        }
    } else {
        size_t root = strlen(run->target.root);
        int under_root = strncmp(run->agent_staging, run->target.root, root) == 0 &&
                         run->agent_staging[root] == '/';
        snprintf(in_target, sizeof in_target, "%s", run->agent_staging + (under_root ? root : 0));
    }
    return cd_heapdump_vm_run(run, run->agent_staging, in_target);
}

/* The target died under us: the failed JVM sections say so first, not only
 * the broken connection or missing file that followed. */
static void blame_target_exit(cd_run *run, cd_section_set sections)
{
    char prefix[64], exited[32];
    snprintf(prefix, sizeof prefix, "pid %d exited during the collection", (int)run->pid);
    snprintf(exited, sizeof exited, "pid %d exited", (int)run->pid);
    for (int s = 0; s < CD_SECTION_COUNT; s++) {
        if (!(sections & CD_SECTION_BIT(s)))
            continue;
        pthread_mutex_lock(&run->lock);
        cd_section_outcome o = run->outcomes[s];
        pthread_mutex_unlock(&run->lock);
        /* already said ("pid N exited while ..."); other words about the
         * pid ("pid N closed the attach connection ...") get the cause */
        if (o.status != CD_STATUS_FAILED || strncmp(o.reason, exited, strlen(exited)) == 0)
            continue;
        char reason[CD_ERROR_MESSAGE_MAX];
        snprintf(reason, sizeof reason, "%s (%.*s)", prefix, (int)(sizeof reason - 100), o.reason);
        cd_run_set_outcome(run, (cd_section)s, CD_STATUS_FAILED, reason, o.duration_ms);
    }
}

int cd_agent_session_run(cd_run *run)
{
    const cd_cli *cli = run->cli;
    cd_section_set parts = cli->sections & CD_SECTIONS_AGENT;
    cd_section_set heapdump = parts & CD_SECTION_BIT(CD_SECTION_HEAPDUMP);
    /* The vm engine's dump is the collector's business; the jvmti engine's is an
     * agent part. Either is admitted only if the disk can take it. */
    int vm_heapdump = heapdump && cli->heap_engine == CD_HEAP_ENGINE_VM;
    if (vm_heapdump)
        parts &= ~heapdump;
    if (!parts && !vm_heapdump)
        return 0;
    if (!run->have_target) {
        cd_run_settle(run, parts | heapdump, CD_STATUS_FAILED,
                      run->target_problem[0] ? run->target_problem : "no target JVM");
        return -1;
    }
    if (heapdump && !vm_heapdump && !cli->agent_output) {
        char target_tmp[sizeof run->target.root + 8];
        snprintf(target_tmp, sizeof target_tmp, "%s/tmp", run->target.root);
        if (cd_heapdump_admit(run, target_tmp) != 0)
            parts &= ~heapdump;
    }
    /* With the vm engine the VM's own parallel heap inspection makes the
     * histogram (histogram_vm.h); the agent's walk is the jvmti engine's. */
    int vm_histogram = (parts & CD_SECTION_BIT(CD_SECTION_HISTOGRAM)) &&
                       cli->heap_engine == CD_HEAP_ENGINE_VM && !cli->agent_output;
    if (vm_histogram)
        parts &= ~CD_SECTION_BIT(CD_SECTION_HISTOGRAM);
    int rc = parts ? run_agent_parts(run, parts) : 0;
    if (vm_histogram) {
        cd_error err = {0};
        uint64_t t0 = cd_monotonic_ms();
        int hrc = cd_histogram_vm(run, &err);
        cd_run_set_outcome(run, CD_SECTION_HISTOGRAM, hrc == 0 ? CD_STATUS_OK : CD_STATUS_FAILED,
                           hrc == 0 ? NULL : err.message, cd_monotonic_ms() - t0);
        if (hrc != 0)
            rc = -1;
    }
    if (vm_heapdump && run_vm_heap_dump(run) != 0)
        rc = -1;
    if (rc != 0 && cd_target_gone(run->pid, TARGET_EXIT_SETTLE_MS))
        blame_target_exit(run, cli->sections & CD_SECTIONS_AGENT);
    return rc;
}
