/*
 * Lock lines, ownable synchronizers, virtual threads and the live check of
 * deadlocks, for the threads part.
 *
 * Where each line comes from:
 *
 *   line                          agent loaded at start-up       loaded by attach (ThreadInfo)
 *   - waiting to lock <o>         GetCurrentContendedMonitor     getLockInfo
 *   - waiting on / re-lock        GetCurrentContendedMonitor (*) getLockInfo
 *   - locked <o>                  GetOwnedMonitorStackDepthInfo  getLockedMonitors
 *   - parking to wait for  <o>    Thread.parkBlocker (a JNI field read), both
 *   Locked ownable synchronizers  one JVMTI heap walk             getLockedSynchronizers
 *
 * JVMTI's monitor functions exist only for an agent loaded at start-up
 * (DESIGN section 9); after a late attach one ThreadMXBean.dumpAllThreads(true,
 * true) snapshot supplies stacks, monitors and synchronizers at once, from one
 * safepoint. The start-up path needs no Java allocation: its synchronizers
 * come from a heap walk, which on JDK 21+ also counts the virtual threads
 * (both paths).
 * (*) JDK 23 and later no longer report an Object.wait() object through
 * GetCurrentContendedMonitor; ThreadMXBean then names it, or, without Java
 * allocation, the line says "<no object reference available>" as jstack does
 * when it cannot tell.
 *
 * Objects are named by identity hash code (thread_model.h), which JVMTI's
 * GetObjectHashCode and LockInfo.getIdentityHashCode both give, so a blocked
 * thread's "waiting to lock" matches its owner's "locked" whichever source
 * each came from.
 *
 * JNI local references: every per-thread or per-object step runs inside its
 * own local frame, so thousands of threads or objects never pile references
 * up.
 */
#include <stdlib.h>
#include <string.h>

#include "base/heap_walk.h"
#include "base/jni_util.h"
#include "threads_internal.h"
#include "base/jvmti_util.h"

/* Classes and their objects carry different tags: the class objects are in
 * the heap too, and GetObjectsWithTags must hand back instances only. */
#define CLASS_TAG_SYNCHRONIZER 1
#define CLASS_TAG_VIRTUAL_THREAD 2
#define OBJECT_TAG_SYNCHRONIZER 11
#define OBJECT_TAG_VIRTUAL_THREAD 12
#define MAX_VIRTUAL_THREADS_INSPECTED 100000

/* ---------------------------------------------------------------- helpers */

static cd_object object_of(cd_thread_session *session, cd_thread_dump *dump, jobject object)
{
    cd_object result = {0, NULL};
    jint hash = 0;
    if ((*session->jvmti)->GetObjectHashCode(session->jvmti, object, &hash) == JVMTI_ERROR_NONE)
        result.id = (uint32_t)hash;
    result.class_name =
        cd_object_class_name(session->methods, session->jvmti, session->jni, object, dump);
    return result;
}

static int top_frame_is_wait(const cd_thread *t)
{
    if (t->frame_count == 0)
        return 0;
    const cd_method *m = t->frames[0].method;
    return strcmp(m->class_name, "java.lang.Object") == 0 &&
           (strcmp(m->method_name, "wait") == 0 || strcmp(m->method_name, "wait0") == 0);
}

/* The object a thread waits for in Object.wait(), or re-enters after it. */
static void add_wait_line(cd_thread_dump *dump, cd_thread *t, const cd_object *object)
{
    if (!object) {
        cd_thread_add_lock(dump, t, 0, CD_LOCK_WAITING_ON_UNKNOWN, (cd_object){0, NULL});
        return;
    }
    int relocking = t->state == CD_THREAD_BLOCKED;
    cd_thread_add_lock(dump, t, 0, relocking ? CD_LOCK_WAITING_TO_RELOCK : CD_LOCK_WAITING_ON,
                       *object);
    if (relocking) {
        t->wait_kind = CD_WAIT_MONITOR;
        t->waiting_for = *object;
    }
}

/* The monitor a BLOCKED thread is entering. */
static void add_blocked_line(cd_thread_dump *dump, cd_thread *t, const cd_object *object)
{
    cd_thread_add_lock(dump, t, 0, CD_LOCK_WAITING_TO_LOCK, *object);
    t->wait_kind = CD_WAIT_MONITOR;
    t->waiting_for = *object;
}

/* ---------------------------------------------------------------- park blockers */

static int64_t synchronizer_owner(cd_thread_session *session, jobject synchronizer)
{
    JNIEnv *jni = session->jni;
    jobject owner = (*jni)->GetObjectField(jni, synchronizer, session->synchronizer_owner_field);
    int64_t id = owner ? cd_thread_java_id(session, owner) : -1;
    if (owner)
        (*jni)->DeleteLocalRef(jni, owner);
    return id;
}

static int is_synchronizer(cd_thread_session *session, jobject object)
{
    return session->synchronizer_class &&
           (*session->jni)->IsInstanceOf(session->jni, object, session->synchronizer_class);
}

