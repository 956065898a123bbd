/*
 * Start-up options and control-file requests: see include/carbondump/startup.h.
 */
#include "carbondump/startup.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const on_oom_names[] = {"bundle", "jvm-only", "off"};

const char *cd_on_oom_name(cd_on_oom on_oom)
{
    return on_oom_names[on_oom];
}

void cd_startup_options_init(cd_startup_options *o)
{
    memset(o, 0, sizeof *o);
    o->poll_ms = CD_STARTUP_POLL_MS_DEFAULT;
    o->on_oom = CD_ON_OOM_BUNDLE;
    o->gc_thrash_enabled = 1;
    o->gc_thrash_threshold_ms = 5000;
    o->gc_thrash_weight = 0.2;
    o->deadlock_check_s = 10;
    o->max_bundles = 5;
    o->min_interval_s = 60;
    o->parts = CD_STARTUP_DEFAULT_PARTS;
}

static int copy_path(const char *key, const char *value, char *out, size_t outlen,
                     cd_error *err)
{
    if (value[0] != '/')
        return cd_fail(err, CD_ERR_USAGE, "%s=%s: must be an absolute path", key, value);
    if (strlen(value) >= outlen)
        return cd_fail(err, CD_ERR_USAGE, "%s: path too long", key);
    strcpy(out, value);
    return 0;
}

static int parse_parts(const char *key, const char *value, cd_section_set *out, cd_error *err)
{
    cd_section_set parts;
    if (cd_section_set_parse(value, '+', &parts, err) != 0)
        return cd_error_wrap(err, "%s", key);
    if (parts & ~CD_SECTIONS_AGENT) {
        char names[256];
        cd_section_set_format(parts & ~CD_SECTIONS_AGENT, '+', names, sizeof names);
        return cd_fail(err, CD_ERR_USAGE, "%s: %s not produced by the agent", key, names);
    }
    *out = parts;
    return 0;
}

/* "MS:WEIGHT" with MS >= 100 and 0 < WEIGHT <= 10, or "off". */
static int parse_gc_thrash(const char *value, cd_startup_options *o, cd_error *err)
{
    if (strcmp(value, "off") == 0) {
        o->gc_thrash_enabled = 0;
        return 0;
    }
    char *end;
    errno = 0;
    long ms = strtol(value, &end, 10);
    if (!isdigit((unsigned char)value[0]) || *end != ':' || errno)
        return cd_fail(err, CD_ERR_USAGE, "gc-thrash=%s: expected THRESHOLD_MS:WEIGHT or off",
                       value);
    const char *w = end + 1;
    double weight = strtod(w, &end);
    if (!(isdigit((unsigned char)*w) || *w == '.') || *end != '\0' || !isfinite(weight))
        return cd_fail(err, CD_ERR_USAGE, "gc-thrash=%s: expected THRESHOLD_MS:WEIGHT or off",
                       value);
    if (ms < 100 || ms > 3600000 || weight <= 0 || weight > 10)
        return cd_fail(err, CD_ERR_USAGE,
                       "gc-thrash=%s: threshold must be 100..3600000 ms and weight in (0, 10]",
                       value);
    o->gc_thrash_enabled = 1;
    o->gc_thrash_threshold_ms = ms;
    o->gc_thrash_weight = weight;
    return 0;
}

typedef struct startup_parse {
    cd_startup_options *options;
    char seen[16][24];
    int nseen;
} startup_parse;

static int seen_before(startup_parse *p, const char *key)
{
    for (int i = 0; i < p->nseen; i++)
        if (strcmp(p->seen[i], key) == 0)
            return 1;
    if (p->nseen < 16)
        snprintf(p->seen[p->nseen++], sizeof p->seen[0], "%s", key);
    return 0;
}

