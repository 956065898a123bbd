/*
 * Part "jvm": who this VM is. Name, vendor and version of the VM and of the
 * Java runtime, java.home, pid, start time and uptime, the input arguments and
 * the VM's system properties (secrets masked unless the request says
 * redact=0: carbondump/command_line_mask.h; each masked key noted for
 * redaction_log.txt), in javainfo/jvm_info.json.
 *
 * Everything but the input arguments comes without a Java allocation: system
 * properties from JVMTI, the runtime version from java.home/release, times from
 * /proc. The input arguments come from RuntimeMXBean through JNI when the heap
 * allows it, and otherwise from /proc/self/cmdline (marked as such).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "base/jni_util.h"
#include "vm_arguments.h"
#include "carbondump/command_line_mask.h"
#include "carbondump/fsutil.h"
#include "carbondump/procstat.h"
#include "carbondump/secrets.h"
#include "vm.h"
#include "carbondump/format.h"

#define JVM_INFO_FILE "javainfo/jvm_info.json"

/* The value of KEY="value" in a JDK's release file, or NULL. */
static char *release_value(const char *release, const char *key)
{
    size_t key_len = strlen(key);
    for (const char *line = release; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > key_len + 1 && strncmp(line, key, key_len) == 0 && line[key_len] == '=') {
            const char *v = line + key_len + 1;
            size_t vlen = len - key_len - 1;
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            return strndup(v, vlen);
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

static void add_release_info(cJSON *root, const char *java_home)
{
    if (!java_home)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/release", java_home);
    char *release = NULL;
    if (cd_read_file(path, 64 * 1024, 0, &release, NULL, NULL) != 0)
        return;
    static const struct {
        const char *key, *json;
    } fields[] = {{"JAVA_VERSION", "java_version"},
                  {"JAVA_RUNTIME_VERSION", "java_runtime_version"},
                  {"IMPLEMENTOR", "implementor"},
                  {"IMPLEMENTOR_VERSION", "implementor_version"}};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        char *v = release_value(release, fields[i].key);
        if (v)
            cJSON_AddStringToObject(root, fields[i].json, v);
        free(v);
    }
    free(release);
}

/* Process start (epoch ms) from /proc/self/stat's start time and the boot time. */
static int process_start_ms(uint64_t *start_ms)
{
    char *stat = NULL, *uptime = NULL;
    int rc = -1;
    if (cd_read_file("/proc/self/stat", 8192, 0, &stat, NULL, NULL) == 0 &&
        cd_read_file("/proc/uptime", 256, 0, &uptime, NULL, NULL) == 0) {
        cd_proc_stat st;
        long ticks_per_second = sysconf(_SC_CLK_TCK);
        double system_uptime = 0;
        if (cd_parse_proc_stat(stat, &st) == 0 && ticks_per_second > 0 &&
            sscanf(uptime, "%lf", &system_uptime) == 1) {
            double age_s = system_uptime - (double)st.start_ticks / (double)ticks_per_second;
            *start_ms = cd_wall_ms() - (uint64_t)(age_s * 1000.0);
            rc = 0;
        }
    }
    free(stat);
    free(uptime);
    return rc;
}

static cJSON *system_properties(jvmtiEnv *jvmti, int redact, cd_redaction_notes *notes,
                                cd_error *err)
{
    cd_redaction_place place = {notes, JVM_INFO_FILE, 0, "system_properties"};
    jint count = 0;
    char **keys = NULL;
    jvmtiError e = (*jvmti)->GetSystemProperties(jvmti, &count, &keys);
    if (e != JVMTI_ERROR_NONE) {
        cd_jvmti_fail(err, e, "GetSystemProperties");
        return NULL;
    }
    cJSON *props = cJSON_CreateObject();
    for (jint i = 0; i < count; i++) {
        char *value = NULL;
        if ((*jvmti)->GetSystemProperty(jvmti, keys[i], &value) == JVMTI_ERROR_NONE) {
            const char *shown = value ? value : "";
            char *masked = NULL;
            if (redact) {
                masked = cd_masked_named_value(keys[i], strlen(keys[i]), shown, strlen(shown),
                                               cd_redaction_place_note, &place, NULL);
                shown = masked ? masked : CD_SECRET_MASK;
            }
            cJSON_AddStringToObject(props, keys[i], shown);
            free(masked);
        }
        cd_jvmti_free(jvmti, value);
        cd_jvmti_free(jvmti, keys[i]);
    }
    cd_jvmti_free(jvmti, keys);
    return props;
}

static const char *property(cJSON *props, const char *key)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive(props, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void copy_property(cJSON *root, cJSON *props, const char *key, const char *json)
{
    const char *value = property(props, key);
    if (value)
        cJSON_AddStringToObject(root, json, value);
}

int cd_part_jvm(cd_part_ctx *ctx, cd_error *err)
{
    cJSON *props = system_properties(ctx->jvmti, ctx->request->redact, ctx->redactions, err);
    if (!props)
        return -1;
    cJSON *root = cJSON_CreateObject();
    copy_property(root, props, "java.vm.name", "vm_name");
    copy_property(root, props, "java.vm.vendor", "vm_vendor");
    copy_property(root, props, "java.vm.version", "vm_version");
    copy_property(root, props, "java.vm.info", "vm_info");
    copy_property(root, props, "java.vm.specification.version", "java_specification_version");
    copy_property(root, props, "java.home", "java_home");
    add_release_info(root, property(props, "java.home"));
    cJSON_AddNumberToObject(root, "pid", (double)getpid());

    uint64_t start_ms;
    if (process_start_ms(&start_ms) == 0) {
        char when[40];
        cd_format_iso8601(start_ms, when, sizeof when);
        cJSON_AddStringToObject(root, "start_time", when);
        cJSON_AddNumberToObject(root, "uptime_ms", (double)(cd_wall_ms() - start_ms));
    }
    jint v = ctx->agent->jvmti_version;
    char jvmti_version[32];
    snprintf(jvmti_version, sizeof jvmti_version, "%d.%d.%d",
             (v & JVMTI_VERSION_MASK_MAJOR) >> JVMTI_VERSION_SHIFT_MAJOR,
             (v & JVMTI_VERSION_MASK_MINOR) >> JVMTI_VERSION_SHIFT_MINOR,
             (v & JVMTI_VERSION_MASK_MICRO) >> JVMTI_VERSION_SHIFT_MICRO);
    cJSON_AddStringToObject(root, "jvmti_version", jvmti_version);
    cJSON_AddStringToObject(root, "agent_loaded_at",
                            ctx->agent->loaded_at_startup ? "startup" : "attach");

    cJSON *args = cJSON_AddArrayToObject(root, "input_arguments");
    cd_vm_argument_mask mask = {.place = {ctx->redactions, JVM_INFO_FILE, 0, "input_arguments"}};
    if (ctx->java_heap_exhausted || !ctx->jni ||
        cd_vm_arguments_from_mxbean(ctx->jni, args, ctx->request->redact ? &mask : NULL) != 0) {
        cJSON_DeleteItemFromObject(root, "input_arguments");
        mask = (cd_vm_argument_mask){.place = {ctx->redactions, JVM_INFO_FILE, 0, "command_line"}};
        cd_vm_arguments_from_proc(cJSON_AddArrayToObject(root, "command_line"),
                                  ctx->request->redact ? &mask : NULL);
    }
    cJSON_AddItemToObject(root, "system_properties", props);
    cJSON_AddBoolToObject(root, "redacted", ctx->request->redact != 0);

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory formatting jvm_info.json");
    int rc = cd_staging_write(ctx->request->dir, JVM_INFO_FILE, text, strlen(text), err);
    free(text);
    return rc;
}