void cd_locks_park_blocker(cd_thread_session *session, cd_thread_dump *dump, size_t index,
                           jthread jthread)
{
    JNIEnv *jni = session->jni;
    cd_park_blocker *park = &session->park[index];
    memset(park, 0, sizeof *park);
    park->owner = -1;
    if (!session->park_blocker_field)
        return;
    jobject blocker = (*jni)->GetObjectField(jni, jthread, session->park_blocker_field);
    if (!blocker)
        return;
    park->present = 1;
    park->object = object_of(session, dump, blocker);
    if (is_synchronizer(session, blocker)) {
        park->synchronizer = 1;
        park->owner = synchronizer_owner(session, blocker);
    }
    (*jni)->DeleteLocalRef(jni, blocker);
}

void cd_locks_apply_park(cd_thread_session *session, cd_thread_dump *dump)
{
    for (size_t i = 0; i < dump->count; i++) {
        cd_thread *t = &dump->threads[i];
        const cd_park_blocker *park = &session->park[i];
        /* jstack prints the blocker under the top frame, unless that frame is
         * Object.wait() (whose line says what it waits on instead). */
        if (!park->present || t->frame_count == 0 || top_frame_is_wait(t))
            continue;
        if (cd_thread_add_lock(dump, t, 0, CD_LOCK_PARKING, park->object) != 0)
            continue;
        cd_frame_lock line = t->locks[t->lock_count - 1]; /* first among the lines */
        memmove(t->locks + 1, t->locks, (size_t)(t->lock_count - 1) * sizeof *t->locks);
        t->locks[0] = line;
        if (park->synchronizer && t->detail == CD_DETAIL_PARKING && t->wait_kind == CD_WAIT_NONE) {
            t->wait_kind = CD_WAIT_SYNCHRONIZER;
            t->waiting_for = park->object;
            t->waiting_for_owner = park->owner;
        }
    }
}

/* ---------------------------------------------------------------- JVMTI path */

void cd_locks_from_jvmti(cd_thread_session *session, cd_thread_dump *dump, cd_thread *t,
                         jthread jthread)
{
    jvmtiEnv *jvmti = session->jvmti;
    jobject contended = NULL;
    if ((*jvmti)->GetCurrentContendedMonitor(jvmti, jthread, &contended) != JVMTI_ERROR_NONE)
        contended = NULL;
    if (contended) {
        cd_object object = object_of(session, dump, contended);
        if (top_frame_is_wait(t))
            add_wait_line(dump, t, &object);
        else if (t->state == CD_THREAD_BLOCKED)
            add_blocked_line(dump, t, &object);
        (*session->jni)->DeleteLocalRef(session->jni, contended);
    }

    jint count = 0;
    jvmtiMonitorStackDepthInfo *owned = NULL;
    if ((*jvmti)->GetOwnedMonitorStackDepthInfo(jvmti, jthread, &count, &owned) != JVMTI_ERROR_NONE)
        return;
    /* JVMTI lists a frame's monitors outermost first; jstack prints them
     * innermost first. Walking backwards and sorting by depth (stable)
     * gives that order. */
    for (jint i = count - 1; i >= 0; i--) {
        cd_object object = object_of(session, dump, owned[i].monitor);
        cd_thread_add_lock(dump, t, owned[i].stack_depth, CD_LOCK_LOCKED, object);
        (*session->jni)->DeleteLocalRef(session->jni, owned[i].monitor);
    }
    cd_jvmti_free(jvmti, owned);
}

void cd_locks_link_monitor_owners(cd_thread_dump *dump)
{
    /* object id -> owner, from every thread's "locked" lines */
    size_t slots = 64;
    while (slots < dump->count * 4)
        slots *= 2;
    uint32_t *ids = calloc(slots, sizeof *ids);
    int64_t *owners = malloc(slots * sizeof *owners);
    unsigned char *used = calloc(slots, 1);
    if (!ids || !owners || !used)
        goto out;
    for (size_t i = 0; i < dump->count; i++) {
        const cd_thread *t = &dump->threads[i];
        for (int k = 0; k < t->lock_count; k++) {
            if (t->locks[k].action != CD_LOCK_LOCKED)
                continue;
            uint32_t id = t->locks[k].object.id;
            size_t s = (id * 2654435761u) & (slots - 1);
            while (used[s] && ids[s] != id)
                s = (s + 1) & (slots - 1);
            if (!used[s]) {
                used[s] = 1;
                ids[s] = id;
                owners[s] = t->java_id;
            }
        }
    }
    for (size_t i = 0; i < dump->count; i++) {
        cd_thread *t = &dump->threads[i];
        if (t->wait_kind != CD_WAIT_MONITOR)
            continue;
        uint32_t id = t->waiting_for.id;
        for (size_t s = (id * 2654435761u) & (slots - 1); used[s]; s = (s + 1) & (slots - 1))
            if (ids[s] == id) {
                t->waiting_for_owner = owners[s];
                break;
            }
    }
out:
    free(ids);
    free(owners);
    free(used);
}