static int startup_pair(void *context, const char *key, const char *value, cd_error *err)
{
    startup_parse *p = context;
    cd_startup_options *o = p->options;
    long n;
    if (seen_before(p, key))
        return cd_fail(err, CD_ERR_USAGE, "option '%s' given twice", key);
    if (strcmp(key, "output") == 0)
        return copy_path(key, value, o->output, sizeof o->output, err);
    if (strcmp(key, "control") == 0)
        return copy_path(key, value, o->control, sizeof o->control, err);
    if (strcmp(key, "carbon-home") == 0)
        return copy_path(key, value, o->carbon_home, sizeof o->carbon_home, err);
    if (strcmp(key, "collector") == 0)
        return copy_path(key, value, o->collector, sizeof o->collector, err);
    if (strcmp(key, "poll") == 0) {
        if (cd_kv_int(key, value, 100, 60000, &n, err) != 0)
            return -1;
        o->poll_ms = (int)n;
        return 0;
    }
    if (strcmp(key, "on-oom") == 0) {
        for (int i = 0; i < 3; i++)
            if (strcmp(value, on_oom_names[i]) == 0) {
                o->on_oom = (cd_on_oom)i;
                return 0;
            }
        return cd_fail(err, CD_ERR_USAGE, "on-oom=%s: expected bundle, jvm-only or off", value);
    }
    if (strcmp(key, "gc-thrash") == 0)
        return parse_gc_thrash(value, o, err);
    if (strcmp(key, "deadlock-check") == 0) {
        if (strcmp(value, "off") == 0) {
            o->deadlock_check_s = 0;
            return 0;
        }
        if (cd_kv_int(key, value, 1, 86400, &n, err) != 0)
            return cd_fail(err, CD_ERR_USAGE, "deadlock-check=%s: expected 1..86400 seconds or off",
                           value);
        o->deadlock_check_s = (int)n;
        return 0;
    }
    if (strcmp(key, "max-bundles") == 0) {
        if (cd_kv_int(key, value, 0, 1000, &n, err) != 0)
            return -1;
        o->max_bundles = (int)n;
        return 0;
    }
    if (strcmp(key, "min-interval") == 0) {
        if (cd_kv_int(key, value, 0, 86400, &n, err) != 0)
            return -1;
        o->min_interval_s = (int)n;
        return 0;
    }
    if (strcmp(key, "parts") == 0)
        return parse_parts(key, value, &o->parts, err);
    return cd_fail(err, CD_ERR_USAGE,
                   "unknown option '%s' (valid: output, control, poll, on-oom, gc-thrash, "
                   "deadlock-check, max-bundles, min-interval, carbon-home, collector, parts)",
                   key);
}

int cd_startup_options_parse(const char *text, cd_startup_options *options, cd_error *err)
{
    cd_startup_options parsed;
    cd_startup_options_init(&parsed);
    startup_parse p = {.options = &parsed};
    if (cd_kv_parse(text, ',', startup_pair, &p, err) != 0)
        return -1;
    *options = parsed;
    return 0;
}

/* ---------------------------------------------------------------- control */

static const char *const control_keys[] = {"parts", "live", "heap-engine", "heap-redact",
                                           "thread-samples", "thread-interval-ms", "id"};

typedef struct control_parse {
    cd_request *request;
    unsigned seen;
} control_parse;

/* The control file's keys are a subset of the request's: reuse its parser on
 * one pair at a time, after checking the key is allowed here. */
static int control_pair(void *context, const char *key, const char *value, cd_error *err)
{
    control_parse *p = context;
    size_t k = 0, nkeys = sizeof control_keys / sizeof *control_keys;
    while (k < nkeys && strcmp(key, control_keys[k]) != 0)
        k++;
    if (k == nkeys)
        return cd_fail(err, CD_ERR_USAGE,
                       "unknown key '%s' (valid: parts, live, heap-engine, heap-redact, "
                       "thread-samples, thread-interval-ms, id)",
                       key);
    if (p->seen & (1u << k))
        return cd_fail(err, CD_ERR_USAGE, "key '%s' given twice", key);
    p->seen |= 1u << k;
    if (strchr(value, ','))
        return cd_fail(err, CD_ERR_USAGE, "%s=%s: values cannot hold commas", key, value);

    char one[PATH_MAX + 600];
    snprintf(one, sizeof one, "dir=/,parts=jvm,%s=%s", key, value);
    if (strcmp(key, "parts") == 0)
        snprintf(one, sizeof one, "dir=/,parts=%s", value);
    cd_request parsed;
    if (cd_request_parse(one, &parsed, err) != 0)
        return -1;
    cd_request *r = p->request;
    if (strcmp(key, "parts") == 0)
        r->parts = parsed.parts;
    else if (strcmp(key, "live") == 0)
        r->live = parsed.live;
    else if (strcmp(key, "heap-engine") == 0)
        r->heap_engine = parsed.heap_engine;
    else if (strcmp(key, "heap-redact") == 0)
        r->heap_redact = parsed.heap_redact;
    else if (strcmp(key, "thread-samples") == 0)
        r->thread_samples = parsed.thread_samples;
    else if (strcmp(key, "thread-interval-ms") == 0)
        r->thread_interval_ms = parsed.thread_interval_ms;
    else
        memcpy(r->id, parsed.id, sizeof r->id);
    return 0;
}

int cd_control_parse(const char *text, const cd_request *base, cd_request *request,
                     cd_error *err)
{
    cd_request parsed = *base;
    control_parse p = {&parsed, 0};
    /* one pair per line; comments start with '#' */
    char *copy = strdup(text ? text : "");
    if (!copy)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory reading the control file");
    int rc = 0;
    long line_no = 0;
    for (char *line = copy, *next; line && rc == 0; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        char *hash = line;
        while (isspace((unsigned char)*hash))
            hash++;
        if (*hash == '#')
            continue;
        line[strcspn(line, "\r")] = '\0';
        rc = cd_kv_parse(line, '\n', control_pair, &p, err);
        if (rc != 0)
            cd_error_wrap(err, "line %ld", line_no);
    }
    free(copy);
    if (rc == 0)
        *request = parsed;
    return rc;
}
