/*
 * carbon_server_info.txt: the original tool's summary of the installation
 * ("Label : value" lines), from what this run knows. The Java lines describe
 * the live VM (the agent's jvm_info.json), never whatever java is on PATH.
 */
#ifndef CARBONDUMP_CARBON_INFO_H
#define CARBONDUMP_CARBON_INFO_H

#include "run.h"

int cd_carbon_server_info_write(cd_run *run, cd_error *err);

#endif
