/*
 * The thread dump's text and JSON (agent/thread_model.h): jstack -l's words,
 * line for line, for JDK 17 and JDK 25 dumps, and names that hold anything.
 * The expected lines are copied from jstack -l of the same JDKs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "threads/thread_model.h"

static const cd_method thread_sleep = {"java.lang.Thread", "sleep", "java.base@17.0.15",
                                       "Thread.java", 1, 1};
static const cd_method planted_sleep = {"Planted", "sleep", NULL, "Planted.java", 0, 1};
static const cd_method planted_lambda = {"Planted$$Lambda$2/0x00007f1d40001800", "run", NULL, NULL,
                                         0, 1};
static const cd_method thread_run = {"java.lang.Thread", "run", "java.base@17.0.15", "Thread.java",
                                     0, 1};
static const cd_method object_wait = {"java.lang.Object", "wait", "java.base@17.0.15",
                                      "Object.java", 1, 1};
static const cd_method planted_main = {"Planted", "lambda$main$3", NULL, "Planted.java", 0, 1};
static const cd_method unsafe_park = {"jdk.internal.misc.Unsafe", "park", "java.base@17.0.15",
                                      "Unsafe.java", 1, 1};

static char *render_thread(const cd_thread_dump *dump, const cd_thread *t)
{
    cd_sink *sink = cd_sink_buffer();
    cd_dump_write_thread(sink, dump, t);
    return cd_sink_buffer_take(sink, NULL);
}

static char *render_dump(const cd_thread_dump *dump)
{
    cd_sink *sink = cd_sink_buffer();
    cd_dump_write_text(sink, dump);
    return cd_sink_buffer_take(sink, NULL);
}

/* A dump in JDK 17's style with one thread sleeping, as jstack showed it. */
static cd_thread *sleeping_thread(cd_thread_dump *dump, const char *spec_version)
{
    cd_thread_dump_init(dump);
    cd_dump_style_for(spec_version, &dump->style);
    cd_thread *t = cd_thread_dump_add(dump);
    t->name = "cd-sleeping";
    t->java_id = 13;
    t->daemon = 1;
    t->priority = 5;
    t->os_priority = 0;
    t->cpu_ns = 70000;
    t->elapsed_ms = 3680;
    t->vm_thread = 0x00007f1dbc11b1b0ull;
    t->nid = 0x3b3d;
    t->os_state = "waiting on condition";
    t->last_java_sp = 0x00007f1d94229000ull;
    t->state = CD_THREAD_TIMED_WAITING;
    t->detail = CD_DETAIL_SLEEPING;
    static cd_frame frames[4];
    frames[0] = (cd_frame){&thread_sleep, -1};
    frames[1] = (cd_frame){&planted_sleep, 23};
    frames[2] = (cd_frame){&planted_lambda, -1};
    frames[3] = (cd_frame){&thread_run, 840};
    t->frames = frames;
    t->frame_count = 4;
    t->synchronizers_known = 1;
    return t;
}

static void sleeping_thread_prints_as_jstack_17_does(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "17");
    char *text = render_thread(&dump, t);
    assert_string_equal(
        text, "\"cd-sleeping\" #13 daemon prio=5 os_prio=0 cpu=0.07ms elapsed=3.68s "
              "tid=0x00007f1dbc11b1b0 nid=0x3b3d waiting on condition  [0x00007f1d94229000]\n"
              "   java.lang.Thread.State: TIMED_WAITING (sleeping)\n"
              "\tat java.lang.Thread.sleep(java.base@17.0.15/Native Method)\n"
              "\tat Planted.sleep(Planted.java:23)\n"
              "\tat Planted$$Lambda$2/0x00007f1d40001800.run(Unknown Source)\n"
              "\tat java.lang.Thread.run(java.base@17.0.15/Thread.java:840)\n"
              "\n"
              "   Locked ownable synchronizers:\n"
              "\t- None\n"
              "\n");
    free(text);
    cd_thread_dump_free(&dump);
}

