/*
 * Part "flags": the VM's flags, the Java system properties and the JVM's
 * arguments, in javainfo/vm_flags.txt, javainfo/system_properties.txt and
 * javainfo/vm_arguments.txt.
 *
 *  - vm_flags.txt: every flag the management interface lists (what
 *    jcmd VM.flags -all lists: product and manageable flags, and diagnostic
 *    or experimental ones when unlocked), with value, type and origin
 *    ({default}, {command line}, {ergonomic} ...), sorted by name; secrets in
 *    values masked (OnOutOfMemoryError holds a command line).
 *  - system_properties.txt: System.getProperties() as Java sees it (which
 *    includes properties the application set at run time), sorted, in
 *    key=value lines with \n, \r, \t and \\ escaped; values of password-like
 *    keys masked, and secrets inside other values (a JDBC URL's password, the
 *    program arguments in sun.java.command), unless the request says redact=0.
 *  - vm_arguments.txt: RuntimeMXBean's input arguments, one a line, masked
 *    the same way (vm_arguments.h).
 * Each masked key is noted in ctx->redactions for redaction_log.txt.
 *
 * Flags and properties live in Java objects here, so this part uses JNI and
 * allocates. Under ctx->java_heap_exhausted it writes vm_arguments.txt from
 * /proc/self/cmdline only and reports itself skipped, with the reason (the
 * VM-level properties are in javainfo/jvm_info.json even then).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "base/jni_util.h"
#include "base/mxbeans.h"
#include "vm_arguments.h"
#include "carbondump/command_line_mask.h"
#include "carbondump/fsutil.h"
#include "carbondump/secrets.h"
#include "vm.h"

/* value as it may be shown: masked unless the request says redact=0, each
 * masked key noted at file:line. A malloc'd copy; NULL out of memory. */
static char *shown_value(cd_part_ctx *ctx, const char *file, long line, const char *name,
                         const char *value)
{
    if (!ctx->request->redact)
        return strdup(value);
    cd_redaction_place place = {ctx->redactions, file, line, NULL};
    return cd_masked_named_value(name, strlen(name), value, strlen(value), cd_redaction_place_note,
                                 &place, NULL);
}

/* ---------------------------------------------------------------- flags */

static int write_flags(cd_part_ctx *ctx, cd_error *err)
{
    cd_mx_flag *flags = NULL;
    size_t count = 0;
    if (cd_mx_all_flags(ctx->jni, &flags, &count, err) != 0)
        return cd_error_wrap(err, "reading the VM flags");
    cd_sink *out = cd_staging_open(ctx->request->dir, "javainfo/vm_flags.txt", err);
    if (!out) {
        cd_mx_flags_free(flags, count);
        return -1;
    }
    cd_sink_printf(out,
                   "# %zu VM flags: type name = value {origin}; {manageable} flags can be "
                   "changed at run time\n",
                   count);
    for (size_t i = 0; i < count; i++) {
        const cd_mx_flag *f = &flags[i];
        char value[64];
        const char *shown = f->value;
        char *end = NULL;
        double d = f->type && strcmp(f->type, "double") == 0 ? strtod(f->value, &end) : 0;
        if (end && end != f->value && *end == '\0') {
            /* as jcmd prints doubles: 25.000000, not Java's 25.0 */
            snprintf(value, sizeof value, "%f", d);
            shown = value;
        }
        char *masked = shown_value(ctx, "javainfo/vm_flags.txt", (long)i + 2, f->name, shown);
        cd_sink_printf(out, "%9s %-40s = %-41s %s{%s}\n", f->type ? f->type : "?", f->name,
                       masked ? masked : CD_SECRET_MASK, f->writeable ? "{manageable} " : "",
                       f->origin);
        free(masked);
    }
    cd_mx_flags_free(flags, count);
    return cd_sink_close(out, err);
}

/* ---------------------------------------------------------------- properties */

typedef struct property {
    char *key, *value;
} property;

static int compare_properties(const void *a, const void *b)
{
    return strcmp(((const property *)a)->key, ((const property *)b)->key);
}

/* Writes text with the escapes java.util.Properties would need to read it
 * back as one line. */
static void put_escaped(cd_sink *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '\n': cd_sink_puts(out, "\\n"); break;
        case '\r': cd_sink_puts(out, "\\r"); break;
        case '\t': cd_sink_puts(out, "\\t"); break;
        case '\\': cd_sink_puts(out, "\\\\"); break;
        default: cd_sink_write(out, p, 1); break;
        }
    }
}