/* ---------------------------------------------------------------- ThreadMXBean */

/* Calls through cached method ids. Each call is followed by an exception
 * check (checked JNI insists), and an exception gives the fallback value. */
static jobject call_object(JNIEnv *jni, jobject target, jmethodID method)
{
    jobject result = (*jni)->CallObjectMethod(jni, target, method);
    return cd_jni_clear_exception(jni) ? NULL : result;
}

static jint call_int(JNIEnv *jni, jobject target, jmethodID method, jint fallback)
{
    jint result = (*jni)->CallIntMethod(jni, target, method);
    return cd_jni_clear_exception(jni) ? fallback : result;
}

static jlong call_long(JNIEnv *jni, jobject target, jmethodID method, jlong fallback)
{
    jlong result = (*jni)->CallLongMethod(jni, target, method);
    return cd_jni_clear_exception(jni) ? fallback : result;
}

typedef struct mx_methods {
    jmethodID thread_id, thread_state, lock_info, lock_owner, locked_monitors, locked_synchronizers,
        stack_trace;
    jmethodID lock_class, lock_hash, monitor_depth, ordinal;
} mx_methods;

static int mx_methods_init(JNIEnv *jni, mx_methods *m, cd_error *err)
{
    memset(m, 0, sizeof *m);
    jclass info = (*jni)->FindClass(jni, "java/lang/management/ThreadInfo");
    jclass lock = info ? (*jni)->FindClass(jni, "java/lang/management/LockInfo") : NULL;
    jclass monitor = lock ? (*jni)->FindClass(jni, "java/lang/management/MonitorInfo") : NULL;
    jclass enumeration = monitor ? (*jni)->FindClass(jni, "java/lang/Enum") : NULL;
    if (enumeration) {
        m->thread_id = (*jni)->GetMethodID(jni, info, "getThreadId", "()J");
        m->thread_state =
            (*jni)->GetMethodID(jni, info, "getThreadState", "()Ljava/lang/Thread$State;");
        m->lock_info =
            (*jni)->GetMethodID(jni, info, "getLockInfo", "()Ljava/lang/management/LockInfo;");
        m->lock_owner = (*jni)->GetMethodID(jni, info, "getLockOwnerId", "()J");
        m->locked_monitors = (*jni)->GetMethodID(jni, info, "getLockedMonitors",
                                                 "()[Ljava/lang/management/MonitorInfo;");
        m->locked_synchronizers = (*jni)->GetMethodID(jni, info, "getLockedSynchronizers",
                                                      "()[Ljava/lang/management/LockInfo;");
        m->stack_trace =
            (*jni)->GetMethodID(jni, info, "getStackTrace", "()[Ljava/lang/StackTraceElement;");
        m->lock_class = (*jni)->GetMethodID(jni, lock, "getClassName", "()Ljava/lang/String;");
        m->lock_hash = (*jni)->GetMethodID(jni, lock, "getIdentityHashCode", "()I");
        m->monitor_depth = (*jni)->GetMethodID(jni, monitor, "getLockedStackDepth", "()I");
        m->ordinal = (*jni)->GetMethodID(jni, enumeration, "ordinal", "()I");
    }
    int rc = cd_jni_check(jni, "java.lang.management", err);
    jclass locals[] = {info, lock, monitor, enumeration};
    for (size_t i = 0; i < sizeof locals / sizeof *locals; i++)
        if (locals[i])
            (*jni)->DeleteLocalRef(jni, locals[i]);
    if (rc == 0 && !m->ordinal)
        rc = cd_fail(err, CD_ERR_UNSUPPORTED, "java.lang.management.ThreadInfo is incomplete");
    return rc;
}

/* LockInfo -> cd_object (class name interned in the dump's arena). */
static cd_object lock_object(cd_thread_dump *dump, JNIEnv *jni, const mx_methods *m, jobject lock)
{
    cd_object result = {0, NULL};
    result.id = (uint32_t)call_int(jni, lock, m->lock_hash, 0);
    jstring name = (jstring)call_object(jni, lock, m->lock_class);
    char *utf = cd_jni_utf(jni, name);
    result.class_name = cd_arena_strdup(&dump->arena, utf ? utf : "?");
    free(utf);
    if (name)
        (*jni)->DeleteLocalRef(jni, name);
    return result;
}

static jobject thread_mxbean(JNIEnv *jni, cd_error *err)
{
    return cd_jni_static_object(jni, "java/lang/management/ManagementFactory", "getThreadMXBean",
                                "()Ljava/lang/management/ThreadMXBean;", err);
}

/* The parenthesised part of a WAITING state, from the top frame: the same
 * words the VM would use, for a snapshot JVMTI did not see. */