static void jdk25_prints_the_os_id_after_the_java_id_and_nid_in_decimal(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "25");
    t->nid = 15160;
    char *text = render_thread(&dump, t);
    char *first_line_end = strchr(text, '\n');
    *first_line_end = '\0';
    assert_string_equal(text, "\"cd-sleeping\" #13 [15160] daemon prio=5 os_prio=0 cpu=0.07ms "
                              "elapsed=3.68s tid=0x00007f1dbc11b1b0 nid=15160 waiting on "
                              "condition  [0x00007f1d94229000]");
    free(text);
    cd_thread_dump_free(&dump);
}

static void unknown_nid_is_left_out_never_guessed(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "25");
    t->nid = -1;
    t->os_priority = INT32_MIN;
    char *text = render_thread(&dump, t);
    *strchr(text, '\n') = '\0';
    assert_string_equal(text, "\"cd-sleeping\" #13 daemon prio=5 cpu=0.07ms elapsed=3.68s "
                              "tid=0x00007f1dbc11b1b0 waiting on condition  [0x00007f1d94229000]");
    free(text);
    cd_thread_dump_free(&dump);
}

/* cpu= and elapsed= are formatted without printf: they must read as the
 * VM's "%.2f" does, for small and large values alike (exact ties, which
 * printf rounds by their binary value, aside). */
static void cpu_and_elapsed_read_as_printf_formats_them(void **state)
{
    static const int64_t cpu_values[] = {0, 1, 4999, 5001, 9999, 10000, 732437, 994999,
                                         995001, 123456789012LL, 3600LL * 1000000000LL};
    static const int64_t elapsed_values[] = {0, 4, 6, 994, 996, 3680, 86400123, 999999999};
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "17");
    for (size_t i = 0; i < sizeof cpu_values / sizeof *cpu_values; i++) {
        t->cpu_ns = cpu_values[i];
        t->elapsed_ms = elapsed_values[i % (sizeof elapsed_values / sizeof *elapsed_values)];
        char expected[128];
        snprintf(expected, sizeof expected, " cpu=%.2fms elapsed=%.2fs ", (double)t->cpu_ns / 1e6,
                 (double)t->elapsed_ms / 1e3);
        char *text = render_thread(&dump, t);
        *strchr(text, '\n') = '\0';
        if (!strstr(text, expected))
            fail_msg("%s does not hold%s", text, expected);
        free(text);
    }
    cd_thread_dump_free(&dump);
}

static void jdk8_style_has_no_cpu_or_elapsed(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "1.8");
    char *text = render_thread(&dump, t);
    *strchr(text, '\n') = '\0';
    assert_string_equal(text, "\"cd-sleeping\" #13 daemon prio=5 os_prio=0 tid=0x00007f1dbc11b1b0 "
                              "nid=0x3b3d waiting on condition  [0x00007f1d94229000]");
    free(text);
    cd_thread_dump_free(&dump);
}

static void style_follows_the_jdk_feature_version(void **state)
{
    cd_dump_style s;
    cd_dump_style_for("1.8", &s);
    assert_int_equal(s.jdk_feature, 8);
    assert_false(s.cpu_elapsed);
    cd_dump_style_for("11", &s);
    assert_true(s.cpu_elapsed);
    assert_false(s.nid_decimal);
    cd_dump_style_for("17", &s);
    assert_false(s.nid_decimal);
    assert_false(s.os_id_after_id);
    cd_dump_style_for("18", &s);
    assert_true(s.nid_decimal);
    assert_false(s.os_id_after_id);
    cd_dump_style_for("25", &s);
    assert_true(s.nid_decimal);
    assert_true(s.os_id_after_id);
    cd_dump_style_for(NULL, &s);
    assert_int_equal(s.jdk_feature, 0);
    assert_true(s.os_id_after_id);
}

