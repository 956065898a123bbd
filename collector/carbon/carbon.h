/*
 * The carbon section: what a WSO2 Carbon installation is and how it is
 * patched, read from CARBON_HOME without running anything.
 *
 *   product     bin/version.txt; the direct children Name, ServerKey and Version
 *               of <Server> in repository/conf/carbon.xml (comments, nested
 *               elements of the same name and CDATA handled); the [server]
 *               table of repository/conf/deployment.toml (hostname, node_ip,
 *               offset, base_path, server_role) or carbon.xml's HostName and
 *               Ports/Offset
 *   framework   bin/wso2carbon-version.txt
 *   updates     Updates 2.0: updates/config.json's update-level, channel and
 *               applied updates (never its tokens); WUM: the timestamp in
 *               updates/product.txt ("wso2am-2.6.0.1561534063669") and the
 *               timestamped entries below updates/wum/
 *   patches     repository/components/patches/patchNNNN/, in number order
 *   patch check for every jar in a patch directory, the copy in the newest
 *               patch directory holding it must be byte-identical (SHA-256) to
 *               repository/components/plugins/<jar>, since Carbon copies the
 *               newest patch over plugins/ at start-up; every jar that is not
 *               is reported by name, as an unapplied or inconsistent patch
 *
 * The section writes carbon_info.json; at the end of the run carbon_info.c
 * adds the live JVM's Java home, version and VM (from the agent's
 * jvm_info.json, never from the java on PATH) and writes both
 * carbon_server_info.txt and the final carbon_info.json. Its schema:
 *
 *   carbon_home            string
 *   product                {version_txt, name, key, version, source}: each null when unknown
 *   carbon_framework       string | null (bin/wso2carbon-version.txt)
 *   server                 {hostname, node_ip, offset, base_path, server_role, source}
 *   updates                {system: "updates-2.0" | "wum" | "none", update_level: number | null,
 *                           channel, applied_updates: number | null, product_txt,
 *                           wum_timestamps: [ISO-8601 ...], latest_wum_update}
 *   patches                {checked: bool, directories: [{name, jars}], jar_count} |
 *                          {checked: false, reason}
 *   patch_consistency      {status: "consistent" | "inconsistent" | "no patches" |
 *                           "not checked", checked_jars, problems: [{jar, patch_dir,
 *                           problem: "differs" | "missing from plugins" | "unreadable",
 *                           patch_sha256, plugins_sha256}]}
 *   java                   {home, version, vm, vm_version, vm_vendor, source} (added at the end)
 *   operating_system       string (added at the end)
 */
#ifndef CARBONDUMP_CARBON_H
#define CARBONDUMP_CARBON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "base/run_context.h"

/* The carbon section: carbon_info.json (product, framework, updates, patches). */
int cd_carbon_section(cd_run *run, cd_error *err);

/* The installation as JSON (the keys above but java and operating_system);
 * with check_patches 0 the patch directories are neither listed nor hashed
 * (the cheap part, for a run without the carbon section). NULL if out of
 * memory. */
cJSON *cd_carbon_describe(const char *home, int check_patches);

/* The fields of carbon.xml this section reads, each "" when absent. */
typedef struct cd_carbon_xml {
    char name[256];
    char server_key[64];
    char version[64];
    char host_name[256];
    char offset[32];
} cd_carbon_xml;

/* Reads carbon.xml text: direct children of the root <Server> only (and
 * <Ports><Offset>), entities decoded, blanks trimmed. */
void cd_carbon_xml_parse(const char *text, size_t len, cd_carbon_xml *out);

/* The WUM update timestamp (milliseconds since the epoch) at the end of an
 * updates/product.txt line such as "wso2am-2.6.0.1561534063669", or 0. */
long long cd_carbon_wum_timestamp(const char *product_txt);

/* The number of a patch directory name "patch0123" (123), or -1. */
long cd_carbon_patch_number(const char *name);

#endif
