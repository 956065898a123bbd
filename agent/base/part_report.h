/*
 * A part's report: a text file for people and its JSON twin for tools, both
 * written atomically into the request's staging directory. Parts that have
 * both (histogram, heap summary, finalizer, class loaders, GC statistics)
 * format the text through a sink and build the JSON as a cJSON tree; this
 * writes the pair, so none of them repeats the plumbing.
 */
#ifndef CARBONDUMP_AGENT_REPORT_H
#define CARBONDUMP_AGENT_REPORT_H

#include <cjson/cJSON.h>

#include "part.h"
#include "carbondump/sink.h"

/* Formats the text report of data into out. Write errors stick to the sink. */
typedef void (*cd_part_text_fn)(cd_sink *out, const void *data);

/* Writes text_path (relative to the staging directory) through text(data),
 * then json as json_path. Takes ownership of json (NULL means it could not be
 * built: out of memory). Returns 0, or -1 with err; nothing half-written is
 * left behind. */
int cd_part_report_write(const cd_part_ctx *ctx, const char *text_path, cd_part_text_fn text,
                         const void *data, const char *json_path, cJSON *json, cd_error *err);

#endif