static cd_state_detail detail_from_top_frame(const cd_thread *t)
{
    if (t->frame_count == 0)
        return CD_DETAIL_NONE;
    const cd_method *m = t->frames[0].method;
    if (top_frame_is_wait(t))
        return CD_DETAIL_OBJECT_MONITOR;
    if (strcmp(m->method_name, "park") == 0 && strstr(m->class_name, ".Unsafe"))
        return CD_DETAIL_PARKING;
    if (strcmp(m->class_name, "java.lang.Thread") == 0 && strncmp(m->method_name, "sleep", 5) == 0)
        return CD_DETAIL_SLEEPING;
    return CD_DETAIL_NONE;
}

/* ThreadInfo's state and the detail that goes with it. JVMTI's detail is kept
 * when JVMTI saw the same state a moment earlier. */
static void apply_state(cd_thread *t, jint ordinal)
{
    static const cd_thread_state by_ordinal[] = {CD_THREAD_NEW,           CD_THREAD_RUNNABLE,
                                                 CD_THREAD_BLOCKED,       CD_THREAD_WAITING,
                                                 CD_THREAD_TIMED_WAITING, CD_THREAD_TERMINATED};
    if (ordinal < 0 || ordinal >= (jint)(sizeof by_ordinal / sizeof *by_ordinal))
        return;
    cd_thread_state state = by_ordinal[ordinal];
    cd_state_detail from_top = detail_from_top_frame(t);
    int waiting = state == CD_THREAD_WAITING || state == CD_THREAD_TIMED_WAITING;
    if (state == t->state && (!waiting || from_top == CD_DETAIL_NONE || from_top == t->detail))
        return; /* JVMTI saw the same */
    t->state = state;
    t->detail = state == CD_THREAD_BLOCKED ? CD_DETAIL_OBJECT_MONITOR
                : waiting                  ? from_top
                                           : CD_DETAIL_NONE;
}

#define MAX_MONITORS_PER_THREAD 256

/* Applies one ThreadInfo to its thread: stack, state and lock lines, all from
 * the same snapshot. Runs in a local
 * frame of its own. Returns 0, or -1 if the stack could not be read. */
static int apply_thread_info(cd_thread_session *session, cd_thread_dump *dump, cd_thread *t,
                             const mx_methods *m, jobject info)
{
    JNIEnv *jni = session->jni;
    jobjectArray stack = (jobjectArray)call_object(jni, info, m->stack_trace);
    cd_error err = {0};
    if (cd_frames_from_java(session->methods, session->jvmti, jni, stack, dump, &t->frames,
                            &t->frame_count, &err) != 0)
        return -1;
    t->frames_omitted = 0;
    jobject state = call_object(jni, info, m->thread_state);
    if (state)
        apply_state(t, call_int(jni, state, m->ordinal, -1));

    jobject lock = call_object(jni, info, m->lock_info);
    jlong owner = call_long(jni, info, m->lock_owner, -1);
    cd_object lock_object_value = {0, NULL};
    if (lock)
        lock_object_value = lock_object(dump, jni, m, lock);
    if (top_frame_is_wait(t)) {
        add_wait_line(dump, t, lock ? &lock_object_value : NULL);
        if (t->wait_kind == CD_WAIT_MONITOR)
            t->waiting_for_owner = owner;
    } else if (lock && t->state == CD_THREAD_BLOCKED) {
        add_blocked_line(dump, t, &lock_object_value);
        t->waiting_for_owner = owner;
    }

    jobjectArray monitors = (jobjectArray)call_object(jni, info, m->locked_monitors);
    jsize n = monitors ? (*jni)->GetArrayLength(jni, monitors) : 0;
    for (jsize i = 0; i < n && i < MAX_MONITORS_PER_THREAD; i++) {
        jobject item = (*jni)->GetObjectArrayElement(jni, monitors, i);
        if (!item)
            continue;
        jint depth = call_int(jni, item, m->monitor_depth, -1);
        cd_thread_add_lock(dump, t, depth, CD_LOCK_LOCKED, lock_object(dump, jni, m, item));
        (*jni)->DeleteLocalRef(jni, item);
    }
    return 0;
}

/* One ThreadInfo's ownable synchronizers to its thread. */
static void apply_synchronizers(cd_thread_dump *dump, JNIEnv *jni, const mx_methods *m,
                                cd_thread *t, jobject info)
{
    jobjectArray syncs = (jobjectArray)call_object(jni, info, m->locked_synchronizers);
    jsize n = syncs ? (*jni)->GetArrayLength(jni, syncs) : 0;
    t->synchronizers =
        n ? cd_arena_alloc(&dump->arena, (size_t)n * sizeof *t->synchronizers) : NULL;
    t->synchronizer_count = 0;
    for (jsize i = 0; i < n && t->synchronizers; i++) {
        jobject item = (*jni)->GetObjectArrayElement(jni, syncs, i);
        if (!item)
            continue;
        t->synchronizers[t->synchronizer_count++] = lock_object(dump, jni, m, item);
        (*jni)->DeleteLocalRef(jni, item);
    }
    t->synchronizers_known = !n || t->synchronizers;
}

