/*
 * Part "threads": a thread dump as complete as jstack -l's, in its text
 * (thread_dump.txt) and as JSON (threads/threads.json), taken from inside the
 * JVM, so no JDK tool is needed on the box. With thread_samples=N (>1) it
 * takes N dumps thread_interval_ms apart, writes each as
 * threads/thread_dump-K.txt (thread_dump.txt stays the first) and compares
 * them in threads/hot_threads.txt.
 *
 * One dump, step by step:
 *  0. The session (thread_session.c): the JDK classes and fields the dump
 *     reads, the VM's structure layout, the method cache.
 *  1. GetAllThreads; per thread name, priority, daemon and #id (fields of
 *     java.lang.Thread), CPU time (the thread's CPU clock), tid/nid/os state
 *     (thread_os.c, for all threads at once) and park blocker. A thread
 *     that ends meanwhile is left out and counted.
 *  2. Stacks and states from JVMTI in batches (GetThreadListStackTraces,
 *     one safepoint each). Lock lines: with the agent loaded at start-up from
 *     JVMTI's monitor functions per thread; after a late attach from one
 *     ThreadMXBean snapshot of just the threads that can have any (blocked,
 *     waiting, or running a method that enters a monitor), which also gives
 *     those threads their stack and state, so that a thread's lines agree
 *     with each other. Ownable synchronizers from the VM's own heap walk,
 *     through a stack-less ThreadMXBean snapshot (a JVMTI heap walk when
 *     the Java heap is exhausted).
 *  3. Virtual threads counted (JDK 21+); the threads the VM hides from
 *     JVMTI, from its own lists (vm_threads.c), put in the VM's order among
 *     the others; the other threads of the process from /proc; deadlock
 *     cycles, each confirmed against the live VM.
 *
 * Under an exhausted Java heap (ctx->java_heap_exhausted) nothing here
 * allocates a Java object: stacks, states, CPU, nids, park blockers,
 * synchronizers and (at start-up) monitors still come; ThreadMXBean is not
 * called and the dump says which lines are missing.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "base/jni_util.h"
#include "threads_internal.h"
#include "threads.h"
#include "base/jvmti_util.h"
#include "vm_threads.h"

#define BATCH_THREADS 1024 /* threads per GetThreadListStackTraces: one safepoint each */
#define BATCH_DEPTH 128    /* frames per thread in a batch; deeper stacks are fetched again */
#define MAX_DEPTH 8192     /* frames listed per thread */

/* ---------------------------------------------------------------- one thread */

/* The VM's word when its structure table could not be read: the one it
 * uses in the same state. */
static const char *os_state_from(const cd_thread *t)
{
    if (t->state == CD_THREAD_RUNNABLE)
        return "runnable";
    if (t->state == CD_THREAD_BLOCKED)
        return "waiting for monitor entry";
    if (t->detail == CD_DETAIL_OBJECT_MONITOR)
        return "in Object.wait()";
    return "waiting on condition";
}

/* nid, the VM's state word, stack pointer and CPU time of every thread
 * JVMTI listed, as the proc job read them while the agent thread waited for
 * the VM (os_prio and elapsed are taken later, in finish_proc_job; without
 * the VM's word, finish_proc_job puts the one that goes with the thread's
 * final state). A thread that ends clears eetop before its JavaThread goes
 * away: the same value now means the job's reads saw a live thread. */
static void add_os_info(cd_thread_session *session, cd_thread_dump *dump, const cd_proc_job *job)
{
    size_t listed = job->vm_info ? job->vm_count : 0; /* 0: the job could not start */
    if (listed > dump->count)
        listed = dump->count;
    for (size_t i = 0; i < listed; i++) {
        cd_thread *t = &dump->threads[i];
        const cd_vm_thread_info *info = &job->vm_info[i];
        if (info->nid < 0 || cd_thread_vm_thread(session, session->jthreads[i]) != t->vm_thread)
            continue;
        t->nid = info->nid;
        t->os_state = info->os_state;
        t->last_java_sp = info->last_java_sp;
        /* The same clock GetThreadCpuTime reads, by the thread's id: JVMTI
         * would first look the thread up in the VM's thread list, which
         * costs as much as the list is long, for every thread. */
        t->cpu_ns = job->vm_cpu_ns[i];
    }
    for (size_t i = 0; i < dump->count; i++) {
        cd_thread *t = &dump->threads[i];
        jlong cpu = 0;
        if (t->cpu_ns < 0 &&
            (*session->jvmti)->GetThreadCpuTime(session->jvmti, session->jthreads[i], &cpu) ==
                JVMTI_ERROR_NONE)
            t->cpu_ns = cpu;
    }
}

