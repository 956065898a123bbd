/*
 * The findings report's analyses over fixed inputs: log-line classification,
 * thresholds, each finding's severity and wording, the evidence it cites, and
 * that summary.txt and index.html present them safely.
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

#include "findings/findings.h"
#include "findings/threads_doc.h"
#include "findings/wording.h"
#include "report/report.h"
#include "report/html_escape.h"

/* ---------------------------------------------------------------- helpers */

static cJSON *json(const char *text)
{
    cJSON *doc = cJSON_Parse(text);
    assert_non_null(doc);
    return doc;
}

static const cd_finding *only_finding(const cd_findings *list, const char *kind)
{
    const cd_finding *found = NULL;
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].kind, kind) == 0) {
            assert_null(found);
            found = &list->items[i];
        }
    assert_non_null(found);
    return found;
}

static int has_kind(const cd_findings *list, const char *kind)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].kind, kind) == 0)
            return 1;
    return 0;
}

static char *render(int html, const cd_findings *list, const cd_report_inputs *in)
{
    static const char *const files[] = {"thread_dump.txt", "osinfo/process_info.json", NULL};
    cd_report_context context = {"carbondump-2026-01-02_03-04-05", "2026-01-02T03:04:05.000Z",
                                 "pid 42", files};
    cd_overview overview;
    cd_overview_build(in, &overview);
    cd_sink *sink = cd_sink_buffer();
    if (html)
        cd_report_write_html(sink, list, &overview, in, &context);
    else
        cd_report_write_text(sink, list, &overview, &context);
    char *text = cd_sink_buffer_take(sink, NULL);
    assert_non_null(text);
    return text;
}

/* A threads.json with two threads deadlocked on monitors, three threads
 * waiting for a monitor that "owner" holds, and the thread_dump.txt text. */
static const char THREADS_DOC[] =
    "{\"schema\":\"carbondump.threads/1\","
    "\"methods\":[{\"class\":\"java.lang.Thread\",\"method\":\"sleep\",\"native\":true},"
    "{\"class\":\"com.example.Dao\",\"method\":\"save\",\"file\":\"Dao.java\",\"native\":false},"
    "{\"class\":\"com.example.Worker\",\"method\":\"run\",\"file\":\"Worker.java\",\"native\":"
    "false}],"
    "\"threads\":["
    "{\"name\":\"A\",\"java_id\":10,\"state\":\"BLOCKED\",\"state_line\":\"BLOCKED (on object "
    "monitor)\","
    "\"frames\":[[1,12]],\"locks\":[],\"waiting_for\":{\"id\":\"0x2\",\"class\":\"com.example."
    "LockB\","
    "\"kind\":\"monitor\",\"owner_java_id\":11}},"
    "{\"name\":\"B\",\"java_id\":11,\"state\":\"BLOCKED\",\"state_line\":\"BLOCKED (on object "
    "monitor)\","
    "\"frames\":[[1,14]],\"locks\":[],\"waiting_for\":{\"id\":\"0x1\",\"class\":\"com.example."
    "LockA\","
    "\"kind\":\"monitor\",\"owner_java_id\":10}},"
    "{\"name\":\"owner\",\"java_id\":20,\"state\":\"TIMED_WAITING\",\"state_line\":\"TIMED_WAITING "
    "(sleeping)\","
    "\"frames\":[[0,null],[1,30]],\"locks\":[{\"id\":\"0x9\",\"class\":\"com.example.Res\","
    "\"depth\":1,"
    "\"action\":\"locked\"}]},"
    "{\"name\":\"w-1\",\"java_id\":21,\"state\":\"BLOCKED\",\"state_line\":\"BLOCKED (on object "
    "monitor)\","
    "\"frames\":[[2,7]],\"waiting_for\":{\"id\":\"0x9\",\"class\":\"com.example.Res\",\"kind\":"
    "\"monitor\","
    "\"owner_java_id\":20}},"
    "{\"name\":\"w-2\",\"java_id\":22,\"state\":\"BLOCKED\",\"state_line\":\"BLOCKED (on object "
    "monitor)\","
    "\"frames\":[[2,7]],\"waiting_for\":{\"id\":\"0x9\",\"class\":\"com.example.Res\",\"kind\":"
    "\"monitor\","
    "\"owner_java_id\":20}},"
    "{\"name\":\"w-3\",\"java_id\":23,\"state\":\"BLOCKED\",\"state_line\":\"BLOCKED (on object "
    "monitor)\","
    "\"frames\":[[2,7]],\"waiting_for\":{\"id\":\"0x9\",\"class\":\"com.example.Res\",\"kind\":"
    "\"monitor\","
    "\"owner_java_id\":20}}],"
    "\"deadlocks_checked\":true,"
    "\"deadlocks\":[{\"threads\":["
    "{\"name\":\"A\",\"java_id\":10,\"waiting_for\":{\"id\":\"0x2\",\"class\":\"com.example."
    "LockB\","
    "\"kind\":\"monitor\"},\"held_by\":\"B\",\"held_by_java_id\":11},"
    "{\"name\":\"B\",\"java_id\":11,\"waiting_for\":{\"id\":\"0x1\",\"class\":\"com.example."
    "LockA\","
    "\"kind\":\"monitor\"},\"held_by\":\"A\",\"held_by_java_id\":10}]}]}";

static const char DUMP_TEXT[] = "2026-01-02 03:04:05\n"                          /* 1 */
                                "Full thread dump\n"                             /* 2 */
                                "\n"                                             /* 3 */
                                "\"owner\" #20 prio=5 tid=0x1 nid=0x2 waiting\n" /* 4 */
                                "   java.lang.Thread.State: TIMED_WAITING (sleeping)\n"
                                "\tat java.lang.Thread.sleep(Native Method)\n"
                                "\t- locked <0x9> (a com.example.Res)\n" /* 7 */
                                "\n"
                                "\"w-1 \\\" #20 fake\" #21 prio=5 tid=0x3 nid=0x4 blocked\n" /* 9 */
                                "\n"
                                "Found one Java-level deadlock:\n" /* 11 */
                                "=============================\n"
                                "\"A\":\n"
                                "  waiting to lock monitor 0x2\n" /* 14 */
                                "\n"
                                "Found 1 deadlock.\n";

/* ---------------------------------------------------------------- log lines */

static void classifies_carbon_error_line_by_its_category(void **state)
{
    char key[200];
    const char *line =
        "TID: [-1234] [] [2019-05-24 08:00:30,120] ERROR "
        "{org.apache.synapse.transport.passthru.TargetHandler} -  I/O error: "
        "Connection reset by peer {org.apache.synapse.transport.passthru.TargetHandler}";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_ERROR);
    assert_string_equal(key, "org.apache.synapse.transport.passthru.TargetHandler");
}

static void classifies_log4j2_error_line(void **state)
{
    char key[200];
    const char *line = "[2023-05-01 10:00:00,123] ERROR {org.wso2.carbon.Foo} - failed";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_ERROR);
    assert_string_equal(key, "org.wso2.carbon.Foo");
}

static void classifies_error_without_category(void **state)
{
    char key[200];
    const char *line = "[2019-05-24 08:00:30,379] ERROR - Initiator : admin | Outcome : Failure";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_ERROR);
    assert_string_equal(key, "(no category)");
}

static void ignores_the_word_error_in_an_info_message(void **state)
{
    char key[200];
    const char *line = "[2023-05-01 10:00:00,123]  INFO {org.wso2.Foo} - ERROR count is 0";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_OTHER);
    const char *word = "[2023-05-01 10:00:00,123]  INFO {org.wso2.ERRORS} - fine";
    assert_int_equal(cd_log_classify(word, strlen(word), key, sizeof key), CD_LOG_LINE_OTHER);
}