/* ThreadMXBean's ThreadInfo[] for these thread ids, in their order. */
static jobjectArray thread_infos(JNIEnv *jni, jobject bean, const int64_t *ids, jsize count,
                                 int locked_monitors, int locked_synchronizers, cd_error *err)
{
    jlongArray array = (*jni)->NewLongArray(jni, count);
    if (!array) {
        cd_jni_check(jni, "NewLongArray", err);
        return NULL;
    }
    (*jni)->SetLongArrayRegion(jni, array, 0, count, (const jlong *)ids);
    return (jobjectArray)cd_jni_object(jni, bean, "getThreadInfo",
                                       "([JZZ)[Ljava/lang/management/ThreadInfo;", err, array,
                                       (jboolean)locked_monitors, (jboolean)locked_synchronizers);
}

/* Whether the thread can have a lock line: it is blocked on a monitor, or
 * waits in Object.wait, or has a frame that may hold a monitor it entered
 * (frames beyond the ones listed are not known, so they may). */
static int may_have_lock_lines(const cd_thread *t)
{
    if (t->state == CD_THREAD_BLOCKED || top_frame_is_wait(t) || t->frames_omitted)
        return 1;
    for (int i = 0; i < t->frame_count; i++)
        if (t->frames[i].method->may_lock)
            return 1;
    return 0;
}

int cd_locks_from_mxbean(cd_thread_session *session, cd_thread_dump *dump, unsigned char *seen,
                         cd_error *err)
{
    JNIEnv *jni = session->jni;
    size_t wanted = 0;
    int64_t *ids = malloc((dump->count + 1) * sizeof *ids);
    size_t *where = malloc((dump->count + 1) * sizeof *where);
    if (!ids || !where) {
        free(ids);
        free(where);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < dump->count; i++)
        if (dump->threads[i].java_id >= 0 && may_have_lock_lines(&dump->threads[i])) {
            ids[wanted] = dump->threads[i].java_id;
            where[wanted++] = i;
        }
    int rc = 0;
    mx_methods m;
    jobject bean = NULL;
    jobjectArray infos = NULL;
    if (wanted == 0 || (rc = cd_jni_frame_push(jni, 32, err)) != 0)
        goto done;
    rc = -1;
    if (mx_methods_init(jni, &m, err) != 0 || !(bean = thread_mxbean(jni, err)) ||
        !(infos = thread_infos(jni, bean, ids, (jsize)wanted, 1, 0, err)))
        goto out;
    rc = 0;
    jsize n = (*jni)->GetArrayLength(jni, infos);
    for (jsize k = 0; rc == 0 && k < n && (size_t)k < wanted; k++) {
        if ((*jni)->PushLocalFrame(jni, 64) != 0) {
            cd_jni_clear_exception(jni);
            rc = cd_fail(err, CD_ERR_NOMEM, "no room for JNI local references");
            break;
        }
        /* getThreadInfo answers in the order asked, null for a thread that
         * ended meanwhile: that one keeps what JVMTI saw */
        jobject info = (*jni)->GetObjectArrayElement(jni, infos, k);
        size_t at = where[k];
        if (info && call_long(jni, info, m.thread_id, -1) == ids[k]) {
            if (apply_thread_info(session, dump, &dump->threads[at], &m, info) == 0)
                seen[at] = 1;
            else
                rc = cd_fail(err, CD_ERR_UNSUPPORTED,
                             "cannot read the stack traces ThreadMXBean returns");
        }
        (*jni)->PopLocalFrame(jni, NULL);
    }
out:
    cd_jni_frame_pop(jni);
done:
    free(ids);
    free(where);
    return rc;
}

int cd_locks_synchronizers_from_mxbean(cd_thread_session *session, cd_thread_dump *dump,
                                       cd_error *err)
{
    JNIEnv *jni = session->jni;
    if (cd_jni_frame_push(jni, 32, err) != 0)
        return -1;
    int rc = -1;
    mx_methods m;
    cd_thread_index index;
    jobject bean = NULL;
    jobjectArray infos = NULL;
    if (mx_methods_init(jni, &m, err) != 0 || !(bean = thread_mxbean(jni, err)) ||
        !(infos = (jobjectArray)cd_jni_object(jni, bean, "dumpAllThreads",
                                              "(ZZI)[Ljava/lang/management/ThreadInfo;", err,
                                              (jboolean)JNI_FALSE, (jboolean)JNI_TRUE, (jint)0)))
        goto out;
    if (cd_thread_index_build(&index, dump) != 0) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
    jsize n = (*jni)->GetArrayLength(jni, infos);
    for (jsize k = 0; rc == 0 && k < n; k++) {
        if ((*jni)->PushLocalFrame(jni, 32) != 0) {
            cd_jni_clear_exception(jni);
            rc = cd_fail(err, CD_ERR_NOMEM, "no room for JNI local references");
            break;
        }
        jobject info = (*jni)->GetObjectArrayElement(jni, infos, k);
        size_t at =
            info ? cd_thread_index_get(&index, call_long(jni, info, m.thread_id, -1)) : (size_t)-1;
        if (at != (size_t)-1)
            apply_synchronizers(dump, jni, &m, &dump->threads[at], info);
        (*jni)->PopLocalFrame(jni, NULL);
    }
    cd_thread_index_free(&index);
out:
    cd_jni_frame_pop(jni);
    return rc;
}