static void frame_text_covers_native_line_file_only_and_unknown_source(void **state)
{
    char out[256];
    cd_frame_text(&(cd_frame){&thread_sleep, -1}, out, sizeof out);
    assert_string_equal(out, "java.lang.Thread.sleep(java.base@17.0.15/Native Method)");
    cd_frame_text(&(cd_frame){&thread_run, 840}, out, sizeof out);
    assert_string_equal(out, "java.lang.Thread.run(java.base@17.0.15/Thread.java:840)");
    cd_frame_text(&(cd_frame){&planted_sleep, -1}, out, sizeof out);
    assert_string_equal(out, "Planted.sleep(Planted.java)");
    cd_frame_text(&(cd_frame){&planted_lambda, -1}, out, sizeof out);
    assert_string_equal(out, "Planted$$Lambda$2/0x00007f1d40001800.run(Unknown Source)");
    static const cd_method module_without_version = {"a.B", "c", "lib", NULL, 0, 1};
    cd_frame_text(&(cd_frame){&module_without_version, 3}, out, sizeof out);
    assert_string_equal(out, "a.B.c(lib/Unknown Source)");
}

static void state_lines_use_jstack_words(void **state)
{
    assert_string_equal(cd_thread_state_text(CD_THREAD_RUNNABLE, CD_DETAIL_NONE), "RUNNABLE");
    assert_string_equal(cd_thread_state_text(CD_THREAD_BLOCKED, CD_DETAIL_OBJECT_MONITOR),
                        "BLOCKED (on object monitor)");
    assert_string_equal(cd_thread_state_text(CD_THREAD_WAITING, CD_DETAIL_OBJECT_MONITOR),
                        "WAITING (on object monitor)");
    assert_string_equal(cd_thread_state_text(CD_THREAD_WAITING, CD_DETAIL_PARKING),
                        "WAITING (parking)");
    assert_string_equal(cd_thread_state_text(CD_THREAD_TIMED_WAITING, CD_DETAIL_SLEEPING),
                        "TIMED_WAITING (sleeping)");
    assert_string_equal(cd_thread_state_text(CD_THREAD_TIMED_WAITING, CD_DETAIL_PARKING),
                        "TIMED_WAITING (parking)");
    assert_string_equal(cd_thread_state_text(CD_THREAD_TIMED_WAITING, CD_DETAIL_OBJECT_MONITOR),
                        "TIMED_WAITING (on object monitor)");
    assert_string_equal(cd_thread_state_text(CD_THREAD_NEW, CD_DETAIL_NONE), "NEW");
}

static void lock_lines_print_under_their_frames(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "17");
    static cd_frame frames[3];
    frames[0] = (cd_frame){&object_wait, -1};
    frames[1] = (cd_frame){&planted_main, 31};
    frames[2] = (cd_frame){&thread_run, 840};
    t->frames = frames;
    t->frame_count = 3;
    t->state = CD_THREAD_WAITING;
    t->detail = CD_DETAIL_OBJECT_MONITOR;
    cd_object waited = {0x2a15589d, "java.lang.Object"};
    cd_object held = {0x386db872, "Planted$Lock"};
    /* added out of order: depth decides, insertion order within a depth */
    cd_thread_add_lock(&dump, t, 1, CD_LOCK_LOCKED, held);
    cd_thread_add_lock(&dump, t, 0, CD_LOCK_WAITING_ON, waited);
    cd_thread_add_lock(&dump, t, -1, CD_LOCK_LOCKED, held); /* JNI: no frame, not printed */
    cd_thread_sort_locks(t);
    char *text = render_thread(&dump, t);
    assert_non_null(strstr(text, "   java.lang.Thread.State: WAITING (on object monitor)\n"
                                 "\tat java.lang.Object.wait(java.base@17.0.15/Native Method)\n"
                                 "\t- waiting on <0x000000002a15589d> (a java.lang.Object)\n"
                                 "\tat Planted.lambda$main$3(Planted.java:31)\n"
                                 "\t- locked <0x00000000386db872> (a Planted$Lock)\n"
                                 "\tat java.lang.Thread.run(java.base@17.0.15/Thread.java:840)\n"
                                 "\n"));
    free(text);
    cd_thread_dump_free(&dump);
}