/* The VM's own threads (vm_threads.h), beside the ones JVMTI listed. */
static int take_census(cd_thread_session *session, const cd_thread_dump *dump)
{
    uint64_t *known = malloc((dump->count + 1) * sizeof *known);
    if (!known)
        return -1;
    for (size_t i = 0; i < dump->count; i++)
        known[i] = dump->threads[i].vm_thread;
    int rc = cd_vm_census_take(session->vm_threads, known, dump->count, session->census);
    free(known);
    return rc;
}

/* Frames of thread: from the batch, or fetched again when the batch was
 * too shallow for it. */
static int add_frames(cd_thread_session *session, cd_thread_dump *dump, cd_thread *t,
                      jthread thread, const jvmtiFrameInfo *frames, jint count)
{
    jvmtiEnv *jvmti = session->jvmti;
    jvmtiFrameInfo *deep = NULL;
    jint depth = 0;
    if (count >= BATCH_DEPTH &&
        (*jvmti)->GetFrameCount(jvmti, thread, &depth) == JVMTI_ERROR_NONE && depth > count) {
        jint want = depth < MAX_DEPTH ? depth : MAX_DEPTH;
        jint got = 0;
        deep = malloc((size_t)want * sizeof *deep);
        if (deep &&
            (*jvmti)->GetStackTrace(jvmti, thread, 0, want, deep, &got) == JVMTI_ERROR_NONE) {
            frames = deep;
            count = got;
            t->frames_omitted = depth > got ? depth - got : 0;
        }
    }
    int rc = cd_frames_from_jvmti(session->methods, jvmti, session->jni, frames, count, dump,
                                  &t->frames);
    t->frame_count = rc == 0 ? count : 0;
    free(deep);
    return rc;
}

/* Starts the operating system's side of the dump (cd_proc_job) for the
 * threads collected so far and the VM's own (census), to run while the
 * agent thread waits for the VM. */
static void start_proc_job(cd_thread_session *session, cd_thread_dump *dump,
                           const cd_vm_census *census, cd_proc_job *job)
{
    size_t room = census->hidden_count + census->other_count + 1;
    uint64_t *vm_threads = malloc((dump->count + 1) * sizeof *vm_threads);
    int64_t *vm_java_ids = malloc((dump->count + 1) * sizeof *vm_java_ids);
    int64_t *nids = malloc(room * sizeof *nids);
    int64_t *java_ids = malloc(room * sizeof *java_ids);
    size_t n = 0;
    for (size_t i = 0; vm_threads && vm_java_ids && i < dump->count; i++) {
        vm_threads[i] = dump->threads[i].vm_thread;
        vm_java_ids[i] = dump->threads[i].java_id;
    }
    for (size_t i = 0; nids && java_ids && i < census->hidden_count; i++) {
        nids[n] = census->hidden[i].os.nid;
        java_ids[n++] = census->hidden[i].java_known ? census->hidden[i].java.java_id : -1;
    }
    for (size_t i = 0; nids && java_ids && i < census->other_count; i++) {
        nids[n] = census->others[i].os.nid;
        java_ids[n++] = -1; /* read whole: its kernel name checks the VM's */
    }
    if (!vm_threads || !vm_java_ids || !nids || !java_ids ||
        cd_proc_job_start(job, session->layout, vm_threads, vm_java_ids, dump->count, nids,
                          java_ids, n) != 0)
        memset(job, 0, sizeof *job);
    free(vm_threads);
    free(vm_java_ids);
    free(nids);
    free(java_ids);
}

/* os_prio and elapsed from /proc; a nid that is no live task of this process
 * is dropped, never printed as a guess. Then the threads JVMTI does not list. */