void cd_locks_fill_wait_objects(cd_thread_session *session, cd_thread_dump *dump)
{
    JNIEnv *jni = session->jni;
    size_t n = 0;
    int64_t *ids = malloc((dump->count + 1) * sizeof *ids);
    size_t *where = malloc((dump->count + 1) * sizeof *where);
    for (size_t i = 0; ids && where && i < dump->count; i++) {
        cd_thread *t = &dump->threads[i];
        int named = 0;
        for (int k = 0; k < t->lock_count; k++)
            named |= t->locks[k].depth == 0 && (t->locks[k].action == CD_LOCK_WAITING_ON ||
                                                t->locks[k].action == CD_LOCK_WAITING_TO_RELOCK);
        if (top_frame_is_wait(t) && !named) {
            ids[n] = t->java_id;
            where[n++] = i;
        }
    }
    mx_methods m;
    cd_error err = {0};
    int asked = 0;
    if (n && session->java_allowed && cd_jni_frame_push(jni, 32, &err) == 0) {
        jobject bean = mx_methods_init(jni, &m, &err) == 0 ? thread_mxbean(jni, &err) : NULL;
        jobjectArray infos = bean ? thread_infos(jni, bean, ids, (jsize)n, 0, 0, &err) : NULL;
        for (size_t k = 0; infos && k < n; k++) {
            jobject info = (*jni)->GetObjectArrayElement(jni, infos, (jsize)k);
            jobject lock = info ? call_object(jni, info, m.lock_info) : NULL;
            cd_thread *t = &dump->threads[where[k]];
            cd_object object = {0, NULL};
            if (lock)
                object = lock_object(dump, jni, &m, lock);
            add_wait_line(dump, t, lock ? &object : NULL);
            if (lock)
                (*jni)->DeleteLocalRef(jni, lock);
            if (info)
                (*jni)->DeleteLocalRef(jni, info);
        }
        asked = infos != NULL;
        cd_jni_frame_pop(jni);
    }
    for (size_t k = 0; !asked && k < n; k++)
        add_wait_line(dump, &dump->threads[where[k]], NULL);
    free(ids);
    free(where);
}

/* ---------------------------------------------------------------- heap walk */

static jint JNICALL tag_interesting(jlong class_tag, jlong size, jlong *tag_ptr, jint length,
                                    void *user_data)
{
    /* At a safepoint: memory only, no JNI. */
    if (class_tag == CLASS_TAG_SYNCHRONIZER)
        *tag_ptr = OBJECT_TAG_SYNCHRONIZER;
    else if (class_tag == CLASS_TAG_VIRTUAL_THREAD)
        *tag_ptr = OBJECT_TAG_VIRTUAL_THREAD;
    return 0;
}

/* With a class filter, every object the walk reports is one looked for. */
static jint JNICALL tag_virtual_thread(jlong class_tag, jlong size, jlong *tag_ptr, jint length,
                                       void *user_data)
{
    *tag_ptr = OBJECT_TAG_VIRTUAL_THREAD;
    return 0;
}

/* Tags the classes whose objects the walk looks for. */
static int tag_classes(cd_thread_session *session, jvmtiEnv *walk, int synchronizers, cd_error *err)
{
    JNIEnv *jni = session->jni;
    jint count = 0;
    jclass *classes = NULL;
    if (cd_jni_frame_push(jni, 16, err) != 0)
        return -1;
    jvmtiError e = (*walk)->GetLoadedClasses(walk, &count, &classes);
    if (e != JVMTI_ERROR_NONE) {
        cd_jni_frame_pop(jni);
        return cd_jvmti_fail(err, e, "GetLoadedClasses");
    }
    if ((*jni)->EnsureLocalCapacity(jni, count + 16) != 0) /* one reference per class */
        cd_jni_clear_exception(jni);
    for (jint i = 0; i < count; i++) {
        jclass cls = classes[i];
        if (synchronizers && (*jni)->IsAssignableFrom(jni, cls, session->synchronizer_class))
            (*walk)->SetTag(walk, cls, CLASS_TAG_SYNCHRONIZER);
        else if (session->virtual_thread_class &&
                 (*jni)->IsSameObject(jni, cls, session->virtual_thread_class))
            (*walk)->SetTag(walk, cls, CLASS_TAG_VIRTUAL_THREAD);
        (*jni)->DeleteLocalRef(jni, cls);
    }
    cd_jvmti_free(walk, classes);
    cd_jni_frame_pop(jni);
    return 0;
}

