/*
 * carbon_server_info.txt and carbon_info.json, written at the end of the run:
 * see carbon_info.h and carbon.h (the schema).
 *
 * The installation part comes from the carbon section's carbon_info.json when
 * it ran, else from the cheap part of cd_carbon_describe (no patch check), so
 * even `--only jvm` names the product. The Java part is the live VM's, from
 * the agent's javainfo/jvm_info.json (or the target's java home as seen from
 * /proc), never whatever java is on PATH. The text file keeps the original
 * tool's labels first, in its order, then the labels it did not have.
 */
#include "carbon_info.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "carbon.h"
#include "carbondump/fsutil.h"
#include "carbondump/json.h"

/* A JSON file, parsed, or NULL. */
static cJSON *read_json(const char *dir, const char *relpath)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, relpath);
    return cd_json_read_file(path, 16 << 20);
}

static const char *json_string(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* For text lines: a missing value reads "?", never a null pointer. */
static const char *json_text(const cJSON *object, const char *key)
{
    const char *s = json_string(object, key);
    return s ? s : "?";
}

static const cJSON *json_object(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsObject(item) ? item : NULL;
}

static void add_string_or_null(cJSON *object, const char *key, const char *value)
{
    if (value && *value)
        cJSON_AddStringToObject(object, key, value);
    else
        cJSON_AddNullToObject(object, key);
}

/* ---------------------------------------------------------------- gathering */

static cJSON *java_json(const cd_run *run)
{
    cJSON *java = cJSON_CreateObject();
    cJSON *jvm =
        run->agent_staging[0] ? read_json(run->agent_staging, "javainfo/jvm_info.json") : NULL;
    const char *home = json_string(jvm, "java_home");
    const char *source = jvm ? "the live JVM (javainfo/jvm_info.json)" : NULL;
    if (!home && run->have_target && run->target.java_home[0]) {
        home = run->target.java_home;
        source = source ? source : "the target process (/proc/PID/exe)";
    }
    add_string_or_null(java, "home", home);
    add_string_or_null(java, "version", json_string(jvm, "java_version"));
    add_string_or_null(java, "vm", json_string(jvm, "vm_name"));
    add_string_or_null(java, "vm_version", json_string(jvm, "vm_version"));
    add_string_or_null(java, "vm_vendor", json_string(jvm, "vm_vendor"));
    add_string_or_null(java, "source", source);
    cJSON_Delete(jvm);
    return java;
}

static cJSON *gather(cd_run *run)
{
    cJSON *info = NULL;
    if (run->carbon_home[0]) {
        info = read_json(run->host_staging, "carbon_info.json");
        if (!info)
            info = cd_carbon_describe(run->carbon_home, 0);
    } else {
        info = cJSON_CreateObject();
        cJSON_AddNullToObject(info, "carbon_home");
    }
    if (!info)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(info, "java");
    cJSON_AddItemToObject(info, "java", java_json(run));
    struct utsname u;
    char os[4 * sizeof u.release];
    if (uname(&u) == 0) {
        snprintf(os, sizeof os, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
        cJSON_DeleteItemFromObjectCaseSensitive(info, "operating_system");
        cJSON_AddStringToObject(info, "operating_system", os);
    }
    return info;
}

/* ---------------------------------------------------------------- text */

static void line(cd_sink *sink, const char *label, const char *value, const char *unknown)
{
    cd_sink_printf(sink, "%s : %s\n", label, value && *value ? value : unknown);
}

static void product_lines(cd_sink *sink, const cJSON *info, const char *no_home)
{
    const cJSON *product = json_object(info, "product");
    const char *name = json_string(product, "name"), *version = json_string(product, "version");
    char combined[512] = "";
    if (name)
        snprintf(combined, sizeof combined, "%s%s%s", name, version ? " " : "",
                 version ? version : "");
    const char *version_txt = json_string(product, "version_txt");
    line(sink, "Product", version_txt ? version_txt : combined,
         no_home ? no_home : "unknown (no bin/version.txt, no product in carbon.xml)");
    line(sink, "WSO2 Carbon Framework", json_string(info, "carbon_framework"),
         no_home ? no_home : "unknown (no bin/wso2carbon-version.txt)");
    line(sink, "Carbon Home", json_string(info, "carbon_home"), "unknown (no CARBON_HOME)");
}

static void java_lines(cd_sink *sink, const cJSON *info, const cd_run *run)
{
    const cJSON *java = json_object(info, "java");
    const char *no_jvm = run->pid ? "unknown (the jvm section did not run)" : "unknown (no target)";
    line(sink, "Java Home", json_string(java, "home"), no_jvm);
    line(sink, "Java Version", json_string(java, "version"), no_jvm);
    const char *vm = json_string(java, "vm");
    const char *vm_version = json_string(java, "vm_version");
    const char *vendor = json_string(java, "vm_vendor");
    char text[768] = "";
    if (vm)
        snprintf(text, sizeof text, "%s%s%s%s%s%s", vm, vm_version ? " " : "",
                 vm_version ? vm_version : "", vendor ? " (" : "", vendor ? vendor : "",
                 vendor ? ")" : "");
    line(sink, "Java VM", text, no_jvm);
}

static void installation_lines(cd_sink *sink, const cJSON *info)
{
    const cJSON *product = json_object(info, "product");
    const char *source = json_string(product, "source");
    if (source) {
        line(sink, "Product Name", json_string(product, "name"), "unknown");
        line(sink, "Product Key", json_string(product, "key"), "unknown");
        line(sink, "Product Version", json_string(product, "version"), "unknown");
    }
    const cJSON *server = json_object(info, "server");
    if (server && json_string(server, "source")) {
        cd_sink_puts(sink, "Server : ");
        static const char *const keys[] = {"hostname", "node_ip", "offset", "base_path",
                                           "server_role"};
        const char *separator = "";
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            if (json_string(server, keys[i])) {
                cd_sink_printf(sink, "%s%s %s", separator, keys[i], json_string(server, keys[i]));
                separator = ", ";
            }
        cd_sink_printf(sink, " (%s)\n", json_string(server, "source"));
    }
}

static void update_line(cd_sink *sink, const cJSON *info)
{
    const cJSON *updates = json_object(info, "updates");
    if (!updates)
        return;
    const char *system = json_string(updates, "system");
    const char *product_txt = json_string(updates, "product_txt");
    const cJSON *level = cJSON_GetObjectItemCaseSensitive(updates, "update_level");
    const cJSON *applied = cJSON_GetObjectItemCaseSensitive(updates, "applied_updates");
    const char *channel = json_string(updates, "channel");
    cd_sink_puts(sink, "Update Level : ");
    if (system && strcmp(system, "updates-2.0") == 0) {
        if (cJSON_IsNumber(level))
            cd_sink_printf(sink, "%d", level->valueint);
        else
            cd_sink_puts(sink, "unknown");
        cd_sink_puts(sink, " (Updates 2.0, updates/config.json");
        if (channel)
            cd_sink_printf(sink, ", channel %s", channel);
        if (cJSON_IsNumber(applied))
            cd_sink_printf(sink, ", %d updates applied", applied->valueint);
        cd_sink_puts(sink, ")");
    } else if (system && strcmp(system, "wum") == 0) {
        const cJSON *stamps = cJSON_GetObjectItemCaseSensitive(updates, "wum_timestamps");
        cd_sink_printf(sink, "WUM update of %s (%d WUM timestamp%s found)",
                       json_string(updates, "latest_wum_update"), cJSON_GetArraySize(stamps),
                       cJSON_GetArraySize(stamps) == 1 ? "" : "s");
    } else {
        cd_sink_puts(sink, "none found (no updates/config.json, no WUM timestamps)");
    }
    if (product_txt)
        cd_sink_printf(sink, "; updates/product.txt: %s", product_txt);
    cd_sink_puts(sink, "\n");
}

static void patch_lines(cd_sink *sink, const cJSON *info)
{
    const cJSON *patches = json_object(info, "patches");
    if (!patches)
        return;
    const cJSON *checked = cJSON_GetObjectItemCaseSensitive(patches, "checked");
    const cJSON *dirs = cJSON_GetObjectItemCaseSensitive(patches, "directories");
    if (!cJSON_IsTrue(checked)) {
        line(sink, "Patches", NULL, "not checked");
        cd_sink_printf(sink, "Patch Consistency : not checked (%s)\n",
                       json_string(patches, "reason") ? json_string(patches, "reason") : "");
        return;
    }
    int count = cJSON_GetArraySize(dirs);
    if (count == 0) {
        cd_sink_puts(sink, "Patches : none (no patchNNNN directories in "
                           "repository/components/patches)\n");
    } else {
        const cJSON *jars = cJSON_GetObjectItemCaseSensitive(patches, "jar_count");
        cd_sink_printf(sink, "Patches : %d patch director%s, %d jars:", count,
                       count == 1 ? "y" : "ies", cJSON_IsNumber(jars) ? jars->valueint : 0);
        const cJSON *dir;
        const char *separator = " ";
        cJSON_ArrayForEach(dir, dirs)
        {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(dir, "jars");
            cd_sink_printf(sink, "%s%s (%d)", separator, json_text(dir, "name"),
                           cJSON_IsNumber(n) ? n->valueint : 0);
            separator = ", ";
        }
        cd_sink_puts(sink, "\n");
    }
    const cJSON *consistency = json_object(info, "patch_consistency");
    const char *status = json_string(consistency, "status");
    const cJSON *problems = cJSON_GetObjectItemCaseSensitive(consistency, "problems");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(consistency, "checked_jars");
    int checked_jars = cJSON_IsNumber(n) ? n->valueint : 0;
    if (status && strcmp(status, "inconsistent") == 0) {
        cd_sink_printf(sink,
                       "Patch Consistency : INCONSISTENT: %d of %d patched jars are not what "
                       "repository/components/plugins holds (unapplied or inconsistent patches):\n",
                       cJSON_GetArraySize(problems), checked_jars);
        const cJSON *p;
        cJSON_ArrayForEach(p, problems)
        {
            const char *problem = json_string(p, "problem");
            cd_sink_printf(sink, "    %s (newest in %s): %s repository/components/plugins/%s\n",
                           json_text(p, "jar"), json_text(p, "patch_dir"),
                           problem && strcmp(problem, "differs") == 0 ? "differs from"
                           : problem && strcmp(problem, "unreadable") == 0
                               ? "could not be compared with"
                               : "is missing:",
                           json_text(p, "jar"));
        }
    } else if (status && strcmp(status, "consistent") == 0) {
        cd_sink_printf(sink,
                       "Patch Consistency : consistent: the newest copy of each of the %d "
                       "patched jars matches repository/components/plugins\n",
                       checked_jars);
    } else {
        line(sink, "Patch Consistency", status, "not checked");
    }
}

int cd_carbon_server_info_write(cd_run *run, cd_error *err)
{
    cJSON *info = gather(run);
    if (!info)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory describing the installation");
    cd_sink *sink = cd_staging_open(run->host_staging, "carbon_server_info.txt", err);
    if (!sink) {
        cJSON_Delete(info);
        return -1;
    }
    const char *no_home = run->carbon_home[0] ? NULL : "unknown (no CARBON_HOME)";
    product_lines(sink, info, no_home);
    line(sink, "Operating System Info", json_string(info, "operating_system"), "unknown");
    java_lines(sink, info, run);
    if (!no_home) {
        installation_lines(sink, info);
        update_line(sink, info);
        patch_lines(sink, info);
    }
    int rc = cd_sink_close(sink, err);
    char *json = rc == 0 ? cJSON_Print(info) : NULL;
    if (rc == 0 && !json)
        rc = cd_fail(err, CD_ERR_NOMEM, "out of memory writing carbon_info.json");
    if (json)
        rc = cd_staging_write(run->host_staging, "carbon_info.json", json, strlen(json), err);
    free(json);
    cJSON_Delete(info);
    return rc;
}