static void finish_proc_job(cd_thread_session *session, cd_thread_dump *dump, cd_proc_job *job)
{
    cd_proc_job_finish(job);
    for (size_t i = 0; i < dump->count; i++) {
        cd_thread *t = &dump->threads[i];
        const cd_proc_thread *proc = t->nid >= 0 ? cd_proc_job_thread(job, t->nid) : NULL;
        if (proc) {
            t->os_priority = proc->nice;
            t->elapsed_ms = proc->elapsed_ms;
        } else {
            t->nid = -1;
        }
        if (!t->os_state)
            t->os_state = os_state_from(t);
    }
    if (!session->layout)
        dump->natives_note = cd_arena_strdup(&dump->arena, session->layout_problem);
    else if (!job->nids || cd_vm_census_natives(session->census, job, dump) != 0)
        dump->natives_note = "/proc/self/task could not be read";
    cd_proc_job_free(job);
}

/* Adds one live thread: everything but its stack and lock lines. state is
 * what JVMTI says of it; a thread no longer alive is counted and left out. */
static int add_thread(cd_thread_session *session, cd_thread_dump *dump, jthread thread, jint state)
{
    JNIEnv *jni = session->jni;
    if (!(state & JVMTI_THREAD_STATE_ALIVE)) {
        if (state & JVMTI_THREAD_STATE_TERMINATED)
            dump->threads_skipped++;
        return 0;
    }
    if ((*jni)->PushLocalFrame(jni, 32) != 0) {
        cd_jni_clear_exception(jni);
        return -1;
    }
    cd_thread_basics basics = {0};
    int rc = cd_thread_basics_read(session, dump, thread, &basics);
    if (rc == 1) {
        dump->threads_skipped++; /* ended just now */
        rc = 0;
        goto out;
    }
    cd_thread *t = rc == 0 ? cd_thread_dump_add(dump) : NULL;
    if (!t) {
        rc = -1;
        goto out;
    }
    size_t index = dump->count - 1;
    session->jthreads[index] = thread;
    t->name = basics.name;
    t->priority = basics.priority;
    t->daemon = basics.daemon;
    t->java_id = cd_thread_java_id(session, thread);
    cd_thread_map_state(state, t);
    t->vm_thread = cd_thread_vm_thread(session, thread);
    cd_locks_park_blocker(session, dump, index, thread);
out:
    cd_jni_clear_exception(jni);
    (*jni)->PopLocalFrame(jni, NULL);
    return rc;
}

/* Adds a thread with the stack JVMTI gave (batch or single), and at
 * start-up its monitors. */
static int add_thread_with_stack(cd_thread_session *session, cd_thread_dump *dump, jthread thread,
                                 const jvmtiStackInfo *stack)
{
    size_t before = dump->count;
    if (add_thread(session, dump, thread, stack->state) != 0)
        return -1;
    if (dump->count == before)
        return 0; /* not alive */
    cd_thread *t = &dump->threads[before];
    if (add_frames(session, dump, t, thread, stack->frame_buffer, stack->frame_count) != 0)
        return -1;
    if (session->jvmti_monitors && (*session->jni)->PushLocalFrame(session->jni, 64) == 0) {
        cd_locks_from_jvmti(session, dump, t, thread);
        (*session->jni)->PopLocalFrame(session->jni, NULL);
    }
    cd_jni_clear_exception(session->jni);
    return 0;
}

/* Stacks and states from JVMTI, in batches; GetThreadListStackTraces refuses
 * a whole batch if one entry is not a thread any more, and then each thread
 * of it is asked on its own. */
