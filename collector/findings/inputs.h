/*
 * The bundle as the analyses and the reports read it: the staged documents
 * parsed once (cd_report_inputs, a read-only model of the staging areas laid
 * out as the bundle), ways to read into them, and the facts several of them
 * derive (the heap's maximum, the CPUs, the disk rows).
 *
 *   cd_report_inputs_load   parse what the staging areas hold
 *   cd_report_inputs_free   release it
 *   cd_report_inputs_has    does the bundle hold a file
 *   cd_json_number_at/_or, cd_json_string_at   values at a path of keys
 *   cd_text_find_line, cd_text_line_at         lines of a text
 *   cd_heap_max_bytes, cd_available_cpus, cd_disk_rows, cd_parse_disk_row
 */
#ifndef CARBONDUMP_FINDINGS_INPUTS_H
#define CARBONDUMP_FINDINGS_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"

struct cJSON;
struct cd_json_doc;

/* A copied log file. */
typedef struct cd_log_text {
    char *path; /* bundle path: "repository/logs/wso2carbon.log" */
    char *text; /* its last CD_LOG_SCAN_BYTES at most, from a line start */
    size_t len;
    int first_line; /* the line number of text's first line in the file */
} cd_log_text;

#define CD_LOG_SCAN_BYTES (8u << 20)

/* The collector's staging area and the agent's. */
#define CD_REPORT_ROOTS_MAX 2

/* Everything the analyses read, parsed. Any member may be NULL: the section
 * was not selected, failed, or is not in this kind of bundle. */
typedef struct cd_report_inputs {
    struct cJSON *threads;      /* threads/threads.json */
    struct cJSON *histogram;    /* memoryinfo/java_heap_histogram.json */
    struct cJSON *heap_summary; /* memoryinfo/java_heap_summary.json */
    struct cJSON *gc;           /* memoryinfo/gc_statistics.json */
    struct cJSON *finalizer;    /* memoryinfo/objects_awaiting_finalization.json */
    struct cJSON *process;      /* osinfo/process_info.json */
    struct cJSON *carbon;       /* carbon_info.json */
    struct cJSON *jvm;          /* javainfo/jvm_info.json */
    char *thread_dump;          /* thread_dump.txt */
    char *vm_flags;             /* javainfo/vm_flags.txt */
    char *disk_space;           /* osinfo/os_disk_space.txt */
    char *open_files;           /* osinfo/process_open_files.txt */
    char *meminfo;              /* osinfo/os_meminfo.txt */
    char *cpuinfo;              /* osinfo/os_cpuinfo.txt */
    cd_log_text *logs;          /* repository/logs/ (and below), by path */
    size_t log_count, log_capacity;
    /* The staging areas read, first wins (they must outlive the inputs). */
    const char *roots[CD_REPORT_ROOTS_MAX];
    size_t root_count;
    /* The loaded documents that hold the trees above, in their order (NULL
     * for a tree made otherwise, which cd_report_inputs_free deletes). */
    struct cd_json_doc *docs[8];
} cd_report_inputs;

/* Reads the inputs from staging areas laid out as the bundle (a file's bundle
 * path is its path below one of the roots; the first root holding it wins).
 * Missing or unparsable files leave their member NULL; only running out of
 * memory is an error. */
int cd_report_inputs_load(cd_report_inputs *in, const char *const roots[], size_t root_count,
                          cd_error *err);
void cd_report_inputs_free(cd_report_inputs *in);

/* 1 if the bundle holds the file at bundle path relpath (a regular file in
 * one of the staging areas), else 0. */
int cd_report_inputs_has(const cd_report_inputs *in, const char *relpath);

/* The number at a '/'-separated path of object keys ("fds/open"): 1 and *out
 * when it is a JSON number, 0 otherwise (absent, null, "unlimited" ...). */
int cd_json_number_at(const struct cJSON *root, const char *path, double *out);

/* The number at such a path, or fallback. */
double cd_json_number_or(const struct cJSON *root, const char *path, double fallback);

/* The string at such a path, or NULL. */
const char *cd_json_string_at(const struct cJSON *root, const char *path);

/* The string at such a path, or fallback. */
const char *cd_json_string_or(const struct cJSON *root, const char *path, const char *fallback);

/* The 1-based number of the first line at or after from_line (1-based) that
 * starts with prefix (contains it, when anywhere is set); 0 when none. */
int cd_text_find_line(const char *text, const char *needle, int anywhere, int from_line);

/* The start of 1-based line number of text, or NULL past its end. */
const char *cd_text_line_at(const char *text, int line);

/* The heap's maximum in bytes (-Xmx): the heap summary's, or the MaxHeapSize
 * flag; 0 when unknown. */
double cd_heap_max_bytes(const cd_report_inputs *in);

/* One row of os_disk_space.txt's "file systems that matter" table. */
typedef struct cd_disk_row {
    char filesystem[128];
    char mount_point[256];
    char role[256]; /* "output directory: /tmp/x", "CARBON_HOME: /opt/wso2am" */
    uint64_t size_kib, used_kib, available_kib;
    uint64_t inodes, inodes_free; /* 0 when unknown */
} cd_disk_row;

/* Parses one such row; 0 and row filled, or -1 (header, comment, '-' sizes). */
int cd_parse_disk_row(const char *line, cd_disk_row *row);

/* CPUs the process may use: the cgroup's quota when there is one, else the
 * processors of os_cpuinfo.txt; 0 when unknown. */
double cd_available_cpus(const cd_report_inputs *in);

/* The rows of os_disk_space.txt's "file systems that matter" table, one per
 * mount point (the roles of its other rows joined to the first's), with their
 * line numbers when lines is not NULL. Returns how many, at most max. */
#define CD_DISK_ROWS_MAX 8
size_t cd_disk_rows(const char *disk_space_text, cd_disk_row *rows, int *lines, size_t max);

#endif
