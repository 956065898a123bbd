/*
 * The request the collector hands to the agent, and its text form.
 *
 * On attach the collector sends `load <agent> true <options>`; <options> is a
 * list of key=value pairs separated by commas (values cannot hold commas):
 *
 *   dir=PATH              staging directory, as the target sees it (required)
 *   parts=a+b+...         agent sections to produce, '+'-separated (required)
 *   id=WORD               request id, echoed in agent-result.json
 *   live=0|1              full GC before heap walks (jmap's :live)
 *   redact=0|1            mask password-like system properties (default 1)
 *   heap-engine=vm|jvmti  who writes the heap dump
 *   heap-redact=none|basic|full
 *   thread-samples=N      1..100 thread dumps ...
 *   thread-interval-ms=N  ... N ms apart (0..600000)
 *
 * Parsing is strict: an unknown key, a repeated key, a missing required key or a
 * bad value is an error that names it. The parser is a pure function.
 */
#ifndef CARBONDUMP_REQUEST_H
#define CARBONDUMP_REQUEST_H

#include <limits.h>
#include <stddef.h>

#include "carbondump/error.h"
#include "carbondump/sections.h"

typedef enum cd_heap_engine { CD_HEAP_ENGINE_VM, CD_HEAP_ENGINE_JVMTI } cd_heap_engine;
typedef enum cd_heap_redact {
    CD_HEAP_REDACT_NONE,
    CD_HEAP_REDACT_BASIC,
    CD_HEAP_REDACT_FULL
} cd_heap_redact;

#define CD_REQUEST_ID_MAX 64
#define CD_THREAD_SAMPLES_MAX 100
#define CD_THREAD_INTERVAL_MS_MAX 600000

typedef struct cd_request {
    char dir[PATH_MAX];
    char id[CD_REQUEST_ID_MAX];
    cd_section_set parts;
    int live;
    int redact;
    cd_heap_engine heap_engine;
    cd_heap_redact heap_redact;
    int thread_samples;
    int thread_interval_ms;
} cd_request;

/* Defaults: no dir, no parts, redact=1, engine vm, heap-redact none, 1 sample. */
void cd_request_init(cd_request *request);

/* Parses agent options ("key=value,..."); 0, or -1 with err naming the bad option. */
int cd_request_parse(const char *text, cd_request *request, cd_error *err);

/* The text form, parseable by cd_request_parse. */
int cd_request_format(const cd_request *request, char *out, size_t outlen, cd_error *err);

/* "vm" or "jvmti". */
const char *cd_heap_engine_name(cd_heap_engine engine);
/* "none", "basic" or "full". */
const char *cd_heap_redact_name(cd_heap_redact redact);

/* ---- key=value lists, shared with the start-up options and the control file */

/* Called for each pair; key and value are NUL-terminated copies. */
typedef int (*cd_kv_handler)(void *context, const char *key, const char *value, cd_error *err);

/* Splits text at sep into key=value pairs (surrounding blanks trimmed; empty
 * items skipped) and calls handler for each. A pair without '=' or with an
 * empty key is an error. Stops at the first handler error. */
int cd_kv_parse(const char *text, char sep, cd_kv_handler handler, void *context, cd_error *err);

/* Value helpers with messages naming the key. */
int cd_kv_int(const char *key, const char *value, long min, long max, long *out, cd_error *err);
int cd_kv_bool(const char *key, const char *value, int *out, cd_error *err);

#endif
