/*
 * carbon_server_info.txt: see carbon_info.h.
 */
#include "carbon_info.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "carbondump/fsutil.h"

/* The first line of a small text file under CARBON_HOME, or NULL. */
static char *first_line(const char *home, const char *relpath)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", home, relpath);
    char *text = NULL;
    if (cd_read_file(path, 64 * 1024, 1, &text, NULL, NULL) != 0)
        return NULL;
    text[strcspn(text, "\r\n")] = '\0';
    if (!text[0]) {
        free(text);
        return NULL;
    }
    return text;
}

static cJSON *jvm_info(const cd_run *run)
{
    if (!run->agent_staging[0])
        return NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/javainfo/jvm_info.json", run->agent_staging);
    char *text = NULL;
    if (cd_read_file(path, 16 << 20, 0, &text, NULL, NULL) != 0)
        return NULL;
    cJSON *json = cJSON_Parse(text);
    free(text);
    return json;
}

static const char *json_string(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void line(cd_sink *sink, const char *label, const char *value, const char *unknown)
{
    cd_sink_printf(sink, "%s : %s\n", label, value ? value : unknown);
}

int cd_carbon_server_info_write(cd_run *run, cd_error *err)
{
    const char *home = run->carbon_home[0] ? run->carbon_home : NULL;
    char *product = home ? first_line(home, "bin/version.txt") : NULL;
    char *framework = home ? first_line(home, "bin/wso2carbon-version.txt") : NULL;
    cJSON *jvm = jvm_info(run);

    cd_sink *sink = cd_staging_open(run->host_staging, "carbon_server_info.txt", err);
    if (!sink) {
        free(product);
        free(framework);
        cJSON_Delete(jvm);
        return -1;
    }
    const char *no_home = "unknown (no CARBON_HOME)";
    line(sink, "Product", product, home ? "unknown (no bin/version.txt)" : no_home);
    line(sink, "WSO2 Carbon Framework", framework,
         home ? "unknown (no bin/wso2carbon-version.txt)" : no_home);
    line(sink, "Carbon Home", home, no_home);
    struct utsname u;
    if (uname(&u) == 0)
        cd_sink_printf(sink, "Operating System Info : %s %s %s %s\n", u.sysname, u.release,
                       u.version, u.machine);

    const char *no_jvm = run->pid ? "unknown (the jvm section did not run)" : "unknown (no target)";
    const char *java_home = json_string(jvm, "java_home");
    if (!java_home && run->have_target && run->target.java_home[0])
        java_home = run->target.java_home;
    line(sink, "Java Home", java_home, no_jvm);
    line(sink, "Java Version", json_string(jvm, "java_version"), no_jvm);
    char vm[512];
    const char *vm_name = json_string(jvm, "vm_name");
    if (vm_name) {
        const char *vendor = json_string(jvm, "vm_vendor");
        const char *version = json_string(jvm, "vm_version");
        snprintf(vm, sizeof vm, "%s%s%s%s%s%s", vm_name, version ? " " : "",
                 version ? version : "", vendor ? " (" : "", vendor ? vendor : "",
                 vendor ? ")" : "");
    }
    line(sink, "Java VM", vm_name ? vm : NULL, no_jvm);
    free(product);
    free(framework);
    cJSON_Delete(jvm);
    return cd_sink_close(sink, err);
}
