/*
 * The findings report: what carbondump sees in the bundle, most severe first,
 * so that whoever opens it starts from the likely cause instead of a ZIP of
 * raw files.
 *
 * After every section has finished and before the ZIP is written, the
 * collector reads the staged parts back (threads.json, the memory JSONs,
 * process_info.json, carbon_info.json, the copied logs ...) into
 * cd_report_inputs, runs one analysis per topic over them and writes
 *
 *   summary.txt   the findings, then a short overview
 *   index.html    the same with charts: one self-contained file (inline CSS
 *                 and SVG, no script, nothing fetched) linking to the raw files
 *
 * and keeps the findings in run->findings for manifest.json's "findings".
 *
 * Each finding has a severity, a one-line title, details, a recommendation
 * and evidence: the bundle files (with line numbers or a JSON pointer) that
 * show it. Every analysis is a pure function of cd_report_inputs, so unit
 * tests feed it fixed documents:
 *
 *   findings.c          the model, loading the inputs, the run's report step
 *   findings_threads.c  deadlocks, monitor contention, hot and stuck threads,
 *                       thread explosions
 *   findings_memory.c   heap occupancy and top classes, non-heap pools, GC,
 *                       finalizer backlog
 *   findings_host.c     threads and open files vs their limits, container
 *                       memory vs the heap, disk space, risky JVM settings
 *   findings_carbon.c   patches, errors and exceptions in the logs
 *   report_text.c       summary.txt and the overview both reports show
 *   report_html.c       index.html; report_charts.c its SVG charts
 *
 * Thresholds are named constants next to the analysis that uses them, and
 * README.md lists them. They are set so that a healthy server yields nothing
 * above info.
 */
#ifndef CARBONDUMP_FINDINGS_H
#define CARBONDUMP_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/sink.h"
#include "run.h"

struct cJSON;

/* ---------------------------------------------------------------- model */

/* Ordered: a higher value is more severe. */
typedef enum cd_severity {
    CD_SEVERITY_INFO,
    CD_SEVERITY_WARNING,
    CD_SEVERITY_CRITICAL,
} cd_severity;

/* "info", "warning", "critical". */
const char *cd_severity_name(cd_severity severity);

#define CD_EVIDENCE_MAX 4

/* Where the bundle shows it: a file, with a line range or a JSON pointer. */
typedef struct cd_evidence {
    char path[160]; /* relative to the bundle's root */
    int first_line; /* 1-based; 0 when not a line range */
    int last_line;
    char pointer[96]; /* RFC 6901 pointer into a JSON file, "" when none */
} cd_evidence;

typedef struct cd_finding {
    cd_severity severity;
    const char *kind;     /* stable id for tools and tests: "java-deadlock" ... (static) */
    char *title;          /* one line */
    char *detail;         /* lines separated by '\n', or NULL */
    char *recommendation; /* or NULL */
    cd_evidence evidence[CD_EVIDENCE_MAX];
    int evidence_count;
} cd_finding;

typedef struct cd_findings {
    cd_finding *items;
    size_t count, capacity;
    int incomplete; /* out of memory on the way: some findings or details are missing */
} cd_findings;

/* Appends a finding; NULL (and list->incomplete set) when out of memory. The
 * cd_finding_* helpers below accept NULL, so callers chain them unchecked. */