static int collect_with_jvmti(cd_thread_session *session, cd_thread_dump *dump, jthread *threads,
                              jint count, cd_proc_job *job)
{
    jvmtiEnv *jvmti = session->jvmti;
    jvmtiFrameInfo *frames = malloc(BATCH_DEPTH * sizeof *frames);
    int rc = frames ? 0 : -1;
    for (jint off = 0; rc == 0 && off < count; off += BATCH_THREADS) {
        jint n = count - off < BATCH_THREADS ? count - off : BATCH_THREADS;
        jvmtiStackInfo *stacks = NULL;
        if ((*jvmti)->GetThreadListStackTraces(jvmti, n, threads + off, BATCH_DEPTH, &stacks) ==
            JVMTI_ERROR_NONE) {
            for (jint i = 0; rc == 0 && i < n; i++)
                rc = add_thread_with_stack(session, dump, threads[off + i], &stacks[i]);
            cd_jvmti_free(jvmti, stacks);
            continue;
        }
        for (jint i = 0; rc == 0 && i < n; i++) {
            jvmtiStackInfo one = {threads[off + i], 0, frames, 0};
            if ((*jvmti)->GetThreadState(jvmti, one.thread, &one.state) != JVMTI_ERROR_NONE ||
                (*jvmti)->GetStackTrace(jvmti, one.thread, 0, BATCH_DEPTH, frames,
                                        &one.frame_count) != JVMTI_ERROR_NONE)
                dump->threads_skipped++;
            else
                rc = add_thread_with_stack(session, dump, one.thread, &one);
        }
    }
    free(frames);
    if (rc == 0)
        rc = take_census(session, dump);
    start_proc_job(session, dump, session->census, job);
    return rc;
}

/* After a late attach: everything JVMTI gives, as at start-up, then lock
 * lines from ThreadMXBean for the threads that can have any (see
 * cd_locks_from_mxbean). */
static int collect_late(cd_thread_session *session, cd_thread_dump *dump, jthread *threads,
                        jint count, cd_proc_job *job)
{
    if (collect_with_jvmti(session, dump, threads, count, job) != 0)
        return -1;
    unsigned char *seen = calloc(dump->count + 1, 1);
    if (!seen)
        return -1;
    cd_error err = {0};
    if (cd_locks_from_mxbean(session, dump, seen, &err) == 0) {
        dump->locks_source = "thread_mxbean";
    } else {
        /* whatever the snapshot gave is dropped; the stacks stay JVMTI's */
        for (size_t i = 0; i < dump->count; i++) {
            cd_thread *t = &dump->threads[i];
            if (!seen[i])
                continue;
            t->lock_count = 0;
            t->wait_kind = CD_WAIT_NONE;
            t->waiting_for_owner = -1;
        }
        dump->locks_note = cd_arena_strdup(&dump->arena, err.message);
    }
    free(seen);
    return 0;
}

/* ---------------------------------------------------------------- one dump */

/* Stacks and lock lines, by whichever way this agent can. */
static int add_stacks_and_locks(cd_thread_session *session, cd_thread_dump *dump, jthread *threads,
                                jint count, cd_proc_job *job)
{
    int rc;
    if (!session->jvmti_monitors && session->java_allowed) {
        rc = collect_late(session, dump, threads, count, job);
    } else {
        rc = collect_with_jvmti(session, dump, threads, count, job);
        if (session->jvmti_monitors)
            dump->locks_source = "jvmti";
        else
            dump->locks_note = "monitors are not listed: the Java heap is exhausted, and JVMTI's "
                               "monitor functions need the agent loaded at start-up";
    }
    if (rc != 0)
        return -1;
    cd_locks_apply_park(session, dump);
    if (session->jvmti_monitors) {
        cd_locks_fill_wait_objects(session, dump);
        cd_locks_link_monitor_owners(dump);
    }
    for (size_t i = 0; i < dump->count; i++)
        cd_thread_sort_locks(&dump->threads[i]);
    /* Ownable synchronizers from the VM's own heap walk where Java may run,
     * else from a JVMTI one; virtual threads from a JVMTI walk either way. */
    cd_error err = {0};
    int synchronizers_done = session->java_allowed && session->synchronizer_class &&
                             cd_locks_synchronizers_from_mxbean(session, dump, &err) == 0;
    if (cd_locks_heap_scan(session, dump, !synchronizers_done, &err) != 0)
        dump->synchronizers_note = cd_arena_strdup(&dump->arena, err.message);
    if (!session->virtual_thread_class && session->style.jdk_feature >= 21) {
        if (session->classes.virtual_thread) {
            dump->virtual_note = "java.lang.VirtualThread has fields this agent does not know";
        } else { /* the class was never loaded: no virtual thread was ever created */
            dump->virtual_threads = 0;
            dump->virtual_threads_mounted = 0;
        }
    }
    return 0;
}

