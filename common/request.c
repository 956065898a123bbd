/*
 * The agent request and the key=value parser beneath it.
 * See include/carbondump/request.h for the grammar.
 */
#include "carbondump/request.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- key=value */

static void trim(char **start, char **end)
{
    while (*start < *end && isspace((unsigned char)**start))
        (*start)++;
    while (*end > *start && isspace((unsigned char)(*end)[-1]))
        (*end)--;
}

int cd_kv_parse(const char *text, char sep, cd_kv_handler handler, void *context, cd_error *err)
{
    char *copy = strdup(text ? text : "");
    if (!copy)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory parsing options");
    int rc = 0;
    char *item = copy;
    while (item && rc == 0) {
        char *next = strchr(item, sep);
        if (next)
            *next++ = '\0';
        char *end = item + strlen(item);
        trim(&item, &end);
        *end = '\0';
        if (*item != '\0') {
            char *eq = strchr(item, '=');
            if (!eq) {
                rc = cd_fail(err, CD_ERR_USAGE, "'%s' is not key=value", item);
                break;
            }
            char *key_end = eq;
            char *value = eq + 1;
            char *key = item;
            trim(&key, &key_end);
            if (key == key_end) {
                rc = cd_fail(err, CD_ERR_USAGE, "'%s' has an empty key", item);
                break;
            }
            *key_end = '\0';
            char *value_end = value + strlen(value);
            trim(&value, &value_end);
            *value_end = '\0';
            rc = handler(context, key, value, err);
        }
        item = next;
    }
    free(copy);
    return rc;
}

int cd_kv_int(const char *key, const char *value, long min, long max, long *out, cd_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || errno != 0 || !(isdigit((unsigned char)*value) ||
                                                          (*value == '-' && min < 0)))
        return cd_fail(err, CD_ERR_USAGE, "%s=%s: not a whole number", key, value);
    if (v < min || v > max)
        return cd_fail(err, CD_ERR_USAGE, "%s=%s: must be between %ld and %ld", key, value, min,
                       max);
    *out = v;
    return 0;
}

int cd_kv_bool(const char *key, const char *value, int *out, cd_error *err)
{
    if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
        *out = 1;
    else if (strcmp(value, "0") == 0 || strcmp(value, "false") == 0 || strcmp(value, "no") == 0)
        *out = 0;
    else
        return cd_fail(err, CD_ERR_USAGE, "%s=%s: expected 1 or 0", key, value);
    return 0;
}

/* ---------------------------------------------------------------- request */

static const char *const engine_names[] = {"vm", "jvmti"};
static const char *const heap_redact_names[] = {"none", "basic", "full"};

const char *cd_heap_engine_name(cd_heap_engine engine)
{
    return engine_names[engine];
}

const char *cd_heap_redact_name(cd_heap_redact redact)
{
    return heap_redact_names[redact];
}

