/*
 * The agent's runtime: one JVMTI environment per process, and the execution of
 * requests on agent threads.
 *
 * A request runs its parts in section order, each timed and its outcome
 * recorded, then writes agent-result.json into the staging directory with an
 * atomic rename: the collector waits for that file, so its presence means the
 * request is complete. Requests are serialised by a raw monitor, so two
 * collectors attaching at once never interleave their output.
 */
#include <cjson/cJSON.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jvmti_util.h"
#include "vm/gc_events.h"
#include "carbondump/fsutil.h"
#include "carbondump/version.h"
#include "base/jni_util.h"
#include "runtime.h"
#include "carbondump/format.h"

static cd_agent agent_state;
static int agent_ready;
static pthread_mutex_t agent_init_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------- set-up */

/* Asks for every capability the parts can use that this phase offers. The
 * monitor-information ones exist only when loaded at start-up (OnLoad); the
 * rest are also granted to a late attach. None of them slows the JVM until an
 * event is enabled or a function is called. */
static void add_capabilities(jvmtiEnv *jvmti)
{
    jvmtiCapabilities potential, wanted;
    memset(&potential, 0, sizeof potential);
    memset(&wanted, 0, sizeof wanted);
    if ((*jvmti)->GetPotentialCapabilities(jvmti, &potential) != JVMTI_ERROR_NONE)
        return;
    wanted.can_tag_objects = potential.can_tag_objects;
    wanted.can_get_thread_cpu_time = potential.can_get_thread_cpu_time;
    wanted.can_get_current_thread_cpu_time = potential.can_get_current_thread_cpu_time;
    wanted.can_get_owned_monitor_info = potential.can_get_owned_monitor_info;
    wanted.can_get_owned_monitor_stack_depth_info =
        potential.can_get_owned_monitor_stack_depth_info;
    wanted.can_get_current_contended_monitor = potential.can_get_current_contended_monitor;
    wanted.can_get_monitor_info = potential.can_get_monitor_info;
    wanted.can_get_bytecodes = potential.can_get_bytecodes;
    wanted.can_get_source_file_name = potential.can_get_source_file_name;
    wanted.can_get_line_numbers = potential.can_get_line_numbers;
    wanted.can_generate_garbage_collection_events =
        potential.can_generate_garbage_collection_events;
    wanted.can_generate_resource_exhaustion_heap_events =
        potential.can_generate_resource_exhaustion_heap_events;
    wanted.can_generate_resource_exhaustion_threads_events =
        potential.can_generate_resource_exhaustion_threads_events;
    (*jvmti)->AddCapabilities(jvmti, &wanted);
}

cd_agent *cd_agent_get(JavaVM *vm, int at_startup, cd_error *err)
{
    pthread_mutex_lock(&agent_init_lock);
    cd_agent *agent = &agent_state;
    if (!agent_ready) {
        jvmtiEnv *jvmti = NULL;
        if ((*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_2) != JNI_OK || !jvmti) {
            pthread_mutex_unlock(&agent_init_lock);
            cd_fail(err, CD_ERR_UNSUPPORTED, "this JVM offers no JVMTI 1.2 environment");
            return NULL;
        }
        agent->vm = vm;
        agent->jvmti = jvmti;
        (*jvmti)->GetVersionNumber(jvmti, &agent->jvmti_version);
        jvmtiError e =
            (*jvmti)->CreateRawMonitor(jvmti, "carbondump request", &agent->request_lock);
        if (e != JVMTI_ERROR_NONE) {
            pthread_mutex_unlock(&agent_init_lock);
            cd_jvmti_fail(err, e, "cannot create the request lock");
            return NULL;
        }
        agent->loaded_at_startup = at_startup;
        agent->loaded_wall_ms = cd_wall_ms();
        agent_ready = 1;
    }
    add_capabilities(agent->jvmti);
    (*agent->jvmti)->GetCapabilities(agent->jvmti, &agent->capabilities);
    cd_gc_events_start(agent, NULL); /* once per process; a failure is reported by the gc part */
    pthread_mutex_unlock(&agent_init_lock);
    return agent;
}

/* ---------------------------------------------------------------- result */

static void add_time(cJSON *object, const char *name, uint64_t wall_ms)
{
    char when[40];
    cd_format_iso8601(wall_ms, when, sizeof when);
    cJSON_AddStringToObject(object, name, when);
}

static cJSON *result_new(const char *id)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "agent_version", CD_VERSION);
    if (id && *id)
        cJSON_AddStringToObject(root, "id", id);
    cJSON_AddNumberToObject(root, "pid", (double)getpid());
    return root;
}

/* Writes the result atomically: the collector treats its presence as "done". */
static void result_write(const char *dir, cJSON *root)
{
    char *text = cJSON_Print(root);
    cd_error err = {0};
    if (!text || cd_staging_write(dir, "agent-result.json", text, strlen(text), &err) != 0)
        fprintf(stderr, "carbondump agent: cannot write %s/agent-result.json: %s\n", dir,
                text ? err.message : "out of memory");
    free(text);
}