static int collect(cd_thread_session *session, cd_thread_dump *dump, cd_error *err)
{
    jvmtiEnv *jvmti = session->jvmti;
    JNIEnv *jni = session->jni;
    cd_thread_dump_init(dump);
    dump->wall_ms = cd_wall_ms();
    dump->vm_name = session->vm_name;
    dump->vm_version = session->vm_version;
    dump->vm_info = session->vm_info;
    dump->style = session->style;
    if (cd_jni_frame_push(jni, 16, err) != 0)
        return -1;
    jint count = 0;
    jthread *threads = NULL;
    jvmtiError e = (*jvmti)->GetAllThreads(jvmti, &count, &threads);
    if (e != JVMTI_ERROR_NONE) {
        cd_jni_frame_pop(jni);
        return cd_jvmti_fail(err, e, "GetAllThreads");
    }
    /* GetAllThreads made a local reference per thread. They are needed to
     * the end of the dump (the deadlock check asks the live VM again), so
     * they become global references: the local frames of the steps between
     * stay small, however many threads there are. */
    if ((*jni)->EnsureLocalCapacity(jni, count + 64) != 0)
        cd_jni_clear_exception(jni);
    jint held = 0;
    for (jint i = 0; i < count; i++) {
        jthread global = (*jni)->NewGlobalRef(jni, threads[i]);
        (*jni)->DeleteLocalRef(jni, threads[i]);
        if (global) /* NULL when the VM is out of memory: that thread is left out */
            threads[held++] = global;
        else
            dump->threads_skipped++;
    }
    cd_jni_clear_exception(jni);
    count = held;
    session->jthreads = malloc(((size_t)count + 1) * sizeof *session->jthreads);
    session->park = malloc(((size_t)count + 1) * sizeof *session->park);
    int rc = session->jthreads && session->park ? 0 : -1;
    cd_proc_job job;
    memset(&job, 0, sizeof job);
    cd_vm_census census;
    memset(&census, 0, sizeof census);
    session->census = &census;
    if (rc == 0)
        rc = add_stacks_and_locks(session, dump, threads, count, &job);
    if (rc == 0) {
        cd_proc_job_finish(&job);
        add_os_info(session, dump, &job);
        rc = cd_vm_census_merge(&census, session, dump);
    }
    finish_proc_job(session, dump, &job);
    cd_vm_census_free(&census);
    session->census = NULL;
    if (rc == 0) {
        if (cd_deadlocks_find(dump) < 0)
            rc = -1;
        else
            cd_deadlocks_confirm(session, dump);
        dump->deadlocks_checked = dump->locks_source != NULL;
    }
    for (jint i = 0; i < count; i++)
        (*jni)->DeleteGlobalRef(jni, threads[i]);
    cd_jvmti_free(jvmti, threads);
    cd_jni_frame_pop(jni);
    free(session->jthreads);
    free(session->park);
    session->jthreads = NULL;
    session->park = NULL;
    if (rc != 0) {
        cd_thread_dump_free(dump);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory collecting %d threads", (int)count);
    }
    return 0;
}

/* ---------------------------------------------------------------- files */

static int write_text(const char *dir, const char *relpath, const cd_thread_dump *dump,
                      cd_error *err)
{
    cd_sink *sink = cd_staging_open(dir, relpath, err);
    if (!sink)
        return -1;
    cd_dump_write_text(sink, dump);
    return cd_sink_close(sink, err);
}

static int write_hot_threads(const char *dir, const cd_sample *samples, size_t count, cd_error *err)
{
    cd_sink *sink = cd_staging_open(dir, "threads/hot_threads.txt", err);
    if (!sink)
        return -1;
    cd_hot_threads_write_text(sink, samples, count);
    return cd_sink_close(sink, err);
}

static int write_json(const char *dir, const cd_thread_dump *dump, const cJSON *extra,
                      cd_error *err)
{
    cd_sink *sink = cd_staging_open(dir, "threads/threads.json", err);
    if (!sink)
        return -1;
    if (cd_dump_write_json(sink, dump, extra, err) != 0) {
        cd_sink_abandon(sink);
        return -1;
    }
    return cd_sink_close(sink, err);
}

/* threads.json is written on a native thread of its own while the agent
 * thread writes the text: both only read the dump, and on a busy machine two
 * threads get the work done sooner than one. The helper blocks every signal,
 * so the JVM's signal handling never lands on it. */
