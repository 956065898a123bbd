/*
 * The JVM side of a collection (agent_session.c): a staging directory the
 * target can write, attach, load the agent with a request, wait for its
 * result, and the VM's own heap dump and histogram where asked.
 *
 *   cd_agent_session_run  do all of it, recording each JVM section's outcome
 */
#ifndef CARBONDUMP_COLLECTOR_AGENT_SESSION_H
#define CARBONDUMP_COLLECTOR_AGENT_SESSION_H

#include "base/run_context.h"

/* Returns 0 when the agent answered, else -1 (the sections say why). */
int cd_agent_session_run(cd_run *run);

/* The agent library's real path: agent_path (--agent) if given, else the one
 * installed beside this program (bin/../lib/ or bin/../lib/carbondump/). */
int cd_find_agent(const char *agent_path, char *out, size_t outlen, cd_error *err);

#endif
