/*
 * Deadlock cycles in a thread dump (agent/deadlocks.c): which threads form a
 * cycle, in which order, and jstack's report of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "threads/thread_model.h"

static const cd_method lambda = {"Planted", "lambda$main$10", NULL, "Planted.java", 0, 1};
static cd_frame one_frame = {&lambda, 40};

/* Adds a thread with java id; it waits (kind) for object id held by owner
 * (-1: waits for nothing). */
static void add(cd_thread_dump *dump, const char *name, int64_t id, cd_wait_kind kind,
                uint32_t object, int64_t owner)
{
    cd_thread *t = cd_thread_dump_add(dump);
    t->name = name;
    t->java_id = id;
    t->state = kind == CD_WAIT_MONITOR ? CD_THREAD_BLOCKED : CD_THREAD_WAITING;
    t->frames = &one_frame;
    t->frame_count = 1;
    t->wait_kind = owner >= 0 ? kind : CD_WAIT_NONE;
    t->waiting_for = (cd_object){
        object, kind == CD_WAIT_MONITOR ? "Planted$LockB"
                                        : "java.util.concurrent.locks.ReentrantLock$NonfairSync"};
    t->waiting_for_owner = owner;
}

static const char *member(const cd_thread_dump *dump, size_t cycle, size_t k)
{
    return dump->threads[dump->deadlocks[cycle].threads[k]].name;
}

static void finds_a_two_thread_monitor_cycle_from_its_first_thread(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "idle", 1, CD_WAIT_NONE, 0, -1);
    add(&dump, "B", 23, CD_WAIT_MONITOR, 0xA, 22);
    add(&dump, "A", 22, CD_WAIT_MONITOR, 0xB, 23);
    assert_int_equal(cd_deadlocks_find(&dump), 1);
    assert_int_equal(dump.deadlocks[0].count, 2);
    assert_string_equal(member(&dump, 0, 0), "B"); /* first in the dump */
    assert_string_equal(member(&dump, 0, 1), "A");
    cd_thread_dump_free(&dump);
}

static void a_thread_waiting_for_a_deadlocked_thread_is_not_in_the_cycle(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "victim", 5, CD_WAIT_MONITOR, 0xA, 22);
    add(&dump, "A", 22, CD_WAIT_MONITOR, 0xB, 23);
    add(&dump, "B", 23, CD_WAIT_MONITOR, 0xA, 22);
    assert_int_equal(cd_deadlocks_find(&dump), 1);
    assert_int_equal(dump.deadlocks[0].count, 2);
    assert_string_equal(member(&dump, 0, 0), "A");
    assert_string_equal(member(&dump, 0, 1), "B");
    cd_thread_dump_free(&dump);
}

static void three_threads_and_mixed_lock_kinds_form_one_cycle(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "X", 1, CD_WAIT_SYNCHRONIZER, 0x1, 2);
    add(&dump, "Y", 2, CD_WAIT_MONITOR, 0x2, 3);
    add(&dump, "Z", 3, CD_WAIT_SYNCHRONIZER, 0x3, 1);
    assert_int_equal(cd_deadlocks_find(&dump), 1);
    assert_int_equal(dump.deadlocks[0].count, 3);
    assert_string_equal(member(&dump, 0, 0), "X");
    assert_string_equal(member(&dump, 0, 1), "Y");
    assert_string_equal(member(&dump, 0, 2), "Z");
    cd_thread_dump_free(&dump);
}

static void two_separate_cycles_are_found_in_dump_order(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "juc-A", 24, CD_WAIT_SYNCHRONIZER, 0x1, 25);
    add(&dump, "mon-A", 22, CD_WAIT_MONITOR, 0x2, 23);
    add(&dump, "juc-B", 25, CD_WAIT_SYNCHRONIZER, 0x3, 24);
    add(&dump, "mon-B", 23, CD_WAIT_MONITOR, 0x4, 22);
    assert_int_equal(cd_deadlocks_find(&dump), 2);
    assert_string_equal(member(&dump, 0, 0), "juc-A");
    assert_string_equal(member(&dump, 1, 0), "mon-A");
    cd_thread_dump_free(&dump);
}

static void no_cycle_without_a_known_owner_or_with_a_self_wait(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "chain-1", 1, CD_WAIT_MONITOR, 0x1, 2);
    add(&dump, "chain-2", 2, CD_WAIT_MONITOR, 0x2, 99); /* owner not in the dump */
    add(&dump, "self", 3, CD_WAIT_MONITOR, 0x3, 3);
    add(&dump, "unowned", 4, CD_WAIT_SYNCHRONIZER, 0x4, -1);
    assert_int_equal(cd_deadlocks_find(&dump), 0);
    assert_int_equal(dump.deadlock_count, 0);
    cd_thread_dump_free(&dump);
}

