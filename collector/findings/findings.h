/*
 * The findings report: what carbondump sees in the bundle, most severe first,
 * so that whoever opens it starts from the likely cause instead of a ZIP of
 * raw files.
 *
 * After every section has finished and before the ZIP is written, the
 * collector reads the staged parts back (threads.json, the memory JSONs,
 * process_info.json, carbon_info.json, the copied logs ...) into
 * cd_report_inputs (inputs.h) and runs one analysis per topic over them; the
 * reports (report/) and manifest.json (bundle/) then show the findings.
 *
 * Each finding (finding.h) has a severity, a one-line title, details, a
 * recommendation and evidence: the bundle files (with line numbers or a JSON
 * pointer) that show it. Every analysis is a pure function of
 * cd_report_inputs, so unit tests feed it fixed documents:
 *
 *   findings_threads.c  deadlocks, monitor contention, hot and stuck threads,
 *                       thread explosions
 *   findings_memory.c   heap occupancy and top classes, non-heap pools, GC,
 *                       finalizer backlog
 *   findings_host.c     threads and open files vs their limits, container
 *                       memory vs the heap, disk space, risky JVM settings
 *   findings_carbon.c   patches, errors and exceptions in the logs
 *   findings.c          all of them in one sorted list
 *
 * They share threads_doc.c (questions about threads.json and the dump text)
 * and wording.c (numbers and names for people).
 *
 * Thresholds are named constants next to the analysis that uses them, and
 * README.md lists them. They are set so that a healthy server yields nothing
 * above info.
 */
#ifndef CARBONDUMP_FINDINGS_H
#define CARBONDUMP_FINDINGS_H

#include <stddef.h>

#include "finding.h"
#include "inputs.h"

/* Deadlocks, monitor contention, hot and stuck threads, thread explosions. */
void cd_findings_threads(const cd_report_inputs *in, cd_findings *out);
/* Heap occupancy and top classes, non-heap pools, GC, finalizer backlog. */
void cd_findings_memory(const cd_report_inputs *in, cd_findings *out);
/* Threads and open files against their limits, container memory, disk space, JVM settings. */
void cd_findings_host(const cd_report_inputs *in, cd_findings *out);
/* Patches and updates of the Carbon product. */
void cd_findings_carbon(const cd_report_inputs *in, cd_findings *out);
/* Errors and exceptions in the copied logs. */
void cd_findings_logs(const cd_report_inputs *in, cd_findings *out);

/* All of the above, sorted. */
void cd_findings_analyze(const cd_report_inputs *in, cd_findings *out);

/* Evidence must point at what the bundle really holds: drops the references
 * to files that a skipped or failed section never wrote (in read them from
 * staging areas, cd_report_inputs_load). */
void cd_findings_drop_missing_evidence(cd_findings *list, const cd_report_inputs *in);

/* What a log line is, for the log analysis. key receives the category of an
 * ERROR entry ("org.wso2.carbon.Foo" of "ERROR {org.wso2.carbon.Foo} - ...")
 * or the exception class of an exception or "Caused by:" line. */
typedef enum cd_log_line_kind {
    CD_LOG_LINE_OTHER,
    CD_LOG_LINE_ERROR,     /* a log entry at level ERROR (or FATAL) */
    CD_LOG_LINE_EXCEPTION, /* "java.io.IOException: ..." starting a stack trace */
    CD_LOG_LINE_CAUSED_BY, /* "Caused by: java.net.ConnectException: ..." */
} cd_log_line_kind;

/* The kind of line[0..len), with its category or exception class in key. */
cd_log_line_kind cd_log_classify(const char *line, size_t len, char *key, size_t keylen);

#endif
