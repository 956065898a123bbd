/*
 * Triggered bundles (start-up mode): the agent produces the JVM parts itself,
 * then starts the collector as a separate process (posix_spawn) to add the
 * host-side data and write the ZIP into the configured output directory, so a
 * slow disk or a crash in the collector can never take the JVM down.
 *
 * Automatic triggers (OutOfMemoryError, GC thrashing, deadlocks) are limited to
 * max-bundles per JVM life and min-interval apart, so a JVM in an OOM loop
 * cannot fill the disk; an operator's control-file request is not limited.
 * Bundles are produced one at a time.
 */
#ifndef CARBONDUMP_AGENT_TRIGGER_H
#define CARBONDUMP_AGENT_TRIGGER_H

#include <limits.h>

#include "base/part.h"
#include "carbondump/startup.h"

typedef enum cd_trigger_kind {
    CD_TRIGGER_CONTROL,
    CD_TRIGGER_OOM,
    CD_TRIGGER_GC_THRASH,
    CD_TRIGGER_DEADLOCK
} cd_trigger_kind;

typedef struct cd_trigger_result {
    const char *status; /* ok, partial, failed, skipped */
    char bundle[PATH_MAX]; /* the ZIP, or the directory of JVM parts; "" if none */
    char reason[CD_ERROR_MESSAGE_MAX];
    int collector_exit; /* the collector's exit status, -1 if it did not run */
} cd_trigger_result;

/* Keeps a copy of the start-up options for later triggers. */
void cd_trigger_configure(const cd_startup_options *options);
const cd_startup_options *cd_trigger_options(void);

/* Produces a bundle: runs request (NULL: the configured parts) into a fresh
 * staging directory under the output directory, then the collector unless
 * jvm_only. Never throws, never exits; the outcome is in result. */
void cd_trigger_bundle(cd_agent *agent, JNIEnv *jni, cd_trigger_kind kind,
                       const cd_request *request, int java_heap_exhausted, int jvm_only,
                       cd_trigger_result *result);

/* "control-file", "out-of-memory", "gc-thrashing" or "deadlock", for status files and logs. */
const char *cd_trigger_kind_name(cd_trigger_kind kind);

#endif
