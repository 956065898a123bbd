/*
 * Text from the bundle made inert in HTML, for index.html and its charts.
 *
 *   cd_html_escaped  text with markup characters escaped
 */
#ifndef CARBONDUMP_REPORT_HTML_ESCAPE_H
#define CARBONDUMP_REPORT_HTML_ESCAPE_H

#include "carbondump/sink.h"

/* Writes text with &, <, >, " and ' escaped, and control characters other
 * than tab and newline as U+FFFD, so that anything from the bundle is inert
 * in HTML text and attribute values. */
int cd_html_escaped(cd_sink *sink, const char *text);

#endif