void cd_agent_write_failure(const char *dir, const char *id, const cd_error *err)
{
    struct stat st;
    if (!dir || dir[0] != '/' || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    cJSON *root = result_new(id);
    if (!root)
        return;
    cJSON_AddStringToObject(root, "status", "failed");
    cJSON_AddStringToObject(root, "error", err->message);
    cJSON_AddObjectToObject(root, "parts");
    result_write(dir, root);
    cJSON_Delete(root);
}

/* ---------------------------------------------------------------- requests */

static const char *outcome_name(int rc)
{
    return rc == 0 ? "ok" : rc == CD_PART_SKIPPED ? "skipped" : "failed";
}

/* Runs the request's parts in section order and writes agent-result.json. */
static void run_parts(cd_agent *agent, JNIEnv *jni, const cd_request *request,
                      int java_heap_exhausted)
{
    cJSON *root = result_new(request->id);
    if (!root)
        return;
    uint64_t started = cd_wall_ms();
    add_time(root, "started", started);
    cJSON_AddStringToObject(root, "loaded_at", agent->loaded_at_startup ? "startup" : "attach");
    cJSON *parts = cJSON_AddObjectToObject(root, "parts");

    cd_redaction_notes redactions = {0};
    cd_part_ctx ctx = {.agent = agent,
                       .jvmti = agent->jvmti,
                       .jni = jni,
                       .request = request,
                       .java_heap_exhausted = java_heap_exhausted,
                       .redactions = &redactions};
    int all_ok = 1;
    for (int s = 0; s < CD_SECTION_COUNT; s++) {
        if (!(request->parts & CD_SECTION_BIT(s)))
            continue;
        cd_error err = {0};
        uint64_t t0 = cd_monotonic_ms();
        cd_part_fn part = cd_agent_part((cd_section)s);
        int rc =
            part ? part(&ctx, &err)
                 : (cd_fail(&err, CD_ERR_UNSUPPORTED, "not implemented in agent %s", CD_VERSION),
                    CD_PART_SKIPPED);
        if (jni)
            cd_jni_clear_exception(jni); /* a part must never leave one behind */
        cJSON *entry = cJSON_AddObjectToObject(parts, cd_section_name((cd_section)s));
        cJSON_AddStringToObject(entry, "status", outcome_name(rc));
        if (rc != 0) {
            cJSON_AddStringToObject(entry, "reason", err.message);
            all_ok = 0;
        }
        cJSON_AddNumberToObject(entry, "duration_ms", (double)(cd_monotonic_ms() - t0));
    }
    /* before the result: the collector reads both once the result is there */
    cd_error notes_err = {0};
    if (cd_redaction_notes_write(&redactions, request->dir, &notes_err) != 0)
        fprintf(stderr, "carbondump agent: redaction_log.txt will miss what was masked: %s\n",
                notes_err.message);
    cd_redaction_notes_free(&redactions);
    add_time(root, "finished", cd_wall_ms());
    cJSON_AddStringToObject(root, "status", all_ok ? "ok" : "partial");
    result_write(request->dir, root);
    cJSON_Delete(root);
}

void cd_agent_run_request(cd_agent *agent, JNIEnv *jni, const cd_request *request,
                          int java_heap_exhausted)
{
    (*agent->jvmti)->RawMonitorEnter(agent->jvmti, agent->request_lock);
    run_parts(agent, jni, request, java_heap_exhausted);
    (*agent->jvmti)->RawMonitorExit(agent->jvmti, agent->request_lock);
#ifdef __GLIBC__
    /* A request allocates a few MB (thread models, JSON trees, buffers) on a
     * thread of its own, so in one of glibc's per-thread arenas, which keep
     * freed memory resident: hundreds of requests would leave the JVM's RSS
     * megabytes higher. Hand the free pages back to the kernel once, at the
     * end; memory in use is not touched. */
    malloc_trim(0);
#endif
}

static void JNICALL request_thread(jvmtiEnv *jvmti, JNIEnv *jni, void *arg)
{
    cd_agent_run_request(&agent_state, jni, arg, 0);
    free(arg);
}

static int start_request(cd_agent *agent, JNIEnv *jni, const cd_request *request, cd_error *err)
{
    struct stat st;
    if (stat(request->dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cd_fail(err, CD_ERR_NOENT, "staging directory %s does not exist", request->dir);
    if (st.st_uid != geteuid())
        return cd_fail(err, CD_ERR_PERM, "staging directory %s is not owned by the JVM's user",
                       request->dir);
    cd_request *copy = malloc(sizeof *copy);
    if (!copy)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    *copy = *request;
    char name[96];
    snprintf(name, sizeof name, "carbondump request%s%s", request->id[0] ? " " : "", request->id);
    jthread thread = cd_jni_new_thread(jni, name, err);
    if (!thread) {
        /* No room in the Java heap for a Thread object: the JVM is at its worst
         * moment, which is when the evidence matters most. Do the work here, on
         * the attach listener, without Java allocation. */
        free(copy);
        cd_agent_run_request(agent, jni, request, 1);
        return 0;
    }
    jvmtiError e = (*agent->jvmti)
                       ->RunAgentThread(agent->jvmti, thread, request_thread, copy,
                                        JVMTI_THREAD_NORM_PRIORITY);
    (*jni)->DeleteLocalRef(jni, thread);
    if (e != JVMTI_ERROR_NONE) {
        free(copy);
        return cd_jvmti_fail(err, e, "cannot start the agent thread");
    }
    return 0;
}

int cd_agent_start_request(cd_agent *agent, JNIEnv *jni, const cd_request *request, cd_error *err)
{
    /* The attach listener can come here with an exception pending (seen now
     * and then with the Java heap exhausted), and a JNI call made under one is
     * a misuse. It is kept out of the request's way and put back afterwards:
     * the thread is left as it was found. */
    jthrowable found = cd_jni_set_aside(jni);
    int rc = start_request(agent, jni, request, err);
    cd_jni_put_back(jni, found);
    return rc;
}
