/*
 * The reports on the findings, written into the bundle after the analyses:
 *
 *   summary.txt   the findings, most severe first, then a short overview
 *                 (report_text.c)
 *   index.html    the same with charts: one self-contained file (inline CSS
 *                 and SVG, no script, nothing fetched) linking to the raw files
 *                 (report_html.c, report_charts.c)
 *
 * They read the findings and the bundle's inputs (findings/), nothing else.
 *
 *   cd_reports_write      both files into a directory
 *   cd_overview_build     the label/value lines both reports show
 *   cd_report_write_text  summary.txt to a sink
 *   cd_report_write_html  index.html to a sink
 */
#ifndef CARBONDUMP_REPORT_H
#define CARBONDUMP_REPORT_H

#include "carbondump/error.h"
#include "carbondump/sink.h"
#include "findings/finding.h"
#include "findings/inputs.h"

/* Label/value lines of the overview (product, JVM, uptime, threads, heap, GC,
 * limits), shared by summary.txt and index.html. */
#define CD_OVERVIEW_ROWS 12
typedef struct cd_overview {
    int count;
    char label[CD_OVERVIEW_ROWS][24];
    char value[CD_OVERVIEW_ROWS][480];
} cd_overview;

/* Fills overview from the inputs. */
void cd_overview_build(const cd_report_inputs *in, cd_overview *overview);

/* What the reports say about the bundle itself. */
typedef struct cd_report_context {
    const char *bundle_name;  /* carbondump-YYYY-MM-DD_HH-MM-SS */
    const char *captured_at;  /* ISO-8601 */
    const char *target;       /* "pid 4242 (WSO2 API Manager 4.2.0)" or similar */
    const char *const *files; /* bundle paths of every file, sorted; NULL-terminated */
} cd_report_context;

/* summary.txt: the findings, most severe first, then the overview. */
int cd_report_write_text(cd_sink *sink, const cd_findings *findings, const cd_overview *overview,
                         const cd_report_context *context);

/* index.html: findings, overview and charts in one self-contained file. */
int cd_report_write_html(cd_sink *sink, const cd_findings *findings, const cd_overview *overview,
                         const cd_report_inputs *in, const cd_report_context *context);

/* Writes summary.txt and index.html into dir. Returns 0, or -1 with err
 * naming the first file that could not be written. */
int cd_reports_write(const char *dir, const cd_findings *findings, const cd_report_inputs *in,
                     const cd_report_context *context, cd_error *err);

#endif
