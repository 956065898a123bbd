/*
 * Start-up mode (-agentpath): options, the control-file watcher and the
 * OutOfMemoryError trigger. See startup.c.
 */
#ifndef CARBONDUMP_AGENT_STARTUP_H
#define CARBONDUMP_AGENT_STARTUP_H

#include "base/part.h"

/* Parses the start-up options and arms the watchers. On bad options prints one
 * line on stderr and returns -1: the agent stays inert, the JVM starts. */
int cd_startup_configure(cd_agent *agent, const char *options);

#endif
