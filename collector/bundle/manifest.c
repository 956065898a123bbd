/*
 * manifest.json: what was asked, of whom, and what came of it. The schema
 * (documented in README.md):
 *
 *   tool {name, version}, command_line [..] (secrets masked unless --no-redact),
 *   host {hostname, kernel, machine},
 *   target {pid, nspid, uid, java_home, vm_name, java_version} | null,
 *   carbon_home | null, started, finished, duration_ms,
 *   sections {name: {status: ok|failed|skipped, reason?, duration_ms}},
 *   agent {...agent-result.json...} | null,
 *   findings [{severity, kind, title, detail?, evidence [{path, lines?, pointer?}],
 *              recommendation?}] (findings.h),
 *   entries [{path, bytes, sha256}]
 */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bundle.h"
#include "carbondump/format.h"
#include "carbondump/fsutil.h"
#include "carbondump/json.h"
#include "carbondump/version.h"
#include "findings/finding.h"

static void add_time(cJSON *object, const char *name, uint64_t wall_ms)
{
    char when[40];
    cd_format_iso8601(wall_ms, when, sizeof when);
    cJSON_AddStringToObject(object, name, when);
}

/* A JSON file from the agent's staging area, parsed, or NULL. */
static cJSON *read_agent_json(const cd_run *run, const char *relpath)
{
    if (!run->agent_staging[0])
        return NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", run->agent_staging, relpath);
    return cd_json_read_file(path, 16 << 20);
}

static void copy_string(cJSON *to, const char *to_key, const cJSON *from, const char *from_key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(from, from_key);
    if (cJSON_IsString(item))
        cJSON_AddStringToObject(to, to_key, item->valuestring);
}

static cJSON *target_json(const cd_run *run)
{
    if (!run->pid)
        return cJSON_CreateNull();
    cJSON *target = cJSON_CreateObject();
    cJSON_AddNumberToObject(target, "pid", run->pid);
    if (run->have_target) {
        cJSON_AddNumberToObject(target, "nspid", run->target.nspid);
        cJSON_AddNumberToObject(target, "uid", run->target.uid);
        if (run->target.java_home[0])
            cJSON_AddStringToObject(target, "java_home", run->target.java_home);
    } else {
        cJSON_AddStringToObject(target, "problem", run->target_problem);
    }
    cJSON *jvm = read_agent_json(run, "javainfo/jvm_info.json");
    if (jvm) {
        copy_string(target, "vm_name", jvm, "vm_name");
        copy_string(target, "vm_version", jvm, "vm_version");
        copy_string(target, "java_version", jvm, "java_version");
        if (!run->have_target || !run->target.java_home[0])
            copy_string(target, "java_home", jvm, "java_home");
        cJSON_Delete(jvm);
    }
    return target;
}

static cJSON *host_json(void)
{
    cJSON *host = cJSON_CreateObject();
    char hostname[256] = "";
    gethostname(hostname, sizeof hostname - 1);
    cJSON_AddStringToObject(host, "hostname", hostname);
    struct utsname u;
    if (uname(&u) == 0) {
        cJSON_AddStringToObject(host, "kernel", u.release);
        cJSON_AddStringToObject(host, "machine", u.machine);
    }
    return host;
}

char *cd_manifest_json(const cd_run *run, const cd_bundle_entries *entries,
                       const cd_findings *findings, uint64_t finished_wall_ms)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *tool = cJSON_AddObjectToObject(root, "tool");
    cJSON_AddStringToObject(tool, "name", "carbondump");
    cJSON_AddStringToObject(tool, "version", CD_VERSION);
    cJSON_AddItemToObject(root, "command_line", cd_manifest_command_line_json(run, NULL));
    cJSON_AddItemToObject(root, "host", host_json());
    cJSON_AddItemToObject(root, "target", target_json(run));
    if (run->carbon_home[0])
        cJSON_AddStringToObject(root, "carbon_home", run->carbon_home);
    else
        cJSON_AddNullToObject(root, "carbon_home");
    add_time(root, "started", run->started_wall_ms);
    add_time(root, "finished", finished_wall_ms);
    cJSON_AddNumberToObject(root, "duration_ms", (double)(finished_wall_ms - run->started_wall_ms));

    cJSON *sections = cJSON_AddObjectToObject(root, "sections");
    for (int s = 0; s < CD_SECTION_COUNT; s++) {
        if (!(run->cli->sections & CD_SECTION_BIT(s)))
            continue;
        const cd_section_outcome *o = &run->outcomes[s];
        cJSON *section = cJSON_AddObjectToObject(sections, cd_section_name((cd_section)s));
        cJSON_AddStringToObject(section, "status", cd_status_name(o->status));
        if (o->status != CD_STATUS_OK)
            cJSON_AddStringToObject(section, "reason", o->reason);
        cJSON_AddNumberToObject(section, "duration_ms", (double)o->duration_ms);
    }

    cJSON *agent = read_agent_json(run, "agent-result.json");
    cJSON_AddItemToObject(root, "agent", agent ? agent : cJSON_CreateNull());

    cJSON_AddItemToObject(root, "findings", cd_findings_json(findings));

    cJSON *list = cJSON_AddArrayToObject(root, "entries");
    for (size_t i = 0; i < entries->count; i++) {
        const cd_bundle_entry *e = &entries->items[i];
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "path", e->path);
        cJSON_AddNumberToObject(entry, "bytes", (double)e->bytes);
        cJSON_AddStringToObject(entry, "sha256", e->sha256);
        cJSON_AddItemToArray(list, entry);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
