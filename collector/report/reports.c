/*
 * summary.txt and index.html, written into the staging area (report.h).
 */
#include "carbondump/fsutil.h"
#include "report.h"

typedef enum report_format { REPORT_TEXT, REPORT_HTML } report_format;

static int write_report(const char *root, const char *relpath, report_format format,
                        const cd_findings *findings, const cd_overview *overview,
                        const cd_report_inputs *in, const cd_report_context *context, cd_error *err)
{
    cd_sink *sink = cd_staging_open(root, relpath, err);
    if (!sink)
        return -1;
    if (format == REPORT_HTML)
        cd_report_write_html(sink, findings, overview, in, context);
    else
        cd_report_write_text(sink, findings, overview, context);
    if (cd_sink_close(sink, err) != 0)
        return cd_error_wrap(err, "%s", relpath);
    return 0;
}

int cd_reports_write(const char *dir, const cd_findings *findings, const cd_report_inputs *in,
                     const cd_report_context *context, cd_error *err)
{
    cd_overview overview;
    cd_overview_build(in, &overview);
    int rc = write_report(dir, "summary.txt", REPORT_TEXT, findings, &overview, in, context, err);
    cd_error html_err = {0};
    if (write_report(dir, "index.html", REPORT_HTML, findings, &overview, in, context, &html_err) !=
            0 &&
        rc == 0) {
        *err = html_err;
        rc = -1;
    }
    return rc;
}
