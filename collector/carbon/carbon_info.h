/*
 * carbon_server_info.txt: the original tool's summary of the installation
 * ("Label : value" lines: Product, WSO2 Carbon Framework, Carbon Home,
 * Operating System Info, Java Home, Java Version, Java VM, then Product Name,
 * Key and Version, Server, Update Level, Patches, Patch Consistency), and
 * carbon_info.json, the same as JSON (schema in carbon.h). Written at the end
 * of the run, when the agent's jvm_info.json is there: the Java lines describe
 * the live VM, never whatever java is on PATH.
 */
#ifndef CARBONDUMP_CARBON_INFO_H
#define CARBONDUMP_CARBON_INFO_H

#include "base/run_context.h"

/* carbon_server_info.txt from carbon_info.json and the live JVM's jvm_info.json. */
int cd_carbon_server_info_write(cd_run *run, cd_error *err);

#endif
