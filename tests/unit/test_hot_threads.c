/*
 * Hot and stuck threads across samples (agent/hot_threads.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "threads/thread_model.h"

static const cd_method spin = {"Spin", "loop", NULL, "Spin.java", 0, 1};
static const cd_method sleep_method = {"java.lang.Thread", "sleep", "java.base@17.0.15",
                                       "Thread.java", 1, 1};
static const cd_method work = {"Work", "step", NULL, "Work.java", 0, 1};

typedef struct planned {
    const char *name;
    int64_t id;
    cd_thread_state state;
    int64_t cpu_ns;
    const cd_method *top;
    int line;
} planned;

/* A sample of threads as planned, taken at monotonic time at_ms. */
static void take(cd_sample *sample, const planned *threads, size_t n, uint64_t at_ms)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    dump.wall_ms = 1795681000000ull + at_ms;
    for (size_t i = 0; i < n; i++) {
        cd_thread *t = cd_thread_dump_add(&dump);
        t->name = threads[i].name;
        t->java_id = threads[i].id;
        t->state = threads[i].state;
        t->detail =
            threads[i].state == CD_THREAD_TIMED_WAITING ? CD_DETAIL_SLEEPING : CD_DETAIL_NONE;
        t->cpu_ns = threads[i].cpu_ns;
        t->nid = 100 + threads[i].id;
        cd_frame *f = cd_arena_alloc(&dump.arena, sizeof *f);
        f->method = threads[i].top;
        f->line = threads[i].line;
        t->frames = f;
        t->frame_count = 1;
    }
    assert_int_equal(cd_sample_take(sample, &dump, at_ms), 0);
    cd_thread_dump_free(&dump);
}

/* Three samples 500 ms apart: "spinner" burns one core in the same place,
 * "worker" uses 10% and moves, "sleeper" sleeps, "gone" exits after the
 * first sample, "late" starts after it. */
static void three_samples(cd_sample samples[3])
{
    const planned first[] = {
        {"spinner", 12, CD_THREAD_RUNNABLE, 1000000000, &spin, 28},
        {"worker", 13, CD_THREAD_RUNNABLE, 50000000, &work, 10},
        {"sleeper", 14, CD_THREAD_TIMED_WAITING, 7000, &sleep_method, -1},
        {"gone", 15, CD_THREAD_RUNNABLE, 1, &spin, 28},
    };
    const planned second[] = {
        {"spinner", 12, CD_THREAD_RUNNABLE, 1500000000, &spin, 28},
        {"worker", 13, CD_THREAD_RUNNABLE, 100000000, &work, 11},
        {"sleeper", 14, CD_THREAD_TIMED_WAITING, 7000, &sleep_method, -1},
        {"late", 16, CD_THREAD_RUNNABLE, 5, &spin, 28},
    };
    const planned third[] = {
        {"spinner", 12, CD_THREAD_RUNNABLE, 2000000000, &spin, 28},
        {"worker", 13, CD_THREAD_BLOCKED, 150000000, &work, 10},
        {"sleeper", 14, CD_THREAD_TIMED_WAITING, 7000, &sleep_method, -1},
        {"late", 16, CD_THREAD_RUNNABLE, 90000000, &spin, 28},
    };
    take(&samples[0], first, 4, 10000);
    take(&samples[1], second, 4, 10500);
    take(&samples[2], third, 4, 11000);
}

static char *hot_text(const cd_sample *samples, size_t count)
{
    cd_sink *sink = cd_sink_buffer();
    cd_hot_threads_write_text(sink, samples, count);
    return cd_sink_buffer_take(sink, NULL);
}

static void ranks_threads_by_cpu_between_first_and_last_sample(void **state)
{
    cd_sample samples[3];
    three_samples(samples);
    char *text = hot_text(samples, 3);
    assert_non_null(strstr(text, "Hot threads: 3 samples, 1.00 s from the first "
                                 "(2026-11-26T08:16:50.000Z) to the last "
                                 "(2026-11-26T08:16:51.000Z)\n"));
    const char *spinner = strstr(text, "     1000.00     100.0%  RUNNABLE");
    const char *worker = strstr(text, "      100.00      10.0%  BLOCKED (on object monitor)");
    assert_non_null(spinner);
    assert_non_null(worker);
    assert_true(spinner < worker);
    assert_non_null(strstr(spinner, "\"spinner\" #12 nid=112\n"));
    /* "late" was not in the first sample, "sleeper" used nothing */
    assert_null(strstr(text, "\"late\" #16 nid"));
    assert_null(strstr(text, "\"sleeper\" #14 nid"));
    free(text);
    for (int i = 0; i < 3; i++)
        cd_sample_free(&samples[i]);
}

