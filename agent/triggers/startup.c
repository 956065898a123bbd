/*
 * Start-up mode: the agent loaded with -agentpath watches for reasons to
 * produce a bundle by itself.
 *
 *  - Options are parsed strictly at OnLoad; bad options stop nothing: the JVM
 *    starts, one clear line goes to stderr, and the agent stays inert (it can
 *    still serve attach requests).
 *  - A watcher thread (started at VMInit, a daemon agent thread) polls the
 *    control file with one stat call per poll. A request from a file that is
 *    not the JVM user's or root's, or that group or others may write, is
 *    refused; otherwise it is consumed (removed) before it is carried out, so
 *    the next one can be queued, and <control>.status tells how it went.
 *  - OutOfMemoryError (ResourceExhausted) produces a bundle on the failing
 *    thread, without allocating Java objects when the Java heap is what ran out.
 *  - GC thrashing: a listener on GC pauses feeds the bucket of gc_thrash.h at
 *    the safepoint and only wakes the watcher, which produces the bundle.
 *  - Deadlocks: the watcher looks every deadlock-check seconds and produces a
 *    bundle for each deadlock it has not reported yet.
 */
#include "startup.h"

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "carbondump/gc_thrash.h"
#include "carbondump/startup.h"
#include "deadlock_watch.h"
#include "base/events.h"
#include "vm/gc_events.h"
#include "trigger.h"
#include "base/jni_util.h"
#include "base/jvmti_util.h"
#include "carbondump/format.h"

#define CONTROL_MAX_BYTES 65536

static cd_agent *startup_agent;
static jrawMonitorID watcher_lock;
static volatile int watcher_stopping;

/* The control file last refused, so that it is reported once, not every poll. */
static struct stat refused_control;

static cd_gc_thrash thrash_bucket;
static int thrash_pending; /* set at a safepoint, taken by the watcher */

/* ---------------------------------------------------------------- options */

static void default_output(cd_startup_options *o)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(o->output, sizeof o->output, "%s/carbondump",
             tmp && tmp[0] == '/' ? tmp : "/tmp");
}

/* The collector installed beside this library: lib/carbondump/ -> bin/, or the
 * build tree's lib/ -> bin/. */
static void default_collector(cd_startup_options *o)
{
    Dl_info info;
    char self[PATH_MAX];
    if (!dladdr((void *)default_collector, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, self))
        return;
    const char *dir = dirname(self);
    static const char *const layouts[] = {"../../bin/carbondump", "../bin/carbondump"};
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++) {
        char candidate[PATH_MAX];
        snprintf(candidate, sizeof candidate, "%s/%s", dir, layouts[i]);
        if (realpath(candidate, o->collector) && access(o->collector, X_OK) == 0)
            return;
    }
    o->collector[0] = '\0';
}

/* ---------------------------------------------------------------- status */

static void write_status(const char *control, const char *id, const char *result,
                         const char *reason, const cd_trigger_result *outcome)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return;
    char when[40];
    cd_format_iso8601(cd_wall_ms(), when, sizeof when);
    cJSON_AddStringToObject(root, "result", result);
    if (id && *id)
        cJSON_AddStringToObject(root, "id", id);
    cJSON_AddNumberToObject(root, "pid", (double)getpid());
    cJSON_AddStringToObject(root, "time", when);
    if (reason && *reason)
        cJSON_AddStringToObject(root, "reason", reason);
    if (outcome) {
        if (outcome->bundle[0])
            cJSON_AddStringToObject(root, "bundle", outcome->bundle);
        cJSON_AddNumberToObject(root, "collector_exit", outcome->collector_exit);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s.status", control);
    cd_error err = {0};
    unlink(path); /* a stale status from an earlier request */
    cd_sink *sink = text ? cd_sink_file(path, &err) : NULL;
    if (sink) {
        cd_sink_puts(sink, text);
        cd_sink_puts(sink, "\n");
        if (cd_sink_close(sink, &err) != 0)
            sink = NULL;
    }
    if (!sink)
        fprintf(stderr, "carbondump: cannot write %s: %s\n", path, err.message);
    free(text);
}

/* ---------------------------------------------------------------- control */

/* Why a control file may not be trusted, or NULL. */
static const char *control_refusal(const struct stat *st, char *why, size_t len)
{
    if (!S_ISREG(st->st_mode)) {
        snprintf(why, len, "the control file is not a regular file");
        return why;
    }
    if (st->st_uid != geteuid() && st->st_uid != 0) {
        snprintf(why, len,
                 "the control file is owned by uid %d, not by the JVM's user (uid %d) or root",
                 (int)st->st_uid, (int)geteuid());
        return why;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(why, len, "the control file may be written by group or others (mode %04o)",
                 (unsigned)(st->st_mode & 07777));
        return why;
    }
    return NULL;
}

static int same_file_version(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec;
}

/* Reads the request without following links or blocking, and checks that what
 * was read is the file that was vetted. */
