/*
 * A thread dump's session: what every dump of one request needs from the VM
 * before it starts, and the per-thread reads that rest on it.
 *
 *  - The JDK classes a dump reads (Thread, its FieldHolder, the ownable
 *    synchronizer base class, VirtualThread, Module and its descriptor),
 *    found among the loaded classes once per VM and kept: they come from the
 *    boot loader, which never unloads a class.
 *  - The fields read per thread instead of asking JVMTI: #id, eetop (the
 *    JavaThread), park blocker, name, priority and daemon.
 *  - The VM's name and version, the dump's style (the JDK it imitates), the
 *    method cache, and the VM structure layout that leads to each nid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jni_util.h"
#include "threads_internal.h"
#include "base/vm_fields.h"
#include "base/jvmti_util.h"
#include "vm_threads.h"

static char *system_property(jvmtiEnv *jvmti, const char *name)
{
    char *value = NULL;
    if ((*jvmti)->GetSystemProperty(jvmti, name, &value) != JVMTI_ERROR_NONE || !value)
        return NULL;
    char *copy = strdup(value);
    cd_jvmti_free(jvmti, value);
    return copy;
}

/* The JDK classes of cd_jdk_classes, as global references kept for the life
 * of the VM: all come from the boot loader, which never unloads a class, and
 * finding them means asking the signature of every loaded class, the largest
 * part of opening a session. Only the request thread touches them, one
 * request at a time. */
static cd_jdk_classes kept_classes;

#define JDK_CLASS_COUNT 7

/* The members of c, in the order of find_jdk_classes's signatures. */
static void class_slots(cd_jdk_classes *c, jclass *slots[JDK_CLASS_COUNT])
{
    jclass *all[JDK_CLASS_COUNT] = {&c->thread,         &c->thread_holder, &c->synchronizer,
                                    &c->virtual_thread, &c->module,        &c->module_descriptor,
                                    &c->module_version};
    memcpy(slots, all, sizeof all);
}

/* Whether kept has every class a JDK of this feature release loads at
 * start-up (VirtualThread and Thread$FieldHolder exist from JDK 19 on). */
static int kept_complete(const cd_jdk_classes *kept, int jdk_feature)
{
    int modern = jdk_feature == 0 || jdk_feature >= 19;
    return kept->thread && kept->synchronizer && kept->module && kept->module_descriptor &&
           kept->module_version && (!modern || (kept->thread_holder && kept->virtual_thread));
}

/* Finds the JDK classes among the loaded ones, once per VM while they are
 * all there, and gives the session its own global references to them. */
static int find_jdk_classes(jvmtiEnv *jvmti, JNIEnv *jni, int jdk_feature, cd_jdk_classes *out,
                            cd_error *err)
{
    static const char *const signatures[] = {
        "Ljava/lang/Thread;",
        "Ljava/lang/Thread$FieldHolder;",
        "Ljava/util/concurrent/locks/AbstractOwnableSynchronizer;",
        "Ljava/lang/VirtualThread;",
        "Ljava/lang/Module;",
        "Ljava/lang/module/ModuleDescriptor;",
        "Ljava/lang/module/ModuleDescriptor$Version;",
    };
    enum { COUNT = sizeof signatures / sizeof *signatures };
    _Static_assert(COUNT == JDK_CLASS_COUNT, "one member per signature");
    jclass *kept[JDK_CLASS_COUNT], *slots[JDK_CLASS_COUNT];
    class_slots(&kept_classes, kept);
    class_slots(out, slots);
    memset(out, 0, sizeof *out);
    if (!kept_complete(&kept_classes, jdk_feature)) {
        jclass found[COUNT];
        if (cd_jni_frame_push(jni, 16, err) != 0)
            return -1;
        /* the classes found stay local references in this frame */
        int rc = cd_find_loaded_classes_jni(jvmti, jni, signatures, found, COUNT, err);
        for (int i = 0; rc == 0 && i < COUNT; i++)
            if (!*kept[i] && found[i])
                *kept[i] = (jclass)(*jni)->NewGlobalRef(jni, found[i]);
        cd_jni_frame_pop(jni);
        if (rc != 0)
            return -1;
    }
    for (int i = 0; i < COUNT; i++)
        *slots[i] = *kept[i] ? (jclass)(*jni)->NewGlobalRef(jni, *kept[i]) : NULL;
    return 0;
}