static void classifies_exception_line_that_starts_a_trace(void **state)
{
    char key[200];
    const char *line = "java.io.IOException: Connection reset by peer";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_EXCEPTION);
    assert_string_equal(key, "java.io.IOException");
    const char *bare = "org.wso2.carbon.user.core.UserStoreException";
    assert_int_equal(cd_log_classify(bare, strlen(bare), key, sizeof key), CD_LOG_LINE_EXCEPTION);
    assert_string_equal(key, "org.wso2.carbon.user.core.UserStoreException");
}

static void classifies_caused_by_line(void **state)
{
    char key[200];
    const char *line = "Caused by: org.h2.jdbc.JdbcSQLTimeoutException: Timeout trying to lock";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_CAUSED_BY);
    assert_string_equal(key, "org.h2.jdbc.JdbcSQLTimeoutException");
}

static void classifies_uncaught_exception_in_thread(void **state)
{
    char key[200];
    const char *line = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_EXCEPTION);
    assert_string_equal(key, "java.lang.OutOfMemoryError");
}

static void ignores_frames_and_lines_that_only_look_alike(void **state)
{
    char key[200];
    const char *lines[] = {"\tat java.lang.Thread.run(Thread.java:748)",
                           "\t... 12 more",
                           "Exception occurred while reading",
                           "com.example.Config: value=1",
                           "java.io.IOExceptionally bad",
                           "Caused by: nothing useful",
                           ""};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        assert_int_equal(cd_log_classify(lines[i], strlen(lines[i]), key, sizeof key),
                         CD_LOG_LINE_OTHER);
}

static void truncates_a_long_key_to_the_buffer(void **state)
{
    char key[8];
    const char *line = "ERROR {org.example.VeryLongCategory} - x";
    assert_int_equal(cd_log_classify(line, strlen(line), key, sizeof key), CD_LOG_LINE_ERROR);
    assert_string_equal(key, "org.exa");
}

/* ---------------------------------------------------------------- helpers */

static void ratio_severity_follows_the_thresholds(void **state)
{
    assert_int_equal(cd_ratio_severity(79, 100, 0.8, 0.95), -1);
    assert_int_equal(cd_ratio_severity(80, 100, 0.8, 0.95), CD_SEVERITY_WARNING);
    assert_int_equal(cd_ratio_severity(94, 100, 0.8, 0.95), CD_SEVERITY_WARNING);
    assert_int_equal(cd_ratio_severity(95, 100, 0.8, 0.95), CD_SEVERITY_CRITICAL);
    assert_int_equal(cd_ratio_severity(500, 100, 0.8, 0.95), CD_SEVERITY_CRITICAL);
}

static void ratio_against_an_unknown_limit_is_never_bad(void **state)
{
    assert_int_equal(cd_ratio_severity(100, 0, 0.8, 0.95), -1);
    assert_int_equal(cd_ratio_severity(100, -1, 0.8, 0.95), -1);
    assert_int_equal(cd_ratio_severity(-1, 100, 0.8, 0.95), -1);
}

static void formats_bytes_in_binary_units(void **state)
{
    char out[32];
    cd_format_bytes(512, out, sizeof out);
    assert_string_equal(out, "512 B");
    cd_format_bytes(1536, out, sizeof out);
    assert_string_equal(out, "1.5 KiB");
    cd_format_bytes(60514592, out, sizeof out);
    assert_string_equal(out, "57.7 MiB");
    cd_format_bytes(4294967296.0, out, sizeof out);
    assert_string_equal(out, "4.0 GiB");
}

static void spells_jvm_class_names_as_java_does(void **state)
{
    char out[128];
    cd_java_type_name("[B", out, sizeof out);
    assert_string_equal(out, "byte[]");
    cd_java_type_name("[[Ljava.lang.String;", out, sizeof out);
    assert_string_equal(out, "java.lang.String[][]");
    cd_java_type_name("[Lorg.h2.mvstore.MVMap;", out, sizeof out);
    assert_string_equal(out, "org.h2.mvstore.MVMap[]");
    cd_java_type_name("java.util.HashMap$Node", out, sizeof out);
    assert_string_equal(out, "java.util.HashMap$Node");
    cd_java_type_name("[Q", out, sizeof out);
    assert_string_equal(out, "[Q");
}

static void groups_thread_names_by_replacing_numbers(void **state)
{
    char out[64];
    cd_thread_name_pattern("cd-idle-17", out, sizeof out);
    assert_string_equal(out, "cd-idle-N");
    cd_thread_name_pattern("pool-3-thread-12", out, sizeof out);
    assert_string_equal(out, "pool-N-thread-N");
    cd_thread_name_pattern("main", out, sizeof out);
    assert_string_equal(out, "main");
}

static void finds_lines_by_prefix_or_anywhere(void **state)
{
    const char *text = "alpha\nbeta gamma\nbeta\n";
    assert_int_equal(cd_text_find_line(text, "beta", 0, 1), 2);
    assert_int_equal(cd_text_find_line(text, "beta", 0, 3), 3);
    assert_int_equal(cd_text_find_line(text, "gamma", 1, 1), 2);
    assert_int_equal(cd_text_find_line(text, "gamma", 0, 1), 0);
    assert_int_equal(cd_text_find_line(NULL, "x", 0, 1), 0);
}

static void parses_a_disk_space_row_with_its_roles(void **state)
{
    cd_disk_row row;
    const char *line = "/dev/vda                 ext4            264212084       19556588       "
                       "80780600   20%   16777216   16318148    3% /srv/data dir  (CARBON_HOME: "
                       "/opt/wso2am)";
    assert_int_equal(cd_parse_disk_row(line, &row), 0);
    assert_string_equal(row.filesystem, "/dev/vda");
    assert_int_equal(row.size_kib, 264212084);
    assert_int_equal(row.used_kib, 19556588);
    assert_int_equal(row.available_kib, 80780600);
    assert_int_equal(row.inodes, 16777216);
    assert_int_equal(row.inodes_free, 16318148);
    assert_string_equal(row.mount_point, "/srv/data dir");
    assert_string_equal(row.role, "CARBON_HOME: /opt/wso2am");
}

static void rejects_disk_headers_and_unqueried_rows(void **state)
{
    cd_disk_row row;
    assert_int_equal(cd_parse_disk_row("Filesystem Type 1K-blocks Used Available Use% Inodes "
                                       "IFree IUse% Mounted on  (what)",
                                       &row),
                     -1);
    assert_int_equal(cd_parse_disk_row("proc proc - - - - - - - /proc  [rw]", &row), -1);
    assert_int_equal(cd_parse_disk_row("# sizes in KiB", &row), -1);
    assert_int_equal(cd_parse_disk_row("== the file systems that matter", &row), -1);
}

/* ---------------------------------------------------------------- model */

static void sorts_most_severe_first_keeping_order(void **state)
{
    cd_findings list = {0};
    cd_findings_add(&list, CD_SEVERITY_INFO, "a", "first info");
    cd_findings_add(&list, CD_SEVERITY_CRITICAL, "b", "critical");
    cd_findings_add(&list, CD_SEVERITY_INFO, "c", "second info");
    cd_findings_add(&list, CD_SEVERITY_WARNING, "d", "warning");
    cd_findings_sort(&list);
    assert_string_equal(list.items[0].title, "critical");
    assert_string_equal(list.items[1].title, "warning");
    assert_string_equal(list.items[2].title, "first info");
    assert_string_equal(list.items[3].title, "second info");
    assert_int_equal(cd_findings_count(&list, CD_SEVERITY_WARNING), 2);
    cd_findings_free(&list);
}