static int read_control(const char *control, const struct stat *vetted, char **text,
                        cd_error *err)
{
    int fd = open(control, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot open the control file");
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_dev != vetted->st_dev || st.st_ino != vetted->st_ino) {
        close(fd);
        return cd_fail(err, CD_ERR_PERM, "the control file changed while being read");
    }
    char *buffer = malloc(CONTROL_MAX_BYTES + 1);
    size_t used = 0;
    ssize_t n = 0;
    while (buffer && used < CONTROL_MAX_BYTES &&
           (n = read(fd, buffer + used, CONTROL_MAX_BYTES - used)) > 0)
        used += (size_t)n;
    close(fd);
    if (!buffer)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory reading the control file");
    if (n < 0 || used >= CONTROL_MAX_BYTES) {
        free(buffer);
        return cd_fail(err, CD_ERR_USAGE, "the control file is unreadable or larger than %d bytes",
                       CONTROL_MAX_BYTES);
    }
    buffer[used] = '\0';
    if (strlen(buffer) != used) {
        free(buffer);
        return cd_fail(err, CD_ERR_USAGE, "the control file holds NUL bytes: not a text request");
    }
    *text = buffer;
    return 0;
}

static void check_control(cd_agent *agent, JNIEnv *jni)
{
    const cd_startup_options *o = cd_trigger_options();
    struct stat st;
    if (lstat(o->control, &st) != 0)
        return; /* no request: the common case, one stat call */
    char why[256];
    if (control_refusal(&st, why, sizeof why)) {
        if (!same_file_version(&st, &refused_control)) {
            refused_control = st;
            fprintf(stderr, "carbondump: refusing %s: %s\n", o->control, why);
            write_status(o->control, NULL, "refused", why, NULL);
        }
        return;
    }
    char *text = NULL;
    cd_error err = {0};
    cd_request base, request;
    cd_request_init(&base);
    base.parts = o->parts;
    int rc = read_control(o->control, &st, &text, &err);
    unlink(o->control); /* consumed: the next request may be written now */
    if (rc == 0) {
        rc = cd_control_parse(text, &base, &request, &err);
        free(text);
        if (rc != 0)
            cd_error_wrap(&err, "control file");
    }
    if (rc != 0) {
        write_status(o->control, NULL, "failed", err.message, NULL);
        return;
    }
    if (!request.id[0])
        snprintf(request.id, sizeof request.id, "control-%llu",
                 (unsigned long long)cd_wall_ms());
    write_status(o->control, request.id, "running", NULL, NULL);
    cd_trigger_result outcome;
    cd_trigger_bundle(agent, jni, CD_TRIGGER_CONTROL, &request, 0, 0, &outcome);
    write_status(o->control, request.id, outcome.status, outcome.reason, &outcome);
}

/* ---------------------------------------------------------------- watcher */

/* Runs on the VM thread at a safepoint: arithmetic and a notify, nothing more. */
static void on_gc_pause(const cd_gc_pause *pause, const cd_gc_counters *counters, void *context)
{
    if (!cd_gc_thrash_pause(&thrash_bucket, pause->start_mono_ns,
                            pause->start_mono_ns + pause->duration_ns))
        return;
    jvmtiEnv *jvmti = context;
    __atomic_store_n(&thrash_pending, 1, __ATOMIC_RELEASE);
    (*jvmti)->RawMonitorEnter(jvmti, watcher_lock);
    (*jvmti)->RawMonitorNotify(jvmti, watcher_lock);
    (*jvmti)->RawMonitorExit(jvmti, watcher_lock);
}

static void automatic_bundle(cd_agent *agent, JNIEnv *jni, cd_trigger_kind kind,
                             const char *what)
{
    cd_trigger_result outcome;
    cd_trigger_bundle(agent, jni, kind, NULL, 0, 0, &outcome);
    if (strcmp(outcome.status, "skipped") == 0)
        fprintf(stderr, "carbondump: %s: no bundle: %s\n", what, outcome.reason);
    else
        fprintf(stderr, "carbondump: %s: bundle %s%s%s\n", what,
                outcome.bundle[0] ? outcome.bundle : "not written", outcome.reason[0] ? ": " : "",
                outcome.reason);
}

static void check_deadlocks(cd_agent *agent, JNIEnv *jni)
{
    cd_error err = {0};
    int found = cd_deadlock_watch_check(jni, &err);
    if (found > 0)
        automatic_bundle(agent, jni, CD_TRIGGER_DEADLOCK, "Java-level deadlock");
}

static void JNICALL watcher_thread(jvmtiEnv *jvmti, JNIEnv *jni, void *arg)
{
    cd_agent *agent = arg;
    const cd_startup_options *o = cd_trigger_options();
    uint64_t next_deadlock_check = cd_monotonic_ms() + (uint64_t)o->deadlock_check_s * 1000;
    for (;;) {
        (*jvmti)->RawMonitorEnter(jvmti, watcher_lock);
        if (!watcher_stopping && !__atomic_load_n(&thrash_pending, __ATOMIC_ACQUIRE))
            (*jvmti)->RawMonitorWait(jvmti, watcher_lock, o->poll_ms);
        int stopping = watcher_stopping;
        (*jvmti)->RawMonitorExit(jvmti, watcher_lock);
        if (stopping)
            return;
        if (__atomic_exchange_n(&thrash_pending, 0, __ATOMIC_ACQ_REL))
            automatic_bundle(agent, jni, CD_TRIGGER_GC_THRASH, "GC thrashing");
        if (o->control[0])
            check_control(agent, jni);
        if (o->deadlock_check_s && cd_monotonic_ms() >= next_deadlock_check) {
            check_deadlocks(agent, jni);
            next_deadlock_check = cd_monotonic_ms() + (uint64_t)o->deadlock_check_s * 1000;
        }
    }
}

