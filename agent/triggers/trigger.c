/*
 * Triggered bundles: see trigger.h.
 */
#include "trigger.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "runtime/runtime.h"

extern char **environ;

#define COLLECTOR_TIMEOUT_MS (30 * 60 * 1000)
#define COLLECTOR_OUTPUT_MAX 65536

static cd_startup_options trigger_options;
static pthread_mutex_t trigger_lock = PTHREAD_MUTEX_INITIALIZER;
static int automatic_bundles;
static uint64_t last_automatic_ms;

static const char *const kind_names[] = {"control-file", "out-of-memory", "gc-thrashing",
                                         "deadlock"};

const char *cd_trigger_kind_name(cd_trigger_kind kind)
{
    return kind_names[kind];
}

void cd_trigger_configure(const cd_startup_options *options)
{
    trigger_options = *options;
}

const cd_startup_options *cd_trigger_options(void)
{
    return &trigger_options;
}

/* Takes a slot for an automatic bundle, or says why there is none. */
static int take_automatic_slot(cd_trigger_result *result)
{
    const cd_startup_options *o = &trigger_options;
    uint64_t now = cd_monotonic_ms();
    pthread_mutex_lock(&trigger_lock);
    int ok = 0;
    if (automatic_bundles >= o->max_bundles)
        snprintf(result->reason, sizeof result->reason,
                 "max-bundles=%d automatic bundles already produced", o->max_bundles);
    else if (automatic_bundles > 0 && now - last_automatic_ms < (uint64_t)o->min_interval_s * 1000)
        snprintf(result->reason, sizeof result->reason,
                 "the last automatic bundle is less than min-interval=%d s old", o->min_interval_s);
    else {
        automatic_bundles++;
        last_automatic_ms = now;
        ok = 1;
    }
    pthread_mutex_unlock(&trigger_lock);
    return ok;
}

static void timestamp(char *out, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, len, "%Y-%m-%d_%H-%M-%S", &tm);
}

/* The host sections plus the agent parts that were asked for, for --only. */
static void collector_sections(const cd_request *request, char *out, size_t len)
{
    cd_section_set set = (CD_SECTIONS_ALL & ~CD_SECTIONS_AGENT) | request->parts;
    cd_section_set_format(set, ',', out, len);
}

/* Runs the collector over the staging directory and waits for it; the last
 * line it prints on stdout is the bundle. */
static int run_collector(const cd_request *request, cd_trigger_result *result)
{
    const cd_startup_options *o = &trigger_options;
    char pid[24], sections[512];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    collector_sections(request, sections, sizeof sections);
    const char *argv[16];
    int argc = 0;
    argv[argc++] = o->collector;
    argv[argc++] = "--pid";
    argv[argc++] = pid;
    argv[argc++] = "--agent-output";
    argv[argc++] = request->dir;
    argv[argc++] = "--output";
    argv[argc++] = o->output;
    argv[argc++] = "--only";
    argv[argc++] = sections;
    argv[argc++] = "--quiet";
    if (o->carbon_home[0]) {
        argv[argc++] = "--carbon-home";
        argv[argc++] = o->carbon_home;
    }
    argv[argc] = NULL;

    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        snprintf(result->reason, sizeof result->reason, "cannot start the collector: %s",
                 strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    /* the JVM's sockets and files are none of the collector's business */
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    /* the JVM blocks and handles signals its own way; the child starts clean */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t child;
    int rc = posix_spawn(&child, o->collector, &actions, &attr, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    if (rc != 0) {
        close(out[0]);
        snprintf(result->reason, sizeof result->reason, "cannot start the collector %s: %s",
                 o->collector, strerror(rc));
        return -1;
    }

    char buffer[COLLECTOR_OUTPUT_MAX];
    size_t used = 0;
    uint64_t deadline = cd_monotonic_ms() + COLLECTOR_TIMEOUT_MS;
    int status = 0, exited = 0, reading = 1;
    while (!exited) {
        /* after end of output, poll on nothing: a plain 200 ms pause */
        struct pollfd p = {reading ? out[0] : -1, POLLIN, 0};
        if (poll(&p, 1, 200) > 0 && used < sizeof buffer - 1) {
            ssize_t n = read(out[0], buffer + used, sizeof buffer - 1 - used);
            if (n > 0)
                used += (size_t)n;
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                reading = 0;
        } else if (used >= sizeof buffer - 1) {
            reading = 0;
        }
        pid_t w = waitpid(child, &status, WNOHANG);
        if (w == child)
            exited = 1;
        else if (w < 0 && errno != EINTR)
            break;
        else if (cd_monotonic_ms() > deadline) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            snprintf(result->reason, sizeof result->reason,
                     "the collector did not finish within %d minutes and was stopped",
                     COLLECTOR_TIMEOUT_MS / 60000);
            close(out[0]);
            return -1;
        }
    }
    ssize_t n;
    while (used < sizeof buffer - 1 && (n = read(out[0], buffer + used, sizeof buffer - 1 - used)) > 0)
        used += (size_t)n;
    close(out[0]);
    buffer[used] = '\0';
    while (used > 0 && buffer[used - 1] == '\n')
        buffer[--used] = '\0';
    const char *last = strrchr(buffer, '\n');
    last = last ? last + 1 : buffer;
    result->collector_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (last[0] == '/')
        snprintf(result->bundle, sizeof result->bundle, "%s", last);
    if (result->collector_exit == 0 || result->collector_exit == 3)
        return 0;
    snprintf(result->reason, sizeof result->reason, "the collector failed (exit status %d)",
             result->collector_exit);
    return -1;
}

void cd_trigger_bundle(cd_agent *agent, JNIEnv *jni, cd_trigger_kind kind,
                       const cd_request *request, int java_heap_exhausted, int jvm_only,
                       cd_trigger_result *result)
{
    memset(result, 0, sizeof *result);
    result->status = "failed";
    result->collector_exit = -1;
    if (kind != CD_TRIGGER_CONTROL && !take_automatic_slot(result)) {
        result->status = "skipped";
        return;
    }

    const cd_startup_options *o = &trigger_options;
    cd_request r;
    if (request) {
        r = *request;
    } else {
        cd_request_init(&r);
        r.parts = o->parts;
    }
    char when[32];
    timestamp(when, sizeof when);
    if (!r.id[0])
        snprintf(r.id, sizeof r.id, "%s-%s", kind_names[kind], when);
    int n = snprintf(r.dir, sizeof r.dir, "%s/.carbondump-agent-%d-XXXXXX", o->output,
                     (int)getpid());
    if (n < 0 || (size_t)n >= sizeof r.dir || !mkdtemp(r.dir)) {
        snprintf(result->reason, sizeof result->reason,
                 "cannot create a staging directory in %s: %s", o->output, strerror(errno));
        return;
    }
    cd_agent_run_request(agent, jni, &r, java_heap_exhausted);

    if (!jvm_only && run_collector(&r, result) == 0) {
        result->status = result->collector_exit == 0 ? "ok" : "partial";
        return;
    }
    /* No collector (jvm-only, or it failed): keep the JVM parts as they are. */
    char kept[PATH_MAX];
    snprintf(kept, sizeof kept, "%s/carbondump-%s-%s-jvm", o->output, when, kind_names[kind]);
    if (rename(r.dir, kept) == 0)
        snprintf(result->bundle, sizeof result->bundle, "%s", kept);
    else
        snprintf(result->bundle, sizeof result->bundle, "%s", r.dir);
    if (jvm_only && result->reason[0] == '\0')
        result->status = "ok";
    else
        result->status = "partial";
}
