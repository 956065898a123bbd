/*
 * The SVG charts of index.html (report_charts.c).
 *
 *   cd_chart_threads_by_state, cd_chart_top_classes, cd_chart_gc,
 *   cd_chart_thread_cpu, cd_chart_limits
 */
#ifndef CARBONDUMP_REPORT_CHARTS_H
#define CARBONDUMP_REPORT_CHARTS_H

#include "carbondump/sink.h"
#include "findings/inputs.h"

/* The SVG charts of index.html, each a <figure> (or nothing when the bundle
 * has no data for it). */
int cd_chart_threads_by_state(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_top_classes(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_gc(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_thread_cpu(cd_sink *sink, const cd_report_inputs *in);
int cd_chart_limits(cd_sink *sink, const cd_report_inputs *in);

#endif