static char *report(const cd_thread_dump *dump)
{
    cd_sink *sink = cd_sink_buffer();
    cd_deadlocks_write_text(sink, dump);
    return cd_sink_buffer_take(sink, NULL);
}

static void monitor_deadlock_is_reported_in_jstack_words(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "cd-deadlock-A", 22, CD_WAIT_MONITOR, 0x3ce762db, 23);
    add(&dump, "cd-deadlock-B", 23, CD_WAIT_MONITOR, 0x35637ad7, 22);
    dump.threads[1].waiting_for.class_name = "Planted$LockA";
    cd_thread_add_lock(&dump, &dump.threads[0], 0, CD_LOCK_WAITING_TO_LOCK,
                       dump.threads[0].waiting_for);
    cd_thread_add_lock(&dump, &dump.threads[0], 0, CD_LOCK_LOCKED,
                       (cd_object){0x35637ad7, "Planted$LockA"});
    cd_deadlocks_find(&dump);
    char *text = report(&dump);
    assert_string_equal(
        text, "Found one Java-level deadlock:\n"
              "=============================\n"
              "\"cd-deadlock-A\":\n"
              "  waiting to lock monitor 0x000000003ce762db (object 0x000000003ce762db, a "
              "Planted$LockB),\n"
              "  which is held by \"cd-deadlock-B\"\n"
              "\n"
              "\"cd-deadlock-B\":\n"
              "  waiting to lock monitor 0x0000000035637ad7 (object 0x0000000035637ad7, a "
              "Planted$LockA),\n"
              "  which is held by \"cd-deadlock-A\"\n"
              "\n"
              "Java stack information for the threads listed above:\n"
              "===================================================\n"
              "\"cd-deadlock-A\":\n"
              "\tat Planted.lambda$main$10(Planted.java:40)\n"
              "\t- waiting to lock <0x000000003ce762db> (a Planted$LockB)\n"
              "\t- locked <0x0000000035637ad7> (a Planted$LockA)\n"
              "\"cd-deadlock-B\":\n"
              "\tat Planted.lambda$main$10(Planted.java:40)\n"
              "\n"
              "Found 1 deadlock.\n"
              "\n");
    free(text);
    cd_thread_dump_free(&dump);
}

static void synchronizer_deadlocks_are_counted_in_the_last_line(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "juc-A", 24, CD_WAIT_SYNCHRONIZER, 0x22239250, 25);
    add(&dump, "juc-B", 25, CD_WAIT_SYNCHRONIZER, 0x67211870, 24);
    add(&dump, "mon-A", 22, CD_WAIT_MONITOR, 0x1, 23);
    add(&dump, "mon-B", 23, CD_WAIT_MONITOR, 0x2, 22);
    cd_deadlocks_find(&dump);
    char *text = report(&dump);
    assert_non_null(strstr(text, "\"juc-A\":\n  waiting for ownable synchronizer "
                                 "0x0000000022239250, (a "
                                 "java.util.concurrent.locks.ReentrantLock$NonfairSync),\n"
                                 "  which is held by \"juc-B\"\n\n"));
    const char *tail = "\nFound 2 deadlocks.\n\n";
    assert_string_equal(text + strlen(text) - strlen(tail), tail);
    free(text);
    cd_thread_dump_free(&dump);
}

static void nothing_is_reported_without_deadlocks(void **state)
{
    cd_thread_dump dump;
    cd_thread_dump_init(&dump);
    add(&dump, "idle", 1, CD_WAIT_NONE, 0, -1);
    cd_deadlocks_find(&dump);
    char *text = report(&dump);
    assert_string_equal(text, "");
    free(text);
    cd_thread_dump_free(&dump);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_a_two_thread_monitor_cycle_from_its_first_thread),
        cmocka_unit_test(a_thread_waiting_for_a_deadlocked_thread_is_not_in_the_cycle),
        cmocka_unit_test(three_threads_and_mixed_lock_kinds_form_one_cycle),
        cmocka_unit_test(two_separate_cycles_are_found_in_dump_order),
        cmocka_unit_test(no_cycle_without_a_known_owner_or_with_a_self_wait),
        cmocka_unit_test(monitor_deadlock_is_reported_in_jstack_words),
        cmocka_unit_test(synchronizer_deadlocks_are_counted_in_the_last_line),
        cmocka_unit_test(nothing_is_reported_without_deadlocks),
    };
    return cmocka_run_group_tests_name("deadlocks", tests, NULL, NULL);
}