static void keeps_titles_and_details_on_one_line(void **state)
{
    cd_findings list = {0};
    cd_finding *f = cd_findings_add(&list, CD_SEVERITY_INFO, "k", "thread \"%s\"", "a\nb\x01");
    cd_finding_detail(f, "x\ry");
    cd_finding_detail(f, "second");
    assert_string_equal(f->title, "thread \"a\\nb\\u0001\"");
    assert_string_equal(f->detail, "x\\ry\nsecond");
    cd_findings_free(&list);
}

static void manifest_json_carries_evidence_as_lines_or_pointer(void **state)
{
    cd_findings list = {0};
    cd_finding *f = cd_findings_add(&list, CD_SEVERITY_WARNING, "k", "title");
    cd_finding_lines(f, "thread_dump.txt", 5, 9);
    cd_finding_pointer(f, "threads/threads.json", "/deadlocks/%d", 0);
    cd_finding_lines(f, "memoryinfo/gc_statistics.txt", 0, 0);
    cd_finding_recommend(f, "do this");
    cJSON *array = cd_findings_json(&list);
    char *text = cJSON_PrintUnformatted(array);
    assert_string_equal(
        text, "[{\"severity\":\"warning\",\"kind\":\"k\",\"title\":\"title\",\"evidence\":["
              "{\"path\":\"thread_dump.txt\",\"lines\":[5,9]},"
              "{\"path\":\"threads/threads.json\",\"pointer\":\"/deadlocks/0\"},"
              "{\"path\":\"memoryinfo/gc_statistics.txt\"}],\"recommendation\":\"do this\"}]");
    free(text);
    cJSON_Delete(array);
    cJSON *empty = cd_findings_json(NULL);
    assert_int_equal(cJSON_GetArraySize(empty), 0);
    cJSON_Delete(empty);
    cd_findings_free(&list);
}

/* ---------------------------------------------------------------- threads */