static void free_jdk_classes(JNIEnv *jni, cd_jdk_classes *classes)
{
    jclass *slots[JDK_CLASS_COUNT];
    class_slots(classes, slots);
    for (int i = 0; i < JDK_CLASS_COUNT; i++)
        if (*slots[i])
            (*jni)->DeleteGlobalRef(jni, *slots[i]);
    memset(classes, 0, sizeof *classes);
}

int64_t cd_thread_java_id(cd_thread_session *session, jobject thread)
{
    if (!thread || !session->thread_id_field)
        return -1;
    return (int64_t)(*session->jni)->GetLongField(session->jni, thread, session->thread_id_field);
}

/* Where name, priority and daemon live in java.lang.Thread: read from there
 * they cost a field read each, where JVMTI's GetThreadInfo (on JDK 21+)
 * first stops every virtual thread transition in the VM, for each thread. */
static void find_thread_basics(cd_thread_session *s)
{
    jvmtiEnv *jvmti = s->jvmti;
    jclass thread = s->classes.thread, holder = s->classes.thread_holder;
    jfieldID name = cd_typed_field(jvmti, thread, "name", "Ljava/lang/String;", 0);
    jfieldID priority = cd_typed_field(jvmti, thread, "priority", "I", 0);
    jfieldID daemon = cd_typed_field(jvmti, thread, "daemon", "Z", 0);
    jfieldID holder_field = NULL;
    if (!priority && !daemon && holder) {
        holder_field = cd_typed_field(jvmti, thread, "holder", "Ljava/lang/Thread$FieldHolder;", 0);
        priority = cd_typed_field(jvmti, holder, "priority", "I", 0);
        daemon = cd_typed_field(jvmti, holder, "daemon", "Z", 0);
        if (!holder_field)
            priority = daemon = NULL;
    }
    if (name && priority && daemon) {
        s->name_field = name;
        s->holder_field = holder_field;
        s->priority_field = priority;
        s->daemon_field = daemon;
    }
}

void cd_thread_session_close(cd_thread_session *s)
{
    JNIEnv *jni = s->jni;
    free_jdk_classes(jni, &s->classes);
    cd_method_cache_free(s->methods, jni);
    cd_vm_threads_close(s->vm_threads);
    cd_vm_layout_close(s->layout);
    free(s->vm_name);
    free(s->vm_version);
    free(s->vm_info);
    memset(s, 0, sizeof *s);
}

int cd_thread_session_open(cd_thread_session *s, cd_part_ctx *ctx, cd_error *err)
{
    memset(s, 0, sizeof *s);
    JNIEnv *jni = ctx->jni;
    s->ctx = ctx;
    s->jvmti = ctx->jvmti;
    s->jni = jni;
    s->java_allowed = !ctx->java_heap_exhausted;

    jvmtiEnv *jvmti = s->jvmti;
    char *spec = system_property(jvmti, "java.vm.specification.version");
    cd_dump_style_for(spec, &s->style);
    free(spec);
    if (find_jdk_classes(jvmti, jni, s->style.jdk_feature, &s->classes, err) != 0)
        return -1;
    jclass thread = s->classes.thread;
    if (!thread)
        return cd_fail(err, CD_ERR_INTERNAL, "java.lang.Thread is not among the loaded classes");
    s->thread_id_field = cd_typed_field(jvmti, thread, "tid", "J", 0);
    s->eetop_field = cd_typed_field(jvmti, thread, "eetop", "J", 0);
    s->park_blocker_field = cd_typed_field(jvmti, thread, "parkBlocker", "Ljava/lang/Object;", 0);
    find_thread_basics(s);
    s->synchronizer_owner_field = cd_typed_field(jvmti, s->classes.synchronizer,
                                                 "exclusiveOwnerThread", "Ljava/lang/Thread;", 0);
    s->synchronizer_class = s->synchronizer_owner_field ? s->classes.synchronizer : NULL;
    jclass virtual_thread = s->classes.virtual_thread;
    s->virtual_state_field = cd_typed_field(jvmti, virtual_thread, "state", "I", 0);
    s->virtual_carrier_field =
        cd_typed_field(jvmti, virtual_thread, "carrierThread", "Ljava/lang/Thread;", 0);
    jfieldID new_state = cd_typed_field(jvmti, virtual_thread, "NEW", "I", 1);
    jfieldID terminated_state = cd_typed_field(jvmti, virtual_thread, "TERMINATED", "I", 1);
    if (s->virtual_state_field && s->virtual_carrier_field && new_state && terminated_state) {
        s->virtual_thread_class = virtual_thread;
        s->virtual_new = (*jni)->GetStaticIntField(jni, virtual_thread, new_state);
        s->virtual_terminated = (*jni)->GetStaticIntField(jni, virtual_thread, terminated_state);
    }

    s->methods = cd_method_cache_new(jvmti, jni, s->java_allowed, &s->classes);
    if (!s->methods)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    s->vm_name = system_property(s->jvmti, "java.vm.name");
    s->vm_version = system_property(s->jvmti, "java.vm.version");
    s->vm_info = system_property(s->jvmti, "java.vm.info");

    const jvmtiCapabilities *caps = &ctx->agent->capabilities;
    s->jvmti_monitors =
        caps->can_get_owned_monitor_stack_depth_info && caps->can_get_current_contended_monitor;
    if (!s->jvmti_monitors && s->java_allowed)
        cd_method_cache_want_lock_hints(s->methods); /* which threads ThreadMXBean is asked for */

    jthread self = NULL;
    cd_error layout_err = {0};
    if ((*s->jvmti)->GetCurrentThread(s->jvmti, &self) == JVMTI_ERROR_NONE && self) {
        s->self_java_id = cd_thread_java_id(s, self);
        s->layout = cd_vm_layout_open(s->jvmti, cd_thread_vm_thread(s, self), &layout_err);
        s->vm_threads = cd_vm_threads_open(s, self);
        (*jni)->DeleteLocalRef(jni, self);
    } else {
        cd_fail(&layout_err, CD_ERR_INTERNAL, "the agent thread is not a Java thread");
    }
    if (!s->layout)
        snprintf(s->layout_problem, sizeof s->layout_problem, "%s", layout_err.message);
    return 0;
}