static void every_lock_action_has_jstack_wording(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "17");
    static cd_frame frames[1];
    frames[0] = (cd_frame){&unsafe_park, -1};
    t->frames = frames;
    t->frame_count = 1;
    cd_object sync = {0x1c, "java.util.concurrent.locks.ReentrantLock$NonfairSync"};
    cd_thread_add_lock(&dump, t, 0, CD_LOCK_PARKING, sync);
    cd_thread_add_lock(&dump, t, 0, CD_LOCK_WAITING_TO_LOCK, sync);
    cd_thread_add_lock(&dump, t, 0, CD_LOCK_WAITING_TO_RELOCK, sync);
    cd_thread_add_lock(&dump, t, 0, CD_LOCK_WAITING_ON_UNKNOWN, (cd_object){0, NULL});
    char *text = render_thread(&dump, t);
    assert_non_null(strstr(text,
                           "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.15/Native Method)\n"
                           "\t- parking to wait for  <0x000000000000001c> (a "
                           "java.util.concurrent.locks.ReentrantLock$NonfairSync)\n"
                           "\t- waiting to lock <0x000000000000001c> (a "
                           "java.util.concurrent.locks.ReentrantLock$NonfairSync)\n"
                           "\t- waiting to re-lock in wait() <0x000000000000001c> (a "
                           "java.util.concurrent.locks.ReentrantLock$NonfairSync)\n"
                           "\t- waiting on <no object reference available>\n"));
    free(text);
    cd_thread_dump_free(&dump);
}

static void owned_synchronizers_are_listed_or_said_unknown(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "17");
    cd_object syncs[2] = {{0x261c124b, "java.util.concurrent.locks.ReentrantLock$NonfairSync"},
                          {0x10, "java.util.concurrent.locks.ReentrantReadWriteLock$FairSync"}};
    t->synchronizers = syncs;
    t->synchronizer_count = 2;
    char *text = render_thread(&dump, t);
    assert_non_null(strstr(text,
                           "\n   Locked ownable synchronizers:\n"
                           "\t- <0x00000000261c124b> (a "
                           "java.util.concurrent.locks.ReentrantLock$NonfairSync)\n"
                           "\t- <0x0000000000000010> (a "
                           "java.util.concurrent.locks.ReentrantReadWriteLock$FairSync)\n\n"));
    free(text);
    t->synchronizers_known = 0;
    text = render_thread(&dump, t);
    assert_non_null(strstr(text, "\n   Locked ownable synchronizers:\n\t- <not available>\n\n"));
    free(text);
    cd_thread_dump_free(&dump);
}

static void carrier_of_a_virtual_thread_prints_as_jdk25_does(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "25");
    t->carried_virtual_id = 47;
    static cd_frame virtual_frames[1];
    virtual_frames[0] = (cd_frame){&planted_sleep, 57};
    t->virtual_frames = virtual_frames;
    t->virtual_frame_count = 1;
    t->virtual_frames_known = 1;
    t->frame_count = 1;
    t->frames[0] = (cd_frame){&thread_run, 840};
    char *text = render_thread(&dump, t);
    assert_non_null(strstr(text, "[0x00007f1d94229000]\n"
                                 "   Carrying virtual thread #47\n"
                                 "\tat java.lang.Thread.run(java.base@17.0.15/Thread.java:840)\n"
                                 "   Mounted virtual thread #47\n"
                                 "\tat Planted.sleep(Planted.java:57)\n"
                                 "\n   Locked ownable synchronizers:\n"));
    assert_null(strstr(text, "java.lang.Thread.State"));
    free(text);
    cd_thread_dump_free(&dump);
}