cd_finding *cd_findings_add(cd_findings *list, cd_severity severity, const char *kind,
                            const char *title_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Appends one line to the finding's details. */
void cd_finding_detail(cd_finding *finding, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void cd_finding_recommend(cd_finding *finding, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Evidence: lines first..last of path (last < first means first only). Lines
 * <= 0 make it a whole-file reference. Beyond CD_EVIDENCE_MAX, ignored. */
void cd_finding_lines(cd_finding *finding, const char *path, int first_line, int last_line);

/* Evidence: a JSON pointer into path. */
void cd_finding_pointer(cd_finding *finding, const char *path, const char *pointer_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Most severe first; the order of equal ones is kept. */
void cd_findings_sort(cd_findings *list);

/* Findings of severity at least minimum. */
size_t cd_findings_count(const cd_findings *list, cd_severity minimum);

void cd_findings_free(cd_findings *list);

/* The manifest's "findings" array (an empty one for NULL):
 * [{severity, kind, title, detail?, evidence: [{path, lines?: [first, last],
 * pointer?}], recommendation?}]. NULL when out of memory. */
struct cJSON *cd_findings_json(const cd_findings *list);

/* ---------------------------------------------------------------- inputs */

/* A copied log file. */
typedef struct cd_log_text {
    char *path; /* bundle path: "repository/logs/wso2carbon.log" */
    char *text; /* its last CD_LOG_SCAN_BYTES at most, from a line start */
    size_t len;
    int first_line; /* the line number of text's first line in the file */
} cd_log_text;

#define CD_LOG_SCAN_BYTES (8u << 20)

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
    size_t log_count;
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

/* ---------------------------------------------------------------- analyses */

void cd_findings_threads(const cd_report_inputs *in, cd_findings *out);
void cd_findings_memory(const cd_report_inputs *in, cd_findings *out);
void cd_findings_host(const cd_report_inputs *in, cd_findings *out);
void cd_findings_carbon(const cd_report_inputs *in, cd_findings *out);
void cd_findings_logs(const cd_report_inputs *in, cd_findings *out);

/* All of the above, sorted. */
void cd_findings_analyze(const cd_report_inputs *in, cd_findings *out);

/* ---------------------------------------------------------------- helpers (pure) */

/* The number at a '/'-separated path of object keys ("fds/open"): 1 and *out
 * when it is a JSON number, 0 otherwise (absent, null, "unlimited" ...). */
int cd_json_number_at(const struct cJSON *root, const char *path, double *out);

/* The number at such a path, or fallback. */
double cd_json_number_or(const struct cJSON *root, const char *path, double fallback);

/* The string at such a path, or NULL. */
const char *cd_json_string_at(const struct cJSON *root, const char *path);

/* How bad used/limit is: -1 below warn_ratio, else WARNING, or CRITICAL from
 * critical_ratio on. A limit <= 0 (unknown, unlimited) is never bad. */
int cd_ratio_severity(double used, double limit, double warn_ratio, double critical_ratio);

/* "512 B", "1.5 KiB", "57.7 MiB", "2.0 GiB". */
void cd_format_bytes(double bytes, char *out, size_t outlen);

/* A JVM class name as Java source spells it: "[B" -> "byte[]",
 * "[[Ljava.lang.String;" -> "java.lang.String[][]"; others unchanged. */
void cd_java_type_name(const char *jvm_name, char *out, size_t outlen);

/* Thread names with their numbers replaced by N, so that pool members group:
 * "cd-idle-17" -> "cd-idle-N", "pool-3-thread-12" -> "pool-N-thread-N". */
void cd_thread_name_pattern(const char *name, char *out, size_t outlen);

/* The 1-based number of the first line at or after from_line (1-based) that
 * starts with prefix (contains it, when anywhere is set); 0 when none. */
int cd_text_find_line(const char *text, const char *needle, int anywhere, int from_line);

/* What a log line is, for the log analysis. key receives the category of an
 * ERROR entry ("org.wso2.carbon.Foo" of "ERROR {org.wso2.carbon.Foo} - ...")
 * or the exception class of an exception or "Caused by:" line. */
typedef enum cd_log_line_kind {
    CD_LOG_LINE_OTHER,
    CD_LOG_LINE_ERROR,     /* a log entry at level ERROR (or FATAL) */
    CD_LOG_LINE_EXCEPTION, /* "java.io.IOException: ..." starting a stack trace */
    CD_LOG_LINE_CAUSED_BY, /* "Caused by: java.net.ConnectException: ..." */
} cd_log_line_kind;

cd_log_line_kind cd_log_classify(const char *line, size_t len, char *key, size_t keylen);

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

/* ---------------------------------------------------------------- reports */

/* Label/value lines of the overview (product, JVM, uptime, threads, heap, GC,
 * limits), shared by summary.txt and index.html. */
#define CD_OVERVIEW_ROWS 12
typedef struct cd_overview {
    int count;
    char label[CD_OVERVIEW_ROWS][24];
    char value[CD_OVERVIEW_ROWS][480];
} cd_overview;

void cd_overview_build(const cd_report_inputs *in, cd_overview *overview);

/* What the reports say about the bundle itself. */
typedef struct cd_report_context {
    const char *bundle_name;  /* carbondump-YYYY-MM-DD_HH-MM-SS */
    const char *captured_at;  /* ISO-8601 */
    const char *target;       /* "pid 4242 (WSO2 API Manager 4.2.0)" or similar */
    const char *const *files; /* bundle paths of every file, sorted; NULL-terminated */
} cd_report_context;

int cd_report_write_text(cd_sink *sink, const cd_findings *findings, const cd_overview *overview,
                         const cd_report_context *context);

int cd_report_write_html(cd_sink *sink, const cd_findings *findings, const cd_overview *overview,
                         const cd_report_inputs *in, const cd_report_context *context);

/* Writes text with &, <, >, " and ' escaped, and control characters other
 * than tab and newline as U+FFFD, so that anything from the bundle is inert
 * in HTML text and attribute values. */
int cd_html_escaped(cd_sink *sink, const char *text);

/* The SVG charts of index.html, each a <figure> (or nothing when the bundle
 * has no data for it). */
int cd_chart_threads_by_state(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_top_classes(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_gc(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_thread_cpu(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_limits(cd_sink *sink, const cd_report_inputs *in);

/* ---------------------------------------------------------------- the run's step */

/* Analyses what the sections staged, writes summary.txt and index.html into
 * run->host_staging and keeps the findings in run->findings (freed by
 * cd_findings_release). An error means a report file could not be written;
 * the findings are kept all the same. */
int cd_findings_report(cd_run *run, cd_error *err);

/* Frees run->findings. */
void cd_findings_release(cd_run *run);

#endif
