/*
 * Questions about threads/threads.json (schema carbondump.threads/1: threads[]
 * with name, java_id, state, state_line, cpu_ns, frames [[method index, line]],
 * locks[], waiting_for; methods[] with class, method, file, native) and about
 * thread_dump.txt, asked by several analyses and the reports.
 *
 *   cd_thread_frame_text, cd_thread_app_frame, cd_is_platform_class, cd_thread_named
 *   cd_dump_thread_lines, cd_dump_deadlock_lines   where a thread shows in the text
 *   cd_thread_groups, cd_finding_thread_groups     threads grouped by name pattern
 *   cd_thread_name_pattern                         "pool-N-thread-N"
 */
#ifndef CARBONDUMP_FINDINGS_THREADS_DOC_H
#define CARBONDUMP_FINDINGS_THREADS_DOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "finding.h"

/* The "threads" array of a threads.json document, or NULL. */
const cJSON *cd_threads_array(const cJSON *doc);

/* The frame at depth of a thread of threads.json as jstack prints it after
 * "at ": "org.foo.Bar.run(Bar.java:42)", "(Native Method)" or "(Unknown
 * Source)"; "" when there is no such frame. */
void cd_thread_frame_text(const cJSON *threads_doc, const cJSON *thread, int depth, char *out,
                          size_t outlen);

/* A class of the JDK itself: java., javax., jdk., sun., com.sun. */
int cd_is_platform_class(const char *name);

/* The first frame of the application (not java., javax., jdk., sun. or
 * com.sun.), or the top frame when there is none; its depth, -1 without frames. */
int cd_thread_app_frame(const cJSON *threads_doc, const cJSON *thread);

/* The thread named name, or NULL. */
const cJSON *cd_thread_named(const cJSON *threads_doc, const char *name);

/* The lines of the thread with java_id in thread_dump.txt: 1 and *first,
 * *last (its header through its last non-blank line), or 0. */
int cd_dump_thread_lines(const char *dump_text, double java_id, int *first, int *last);

/* The lines of the k-th (0-based) "Found one Java-level deadlock:" section of
 * thread_dump.txt: 1 and *first, *last, or 0. */
int cd_dump_deadlock_lines(const char *dump_text, int k, int *first, int *last);

/* Java threads grouped by cd_thread_name_pattern, largest first. */
typedef struct cd_thread_group {
    char pattern[96];
    int count;
    char state_line[48]; /* of the group's first thread */
} cd_thread_group;

/* Fills at most max groups; returns how many. */
size_t cd_thread_groups(const cJSON *threads_doc, cd_thread_group *groups, size_t max);

/* One detail line per group: "\"cd-idle-N\": 300 threads, e.g. WAITING (parking)". */
void cd_finding_thread_groups(cd_finding *finding, const cd_thread_group *groups, size_t count);

/* Thread names with their numbers replaced by N, so that pool members group:
 * "cd-idle-17" -> "cd-idle-N", "pool-3-thread-12" -> "pool-N-thread-N". */
void cd_thread_name_pattern(const char *name, char *out, size_t outlen);

#endif
