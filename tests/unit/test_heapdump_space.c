/*
 * Disk safety for heap dumps: the size estimate, the free-space check, heap
 * sizes read from hsperfdata files and from jcmd GC.heap_info (the layouts of
 * every collector on JDK 17 and 25, copied from real JVMs), and the worker
 * thread sink the dump writers compress through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbondump/fsutil.h"
#include "carbondump/heapdump_space.h"
#include "carbondump/sink_async.h"
#include "hsperf_fixture.h"
#include "jvm/heapdump_vm.h"

/* ---------------------------------------------------------------- estimate and space */

static void estimate_is_half_the_heap_plus_a_margin(void **state)
{
    assert_int_equal(cd_heapdump_estimate_bytes(0), 16ULL << 20);
    assert_int_equal(cd_heapdump_estimate_bytes(1ULL << 30), (512ULL << 20) + (16ULL << 20));
}

static uint64_t available(const char *dir)
{
    struct statvfs vfs;
    assert_int_equal(statvfs(dir, &vfs), 0);
    return (uint64_t)vfs.f_bavail * vfs.f_frsize;
}

static void space_check_passes_what_fits(void **state)
{
    cd_space_need need = {"/tmp", 1 << 20};
    cd_error err = {0};
    assert_int_equal(cd_space_check(&need, 1, &err), 0);
}

static void space_check_refuses_what_does_not_fit_and_says_where(void **state)
{
    cd_space_need need = {"/tmp", available("/tmp") * 4};
    cd_error err = {0};
    assert_int_equal(cd_space_check(&need, 1, &err), -1);
    assert_int_equal(err.code, CD_ERR_NOSPACE);
    assert_non_null(strstr(err.message, "not enough free space in /tmp: about "));
    assert_non_null(strstr(err.message, " MiB free"));
}

static void needs_on_one_file_system_add_up(void **state)
{
    char dir[] = "/tmp/cd-test-space.XXXXXX";
    assert_non_null(mkdtemp(dir));
    uint64_t most = available("/tmp") / 10 * 6; /* 60%: fits alone, not twice */
    cd_space_need needs[2] = {{"/tmp", most}, {dir, most}};
    cd_error err = {0};
    assert_int_equal(cd_space_check(&needs[0], 1, &err), 0);
    assert_int_equal(cd_space_check(&needs[1], 1, &err), 0);
    assert_int_equal(cd_space_check(needs, 2, &err), -1);
    assert_int_equal(err.code, CD_ERR_NOSPACE);
    rmdir(dir);
}

static void space_check_of_a_missing_directory_says_it_is_missing(void **state)
{
    cd_space_need need = {"/tmp/cd-test-space-no-such-dir/x", 1};
    cd_error err = {0};
    assert_int_equal(cd_space_check(&need, 1, &err), -1);
    assert_int_equal(err.code, CD_ERR_NOENT);
}

/* ---------------------------------------------------------------- hsperfdata */

/* An hsperfdata file under root/tmp/hsperfdata_someone/<pid>, as HotSpot lays it out. */
static void write_hsperf(const char *root, int pid, int with_heap)
{
    hsperf_fixture file;
    hsperf_begin(&file);
    hsperf_long(&file, "sun.gc.generation.0.space.0.used", 111);
    if (with_heap) {
        hsperf_long(&file, "sun.gc.generation.0.space.0.capacity", 64 << 20);
        hsperf_long(&file, "sun.gc.generation.1.space.0.capacity", 192 << 20);
    }
    hsperf_long(&file, "sun.gc.metaspace.capacity", 99 << 20);
    char rel[64];
    snprintf(rel, sizeof rel, "tmp/hsperfdata_someone/%d", pid);
    cd_error err = {0};
    assert_int_equal(cd_staging_write(root, rel, file.bytes, sizeof file.bytes, &err), 0);
}