/* The objects tagged tag, each handed to visit inside its own local frame. */
static int
for_tagged(cd_thread_session *session, jvmtiEnv *walk, jlong tag, jint limit,
           void (*visit)(cd_thread_session *, cd_thread_dump *, const cd_thread_index *, jobject),
           cd_thread_dump *dump, const cd_thread_index *index, jint *total, cd_error *err)
{
    JNIEnv *jni = session->jni;
    jint count = 0;
    jobject *objects = NULL;
    jvmtiError e = (*walk)->GetObjectsWithTags(walk, 1, &tag, &count, NULL, NULL);
    *total = count;
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetObjectsWithTags");
    if (count == 0 || count > limit)
        return 0;
    if (cd_jni_frame_push(jni, count + 16, err) != 0)
        return -1;
    e = (*walk)->GetObjectsWithTags(walk, 1, &tag, &count, &objects, NULL);
    if (e != JVMTI_ERROR_NONE) {
        cd_jni_frame_pop(jni);
        return cd_jvmti_fail(err, e, "GetObjectsWithTags");
    }
    for (jint i = 0; i < count; i++) {
        if ((*jni)->PushLocalFrame(jni, 32) == 0) {
            visit(session, dump, index, objects[i]);
            (*jni)->PopLocalFrame(jni, NULL);
        }
        cd_jni_clear_exception(jni);
        (*jni)->DeleteLocalRef(jni, objects[i]);
    }
    cd_jvmti_free(walk, objects);
    cd_jni_frame_pop(jni);
    return 0;
}

static void visit_synchronizer(cd_thread_session *session, cd_thread_dump *dump,
                               const cd_thread_index *index, jobject synchronizer)
{
    size_t at = cd_thread_index_get(index, synchronizer_owner(session, synchronizer));
    if (at == (size_t)-1)
        return;
    cd_thread *t = &dump->threads[at];
    int n = t->synchronizer_count;
    if ((n & (n - 1)) == 0) { /* grow at 0, 1, 2, 4, 8 ... */
        cd_object *grown = cd_arena_alloc(&dump->arena, (size_t)(n ? n * 2 : 1) * sizeof *grown);
        if (!grown)
            return;
        if (n)
            memcpy(grown, t->synchronizers, (size_t)n * sizeof *grown);
        t->synchronizers = grown;
    }
    t->synchronizers[t->synchronizer_count++] = object_of(session, dump, synchronizer);
}

static void visit_virtual_thread(cd_thread_session *session, cd_thread_dump *dump,
                                 const cd_thread_index *index, jobject vthread)
{
    JNIEnv *jni = session->jni;
    jint state = (*jni)->GetIntField(jni, vthread, session->virtual_state_field);
    if (state == session->virtual_new || state == session->virtual_terminated)
        return;
    dump->virtual_threads++;
    jobject carrier = (*jni)->GetObjectField(jni, vthread, session->virtual_carrier_field);
    if (!carrier)
        return;
    dump->virtual_threads_mounted++;
    size_t at = cd_thread_index_get(index, cd_thread_java_id(session, carrier));
    if (at == (size_t)-1)
        return;
    cd_thread *t = &dump->threads[at];
    t->carried_virtual_id = cd_thread_java_id(session, vthread);
    if (!session->java_allowed)
        return;
    cd_error err = {0};
    jobjectArray stack = (jobjectArray)cd_jni_object(jni, vthread, "getStackTrace",
                                                     "()[Ljava/lang/StackTraceElement;", &err);
    if (stack && cd_frames_from_java(session->methods, session->jvmti, jni, stack, dump,
                                     &t->virtual_frames, &t->virtual_frame_count, &err) == 0)
        t->virtual_frames_known = 1;
}