typedef struct json_job {
    const char *dir;
    const cd_thread_dump *dump;
    const cJSON *extra;
    int rc;
    cd_error err;
    pthread_t thread;
    int started;
} json_job;

static void *json_job_run(void *arg)
{
    json_job *job = arg;
    job->rc = write_json(job->dir, job->dump, job->extra, &job->err);
    return NULL;
}

static void json_job_start(json_job *job, const char *dir, const cd_thread_dump *dump,
                           const cJSON *extra)
{
    memset(job, 0, sizeof *job);
    job->dir = dir;
    job->dump = dump;
    job->extra = extra;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    job->started = pthread_create(&job->thread, NULL, json_job_run, job) == 0;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

/* Waits for the job (or does it here if no thread could be started). */
static int json_job_finish(json_job *job, cd_error *err)
{
    if (job->started)
        pthread_join(job->thread, NULL);
    else
        json_job_run(job);
    if (job->rc != 0)
        *err = job->err;
    return job->rc;
}

/* Sleeps until the monotonic clock reaches until_ms. */
static void sleep_until(uint64_t until_ms)
{
    for (uint64_t now = cd_monotonic_ms(); now < until_ms; now = cd_monotonic_ms()) {
        uint64_t left = until_ms - now;
        struct timespec pause = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
        nanosleep(&pause, NULL);
    }
}

/* ---------------------------------------------------------------- the part */

int cd_part_threads(cd_part_ctx *ctx, cd_error *err)
{
    if (!ctx->jni)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "no JNI environment on this thread");
    const cd_request *request = ctx->request;
    int samples = request->thread_samples > 1 ? request->thread_samples : 1;
    cd_thread_session session;
    if (cd_thread_session_open(&session, ctx, err) != 0) {
        cd_thread_session_close(&session);
        return -1;
    }
    cd_sample *taken = calloc((size_t)samples, sizeof *taken);
    cd_thread_dump first, later; /* sample 1 is kept to the end, the others not */
    json_job json;
    int have_first = 0, json_started = 0;
    int rc = taken ? 0 : cd_fail(err, CD_ERR_NOMEM, "out of memory");
    size_t taken_count = 0;
    uint64_t started = cd_monotonic_ms();
    for (int k = 0; rc == 0 && k < samples; k++) {
        if (k > 0)
            sleep_until(started + (uint64_t)k * (uint64_t)request->thread_interval_ms);
        cd_thread_dump *dump = k == 0 ? &first : &later;
        uint64_t at = cd_monotonic_ms();
        if (collect(&session, dump, err) != 0) {
            rc = -1;
            if (samples > 1)
                cd_error_wrap(err, "sample %d of %d", k + 1, samples);
            break;
        }
        if (k == 0) {
            have_first = 1;
            if (samples == 1) { /* with samples, the JSON waits for their comparison */
                json_job_start(&json, request->dir, &first, NULL);
                json_started = 1;
            }
        }
        char relpath[64];
        snprintf(relpath, sizeof relpath, "threads/thread_dump-%d.txt", k + 1);
        if ((k == 0 && write_text(request->dir, "thread_dump.txt", dump, err) != 0) ||
            (samples > 1 && write_text(request->dir, relpath, dump, err) != 0))
            rc = -1;
        if (rc == 0 && samples > 1 && cd_sample_take(&taken[taken_count], dump, at) == 0)
            taken_count++;
        if (k > 0)
            cd_thread_dump_free(&later);
    }
    cJSON *extra = NULL;
    if (have_first && !json_started) {
        extra = rc == 0 && taken_count > 1 ? cd_hot_threads_json(taken, taken_count) : NULL;
        json_job_start(&json, request->dir, &first, extra);
        json_started = 1;
        if (rc == 0 && taken_count > 1)
            rc = write_hot_threads(request->dir, taken, taken_count, err);
    }
    if (json_started) {
        cd_error json_err = {0};
        if (json_job_finish(&json, &json_err) != 0 && rc == 0) {
            *err = json_err;
            rc = -1;
        }
    }
    if (have_first)
        cd_thread_dump_free(&first);
    cJSON_Delete(extra);
    for (size_t i = 0; i < taken_count; i++)
        cd_sample_free(&taken[i]);
    free(taken);
    cd_thread_session_close(&session);
    return rc;
}