static void JNICALL on_vm_init(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread)
{
    cd_error err = {0};
    jthread watcher = cd_jni_new_thread(jni, "carbondump watcher", &err);
    jvmtiError e = watcher ? (*jvmti)->RunAgentThread(jvmti, watcher, watcher_thread,
                                                      startup_agent, JVMTI_THREAD_MIN_PRIORITY)
                           : JVMTI_ERROR_OUT_OF_MEMORY;
    if (e != JVMTI_ERROR_NONE) {
        if (watcher)
            cd_jvmti_fail(&err, e, "cannot start the watcher thread");
        fprintf(stderr, "carbondump: %s; no control file polling\n", err.message);
    }
    if (watcher)
        (*jni)->DeleteLocalRef(jni, watcher);
}

static void JNICALL on_vm_death(jvmtiEnv *jvmti, JNIEnv *jni)
{
    (*jvmti)->RawMonitorEnter(jvmti, watcher_lock);
    watcher_stopping = 1;
    (*jvmti)->RawMonitorNotifyAll(jvmti, watcher_lock);
    (*jvmti)->RawMonitorExit(jvmti, watcher_lock);
}

/* ---------------------------------------------------------------- OOM */

static void JNICALL on_resource_exhausted(jvmtiEnv *jvmti, JNIEnv *jni, jint flags,
                                          const char *description)
{
    const cd_startup_options *o = cd_trigger_options();
    int heap = (flags & JVMTI_RESOURCE_EXHAUSTED_JAVA_HEAP) != 0;
    int threads = (flags & JVMTI_RESOURCE_EXHAUSTED_THREADS) != 0;
    if (!heap && !threads)
        return; /* e.g. metaspace or direct buffers: not a trigger */
    cd_trigger_result outcome;
    cd_trigger_bundle(startup_agent, jni, CD_TRIGGER_OOM, NULL, 1, o->on_oom == CD_ON_OOM_JVM_ONLY,
                      &outcome);
    if (strcmp(outcome.status, "skipped") == 0)
        return;
    fprintf(stderr, "carbondump: %s (%s): bundle %s%s%s\n", description ? description : "OOM",
            heap ? "Java heap" : "threads", outcome.bundle[0] ? outcome.bundle : "not written",
            outcome.reason[0] ? ": " : "", outcome.reason);
}

/* ---------------------------------------------------------------- set-up */

int cd_startup_configure(cd_agent *agent, const char *text)
{
    cd_startup_options o;
    cd_error err = {0};
    if (cd_startup_options_parse(text ? text : "", &o, &err) != 0) {
        fprintf(stderr, "carbondump: bad agent options, the agent stays inert: %s\n",
                err.message);
        return -1;
    }
    if (!o.output[0])
        default_output(&o);
    if (!o.collector[0])
        default_collector(&o);
    if (cd_mkdirs(o.output, 0700, &err) != 0) {
        fprintf(stderr, "carbondump: the agent stays inert: %s\n", err.message);
        return -1;
    }
    jvmtiError e = (*agent->jvmti)->CreateRawMonitor(agent->jvmti, "carbondump watcher",
                                                      &watcher_lock);
    if (e != JVMTI_ERROR_NONE) {
        cd_jvmti_fail(&err, e, "cannot create the watcher lock");
        fprintf(stderr, "carbondump: the agent stays inert: %s\n", err.message);
        return -1;
    }
    startup_agent = agent;
    cd_trigger_configure(&o);
    if (cd_events_hook_vm_init(agent, on_vm_init, &err) != 0 ||
        cd_events_hook_vm_death(agent, on_vm_death, &err) != 0) {
        fprintf(stderr, "carbondump: the agent stays inert: %s\n", err.message);
        return -1;
    }
    if (o.on_oom != CD_ON_OOM_OFF &&
        cd_events_hook_resource_exhausted(agent, on_resource_exhausted, &err) != 0)
        fprintf(stderr, "carbondump: no OutOfMemoryError trigger: %s\n", err.message);
    if (o.gc_thrash_enabled) {
        cd_gc_thrash_init(&thrash_bucket, (uint64_t)o.gc_thrash_threshold_ms, o.gc_thrash_weight);
        if (cd_gc_events_start(agent, &err) != 0 ||
            cd_gc_events_subscribe(on_gc_pause, agent->jvmti, &err) != 0)
            fprintf(stderr, "carbondump: no GC-thrashing trigger: %s\n", err.message);
    }
    if (!o.collector[0])
        fprintf(stderr,
                "carbondump: no collector found beside the agent (collector=PATH); triggered "
                "bundles keep only the JVM parts\n");
    return 0;
}