static void header_names_the_vm_and_notes_follow_the_threads(void **state)
{
    cd_thread_dump dump;
    sleeping_thread(&dump, "17");
    dump.vm_name = "OpenJDK 64-Bit Server VM";
    dump.vm_version = "17.0.15+6-Debian-1deb12u1";
    dump.vm_info = "mixed mode, sharing";
    dump.virtual_threads = 5;
    dump.virtual_threads_mounted = 1;
    dump.locks_source = "thread_mxbean";
    dump.deadlocks_checked = 1;
    cd_native_thread native = {.name = "VM Thread",
                               .nid = 0x3b24,
                               .cpu_ns = 1180000,
                               .elapsed_ms = 3700,
                               .os_priority = 0,
                               .os_state = "runnable",
                               .vm_internal = 1,
                               .vm_thread = 0x7f1d14118f50,
                               .kind = "VM operations"};
    dump.natives = &native;
    dump.native_count = 1;
    char *text = render_dump(&dump);
    /* the first line is the local time, "YYYY-MM-DD HH:MM:SS" */
    assert_int_equal(strchr(text, '\n') - text, 19);
    assert_non_null(strstr(text,
                           "\nFull thread dump OpenJDK 64-Bit Server VM "
                           "(17.0.15+6-Debian-1deb12u1 mixed mode, sharing):\n\n\"cd-sleeping\""));
    assert_non_null(strstr(text, "\t- None\n\n\"VM Thread\" os_prio=0 cpu=1.18ms elapsed=3.70s "
                                 "tid=0x00007f1d14118f50 nid=0x3b24 runnable  \n\n"
                                 "Virtual threads: 5 alive, not listed (1 mounted, shown with "
                                 "their carrier threads)\n\n"));
    free(text);
    cd_thread_dump_free(&dump);
}

static void missing_lock_information_is_said_not_hidden(void **state)
{
    cd_thread_dump dump;
    sleeping_thread(&dump, "17");
    dump.locks_note = "monitors are not listed: the Java heap is exhausted";
    dump.synchronizers_note = "cannot tag objects";
    char *text = render_dump(&dump);
    assert_non_null(strstr(text, "Lock information: not available (monitors are not listed: the "
                                 "Java heap is exhausted)\n"));
    assert_non_null(strstr(text, "Locked ownable synchronizers: not available (cannot tag "
                                 "objects)\n"));
    assert_non_null(strstr(text, "Deadlocks: not checked (no lock information)\n"));
    free(text);
    cd_thread_dump_free(&dump);
}

/* ---------------------------------------------------------------- names */

static void clean_joins_modified_utf8_surrogate_pairs(void **state)
{
    /* U+1F600 as modified UTF-8 (two 3-byte surrogates), then as UTF-8 */
    char *clean = cd_text_clean("a\xED\xA0\xBD\xED\xB8\x80z", CD_TEXT_DUMP);
    assert_string_equal(clean, "a\xF0\x9F\x98\x80z");
    free(clean);
}

static void clean_replaces_lone_surrogates_and_invalid_bytes(void **state)
{
    char *clean = cd_text_clean("x\xED\xA0\x80y\xFFz\xC3", CD_TEXT_JSON);
    assert_string_equal(clean, "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD");
    free(clean);
}

static void clean_keeps_names_on_one_line_in_the_dump(void **state)
{
    char *clean = cd_text_clean("quote\"back\\slash\nnew\rline\ttab\x01", CD_TEXT_DUMP);
    assert_string_equal(clean, "quote\"back\\slash\\nnew\\rline\ttab\\u0001");
    free(clean);
    clean = cd_text_clean("a\xC0\x80z", CD_TEXT_DUMP); /* modified UTF-8's NUL */
    assert_string_equal(clean, "a\\u0000z");
    free(clean);
    clean = cd_text_clean("a\xC0\x80z\n", CD_TEXT_JSON);
    assert_string_equal(clean, "a\xEF\xBF\xBDz\n");
    free(clean);
}

