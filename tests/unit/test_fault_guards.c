/*
 * What keeps faults from leaving half-written or stale files: sink guards
 * (sink.h), which stop a section abandoned past its time from adding files, and
 * owner-named staging areas (run.h), which a later run removes once their owner
 * has ended.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbondump/fsutil.h"
#include "carbondump/sink.h"
#include "base/run_context.h"
#include "base/staging.h"

static char dir[] = "/tmp/cd-test-fault-guards.XXXXXX";

static int setup(void **state)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    return cd_remove_tree(dir);
}

static int exists(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

static void untripped_guard_lets_files_commit(void **state)
{
    cd_sink_guard *guard = cd_sink_guard_new();
    cd_sink_guard_install(guard);
    cd_error err = {0};
    assert_int_equal(cd_staging_write(dir, "kept.txt", "data\n", 5, &err), 0);
    cd_sink_guard_install(NULL);
    cd_sink_guard_free(guard);
    assert_true(exists("kept.txt"));
}

static void tripped_guard_refuses_new_files_with_its_message(void **state)
{
    cd_sink_guard *guard = cd_sink_guard_new();
    cd_sink_guard_install(guard);
    cd_sink_guard_trip(guard, "timed out after 2 s (--section-timeout)");
    cd_error err = {0};
    assert_null(cd_staging_open(dir, "late.txt", &err));
    assert_int_equal(err.code, CD_ERR_TIMEOUT);
    assert_string_equal(err.message, "timed out after 2 s (--section-timeout)");
    cd_sink_guard_install(NULL);
    cd_sink_guard_free(guard);
    assert_false(exists("late.txt"));
    assert_false(exists("late.txt.partial"));
}

static void sink_open_before_the_trip_neither_writes_nor_commits(void **state)
{
    cd_sink_guard *guard = cd_sink_guard_new();
    cd_sink_guard_install(guard);
    cd_error err = {0};
    cd_sink *sink = cd_staging_open(dir, "cut.txt", &err);
    assert_non_null(sink);
    assert_int_equal(cd_sink_puts(sink, "first half\n"), 0);
    cd_sink_guard_trip(guard, "timed out after 5 s (--section-timeout)");
    assert_int_equal(cd_sink_puts(sink, "second half\n"), -1);
    assert_int_equal(cd_sink_close(sink, &err), -1);
    assert_string_equal(err.message, "timed out after 5 s (--section-timeout)");
    cd_sink_guard_install(NULL);
    cd_sink_guard_free(guard);
    assert_false(exists("cut.txt"));
    assert_false(exists("cut.txt.partial"));
}

static void sinks_of_other_threads_are_not_guarded(void **state)
{
    cd_sink_guard *guard = cd_sink_guard_new();
    cd_sink_guard_trip(guard, "timed out");
    /* never installed on this thread */
    cd_error err = {0};
    assert_int_equal(cd_staging_write(dir, "free.txt", "x", 1, &err), 0);
    cd_sink_guard_free(guard);
    assert_true(exists("free.txt"));
}

/* The pid of a process that has ended. */
static pid_t ended_pid(void)
{
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    return child;
}

static unsigned long long our_pid_namespace(void)
{
    struct stat st;
    assert_int_equal(stat("/proc/self/ns/pid", &st), 0);
    return (unsigned long long)st.st_ino;
}

static void make_area(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/%s/file.txt", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void created_staging_area_names_this_process(void **state)
{
    char path[512], expected[256];
    unsigned long long start;
    cd_error err = {0};
    assert_int_equal(cd_process_start_ticks(getpid(), &start), 0);
    assert_int_equal(cd_staging_create(dir, ".carbondump-x", path, sizeof path, &err), 0);
    snprintf(expected, sizeof expected, "%s/.carbondump-x.owner-%llu-%d-%llu.", dir,
             our_pid_namespace(), (int)getpid(), start);
    assert_int_equal(strncmp(path, expected, strlen(expected)), 0);
    assert_int_equal(strlen(path), strlen(expected) + 6);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(cd_staging_sweep(dir, ".carbondump-"), 0); /* we are alive */
    assert_int_equal(stat(path, &st), 0);
}

static void sweep_removes_only_areas_of_ended_owners(void **state)
{
    unsigned long long ns = our_pid_namespace(), start;
    assert_int_equal(cd_process_start_ticks(getppid(), &start), 0);
    char dead[128], live[128], reused[128], foreign[128];
    snprintf(dead, sizeof dead, ".carbondump-a.owner-%llu-%d-1.AbCdEf", ns, (int)ended_pid());
    snprintf(live, sizeof live, ".carbondump-b.owner-%llu-%d-%llu.AbCdEf", ns, (int)getppid(),
             start);
    snprintf(reused, sizeof reused, ".carbondump-c.owner-%llu-%d-%llu.AbCdEf", ns, (int)getppid(),
             start + 1);
    snprintf(foreign, sizeof foreign, ".carbondump-d.owner-%llu-%d-1.AbCdEf", ns + 1,
             (int)ended_pid());
    make_area(dead);
    make_area(live);
    make_area(reused);
    make_area(foreign);
    make_area(".carbondump-e.XyZabc");               /* no owner: an older carbondump's */
    make_area(".carbondump-f.owner-12-junk.AbCdEf"); /* malformed */
    assert_int_equal(cd_staging_sweep(dir, ".carbondump-"), 2);
    assert_false(exists(dead));
    assert_false(exists(reused));
    assert_true(exists(live));
    assert_true(exists(foreign));
    assert_true(exists(".carbondump-e.XyZabc"));
    assert_true(exists(".carbondump-f.owner-12-junk.AbCdEf"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(untripped_guard_lets_files_commit),
        cmocka_unit_test(tripped_guard_refuses_new_files_with_its_message),
        cmocka_unit_test(sink_open_before_the_trip_neither_writes_nor_commits),
        cmocka_unit_test(sinks_of_other_threads_are_not_guarded),
        cmocka_unit_test(created_staging_area_names_this_process),
        cmocka_unit_test(sweep_removes_only_areas_of_ended_owners),
    };
    return cmocka_run_group_tests_name("fault_guards", tests, setup, teardown);
}