static void reports_monitor_deadlock_by_thread_name(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json(THREADS_DOC);
    in.thread_dump = strdup(DUMP_TEXT);
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "java-deadlock");
    assert_int_equal(f->severity, CD_SEVERITY_CRITICAL);
    assert_string_equal(f->title, "Java-level deadlock: \"A\" and \"B\" wait for each other "
                                  "forever (com.example.LockB, com.example.LockA)");
    assert_non_null(strstr(f->detail, "\"A\" waits for monitor <0x2> (a com.example.LockB) held "
                                      "by \"B\", at com.example.Dao.save(Dao.java:12)"));
    assert_string_equal(f->evidence[0].path, "thread_dump.txt");
    assert_int_equal(f->evidence[0].first_line, 11);
    assert_int_equal(f->evidence[0].last_line, 14);
    assert_string_equal(f->evidence[1].pointer, "/deadlocks/0");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void names_juc_deadlocks_as_such(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json("{\"threads\":[],\"deadlocks\":[{\"threads\":["
                      "{\"name\":\"x\",\"java_id\":1,\"waiting_for\":{\"id\":\"0x1\",\"class\":"
                      "\"java.util.concurrent.locks.ReentrantLock$NonfairSync\",\"kind\":"
                      "\"ownable_synchronizer\"},\"held_by\":\"y\"},"
                      "{\"name\":\"y\",\"java_id\":2,\"waiting_for\":{\"id\":\"0x2\",\"class\":"
                      "\"java.util.concurrent.locks.ReentrantLock$NonfairSync\",\"kind\":"
                      "\"ownable_synchronizer\"},\"held_by\":\"x\"}]}]}");
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "juc-deadlock");
    assert_string_equal(f->title, "Deadlock on java.util.concurrent locks: \"x\" and \"y\" wait "
                                  "for each other forever "
                                  "(java.util.concurrent.locks.ReentrantLock$NonfairSync)");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void reports_contention_with_holder_and_what_it_does(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json(THREADS_DOC);
    in.thread_dump = strdup(DUMP_TEXT);
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "lock-contention");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title,
                        "3 threads blocked on monitor <0x9> (a com.example.Res) held by \"owner\"");
    assert_string_equal(f->detail, "holder \"owner\" is TIMED_WAITING (sleeping) at "
                                   "java.lang.Thread.sleep(Native Method)\n"
                                   "it took the lock in com.example.Dao.save(Dao.java:30)\n"
                                   "waiting: \"w-1\", \"w-2\", \"w-3\"\n"
                                   "the waiters are at com.example.Worker.run(Worker.java:7)");
    /* the holder's block, found by its java id (not the look-alike in w-1's name) */
    assert_int_equal(f->evidence[0].first_line, 4);
    assert_int_equal(f->evidence[0].last_line, 7);
    assert_string_equal(f->evidence[1].pointer, "/threads/2");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void two_threads_waiting_for_one_lock_is_not_contention(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json("{\"threads\":["
                      "{\"name\":\"o\",\"java_id\":1,\"state_line\":\"RUNNABLE\"},"
                      "{\"name\":\"a\",\"java_id\":2,\"waiting_for\":{\"id\":\"0x9\",\"class\":"
                      "\"X\",\"kind\":\"monitor\",\"owner_java_id\":1}},"
                      "{\"name\":\"b\",\"java_id\":3,\"waiting_for\":{\"id\":\"0x9\",\"class\":"
                      "\"X\",\"kind\":\"monitor\",\"owner_java_id\":1}}]}");
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    assert_int_equal(list.count, 0);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static const char HOT_DOC[] =
    "{\"threads\":[{\"name\":\"spin\",\"java_id\":5,\"state_line\":\"RUNNABLE\"}],"
    "\"samples\":[{},{},{}],"
    "\"hot_threads\":{\"wall_ms\":2000,\"top_cpu\":["
    "{\"name\":\"spin\",\"java_id\":5,\"percent_of_core\":90,\"state_line\":\"RUNNABLE\"},"
    "{\"name\":\"idle\",\"java_id\":6,\"percent_of_core\":1,\"state_line\":\"WAITING\"}],"
    "\"stuck\":[{\"name\":\"spin\",\"java_id\":5,\"state_line\":\"RUNNABLE\",\"top_frame\":\"X.y(X."
    "java:1)\"},"
    "{\"name\":\"stuck-1\",\"java_id\":7,\"state_line\":\"BLOCKED (on object "
    "monitor)\",\"top_frame\":\"X.z(X.java:2)\"}]}}";

static void a_hot_thread_is_info_while_cpus_are_left(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json(HOT_DOC);
    in.process = json("{\"cgroup\":{\"cpu_effective_limit_cpus\":4}}");
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "hot-threads");
    assert_int_equal(f->severity, CD_SEVERITY_INFO);
    assert_string_equal(f->title, "Hot thread: \"spin\" used 90% of a core over 2.0 s of samples");
    assert_non_null(strstr(f->detail, "(same frames in every sample: a loop?)"));
    const cd_finding *stuck = only_finding(&list, "stuck-threads");
    assert_int_equal(stuck->severity, CD_SEVERITY_INFO);
    assert_string_equal(stuck->title,
                        "\"stuck-1\" stayed BLOCKED at the same place in all 3 samples");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void hot_threads_that_saturate_the_cpus_are_a_warning(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json(HOT_DOC);
    in.process = json("{\"cgroup\":{\"cpu_effective_limit_cpus\":1}}");
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    assert_int_equal(only_finding(&list, "hot-threads")->severity, CD_SEVERITY_WARNING);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void busy_vm_threads_are_hot_under_what_they_do(void **state)
{
    cd_report_inputs in = {0};
    in.threads =
        json("{\"threads\":[{\"name\":\"C2 CompilerThread0\",\"java_id\":7,\"state_line\":"
             "\"RUNNABLE\",\"vm_internal\":true,\"kind\":\"JIT compiler\",\"frames\":[]}],"
             "\"samples\":[{},{}],"
             "\"hot_threads\":{\"wall_ms\":1000,\"top_cpu\":["
             "{\"name\":\"GC Thread#0\",\"vm_internal\":true,\"kind\":\"GC\",\"nid\":501,"
             "\"percent_of_core\":97},"
             "{\"name\":\"C2 CompilerThread0\",\"java_id\":7,\"vm_internal\":true,\"kind\":\"JIT "
             "compiler\",\"nid\":107,\"percent_of_core\":40,\"state_line\":\"RUNNABLE\"}],"
             "\"stuck\":[]}}");
    in.process = json("{\"cgroup\":{\"cpu_effective_limit_cpus\":8}}");
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "hot-threads");
    assert_int_equal(f->severity, CD_SEVERITY_INFO);
    assert_string_equal(f->title, "2 hot threads used 40-97% of a core each: \"GC Thread#0\" (GC), "
                                  "\"C2 CompilerThread0\" (JIT compiler)");
    assert_non_null(strstr(f->detail, "\"GC Thread#0\" (GC) 97.0% of a core, nid=501\n"
                                      "\"C2 CompilerThread0\" (JIT compiler) 40.0% of a core, "
                                      "RUNNABLE\n"));
    assert_non_null(strstr(f->detail, "GC threads are busy"));
    assert_non_null(strstr(f->detail, "a JIT compiler thread is busy"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

/* A threads.json: "H" (#1) in holder_state holds the monitors <0x5>,
 * <0x6> ... (a com.example.Res), taken in Dao.save; "W1" .. "Wn" (#11 ...)
 * are BLOCKED on one each (so that no monitor has enough waiters to be
 * contention). With samples > 1, each sample lists the waits, but for the
 * sample numbered missing_in (1-based; 0: none). */
static cJSON *blocked_behind(const char *holder_state, int waiters, int samples, int missing_in)
{
    cJSON *doc = json("{\"methods\":[{\"class\":\"java.lang.Thread\",\"method\":\"sleep\","
                      "\"native\":true},{\"class\":\"com.example.Dao\",\"method\":\"save\","
                      "\"file\":\"Dao.java\",\"native\":false},{\"class\":\"com.example.Worker\","
                      "\"method\":\"run\",\"file\":\"Worker.java\",\"native\":false}],"
                      "\"hot_threads\":{\"wall_ms\":2000,\"top_cpu\":[],\"stuck\":[]}}");
    cJSON *threads = cJSON_AddArrayToObject(doc, "threads");
    cJSON *holder = json("{\"name\":\"H\",\"java_id\":1,\"frames\":[[0,null],[1,30]],"
                         "\"locks\":[]}");
    cJSON_AddStringToObject(holder, "state_line", holder_state);
    cJSON_AddItemToArray(threads, holder);
    cJSON *list = samples > 1 ? cJSON_AddArrayToObject(doc, "samples") : NULL;
    for (int k = 1; list && k <= samples; k++)
        cJSON_AddItemToArray(list, json("{\"waits\":[]}"));
    for (int i = 1; i <= waiters; i++) {
        char name[16], object[16];
        snprintf(name, sizeof name, "W%d", i);
        snprintf(object, sizeof object, "0x%x", 4 + i);
        cJSON *lock = json("{\"class\":\"com.example.Res\",\"depth\":1,\"action\":\"locked\"}");
        cJSON_AddStringToObject(lock, "id", object);
        cJSON_AddItemToArray(cJSON_GetObjectItem(holder, "locks"), lock);
        cJSON *w = json("{\"state_line\":\"BLOCKED (on object monitor)\",\"frames\":[[2,7]],"
                        "\"waiting_for\":{\"class\":\"com.example.Res\",\"kind\":\"monitor\","
                        "\"owner_java_id\":1}}");
        cJSON_AddStringToObject(cJSON_GetObjectItem(w, "waiting_for"), "id", object);
        cJSON_AddStringToObject(w, "name", name);
        cJSON_AddNumberToObject(w, "java_id", 10 + i);
        cJSON_AddItemToArray(threads, w);
        for (int k = 1; list && k <= samples; k++) {
            if (k == missing_in)
                continue;
            cJSON *wait = json("{\"owner_java_id\":1}");
            cJSON_AddStringToObject(wait, "object", object);
            cJSON_AddNumberToObject(wait, "java_id", 10 + i);
            cJSON_AddStringToObject(wait, "owner_state", holder_state);
            cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetArrayItem(list, k - 1), "waits"),
                                 wait);
        }
    }
    return doc;
}

static void a_waiter_behind_a_sleeping_holder_in_every_sample_is_a_warning(void **state)
{
    cd_report_inputs in = {0};
    in.threads = blocked_behind("TIMED_WAITING (sleeping)", 1, 3, 0);
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "blocking-chain");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "\"W1\" waits for \"H\", which holds the lock while "
                                  "TIMED_WAITING (sleeping) (in all 3 samples over 2.0 s)");
    assert_string_equal(f->detail,
                        "\"W1\" waits for monitor <0x5> (a com.example.Res) held by \"H\", at "
                        "com.example.Worker.run(Worker.java:7)\n"
                        "holder \"H\" is TIMED_WAITING (sleeping) at "
                        "java.lang.Thread.sleep(Native Method)\n"
                        "it took <0x5> (a com.example.Res) in com.example.Dao.save(Dao.java:30)");
    assert_string_equal(f->evidence[0].pointer, "/threads/0");
    assert_false(has_kind(&list, "lock-contention"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void a_chain_is_followed_to_its_end(void **state)
{
    cd_report_inputs in = {0};
    /* "A" waits for a monitor "B" holds; "B" is parked on a ReentrantLock
     * "C" holds; "C" waits on another object, in both samples */
    in.threads =
        json("{\"methods\":[],\"hot_threads\":{\"wall_ms\":1000},\"threads\":["
             "{\"name\":\"A\",\"java_id\":1,\"state_line\":\"BLOCKED (on object monitor)\","
             "\"waiting_for\":{\"id\":\"0x1\",\"class\":\"X\",\"kind\":\"monitor\","
             "\"owner_java_id\":2}},"
             "{\"name\":\"B\",\"java_id\":2,\"state_line\":\"WAITING (parking)\","
             "\"waiting_for\":{\"id\":\"0x2\",\"class\":\"java.util.concurrent.locks."
             "ReentrantLock$NonfairSync\",\"kind\":\"ownable_synchronizer\",\"owner_java_id\":3}},"
             "{\"name\":\"C\",\"java_id\":3,\"state_line\":\"WAITING (on object monitor)\"}],"
             "\"samples\":["
             "{\"waits\":[{\"java_id\":1,\"object\":\"0x1\",\"owner_java_id\":2,\"owner_state\":"
             "\"WAITING (parking)\"},{\"java_id\":2,\"object\":\"0x2\",\"owner_java_id\":3,"
             "\"owner_state\":\"WAITING (on object monitor)\"}]},"
             "{\"waits\":[{\"java_id\":1,\"object\":\"0x1\",\"owner_java_id\":2,\"owner_state\":"
             "\"WAITING (parking)\"},{\"java_id\":2,\"object\":\"0x2\",\"owner_java_id\":3,"
             "\"owner_state\":\"WAITING (on object monitor)\"}]}]}");
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "blocking-chain");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "Blocking chain of 3: \"A\" waits for \"B\", which waits for "
                                  "\"C\", which is WAITING (on object monitor) (in all 2 samples "
                                  "over 1.0 s)");
    assert_non_null(strstr(f->detail, "\"A\" waits for monitor <0x1> (a X) held by \"B\"\n"
                                      "\"B\" waits for lock <0x2> (a java.util.concurrent.locks."
                                      "ReentrantLock$NonfairSync) held by \"C\"\n"
                                      "holder \"C\" is WAITING (on object monitor)\n"
                                      "it holds <0x2> (a java.util.concurrent.locks.ReentrantLock"
                                      "$NonfairSync); where a java.util.concurrent lock was "
                                      "taken is not recorded"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void a_wait_that_came_and_went_between_samples_is_no_chain(void **state)
{
    cd_report_inputs in = {0};
    in.threads = blocked_behind("TIMED_WAITING (sleeping)", 1, 3, 2);
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    assert_false(has_kind(&list, "blocking-chain"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void a_running_holder_blocks_nobody_for_good(void **state)
{
    cd_report_inputs in = {0};
    in.threads = blocked_behind("RUNNABLE", 1, 3, 0);
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    assert_false(has_kind(&list, "blocking-chain"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

/* The severity of a blocking chain of waiters threads seen in samples. */
static cd_severity chain_severity_of(int waiters, int samples)
{
    cd_report_inputs in = {0};
    in.threads = blocked_behind("WAITING (parking)", waiters, samples, 0);
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    cd_severity severity = only_finding(&list, "blocking-chain")->severity;
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
    return severity;
}

static void blocking_chains_grow_severe_with_waiters_and_samples(void **state)
{
    assert_int_equal(chain_severity_of(1, 0), CD_SEVERITY_INFO);
    assert_int_equal(chain_severity_of(1, 2), CD_SEVERITY_INFO);
    assert_int_equal(chain_severity_of(2, 2), CD_SEVERITY_WARNING);
    assert_int_equal(chain_severity_of(1, 3), CD_SEVERITY_WARNING);
    assert_int_equal(chain_severity_of(1, 5), CD_SEVERITY_CRITICAL);
    assert_int_equal(chain_severity_of(10, 2), CD_SEVERITY_CRITICAL);
}

static void a_thousand_threads_of_one_pattern_is_an_explosion(void **state)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *threads = cJSON_AddArrayToObject(doc, "threads");
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof name, "pool-1-thread-%d", i);
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", name);
        cJSON_AddNumberToObject(t, "java_id", 100 + i);
        cJSON_AddStringToObject(t, "state_line", "WAITING (parking)");
        cJSON_AddItemToArray(threads, t);
    }
    cd_report_inputs in = {0};
    in.threads = doc;
    cd_findings list = {0};
    cd_findings_threads(&in, &list);
    const cd_finding *f = only_finding(&list, "thread-explosion");
    assert_string_equal(f->title,
                        "1000 threads named like \"pool-N-thread-N\" (WAITING (parking))");
    cJSON_DeleteItemFromArray(threads, 0);
    cd_findings_free(&list);
    cd_findings_threads(&in, &list);
    assert_false(has_kind(&list, "thread-explosion"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

/* ---------------------------------------------------------------- host */

static void threads_near_rlimit_nproc_are_a_warning_naming_the_groups(void **state)
{
    cd_report_inputs in = {0};
    in.process = json("{\"uid\":1000,\"user\":\"wso2\",\"threads\":{\"count\":350,"
                      "\"nproc_soft_limit\":400,\"uid_tasks\":350,\"all_tasks\":900,"
                      "\"pid_max\":32768,\"threads_max\":100000}}");
    in.threads = json("{\"threads\":[{\"name\":\"cd-idle-1\",\"state_line\":\"WAITING (parking)\"},"
                      "{\"name\":\"cd-idle-2\",\"state_line\":\"WAITING (parking)\"},"
                      "{\"name\":\"main\",\"state_line\":\"RUNNABLE\"}]}");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    const cd_finding *f = only_finding(&list, "thread-limit");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "Threads near the limit: 350 tasks of uid 1000 (wso2) of "
                                  "RLIMIT_NPROC 400 (88%)");
    assert_string_equal(f->detail, "the JVM has 350 threads (3 Java threads)\n"
                                   "\"cd-idle-N\": 2 threads, e.g. WAITING (parking)\n"
                                   "\"main\": 1 thread, e.g. RUNNABLE");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void root_is_not_held_to_rlimit_nproc_but_to_pids_max(void **state)
{
    cd_report_inputs in = {0};
    in.process = json("{\"uid\":0,\"threads\":{\"count\":390,\"nproc_soft_limit\":400,"
                      "\"uid_tasks\":395},\"cgroup\":{\"pids_current\":390,"
                      "\"pids_effective_max\":400}}");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    const cd_finding *f = only_finding(&list, "thread-limit");
    assert_int_equal(f->severity, CD_SEVERITY_CRITICAL);
    assert_string_equal(f->title,
                        "Threads near the limit: 390 tasks in the container of pids.max 400 (98%)");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void open_files_near_the_limit_name_their_directories(void **state)
{
    cd_report_inputs in = {0};
    in.process = json("{\"fds\":{\"open\":250,\"soft_limit\":300,\"by_kind\":{\"file\":248,"
                      "\"socket\":2,\"pipe\":0},\"deleted\":0}}");
    in.open_files = strdup("open file descriptors of pid 1: 250 of soft limit 300\n"
                           "\n"
                           "fd -> target\n"
                           "0 -> /dev/null\n"
                           "7 -> /opt/wso2/repository/conf/a.xml\n"
                           "8 -> /opt/wso2/repository/conf/b.xml\n"
                           "9 -> socket:[1]  tcp 1.2.3.4:1 LISTEN\n");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    const cd_finding *f = only_finding(&list, "open-files-limit");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "Open files near the limit: 250 of RLIMIT_NOFILE 300 (83%)");
    assert_string_equal(f->detail, "by kind: file 248 socket 2\n"
                                   "2 open in /opt/wso2/repository/conf\n"
                                   "1 open in /dev");
    assert_string_equal(f->evidence[1].path, "osinfo/process_open_files.txt");
    assert_int_equal(f->evidence[1].last_line, 2);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void heap_above_the_container_limit_is_critical(void **state)
{
    cd_report_inputs in = {0};
    in.process =
        json("{\"memory\":{\"rss_bytes\":150000000},\"cgroup\":{"
             "\"memory_effective_limit_bytes\":209715200,\"memory_usage_bytes\":160000000}}");
    in.heap_summary = json("{\"heap\":{\"used\":1,\"committed\":2,\"max\":268435456}}");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    const cd_finding *f = only_finding(&list, "container-memory");
    assert_int_equal(f->severity, CD_SEVERITY_CRITICAL);
    assert_string_equal(f->title, "Heap maximum 256.0 MiB is at or above the container's memory "
                                  "limit 200.0 MiB");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void heap_leaving_little_native_room_is_a_warning(void **state)
{
    cd_report_inputs in = {0};
    in.process = json("{\"cgroup\":{\"memory_effective_limit_bytes\":1000}}");
    in.heap_summary = json("{\"heap\":{\"max\":850}}");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    assert_int_equal(only_finding(&list, "container-memory")->severity, CD_SEVERITY_WARNING);
    cd_findings_free(&list);
    cJSON_Delete(in.heap_summary);
    in.heap_summary = json("{\"heap\":{\"max\":700}}");
    cd_findings_host(&in, &list);
    assert_false(has_kind(&list, "container-memory"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void heap_larger_than_the_host_without_a_container_limit(void **state)
{
    cd_report_inputs in = {0};
    in.process = json("{\"cgroup\":{\"memory_effective_limit_bytes\":\"unlimited\"}}");
    in.heap_summary = json("{\"heap\":{\"max\":4294967296}}");
    in.meminfo = strdup("MemTotal:        2097152 kB\nMemFree: 1 kB\n");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    const cd_finding *f = only_finding(&list, "container-memory");
    assert_string_equal(f->title, "Heap maximum 4.0 GiB is larger than the host's memory 2.0 GiB");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void nearly_full_disks_are_reported_once_per_mount_point(void **state)
{
    cd_report_inputs in = {0};
    in.disk_space = strdup(
        "# sizes in KiB\n"
        "== the file systems that matter\n"
        "Filesystem Type 1K-blocks Used Available Use% Inodes IFree IUse% Mounted on  (what)\n"
        "/dev/a ext4 1000000 950000 50000 95% 100 90 10% /  (output directory: /tmp/x)\n"
        "/dev/a ext4 1000000 950000 50000 95% 100 90 10% /  (CARBON_HOME: /opt/w)\n"
        "/dev/b ext4 100000000 10000000 90000000 10% 100 90 10% /data  (/tmp: /tmp)\n"
        "\n"
        "== carbondump's mount table\n"
        "/dev/c ext4 1000 999 1 99% 1 1 0% /other  [rw]\n");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    const cd_finding *f = only_finding(&list, "disk-space");
    /* 48.8 MiB free is below the absolute floor: critical although 95% used */
    assert_int_equal(f->severity, CD_SEVERITY_CRITICAL);
    assert_string_equal(f->title, "Disk almost full: / 95% used, 48.8 MiB free (output directory: "
                                  "/tmp/x; CARBON_HOME: /opt/w)");
    assert_int_equal(f->evidence[0].first_line, 4);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void missing_heap_dump_on_oom_is_info_with_the_flag_line(void **state)
{
    cd_report_inputs in = {0};
    in.vm_flags =
        strdup("# flags\n"
               "     bool HeapDumpOnOutOfMemoryError   = false   {manageable} {default}\n");
    cd_findings list = {0};
    cd_findings_host(&in, &list);
    const cd_finding *f = only_finding(&list, "jvm-settings");
    assert_int_equal(f->severity, CD_SEVERITY_INFO);
    assert_int_equal(f->evidence[0].first_line, 2);
    cd_findings_free(&list);
    free(in.vm_flags);
    in.vm_flags = strdup("     bool HeapDumpOnOutOfMemoryError   = true   {command line}\n");
    cd_findings_host(&in, &list);
    assert_false(has_kind(&list, "jvm-settings"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

/* ---------------------------------------------------------------- memory */

static const char HISTOGRAM[] =
    "{\"total_bytes\":60000000,\"total_instances\":100000,\"classes\":["
    "{\"name\":\"[B\",\"instances\":63969,\"bytes\":48528416},"
    "{\"name\":\"[Ljava.lang.Object;\",\"instances\":2874,\"bytes\":1698496},"
    "{\"name\":\"org.carbondump.harness.LeakedRecord\",\"instances\":40270,\"bytes\":1288640}]}";

static void nearly_full_old_generation_is_reported_with_top_classes(void **state)
{
    cd_report_inputs in = {0};
    in.heap_summary = json("{\"heap\":{\"used\":60514592,\"committed\":67108864,\"max\":67108864},"
                           "\"old\":{\"used\":60514592}}");
    in.histogram = json(HISTOGRAM);
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    const cd_finding *f = only_finding(&list, "heap-full");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title,
                        "Java heap 90% full: 57.7 MiB used of 64.0 MiB max; largest: byte[] "
                        "(46.3 MiB); top application class: org.carbondump.harness.LeakedRecord "
                        "(40270 objects, 1.2 MiB)");
    assert_non_null(strstr(f->detail, "3. org.carbondump.harness.LeakedRecord: 1.2 MiB in 40270 "
                                      "objects"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void nearly_full_heap_at_an_out_of_memory_error_is_critical(void **state)
{
    cd_report_inputs in = {0};
    in.heap_summary = json("{\"java_heap_exhausted\":true,\"heap\":{\"used\":60514592,"
                           "\"max\":67108864},\"old\":{\"used\":60514592}}");
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    const cd_finding *f = only_finding(&list, "heap-full");
    assert_int_equal(f->severity, CD_SEVERITY_CRITICAL);
    assert_string_equal(f->title, "Java heap 90% full at an OutOfMemoryError: 57.7 MiB used of "
                                  "64.0 MiB max");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);

    /* below the warning ratios, an exhausted heap is not called full */
    in = (cd_report_inputs){0};
    in.heap_summary = json("{\"java_heap_exhausted\":true,\"heap\":{\"used\":70,\"max\":100},"
                           "\"old\":{\"used\":70}}");
    cd_findings_memory(&in, &list);
    assert_false(has_kind(&list, "heap-full"));
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void full_heap_of_young_garbage_is_not_reported(void **state)
{
    cd_report_inputs in = {0};
    in.heap_summary = json("{\"heap\":{\"used\":92,\"max\":100},\"old\":{\"used\":20}}");
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    assert_false(has_kind(&list, "heap-full"));
    cd_findings_free(&list);
    cJSON_Delete(in.heap_summary);
    in.heap_summary = json("{\"heap\":{\"used\":97,\"max\":100},\"old\":{\"used\":96}}");
    cd_findings_memory(&in, &list);
    assert_int_equal(only_finding(&list, "heap-full")->severity, CD_SEVERITY_CRITICAL);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void gc_share_of_uptime_is_reported_past_the_threshold(void **state)
{
    cd_report_inputs in = {0};
    in.jvm = json("{\"uptime_ms\":100000}");
    in.gc = json("{\"collectors\":[{\"name\":\"G1 Young Generation\",\"collections\":500,"
                 "\"time_ms\":9000},{\"name\":\"G1 Old Generation\",\"collections\":5,"
                 "\"time_ms\":3000}],\"pauses\":{\"count\":0}}");
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    const cd_finding *f = only_finding(&list, "gc-overhead");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "GC took 12% of the JVM's time: 12.0 s in 505 collections over "
                                  "1.7 min of uptime");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void gc_share_of_a_young_jvm_needs_a_second_of_gc_first(void **state)
{
    cd_report_inputs in = {0};
    in.jvm = json("{\"uptime_ms\":2000}");
    in.gc = json("{\"collectors\":[{\"name\":\"G1\",\"collections\":9,\"time_ms\":500}]}");
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    assert_int_equal(list.count, 0);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void long_gc_pause_is_a_warning(void **state)
{
    cd_report_inputs in = {0};
    in.jvm = json("{\"uptime_ms\":1000000}");
    in.gc = json("{\"collectors\":[],\"pauses\":{\"count\":40,\"max_ms\":1300,\"p50_ms\":20,"
                 "\"p99_ms\":900}}");
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    const cd_finding *f = only_finding(&list, "gc-overhead");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "Longest GC pause 1.3 s (of 40 pauses seen)");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void finalizer_backlog_names_the_blocking_finalize(void **state)
{
    cd_report_inputs in = {0};
    in.finalizer =
        json("{\"total\":150,\"classes\":[{\"name\":\"com.example.Res\",\"instances\":150}]}");
    in.threads = json(
        "{\"methods\":[{\"class\":\"jdk.internal.misc.Unsafe\",\"method\":\"park\",\"native\":true}"
        ","
        "{\"class\":\"com.example.Res\",\"method\":\"finalize\",\"file\":\"Res.java\"},"
        "{\"class\":\"java.lang.ref.Finalizer\",\"method\":\"runFinalizer\",\"file\":\"Finalizer."
        "java\"}],"
        "\"threads\":[{\"name\":\"Finalizer\",\"java_id\":3,\"state_line\":\"WAITING (parking)\","
        "\"frames\":[[0,null],[1,9],[2,88]]}]}");
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    const cd_finding *f = only_finding(&list, "finalizer-backlog");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title,
                        "150 objects awaiting finalization; the Finalizer thread is "
                        "stuck in com.example.Res.finalize(Res.java:9) (WAITING (parking))");
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void small_finalizer_queue_with_an_idle_finalizer_is_fine(void **state)
{
    cd_report_inputs in = {0};
    in.finalizer = json("{\"total\":500}");
    cd_findings list = {0};
    cd_findings_memory(&in, &list);
    assert_int_equal(list.count, 0);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

/* ---------------------------------------------------------------- carbon and logs */

static void inconsistent_patch_names_the_jar(void **state)
{
    cd_report_inputs in = {0};
    in.carbon = json("{\"patch_consistency\":{\"status\":\"inconsistent\",\"problems\":[{\"jar\":"
                     "\"org.wso2.carbon.core_4.4.35.jar\",\"patch_dir\":\"patch0003\",\"problem\":"
                     "\"differs\"}]}}");
    cd_findings list = {0};
    cd_findings_carbon(&in, &list);
    const cd_finding *f = only_finding(&list, "patch-inconsistent");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "Patch not in effect: org.wso2.carbon.core_4.4.35.jar of "
                                  "patch0003 differs from the copy in "
                                  "repository/components/plugins");
    cd_findings_free(&list);
    cJSON_Delete(in.carbon);
    in.carbon = json("{\"patch_consistency\":{\"status\":\"consistent\",\"problems\":[]}}");
    cd_findings_carbon(&in, &list);
    assert_int_equal(list.count, 0);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void counts_log_errors_and_exceptions_with_first_lines(void **state)
{
    cd_report_inputs in = {0};
    cd_log_text log = {strdup("repository/logs/wso2carbon.log"),
                       strdup("[t] INFO {a.B} - start\n"
                              "[t] ERROR {org.x.Handler} - failed\n"
                              "java.io.IOException: reset\n"
                              "\tat x.y(Z.java:1)\n"
                              "Caused by: java.net.SocketException: broken\n"
                              "[t] ERROR {org.x.Handler} - failed again\n"
                              "java.io.IOException: reset\n"),
                       0, 101};
    log.len = strlen(log.text);
    in.logs = &log;
    in.log_count = 1;
    cd_findings list = {0};
    cd_findings_logs(&in, &list);
    const cd_finding *f = only_finding(&list, "log-errors");
    assert_int_equal(f->severity, CD_SEVERITY_INFO);
    assert_string_equal(f->title, "Logs: 2 ERROR entries and 3 exceptions in 1 file; most "
                                  "frequent: org.x.Handler (2), java.io.IOException (2)");
    assert_string_equal(
        f->detail, "ERROR entries by category:\n"
                   "  2x org.x.Handler (first: repository/logs/wso2carbon.log:102)\n"
                   "exceptions by class (\"Caused by:\" included):\n"
                   "  2x java.io.IOException (first: repository/logs/wso2carbon.log:103)\n"
                   "  1x java.net.SocketException (first: repository/logs/wso2carbon.log:105)");
    assert_int_equal(f->evidence[0].first_line, 102);
    assert_false(has_kind(&list, "log-resource-errors"));
    cd_findings_free(&list);
    free(log.path);
    free(log.text);
}

static void out_of_memory_in_the_logs_is_a_warning(void **state)
{
    cd_report_inputs in = {0};
    cd_log_text log = {strdup("repository/logs/wso2carbon.log"),
                       strdup("ok\nException in thread \"x\" java.lang.OutOfMemoryError: Java "
                              "heap space\n"),
                       0, 1};
    log.len = strlen(log.text);
    in.logs = &log;
    in.log_count = 1;
    cd_findings list = {0};
    cd_findings_logs(&in, &list);
    const cd_finding *f = only_finding(&list, "log-resource-errors");
    assert_int_equal(f->severity, CD_SEVERITY_WARNING);
    assert_string_equal(f->title, "\"OutOfMemoryError\" in the logs 1 time, last in "
                                  "repository/logs/wso2carbon.log:2");
    assert_string_equal(f->detail, "OutOfMemoryError: Java heap space");
    cd_findings_free(&list);
    free(log.path);
    free(log.text);
}

static void resource_markers_count_lines_and_keep_the_last(void **state)
{
    cd_report_inputs in = {0};
    cd_log_text logs[2] = {
        {strdup("repository/logs/wso2carbon.log"),
         strdup("Too many open files\nok\nx Too many open files, Too many open files\n"), 0, 10},
        {strdup("repository/logs/audit.log"),
         strdup("a\nb\nc\naccept failed: Too many open files (fd 4096)"), 0, 1},
    };
    for (int i = 0; i < 2; i++)
        logs[i].len = strlen(logs[i].text);
    in.logs = logs;
    in.log_count = 2;
    cd_findings list = {0};
    cd_findings_logs(&in, &list);
    const cd_finding *f = only_finding(&list, "log-resource-errors");
    /* two lines of the first file (one holds it twice), one of the second */
    assert_string_equal(f->title, "\"Too many open files\" in the logs 3 times, last in "
                                  "repository/logs/audit.log:4");
    assert_string_equal(f->detail, "Too many open files (fd 4096)");
    assert_int_equal(f->evidence[0].first_line, 4);
    cd_findings_free(&list);
    for (int i = 0; i < 2; i++) {
        free(logs[i].path);
        free(logs[i].text);
    }
}

/* ---------------------------------------------------------------- reports */

static void healthy_inputs_yield_nothing_above_info(void **state)
{
    cd_report_inputs in = {0};
    in.process = json("{\"uid\":1000,\"fds\":{\"open\":300,\"soft_limit\":65536},\"threads\":{"
                      "\"count\":400,\"uid_tasks\":420,\"nproc_soft_limit\":4096,\"all_tasks\":900,"
                      "\"pid_max\":4194304},\"memory\":{\"rss_bytes\":1500000000},\"cgroup\":{"
                      "\"memory_effective_limit_bytes\":4294967296,\"memory_usage_bytes\":"
                      "2000000000}}");
    in.heap_summary = json("{\"heap\":{\"used\":900000000,\"committed\":2000000000,\"max\":"
                           "2147483648},\"old\":{\"used\":700000000}}");
    in.jvm = json("{\"uptime_ms\":86400000}");
    in.gc = json("{\"collectors\":[{\"name\":\"G1\",\"collections\":9000,\"time_ms\":600000}]}");
    in.finalizer = json("{\"total\":12}");
    in.threads = json(THREADS_DOC);
    cJSON_DeleteItemFromObject(in.threads, "deadlocks");
    cJSON *threads = cJSON_GetObjectItem(in.threads, "threads");
    cJSON_DeleteItemFromArray(threads, 5); /* two waiters left: no contention */
    cd_findings list = {0};
    cd_findings_analyze(&in, &list);
    assert_int_equal(cd_findings_count(&list, CD_SEVERITY_WARNING), 0);
    /* two threads behind a sleeping holder in one dump may be a moment's wait */
    assert_int_equal(only_finding(&list, "blocking-chain")->severity, CD_SEVERITY_INFO);
    char *text = render(0, &list, &in);
    assert_non_null(strstr(text, "0 critical, 0 warning, 1 info\nNo problem found that needs "
                                 "attention.\n"));
    free(text);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void summary_lists_findings_most_severe_first_then_the_overview(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json(THREADS_DOC);
    in.thread_dump = strdup(DUMP_TEXT);
    cd_findings list = {0};
    cd_findings_analyze(&in, &list);
    char *text = render(0, &list, &in);
    const char *expected_start = "carbondump findings for pid 42\n"
                                 "bundle carbondump-2026-01-02_03-04-05, captured "
                                 "2026-01-02T03:04:05.000Z\n"
                                 "\n"
                                 "1 critical, 1 warning, 0 info\n"
                                 "\n"
                                 "CRITICAL  Java-level deadlock: \"A\" and \"B\"";
    assert_memory_equal(text, expected_start, strlen(expected_start));
    assert_non_null(strstr(text, "          evidence: thread_dump.txt lines 11-14; "
                                 "threads/threads.json#/deadlocks/0\n"));
    assert_true(strstr(text, "\nWARNING   3 threads blocked") > strstr(text, "CRITICAL"));
    assert_non_null(strstr(text, "\nOverview\n  Threads   6 Java threads: BLOCKED 5 "
                                 "TIMED_WAITING 1; 1 deadlock(s)\n"));
    free(text);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

static void html_escapes_everything_from_the_bundle(void **state)
{
    cd_sink *sink = cd_sink_buffer();
    cd_html_escaped(sink, "<script>alert(\"x\")</script> & 'q'\n\x01");
    char *text = cd_sink_buffer_take(sink, NULL);
    assert_string_equal(text, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
                              "&#39;q&#39;\n\xef\xbf\xbd");
    free(text);
}

static void index_html_is_self_contained_and_escapes_thread_names(void **state)
{
    cd_report_inputs in = {0};
    in.threads = json(THREADS_DOC);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(in.threads, "threads"), 0);
    cJSON_ReplaceItemInObject(first, "name", cJSON_CreateString("<img src=x onerror=alert(1)>"));
    cJSON *member = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(in.threads, "deadlocks"), 0),
                            "threads"),
        0);
    cJSON_ReplaceItemInObject(member, "name", cJSON_CreateString("<img src=x onerror=alert(1)>"));
    cd_findings list = {0};
    cd_findings_analyze(&in, &list);
    char *html = render(1, &list, &in);
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, " src=\""));
    assert_null(strstr(html, "http"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
    assert_non_null(strstr(html, "<a href=\"./thread_dump.txt\">thread_dump.txt</a>"));
    assert_non_null(strstr(html, "<details class=\"finding critical\" open>"));
    assert_non_null(strstr(html, "<figcaption>Java threads by state</figcaption>"));
    free(html);
    cd_findings_free(&list);
    cd_report_inputs_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classifies_carbon_error_line_by_its_category),
        cmocka_unit_test(classifies_log4j2_error_line),
        cmocka_unit_test(classifies_error_without_category),
        cmocka_unit_test(ignores_the_word_error_in_an_info_message),
        cmocka_unit_test(classifies_exception_line_that_starts_a_trace),
        cmocka_unit_test(classifies_caused_by_line),
        cmocka_unit_test(classifies_uncaught_exception_in_thread),
        cmocka_unit_test(ignores_frames_and_lines_that_only_look_alike),
        cmocka_unit_test(truncates_a_long_key_to_the_buffer),
        cmocka_unit_test(ratio_severity_follows_the_thresholds),
        cmocka_unit_test(ratio_against_an_unknown_limit_is_never_bad),
        cmocka_unit_test(formats_bytes_in_binary_units),
        cmocka_unit_test(spells_jvm_class_names_as_java_does),
        cmocka_unit_test(groups_thread_names_by_replacing_numbers),
        cmocka_unit_test(finds_lines_by_prefix_or_anywhere),
        cmocka_unit_test(parses_a_disk_space_row_with_its_roles),
        cmocka_unit_test(rejects_disk_headers_and_unqueried_rows),
        cmocka_unit_test(sorts_most_severe_first_keeping_order),
        cmocka_unit_test(keeps_titles_and_details_on_one_line),
        cmocka_unit_test(manifest_json_carries_evidence_as_lines_or_pointer),
        cmocka_unit_test(reports_monitor_deadlock_by_thread_name),
        cmocka_unit_test(names_juc_deadlocks_as_such),
        cmocka_unit_test(reports_contention_with_holder_and_what_it_does),
        cmocka_unit_test(two_threads_waiting_for_one_lock_is_not_contention),
        cmocka_unit_test(a_hot_thread_is_info_while_cpus_are_left),
        cmocka_unit_test(hot_threads_that_saturate_the_cpus_are_a_warning),
        cmocka_unit_test(busy_vm_threads_are_hot_under_what_they_do),
        cmocka_unit_test(a_waiter_behind_a_sleeping_holder_in_every_sample_is_a_warning),
        cmocka_unit_test(a_chain_is_followed_to_its_end),
        cmocka_unit_test(a_wait_that_came_and_went_between_samples_is_no_chain),
        cmocka_unit_test(a_running_holder_blocks_nobody_for_good),
        cmocka_unit_test(blocking_chains_grow_severe_with_waiters_and_samples),
        cmocka_unit_test(a_thousand_threads_of_one_pattern_is_an_explosion),
        cmocka_unit_test(threads_near_rlimit_nproc_are_a_warning_naming_the_groups),
        cmocka_unit_test(root_is_not_held_to_rlimit_nproc_but_to_pids_max),
        cmocka_unit_test(open_files_near_the_limit_name_their_directories),
        cmocka_unit_test(heap_above_the_container_limit_is_critical),
        cmocka_unit_test(heap_leaving_little_native_room_is_a_warning),
        cmocka_unit_test(heap_larger_than_the_host_without_a_container_limit),
        cmocka_unit_test(nearly_full_disks_are_reported_once_per_mount_point),
        cmocka_unit_test(missing_heap_dump_on_oom_is_info_with_the_flag_line),
        cmocka_unit_test(nearly_full_old_generation_is_reported_with_top_classes),
        cmocka_unit_test(nearly_full_heap_at_an_out_of_memory_error_is_critical),
        cmocka_unit_test(full_heap_of_young_garbage_is_not_reported),
        cmocka_unit_test(gc_share_of_uptime_is_reported_past_the_threshold),
        cmocka_unit_test(gc_share_of_a_young_jvm_needs_a_second_of_gc_first),
        cmocka_unit_test(long_gc_pause_is_a_warning),
        cmocka_unit_test(finalizer_backlog_names_the_blocking_finalize),
        cmocka_unit_test(small_finalizer_queue_with_an_idle_finalizer_is_fine),
        cmocka_unit_test(inconsistent_patch_names_the_jar),
        cmocka_unit_test(counts_log_errors_and_exceptions_with_first_lines),
        cmocka_unit_test(out_of_memory_in_the_logs_is_a_warning),
        cmocka_unit_test(resource_markers_count_lines_and_keep_the_last),
        cmocka_unit_test(healthy_inputs_yield_nothing_above_info),
        cmocka_unit_test(summary_lists_findings_most_severe_first_then_the_overview),
        cmocka_unit_test(html_escapes_everything_from_the_bundle),
        cmocka_unit_test(index_html_is_self_contained_and_escapes_thread_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