static void a_ten_kilobyte_name_prints_whole(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "17");
    char *name = malloc(10241);
    for (int i = 0; i < 10240; i++)
        name[i] = (char)('a' + i % 26);
    name[10240] = '\0';
    t->name = name;
    char *text = render_thread(&dump, t);
    assert_int_equal(strncmp(text + 1, name, 10240), 0);
    assert_memory_equal(text + 10241, "\" #13 daemon", 12);
    free(text);
    free(name);
    cd_thread_dump_free(&dump);
}

/* ---------------------------------------------------------------- JSON */

/* A dump with C2's compiler thread, which the VM keeps from JVMTI, as the
 * VM's own lists give it: no stack, no lock lines. */
static cd_thread *compiler_thread(cd_thread_dump *dump, const char *task)
{
    cd_thread_dump_init(dump);
    cd_dump_style_for("17", &dump->style);
    cd_thread *t = cd_thread_dump_add(dump);
    t->name = "C2 CompilerThread0";
    t->java_id = 7;
    t->daemon = 1;
    t->priority = 9;
    t->os_priority = 0;
    t->cpu_ns = 1017910000;
    t->elapsed_ms = 17740;
    t->vm_thread = 0x00007f1d14129ed0ull;
    t->nid = 0x4c9c;
    t->os_state = "waiting on condition";
    t->state = CD_THREAD_RUNNABLE;
    t->synchronizers_known = 1;
    t->vm_internal = 1;
    t->kind = "JIT compiler";
    t->compile_task = task;
    return t;
}

static void a_hidden_compiler_thread_prints_as_jstack_17_does(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = compiler_thread(&dump, "No compile task");
    char *text = render_thread(&dump, t);
    assert_string_equal(
        text, "\"C2 CompilerThread0\" #7 daemon prio=9 os_prio=0 cpu=1017.91ms elapsed=17.74s "
              "tid=0x00007f1d14129ed0 nid=0x4c9c waiting on condition  [0x0000000000000000]\n"
              "   java.lang.Thread.State: RUNNABLE\n"
              "   No compile task\n"
              "\n"
              "   Locked ownable synchronizers:\n"
              "\t- None\n"
              "\n");
    free(text);
    t->compile_task = "Compiling:  139       4       HugeMethods::big3 (46279 bytes)";
    text = render_thread(&dump, t);
    assert_non_null(strstr(text, "   java.lang.Thread.State: RUNNABLE\n"
                                 "   Compiling:  139       4       HugeMethods::big3 (46279 "
                                 "bytes)\n\n"));
    free(text);
    cd_thread_dump_free(&dump);
}

static cJSON *render_json(const cd_thread_dump *dump);

