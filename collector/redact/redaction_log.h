/*
 * What was masked where, for redaction_log.txt.
 *
 * The run keeps one register of what was masked, fed by cd_redaction_note from
 * any section (thread-safe), written out as redaction_log.txt at the end: file,
 * line and key of each masked value, never the value.
 *
 *   cd_redaction_note      a masked value: file, line, key (never the value)
 *   cd_redaction_withheld  a file left out of the bundle, and why
 *   cd_redaction_merge_agent  what the agent masked, from its staging directory
 *   cd_redaction_log_write redaction_log.txt
 */
#ifndef CARBONDUMP_REDACTION_LOG_H
#define CARBONDUMP_REDACTION_LOG_H

#include "base/run_context.h"
#include "carbondump/error.h"

/* Records that the value of key at file:line was masked (file relative to the
 * bundle, e.g. "repository/conf/carbon.xml" or "osinfo/os_env_variables.txt";
 * line 0 when there are no lines). Thread-safe; the key is never a value. */
void cd_redaction_note(cd_run *run, const char *file, long line, const char *key);

/* Records that a whole file was left out of the bundle, and why ("key material"). */
void cd_redaction_withheld(cd_run *run, const char *file, const char *why);

/* Records what the agent masked in the JVM's files, from its staging directory
 * (agent-redactions.json: carbondump/redaction_notes.h); a warning when that
 * file is there but unreadable. */
void cd_redaction_merge_agent(cd_run *run);

/* Writes redaction_log.txt into run->host_staging: whether masking was on
 * (--no-redact turns it off), each masked value's file, line and key, sorted,
 * and the files withheld. Always written, also when nothing was masked. */
int cd_redaction_log_write(cd_run *run, cd_error *err);

#endif