static void committed_heap_is_the_sum_of_the_heap_spaces(void **state)
{
    char root[] = "/tmp/cd-test-hsperf.XXXXXX";
    assert_non_null(mkdtemp(root));
    write_hsperf(root, 4242, 1);
    uint64_t bytes = 0;
    assert_int_equal(cd_hsperf_heap_committed(root, 4242, geteuid(), &bytes), 0);
    assert_int_equal(bytes, 256ULL << 20);
    cd_remove_tree(root);
}

static void hsperf_without_heap_counters_or_of_another_user_gives_nothing(void **state)
{
    char root[] = "/tmp/cd-test-hsperf.XXXXXX";
    assert_non_null(mkdtemp(root));
    write_hsperf(root, 4243, 0);
    write_hsperf(root, 4244, 1);
    uint64_t bytes = 0;
    assert_int_equal(cd_hsperf_heap_committed(root, 4243, geteuid(), &bytes), -1);
    assert_int_equal(cd_hsperf_heap_committed(root, 4244, geteuid() + 1, &bytes), -1);
    assert_int_equal(cd_hsperf_heap_committed(root, 4245, geteuid(), &bytes), -1);
    cd_remove_tree(root);
}

static void resident_memory_of_this_process_is_known(void **state)
{
    uint64_t bytes = 0;
    assert_int_equal(cd_process_resident_bytes(0, &bytes), 0);
    assert_true(bytes > 0);
}

/* ---------------------------------------------------------------- GC.heap_info */

static uint64_t used_of(const char *text)
{
    uint64_t bytes = 0;
    if (cd_heap_info_used_bytes(text, &bytes) != 0)
        fail_msg("no heap found in: %s", text);
    return bytes;
}

static void heap_info_g1_on_jdk17_and_25(void **state)
{
    assert_int_equal(
        used_of(" garbage-first heap   total 262144K, used 19693K [0x00000000f0000000, "
                "0x0000000100000000)\n  region size 1024K, 9 young (9216K), 2 survivors (2048K)\n"
                " Metaspace       used 197K, committed 384K, reserved 1114112K\n"
                "  class space    used 7K, committed 128K, reserved 1048576K\n"),
        19693ULL << 10);
    assert_int_equal(
        used_of("garbage-first heap   total reserved 262144K, committed 262144K, used 20323K "
                "[0x00000000f0000000, 0x0000000100000000)\n region size 1024K, 7 young (7168K), "
                "2 survivors (2048K)\n"),
        20323ULL << 10);
}

static void heap_info_parallel_and_serial_add_their_generations(void **state)
{
    assert_int_equal(
        used_of(" PSYoungGen      total 76288K, used 22283K [0x00000000fab00000, "
                "0x0000000100000000, 0x0000000100000000)\n  eden space 65536K, 34% used "
                "[0x00000000fab00000,0x00000000fc0c2ea8,0x00000000feb00000)\n ParOldGen       "
                "total 175104K, used 1166K [0x00000000f0000000, 0x00000000fab00000, "
                "0x00000000fab00000)\n  object space 175104K, 0% used [0x00000000f0000000,"
                "0x00000000f0123ab8,0x00000000fab00000)\n"),
        (22283ULL + 1166) << 10);
    assert_int_equal(
        used_of("DefNew     total 78656K, used 23784K [0x00000000f0000000, 0x00000000f5550000, "
                "0x00000000f5550000)\n eden space 69952K,  34% used [0x00000000f0000000, "
                "0x00000000f173a3e8, 0x00000000f4450000)\nTenured    total 174784K, used 1166K "
                "[0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)\n"),
        (23784ULL + 1166) << 10);
}

static void heap_info_zgc_and_shenandoah(void **state)
{
    assert_int_equal(used_of(" ZHeap           used 24M, capacity 256M, max capacity 256M\n"
                             " Metaspace       used 249K, committed 448K, reserved 1114112K\n"),
                     24ULL << 20);
    assert_int_equal(used_of("Shenandoah Heap\n 256M max, 256M soft max, 256M committed, 19456K "
                             "used\n 1024 x 256K regions\nStatus: not cancelled\n"),
                     19456ULL << 10);
}