static void json_marks_the_vm_s_own_threads(void **state)
{
    cd_thread_dump dump;
    compiler_thread(&dump, "No compile task");
    cd_native_thread natives[] = {
        {.name = "GC Thread#0",
         .nid = 0x4c86,
         .cpu_ns = 23250000,
         .elapsed_ms = 17810,
         .os_priority = 0,
         .os_state = "runnable",
         .vm_internal = 1,
         .vm_thread = 0x00007f1d1403e040ull,
         .kind = "GC"},
        {.name = "java",
         .nid = 0x4c80,
         .cpu_ns = 6070000,
         .elapsed_ms = 17830,
         .os_state = "waiting on condition"},
    };
    dump.natives = natives;
    dump.native_count = 2;
    dump.vm_threads_note = "libjvm has been stripped";
    char *text = render_dump(&dump);
    assert_non_null(strstr(text, "\n\"GC Thread#0\" os_prio=0 cpu=23.25ms elapsed=17.81s "
                                 "tid=0x00007f1d1403e040 nid=0x4c86 runnable  \n\n"
                                 "\"java\" os_prio=0 cpu=6.07ms elapsed=17.83s nid=0x4c80 waiting "
                                 "on condition  \n\n"));
    assert_non_null(strstr(text, "\nThreads the VM keeps from JVMTI: libjvm has been stripped\n"));
    free(text);
    cJSON *root = render_json(&dump);
    cJSON *thread = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "threads"), 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(thread, "vm_internal")));
    assert_string_equal(cJSON_GetObjectItem(thread, "kind")->valuestring, "JIT compiler");
    assert_string_equal(cJSON_GetObjectItem(thread, "compile_task")->valuestring,
                        "No compile task");
    cJSON *gc = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "native_threads"), 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(gc, "vm_internal")));
    assert_string_equal(cJSON_GetObjectItem(gc, "vm_thread")->valuestring, "0x00007f1d1403e040");
    assert_string_equal(cJSON_GetObjectItem(gc, "kind")->valuestring, "GC");
    cJSON *launcher = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "native_threads"), 1);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(launcher, "vm_internal")));
    assert_null(cJSON_GetObjectItem(launcher, "vm_thread"));
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(root, "sources"), "vm_threads_note")->valuestring,
        "libjvm has been stripped");
    cJSON_Delete(root);
    dump.natives = NULL;
    dump.native_count = 0;
    cd_thread_dump_free(&dump);
}

static cJSON *render_json(const cd_thread_dump *dump)
{
    cd_sink *sink = cd_sink_buffer();
    cd_error err = {0};
    assert_int_equal(cd_dump_write_json(sink, dump, NULL, &err), 0);
    char *text = cd_sink_buffer_take(sink, NULL);
    cJSON *root = cJSON_Parse(text);
    free(text);
    assert_non_null(root);
    return root;
}

static void json_holds_the_same_thread_with_odd_names_intact(void **state)
{
    cd_thread_dump dump;
    cd_thread *t = sleeping_thread(&dump, "17");
    t->name = "quote\"and\nnewline\xED\xA0\xBD\xED\xB8\x80";
    cd_thread_add_lock(&dump, t, 1, CD_LOCK_LOCKED, (cd_object){0x2a, "Planted$Lock"});
    cJSON *root = render_json(&dump);
    assert_string_equal(cJSON_GetObjectItem(root, "schema")->valuestring, "carbondump.threads/1");
    cJSON *threads = cJSON_GetObjectItem(root, "threads");
    assert_int_equal(cJSON_GetArraySize(threads), 1);
    cJSON *thread = cJSON_GetArrayItem(threads, 0);
    assert_string_equal(cJSON_GetObjectItem(thread, "name")->valuestring,
                        "quote\"and\nnewline\xF0\x9F\x98\x80");
    assert_int_equal(cJSON_GetObjectItem(thread, "nid")->valueint, 0x3b3d);
    assert_string_equal(cJSON_GetObjectItem(thread, "state_line")->valuestring,
                        "TIMED_WAITING (sleeping)");
    /* frames name their method by its number in "methods" */
    cJSON *frame = cJSON_GetArrayItem(cJSON_GetObjectItem(thread, "frames"), 1);
    assert_int_equal(cJSON_GetArraySize(frame), 2);
    assert_int_equal(cJSON_GetArrayItem(frame, 1)->valueint, 23);
    cJSON *method = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "methods"),
                                       cJSON_GetArrayItem(frame, 0)->valueint);
    assert_string_equal(cJSON_GetObjectItem(method, "class")->valuestring, "Planted");
    assert_string_equal(cJSON_GetObjectItem(method, "method")->valuestring, "sleep");
    assert_string_equal(cJSON_GetObjectItem(method, "file")->valuestring, "Planted.java");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(method, "native")));
    cJSON *native = cJSON_GetArrayItem(cJSON_GetObjectItem(thread, "frames"), 0);
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(native, 1)));
    method = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "methods"),
                                cJSON_GetArrayItem(native, 0)->valueint);
    assert_string_equal(cJSON_GetObjectItem(method, "module")->valuestring, "java.base@17.0.15");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(method, "native")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "methods")), 4);
    cJSON *lock = cJSON_GetArrayItem(cJSON_GetObjectItem(thread, "locks"), 0);
    assert_string_equal(cJSON_GetObjectItem(lock, "action")->valuestring, "locked");
    assert_string_equal(cJSON_GetObjectItem(lock, "id")->valuestring, "0x000000000000002a");
    assert_int_equal(cJSON_GetObjectItem(lock, "depth")->valueint, 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(thread, "ownable_synchronizers")), 0);
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(root, "deadlocks")));
    cJSON_Delete(root);
    cd_thread_dump_free(&dump);
}