static int choose(const char *key, const char *value, const char *const *names, int count,
                  int *out, cd_error *err)
{
    for (int i = 0; i < count; i++) {
        if (strcmp(value, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char valid[128] = "";
    for (int i = 0; i < count; i++)
        snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", i ? ", " : "",
                 names[i]);
    return cd_fail(err, CD_ERR_USAGE, "%s=%s: expected one of %s", key, value, valid);
}

enum {
    KEY_DIR,
    KEY_PARTS,
    KEY_ID,
    KEY_LIVE,
    KEY_REDACT,
    KEY_HEAP_ENGINE,
    KEY_HEAP_REDACT,
    KEY_THREAD_SAMPLES,
    KEY_THREAD_INTERVAL,
    KEY_COUNT
};

static const char *const request_keys[KEY_COUNT] = {
    "dir",         "parts",       "id",
    "live",        "redact",      "heap-engine",
    "heap-redact", "thread-samples", "thread-interval-ms",
};

typedef struct request_parse {
    cd_request *request;
    unsigned seen;
} request_parse;

static int word_is_safe(const char *value)
{
    for (const char *p = value; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return 0;
    return 1;
}

static int request_pair(void *context, const char *key, const char *value, cd_error *err)
{
    request_parse *parse = context;
    cd_request *r = parse->request;
    int k = 0;
    while (k < KEY_COUNT && strcmp(key, request_keys[k]) != 0)
        k++;
    if (k == KEY_COUNT)
        return cd_fail(err, CD_ERR_USAGE,
                       "unknown option '%s' (valid: dir, parts, id, live, redact, heap-engine, "
                       "heap-redact, thread-samples, thread-interval-ms)",
                       key);
    if (parse->seen & (1u << k))
        return cd_fail(err, CD_ERR_USAGE, "option '%s' given twice", key);
    parse->seen |= 1u << k;

    long n;
    int choice = 0;
    switch (k) {
    case KEY_DIR:
        if (value[0] != '/')
            return cd_fail(err, CD_ERR_USAGE, "dir=%s: must be an absolute path", value);
        if (strlen(value) >= sizeof r->dir)
            return cd_fail(err, CD_ERR_USAGE, "dir: path too long");
        strcpy(r->dir, value);
        return 0;
    case KEY_PARTS: {
        cd_section_set parts;
        if (cd_section_set_parse(value, '+', &parts, err) != 0)
            return cd_error_wrap(err, "parts");
        if (parts & ~CD_SECTIONS_AGENT) {
            char names[256];
            cd_section_set_format(parts & ~CD_SECTIONS_AGENT, '+', names, sizeof names);
            return cd_fail(err, CD_ERR_USAGE, "parts: %s not produced by the agent", names);
        }
        r->parts = parts;
        return 0;
    }
    case KEY_ID:
        if (strlen(value) >= sizeof r->id || !word_is_safe(value) || !*value)
            return cd_fail(err, CD_ERR_USAGE,
                           "id=%s: use up to 63 letters, digits, '-', '_' or '.'", value);
        strcpy(r->id, value);
        return 0;
    case KEY_LIVE:
        return cd_kv_bool(key, value, &r->live, err);
    case KEY_REDACT:
        return cd_kv_bool(key, value, &r->redact, err);
    case KEY_HEAP_ENGINE:
        if (choose(key, value, engine_names, 2, &choice, err) != 0)
            return -1;
        r->heap_engine = (cd_heap_engine)choice;
        return 0;
    case KEY_HEAP_REDACT:
        if (choose(key, value, heap_redact_names, 3, &choice, err) != 0)
            return -1;
        r->heap_redact = (cd_heap_redact)choice;
        return 0;
    case KEY_THREAD_SAMPLES:
        if (cd_kv_int(key, value, 1, CD_THREAD_SAMPLES_MAX, &n, err) != 0)
            return -1;
        r->thread_samples = (int)n;
        return 0;
    case KEY_THREAD_INTERVAL:
        if (cd_kv_int(key, value, 0, CD_THREAD_INTERVAL_MS_MAX, &n, err) != 0)
            return -1;
        r->thread_interval_ms = (int)n;
        return 0;
    }
    return cd_fail(err, CD_ERR_INTERNAL, "unhandled option '%s'", key);
}

void cd_request_init(cd_request *request)
{
    memset(request, 0, sizeof *request);
    request->redact = 1;
    request->heap_engine = CD_HEAP_ENGINE_VM;
    request->heap_redact = CD_HEAP_REDACT_NONE;
    request->thread_samples = 1;
    request->thread_interval_ms = 10000;
}

int cd_request_parse(const char *text, cd_request *request, cd_error *err)
{
    cd_request parsed;
    cd_request_init(&parsed);
    request_parse parse = {&parsed, 0};
    if (cd_kv_parse(text, ',', request_pair, &parse, err) != 0)
        return -1;
    if (!(parse.seen & (1u << KEY_DIR)))
        return cd_fail(err, CD_ERR_USAGE, "missing option 'dir'");
    if (!(parse.seen & (1u << KEY_PARTS)))
        return cd_fail(err, CD_ERR_USAGE, "missing option 'parts'");
    *request = parsed;
    return 0;
}

int cd_request_format(const cd_request *r, char *out, size_t outlen, cd_error *err)
{
    char parts[256];
    if (strchr(r->dir, ',') || strchr(r->dir, '=') == r->dir)
        return cd_fail(err, CD_ERR_USAGE, "staging directory '%s' cannot hold a comma", r->dir);
    if (cd_section_set_format(r->parts, '+', parts, sizeof parts) != 0 || !parts[0])
        return cd_fail(err, CD_ERR_USAGE, "no agent parts requested");
    int n = snprintf(out, outlen,
                     "dir=%s,parts=%s,live=%d,redact=%d,heap-engine=%s,heap-redact=%s,"
                     "thread-samples=%d,thread-interval-ms=%d%s%s",
                     r->dir, parts, r->live, r->redact, cd_heap_engine_name(r->heap_engine),
                     cd_heap_redact_name(r->heap_redact), r->thread_samples,
                     r->thread_interval_ms, r->id[0] ? ",id=" : "", r->id);
    if (n < 0 || (size_t)n >= outlen)
        return cd_fail(err, CD_ERR_USAGE, "agent options too long");
    return 0;
}