static void heap_info_without_a_heap_line_is_refused(void **state)
{
    uint64_t bytes = 7;
    assert_int_equal(
        cd_heap_info_used_bytes(" Metaspace       used 197K, committed 384K\n", &bytes), -1);
    assert_int_equal(cd_heap_info_used_bytes("java.lang.IllegalArgumentException: Unknown "
                                             "diagnostic command\n",
                                             &bytes),
                     -1);
    assert_int_equal(bytes, 7);
}

/* ---------------------------------------------------------------- the worker thread sink */

static void async_sink_delivers_every_byte_in_order(void **state)
{
    cd_error err = {0};
    char dir[] = "/tmp/cd-test-async.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/out", dir);
    cd_sink *file = cd_sink_file(path, &err);
    cd_sink *async = cd_sink_async(file, 4096, 3, &err);
    assert_non_null(async);
    size_t total = 0;
    for (int i = 0; i < 5000; i++) {
        char line[32];
        int n = snprintf(line, sizeof line, "line %d\n", i);
        assert_int_equal(cd_sink_write(async, line, (size_t)n), 0);
        total += (size_t)n;
    }
    assert_int_equal(cd_sink_close(async, &err), 0);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(cd_read_file(path, 1 << 20, 0, &data, &len, &err), 0);
    assert_int_equal(len, total);
    assert_memory_equal(data, "line 0\nline 1\n", 14);
    assert_non_null(strstr(data, "line 4998\nline 4999\n"));
    free(data);
    cd_remove_tree(dir);
}

/* A sink that fails on its third write. */
typedef struct failing {
    cd_sink base;
    int writes;
} failing;

static int failing_write(cd_sink *sink, const void *data, size_t len, cd_error *err)
{
    if (++((failing *)sink)->writes == 3)
        return cd_fail(err, CD_ERR_NOSPACE, "cannot write: No space left on device");
    return 0;
}

static int failing_commit(cd_sink *sink, cd_error *err)
{
    return 0;
}

static void failing_destroy(cd_sink *sink, int committed)
{
    free(sink);
}

static const cd_sink_ops failing_ops = {failing_write, failing_commit, failing_destroy};

static void async_sink_reports_the_inner_sinks_error(void **state)
{
    cd_error err = {0};
    failing *inner = calloc(1, sizeof *inner);
    inner->base.ops = &failing_ops;
    cd_sink *async = cd_sink_async(&inner->base, 1024, 2, &err);
    char block[1024] = {0};
    int failed = 0;
    for (int i = 0; i < 50 && !failed; i++)
        failed = cd_sink_write(async, block, sizeof block) != 0;
    assert_true(failed);
    assert_int_equal(cd_sink_close(async, &err), -1);
    assert_int_equal(err.code, CD_ERR_NOSPACE);
    assert_string_equal(err.message, "cannot write: No space left on device");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(estimate_is_half_the_heap_plus_a_margin),
        cmocka_unit_test(space_check_passes_what_fits),
        cmocka_unit_test(space_check_refuses_what_does_not_fit_and_says_where),
        cmocka_unit_test(needs_on_one_file_system_add_up),
        cmocka_unit_test(space_check_of_a_missing_directory_says_it_is_missing),
        cmocka_unit_test(committed_heap_is_the_sum_of_the_heap_spaces),
        cmocka_unit_test(hsperf_without_heap_counters_or_of_another_user_gives_nothing),
        cmocka_unit_test(resident_memory_of_this_process_is_known),
        cmocka_unit_test(heap_info_g1_on_jdk17_and_25),
        cmocka_unit_test(heap_info_parallel_and_serial_add_their_generations),
        cmocka_unit_test(heap_info_zgc_and_shenandoah),
        cmocka_unit_test(heap_info_without_a_heap_line_is_refused),
        cmocka_unit_test(async_sink_delivers_every_byte_in_order),
        cmocka_unit_test(async_sink_reports_the_inner_sinks_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