static void counts_threads_per_state_in_each_sample(void **state)
{
    cd_sample samples[3];
    three_samples(samples);
    char *text = hot_text(samples, 3);
    assert_non_null(strstr(text, "  RUNNABLE                                    3          3 "
                                 "         2\n"
                                 "  BLOCKED (on object monitor)                 0          0 "
                                 "         1\n"
                                 "  TIMED_WAITING (sleeping)                    1          1 "
                                 "         1\n"
                                 "  all threads                                 4          4 "
                                 "         4\n"));
    free(text);
    for (int i = 0; i < 3; i++)
        cd_sample_free(&samples[i]);
}

static void stuck_threads_kept_state_and_top_frames_in_every_sample(void **state)
{
    cd_sample samples[3];
    three_samples(samples);
    char *text = hot_text(samples, 3);
    const char *stuck = strstr(text, "\nStuck threads:");
    assert_non_null(stuck);
    assert_non_null(strstr(stuck, "\"spinner\" #12 RUNNABLE, 1000.00 ms CPU (100.0% of a core)\n"
                                  "\tat Spin.loop(Spin.java:28)\n"));
    assert_null(strstr(stuck, "\"worker\""));  /* moved */
    assert_null(strstr(stuck, "\"gone\""));    /* not in every sample */
    assert_null(strstr(stuck, "\"sleeper\"")); /* idle, only counted */
    assert_non_null(strstr(stuck, "\n1 other threads kept the same top frames while WAITING or "
                                  "TIMED_WAITING in every sample (idle; not listed).\n"));
    free(text);
    for (int i = 0; i < 3; i++)
        cd_sample_free(&samples[i]);
}

static void json_carries_the_same_analysis(void **state)
{
    cd_sample samples[3];
    three_samples(samples);
    cJSON *root = cd_hot_threads_json(samples, 3);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "samples")), 3);
    cJSON *hot = cJSON_GetObjectItem(root, "hot_threads");
    cJSON *top = cJSON_GetArrayItem(cJSON_GetObjectItem(hot, "top_cpu"), 0);
    assert_string_equal(cJSON_GetObjectItem(top, "name")->valuestring, "spinner");
    assert_true(cJSON_GetObjectItem(top, "percent_of_core")->valuedouble > 99.9);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(hot, "stuck")), 1);
    assert_int_equal(cJSON_GetObjectItem(hot, "idle_unchanged")->valueint, 1);
    cJSON_Delete(root);
    for (int i = 0; i < 3; i++)
        cd_sample_free(&samples[i]);
}

/* Two samples a second apart of a JVM whose GC worker and C2 compiler
 * thread are busy: the GC worker is no Java thread, the compiler thread
 * one the VM keeps from JVMTI. */
static void vm_threads_busy(cd_sample samples[2])
{
    for (int k = 0; k < 2; k++) {
        cd_thread_dump dump;
        cd_thread_dump_init(&dump);
        dump.wall_ms = 1795681000000ull + 1000u * (unsigned)k;
        cd_thread *compiler = cd_thread_dump_add(&dump);
        compiler->name = "C2 CompilerThread0";
        compiler->java_id = 7;
        compiler->state = CD_THREAD_RUNNABLE;
        compiler->nid = 107;
        compiler->cpu_ns = 2000000000LL + k * 300000000LL;
        compiler->vm_internal = 1;
        compiler->kind = "JIT compiler";
        cd_native_thread natives[] = {
            {.name = "GC Thread#0",
             .nid = 500,
             .cpu_ns = 1000000000LL + k * 800000000LL,
             .vm_internal = 1,
             .vm_thread = 0x7f00a0,
             .kind = "GC"},
            {.name = "native-lib", .nid = 900, .cpu_ns = 5000000},
        };
        dump.natives = natives;
        dump.native_count = 2;
        assert_int_equal(cd_sample_take(&samples[k], &dump, 20000 + 1000u * (unsigned)k), 0);
        dump.natives = NULL;
        dump.native_count = 0;
        cd_thread_dump_free(&dump);
    }
}

