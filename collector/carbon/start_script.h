/*
 * A WSO2 Carbon start script (bin/wso2server.sh, bin/api-manager.sh ...) with or
 * without carbondump's start-up agent: pure text transformations, used by
 * `carbondump install-agent` (install_agent.c).
 *
 * The agent goes in as one marked block of whole lines, placed just before the
 * script's "# ----- Execute The Requested Command" line, after the --debug branch
 * that replaces JAVA_OPTS and before the java command that passes $JAVA_OPTS:
 *
 *   # >>> carbondump agent >>> added by 'carbondump install-agent' ...
 *   JAVA_OPTS="$JAVA_OPTS -agentpath:/usr/lib/carbondump/libcarbondump.so=output=..."
 *   # <<< carbondump agent <<<
 *
 * Removing the block gives back the script byte for byte. A script that does not
 * have that shape (no such line, JAVA_OPTS set again or not used after it, not a
 * shell script, the agent already loaded some other way) is refused, never edited.
 */
#ifndef CARBONDUMP_START_SCRIPT_H
#define CARBONDUMP_START_SCRIPT_H

#include <stddef.h>

#include "carbondump/error.h"

#define CD_AGENT_BLOCK_BEGIN "# >>> carbondump agent >>>"
#define CD_AGENT_BLOCK_END "# <<< carbondump agent <<<"
#define CD_START_SCRIPT_ANCHOR "# ----- Execute The Requested Command"

typedef enum cd_script_change {
    CD_SCRIPT_UNCHANGED, /* the script already is as asked */
    CD_SCRIPT_ADDED,
    CD_SCRIPT_UPDATED, /* a block with other options was replaced */
    CD_SCRIPT_REMOVED,
} cd_script_change;

/* Checks that value can stand in the script's JAVA_OPTS, which the java command
 * expands unquoted: no blanks, quotes, $, `, \ or glob characters. Errors name what. */
int cd_start_script_check_word(const char *what, const char *value, cd_error *err);

/* Makes *out (malloc'd, the caller frees it) the script with a block adding
 * agent_option (e.g. "-agentpath:/x/libcarbondump.so=output=/y") to JAVA_OPTS;
 * *change says what that took. Errors (CD_ERR_UNSUPPORTED) say why the script
 * is not one this can edit safely. */
int cd_start_script_add_agent(const char *script, size_t len, const char *agent_option, char **out,
                              size_t *out_len, cd_script_change *change, cd_error *err);

/* Makes *out the script without carbondump's block: exactly the script as it was
 * before cd_start_script_add_agent. Refuses a damaged block. */
int cd_start_script_remove_agent(const char *script, size_t len, char **out, size_t *out_len,
                                 cd_script_change *change, cd_error *err);

#endif