/* System.getProperties() as key/value copies. Allocates Java objects. */
static int read_properties(JNIEnv *jni, property **props, size_t *count, cd_error *err)
{
    *props = NULL;
    *count = 0;
    if (cd_jni_frame_push(jni, 64, err) != 0)
        return -1;
    jobject properties = cd_jni_static_object(jni, "java/lang/System", "getProperties",
                                              "()Ljava/util/Properties;", err);
    jobject names =
        properties ? cd_jni_object(jni, properties, "stringPropertyNames", "()Ljava/util/Set;", err)
                   : NULL;
    jobjectArray keys =
        names ? (jobjectArray)cd_jni_object(jni, names, "toArray", "()[Ljava/lang/Object;", err)
              : NULL;
    jsize n = keys ? (*jni)->GetArrayLength(jni, keys) : 0;
    property *out = calloc(n > 0 ? (size_t)n : 1, sizeof *out);
    if (!out)
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
    size_t filled = 0;
    for (jsize i = 0; out && i < n && err->code == CD_OK; i++) {
        jstring key = (jstring)(*jni)->GetObjectArrayElement(jni, keys, i);
        jstring value =
            key ? (jstring)cd_jni_object(jni, properties, "getProperty",
                                         "(Ljava/lang/String;)Ljava/lang/String;", err, key)
                : NULL;
        char *k = cd_jni_utf(jni, key), *v = cd_jni_utf(jni, value);
        if (k) {
            out[filled].key = k;
            out[filled].value = v ? v : strdup(""); /* removed meanwhile */
            filled++;
        } else {
            free(v);
        }
        if (key)
            (*jni)->DeleteLocalRef(jni, key);
        if (value)
            (*jni)->DeleteLocalRef(jni, value);
    }
    cd_jni_frame_pop(jni);
    *props = out;
    *count = filled;
    return err->code == CD_OK ? 0 : -1;
}

static int write_properties(cd_part_ctx *ctx, cd_error *err)
{
    property *props = NULL;
    size_t count = 0;
    int rc = read_properties(ctx->jni, &props, &count, err);
    cd_sink *out =
        rc == 0 ? cd_staging_open(ctx->request->dir, "javainfo/system_properties.txt", err) : NULL;
    if (out) {
        qsort(props, count, sizeof *props, compare_properties);
        cd_sink_printf(out, "# System.getProperties(), %zu properties%s\n", count,
                       ctx->request->redact ? "; secrets in them masked" : "");
        for (size_t i = 0; i < count; i++) {
            char *shown = shown_value(ctx, "javainfo/system_properties.txt", (long)i + 2,
                                      props[i].key, props[i].value);
            put_escaped(out, props[i].key);
            cd_sink_puts(out, "=");
            put_escaped(out, shown ? shown : CD_SECRET_MASK);
            cd_sink_puts(out, "\n");
            free(shown);
        }
        rc = cd_sink_close(out, err);
    } else {
        rc = -1;
    }
    for (size_t i = 0; i < count; i++) {
        free(props[i].key);
        free(props[i].value);
    }
    free(props);
    return rc;
}

/* ---------------------------------------------------------------- arguments */

static int write_arguments(cd_part_ctx *ctx, int from_proc, cd_error *err)
{
    cJSON *args = cJSON_CreateArray();
    if (!args)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    /* one argument a line, after the header line */
    cd_vm_argument_mask mask = {.place = {ctx->redactions, "javainfo/vm_arguments.txt", 2, NULL}};
    cd_vm_argument_mask *masking = ctx->request->redact ? &mask : NULL;
    if (!from_proc && cd_vm_arguments_from_mxbean(ctx->jni, args, masking) != 0) {
        cJSON_Delete(args);
        return cd_fail(err, CD_ERR_INTERNAL, "RuntimeMXBean.getInputArguments() failed");
    }
    if (from_proc)
        cd_vm_arguments_from_proc(args, masking);
    cd_sink *out = cd_staging_open(ctx->request->dir, "javainfo/vm_arguments.txt", err);
    if (!out) {
        cJSON_Delete(args);
        return -1;
    }
    cd_sink_puts(out, from_proc ? "# The launcher's command line (/proc/self/cmdline)\n"
                                : "# Input arguments of the JVM (RuntimeMXBean)\n");
    const cJSON *arg;
    cJSON_ArrayForEach(arg, args)
    {
        cd_sink_puts(out, arg->valuestring);
        cd_sink_puts(out, "\n");
    }
    cJSON_Delete(args);
    return cd_sink_close(out, err);
}

/* ---------------------------------------------------------------- the part */

int cd_part_flags(cd_part_ctx *ctx, cd_error *err)
{
    if (ctx->java_heap_exhausted || !ctx->jni) {
        cd_error ignored = {0};
        write_arguments(ctx, 1, &ignored);
        cd_fail(err, CD_ERR_UNSUPPORTED,
                "%s: VM flags and system properties need Java allocation; only "
                "vm_arguments.txt (from /proc/self/cmdline) was written",
                ctx->jni ? "the Java heap is exhausted" : "no JNI environment");
        return CD_PART_SKIPPED;
    }
    if (write_flags(ctx, err) != 0 || write_properties(ctx, err) != 0 ||
        write_arguments(ctx, 0, err) != 0)
        return -1;
    return 0;
}