/* ---------------------------------------------------------------- per thread */

/* From the Thread object's fields (find_thread_basics). Returns 0, 1 when
 * they do not say (not known here, or no name), -1 out of memory. */
static int basics_from_fields(cd_thread_session *session, cd_thread_dump *dump, jthread thread,
                              cd_thread_basics *out)
{
    JNIEnv *jni = session->jni;
    if (!session->name_field)
        return 1;
    jobject holder = thread;
    if (session->holder_field &&
        !(holder = (*jni)->GetObjectField(jni, thread, session->holder_field)))
        return 1;
    out->priority = (*jni)->GetIntField(jni, holder, session->priority_field);
    out->daemon = (*jni)->GetBooleanField(jni, holder, session->daemon_field) == JNI_TRUE;
    jstring name = (*jni)->GetObjectField(jni, thread, session->name_field);
    if (!name)
        return 1;
    /* A String never changes: its length and contents agree. Modified UTF-8,
     * as GetThreadInfo gives it. */
    jsize chars = (*jni)->GetStringLength(jni, name);
    jsize bytes = (*jni)->GetStringUTFLength(jni, name);
    char *text = cd_arena_alloc(&dump->arena, (size_t)bytes + 1);
    if (!text)
        return -1;
    (*jni)->GetStringUTFRegion(jni, name, 0, chars, text);
    text[bytes] = '\0';
    out->name = text;
    return 0;
}

/* From JVMTI. Returns 0, 1 when the thread ended meanwhile, -1 out of memory. */
static int basics_from_jvmti(cd_thread_session *session, cd_thread_dump *dump, jthread thread,
                             cd_thread_basics *out)
{
    jvmtiThreadInfo info;
    memset(&info, 0, sizeof info);
    if ((*session->jvmti)->GetThreadInfo(session->jvmti, thread, &info) != JVMTI_ERROR_NONE)
        return 1;
    out->name = cd_arena_strdup(&dump->arena, info.name ? info.name : "");
    out->priority = info.priority;
    out->daemon = info.is_daemon == JNI_TRUE;
    cd_jvmti_free(session->jvmti, info.name);
    return out->name ? 0 : -1;
}

int cd_thread_basics_read(cd_thread_session *session, cd_thread_dump *dump, jthread thread,
                          cd_thread_basics *out)
{
    int rc = basics_from_fields(session, dump, thread, out);
    return rc == 1 ? basics_from_jvmti(session, dump, thread, out) : rc;
}
