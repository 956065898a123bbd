/*
 * What the findings files share among themselves (findings.h is what the rest
 * of the collector and the tests see). Everything reads threads.json
 * (schema carbondump.threads/1: threads[] with name, java_id, state,
 * state_line, cpu_ns, frames [[method index, line]], locks[], waiting_for;
 * methods[] with class, method, file, native) and the other staged JSONs.
 */
#ifndef CARBONDUMP_FINDINGS_INTERNAL_H
#define CARBONDUMP_FINDINGS_INTERNAL_H

#include <cjson/cJSON.h>

#include "findings.h"

/* ---- findings_threads.c */

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

/* ---- findings_memory.c */

/* The heap's maximum in bytes (-Xmx): the heap summary's, or the MaxHeapSize
 * flag; 0 when unknown. */
double cd_heap_max_bytes(const cd_report_inputs *in);

/* ---- findings_host.c */

/* CPUs the process may use: the cgroup's quota when there is one, else the
 * processors of os_cpuinfo.txt; 0 when unknown. */
double cd_available_cpus(const cd_report_inputs *in);

/* The rows of os_disk_space.txt's "file systems that matter" table, one per
 * mount point (the roles of its other rows joined to the first's), with their
 * line numbers when lines is not NULL. Returns how many, at most max. */
#define CD_DISK_ROWS_MAX 8
size_t cd_disk_rows(const char *disk_space_text, cd_disk_row *rows, int *lines, size_t max);

/* ---- findings.c */

/* "s" unless count is 1, for "%.0f collection%s". */
const char *cd_plural(double count);

/* "850 ms", "4.5 s", "6.2 min", "3.1 h", "2.0 d". */
void cd_format_duration(double ms, char *out, size_t outlen);

/* The start of 1-based line number of text, or NULL past its end. */
const char *cd_text_line_at(const char *text, int line);

/* Appends printf output to a fixed buffer (truncating), for one-line summaries
 * assembled piece by piece. */
void cd_appendf(char *buffer, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