static void json_streams_many_threads_and_adds_extra_members(void **state)
{
    cd_thread_dump dump;
    sleeping_thread(&dump, "25");
    for (int i = 1; i < 3000; i++) {
        cd_thread *t = cd_thread_dump_add(&dump);
        t->name = "worker";
        t->java_id = 100 + i;
    }
    cJSON *extra = cJSON_CreateObject();
    cJSON_AddNumberToObject(extra, "marker", 7);
    cd_sink *sink = cd_sink_buffer();
    cd_error err = {0};
    assert_int_equal(cd_dump_write_json(sink, &dump, extra, &err), 0);
    char *text = cd_sink_buffer_take(sink, NULL);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "threads")), 3000);
    assert_int_equal(cJSON_GetObjectItem(root, "thread_count")->valueint, 3000);
    assert_int_equal(cJSON_GetObjectItem(root, "marker")->valueint, 7);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(root, "threads"), 5), "ownable_synchronizers")));
    cJSON_Delete(root);
    cJSON_Delete(extra);
    free(text);
    cd_thread_dump_free(&dump);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sleeping_thread_prints_as_jstack_17_does),
        cmocka_unit_test(jdk25_prints_the_os_id_after_the_java_id_and_nid_in_decimal),
        cmocka_unit_test(unknown_nid_is_left_out_never_guessed),
        cmocka_unit_test(cpu_and_elapsed_read_as_printf_formats_them),
        cmocka_unit_test(jdk8_style_has_no_cpu_or_elapsed),
        cmocka_unit_test(style_follows_the_jdk_feature_version),
        cmocka_unit_test(frame_text_covers_native_line_file_only_and_unknown_source),
        cmocka_unit_test(state_lines_use_jstack_words),
        cmocka_unit_test(lock_lines_print_under_their_frames),
        cmocka_unit_test(every_lock_action_has_jstack_wording),
        cmocka_unit_test(owned_synchronizers_are_listed_or_said_unknown),
        cmocka_unit_test(carrier_of_a_virtual_thread_prints_as_jdk25_does),
        cmocka_unit_test(a_hidden_compiler_thread_prints_as_jstack_17_does),
        cmocka_unit_test(json_marks_the_vm_s_own_threads),
        cmocka_unit_test(header_names_the_vm_and_notes_follow_the_threads),
        cmocka_unit_test(missing_lock_information_is_said_not_hidden),
        cmocka_unit_test(clean_joins_modified_utf8_surrogate_pairs),
        cmocka_unit_test(clean_replaces_lone_surrogates_and_invalid_bytes),
        cmocka_unit_test(clean_keeps_names_on_one_line_in_the_dump),
        cmocka_unit_test(a_ten_kilobyte_name_prints_whole),
        cmocka_unit_test(json_holds_the_same_thread_with_odd_names_intact),
        cmocka_unit_test(json_streams_many_threads_and_adds_extra_members),
    };
    return cmocka_run_group_tests_name("thread_format", tests, NULL, NULL);
}