int cd_locks_heap_scan(cd_thread_session *session, cd_thread_dump *dump, int synchronizers,
                       cd_error *err)
{
    jvmtiEnv *walk = NULL;
    cd_thread_index index;
    if (synchronizers && !session->synchronizer_class)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "no java.util.concurrent.locks in this VM");
    if (!synchronizers && !session->virtual_thread_class)
        return 0;
    if (cd_walk_env_open(session->ctx->agent, &walk, err) != 0)
        return -1;
    if (cd_thread_index_build(&index, dump) != 0) {
        cd_walk_env_close(walk);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    }
    int rc = synchronizers ? tag_classes(session, walk, synchronizers, err) : 0;
    if (rc == 0) {
        /* Only objects of the classes looked for reach the callback. For
         * virtual threads alone that is a class filter (VirtualThread is
         * final), which the VM checks before it looks up any tag; with
         * synchronizers (any subclass) the classes are tagged and untagged
         * ones skipped. Either keeps the pause short on a heap of millions. */
        jvmtiHeapCallbacks callbacks;
        memset(&callbacks, 0, sizeof callbacks);
        callbacks.heap_iteration_callback = synchronizers ? tag_interesting : tag_virtual_thread;
        jvmtiError e = synchronizers
                           ? (*walk)->IterateThroughHeap(walk, JVMTI_HEAP_FILTER_CLASS_UNTAGGED,
                                                         NULL, &callbacks, NULL)
                           : (*walk)->IterateThroughHeap(walk, 0, session->virtual_thread_class,
                                                         &callbacks, NULL);
        if (e != JVMTI_ERROR_NONE)
            rc = cd_jvmti_fail(err, e, "IterateThroughHeap");
    }
    jint total = 0;
    if (rc == 0 && synchronizers)
        rc = for_tagged(session, walk, OBJECT_TAG_SYNCHRONIZER, INT32_MAX, visit_synchronizer, dump,
                        &index, &total, err);
    if (rc == 0 && synchronizers)
        for (size_t i = 0; i < dump->count; i++)
            dump->threads[i].synchronizers_known = 1;
    if (rc == 0 && session->virtual_thread_class) {
        dump->virtual_threads = 0;
        dump->virtual_threads_mounted = 0;
        cd_error vt_err = {0};
        if (for_tagged(session, walk, OBJECT_TAG_VIRTUAL_THREAD, MAX_VIRTUAL_THREADS_INSPECTED,
                       visit_virtual_thread, dump, &index, &total, &vt_err) != 0) {
            dump->virtual_threads = -1;
            dump->virtual_note = cd_arena_strdup(&dump->arena, vt_err.message);
        } else if (total > MAX_VIRTUAL_THREADS_INSPECTED) {
            dump->virtual_threads = -1;
            char note[160];
            snprintf(note, sizeof note,
                     "%d virtual thread objects in the heap, more than the %d inspected",
                     (int)total, MAX_VIRTUAL_THREADS_INSPECTED);
            dump->virtual_note = cd_arena_strdup(&dump->arena, note);
        }
    }
    cd_thread_index_free(&index);
    cd_walk_env_close(walk);
    return rc;
}

/* ---------------------------------------------------------------- deadlock check */

/* Whether t still waits for the same object, held by next. Monitor edges
 * from a ThreadMXBean snapshot were all read at one safepoint and hold as
 * they are; JVMTI's monitor data and park blockers were read thread by
 * thread, so those are read again. */
static int edge_holds(cd_thread_session *session, const cd_thread *t, jthread jt,
                      const cd_thread *next)
{
    JNIEnv *jni = session->jni;
    jvmtiEnv *jvmti = session->jvmti;
    jint hash = 0;
    int holds = 0;
    if (t->wait_kind == CD_WAIT_SYNCHRONIZER) {
        jobject blocker = (*jni)->GetObjectField(jni, jt, session->park_blocker_field);
        holds = blocker && (*jvmti)->GetObjectHashCode(jvmti, blocker, &hash) == JVMTI_ERROR_NONE &&
                (uint32_t)hash == t->waiting_for.id &&
                synchronizer_owner(session, blocker) == next->java_id;
        if (blocker)
            (*jni)->DeleteLocalRef(jni, blocker);
    } else if (session->jvmti_monitors) {
        jobject monitor = NULL;
        jvmtiMonitorUsage usage;
        memset(&usage, 0, sizeof usage);
        if ((*jvmti)->GetCurrentContendedMonitor(jvmti, jt, &monitor) == JVMTI_ERROR_NONE &&
            monitor && (*jvmti)->GetObjectHashCode(jvmti, monitor, &hash) == JVMTI_ERROR_NONE &&
            (uint32_t)hash == t->waiting_for.id &&
            (*jvmti)->GetObjectMonitorUsage(jvmti, monitor, &usage) == JVMTI_ERROR_NONE) {
            holds = usage.owner && cd_thread_java_id(session, usage.owner) == next->java_id;
            cd_jvmti_free(jvmti, usage.waiters);
            cd_jvmti_free(jvmti, usage.notify_waiters);
        }
    } else {
        holds = 1;
    }
    cd_jni_clear_exception(jni);
    return holds;
}

void cd_deadlocks_confirm(cd_thread_session *session, cd_thread_dump *dump)
{
    JNIEnv *jni = session->jni;
    size_t kept = 0;
    for (size_t d = 0; d < dump->deadlock_count; d++) {
        const cd_deadlock *cycle = &dump->deadlocks[d];
        int holds = 1;
        for (size_t k = 0; holds && k < cycle->count; k++) {
            if ((*jni)->PushLocalFrame(jni, 32) != 0) {
                cd_jni_clear_exception(jni);
                break;
            }
            size_t at = cycle->threads[k];
            holds = edge_holds(session, &dump->threads[at], session->jthreads[at],
                               &dump->threads[cycle->threads[(k + 1) % cycle->count]]);
            (*jni)->PopLocalFrame(jni, NULL);
        }
        if (holds)
            dump->deadlocks[kept++] = *cycle;
    }
    dump->deadlock_count = kept;
}