static void vm_threads_that_use_cpu_are_hot_with_what_they_do(void **state)
{
    cd_sample samples[2];
    vm_threads_busy(samples);
    char *text = hot_text(samples, 2);
    const char *gc = strstr(text, "      800.00      80.0%  -                                  "
                                  "\"GC Thread#0\" nid=500  (GC)\n");
    const char *compiler =
        strstr(text, "      300.00      30.0%  RUNNABLE                           "
                     "\"C2 CompilerThread0\" #7 nid=107  (JIT compiler)\n");
    assert_non_null(gc);
    assert_non_null(compiler);
    assert_true(gc < compiler);
    assert_null(strstr(text, "\"native-lib\"")); /* used nothing between the samples */
    /* only Java threads are counted per state */
    assert_non_null(strstr(text, "  all threads                                 1          1\n"));
    free(text);

    cJSON *root = cd_hot_threads_json(samples, 2);
    cJSON *top = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(root, "hot_threads"), "top_cpu"), 0);
    assert_string_equal(cJSON_GetObjectItem(top, "name")->valuestring, "GC Thread#0");
    assert_string_equal(cJSON_GetObjectItem(top, "kind")->valuestring, "GC");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(top, "vm_internal")));
    assert_int_equal(cJSON_GetObjectItem(top, "nid")->valueint, 500);
    assert_null(cJSON_GetObjectItem(top, "java_id"));
    assert_null(cJSON_GetObjectItem(top, "state_line"));
    cJSON_Delete(root);
    for (int i = 0; i < 2; i++)
        cd_sample_free(&samples[i]);
}

static void each_sample_lists_who_waits_for_whom(void **state)
{
    cd_sample samples[2];
    for (int k = 0; k < 2; k++) {
        const planned threads[] = {
            {"holder", 20, CD_THREAD_TIMED_WAITING, 1000, &sleep_method, -1},
            {"waiter", 21, CD_THREAD_BLOCKED, 1000, &work, 10},
        };
        cd_thread_dump dump;
        cd_thread_dump_init(&dump);
        for (size_t i = 0; i < 2; i++) {
            cd_thread *t = cd_thread_dump_add(&dump);
            t->name = threads[i].name;
            t->java_id = threads[i].id;
            t->state = threads[i].state;
            t->detail = i == 0 ? CD_DETAIL_SLEEPING : CD_DETAIL_OBJECT_MONITOR;
        }
        dump.threads[1].wait_kind = CD_WAIT_MONITOR;
        dump.threads[1].waiting_for = (cd_object){0x2a, "X"};
        dump.threads[1].waiting_for_owner = k == 0 ? 20 : -1; /* the owner is unknown later */
        assert_int_equal(cd_sample_take(&samples[k], &dump, 1000u * (unsigned)k), 0);
        cd_thread_dump_free(&dump);
    }
    cJSON *root = cd_hot_threads_json(samples, 2);
    char *first = cJSON_PrintUnformatted(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "samples"), 0), "waits"));
    char *second = cJSON_PrintUnformatted(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "samples"), 1), "waits"));
    assert_string_equal(first,
                        "[{\"java_id\":21,\"object\":\"0x000000000000002a\","
                        "\"owner_java_id\":20,\"owner_state\":\"TIMED_WAITING (sleeping)\"}]");
    assert_string_equal(second, "[]");
    free(first);
    free(second);
    cJSON_Delete(root);
    for (int i = 0; i < 2; i++)
        cd_sample_free(&samples[i]);
}

static void one_sample_is_not_enough(void **state)
{
    cd_sample samples[3];
    three_samples(samples);
    cd_sink *sink = cd_sink_buffer();
    assert_int_equal(cd_hot_threads_write_text(sink, samples, 1), -1);
    assert_null(cd_sink_buffer_take(sink, NULL));
    assert_null(cd_hot_threads_json(samples, 1));
    for (int i = 0; i < 3; i++)
        cd_sample_free(&samples[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranks_threads_by_cpu_between_first_and_last_sample),
        cmocka_unit_test(counts_threads_per_state_in_each_sample),
        cmocka_unit_test(stuck_threads_kept_state_and_top_frames_in_every_sample),
        cmocka_unit_test(json_carries_the_same_analysis),
        cmocka_unit_test(vm_threads_that_use_cpu_are_hot_with_what_they_do),
        cmocka_unit_test(each_sample_lists_who_waits_for_whom),
        cmocka_unit_test(one_sample_is_not_enough),
    };
    return cmocka_run_group_tests_name("hot_threads", tests, NULL, NULL);
}
