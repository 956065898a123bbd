/*
 * The threads part: a jstack -l compatible thread dump (thread_dump.txt),
 * threads/threads.json, deadlocks, and with samples hot_threads.txt. How the
 * pieces fit is told in threads_internal.h; the pure model and formats in
 * thread_model.h.
 *
 *   cd_part_threads   the part (base/part.h's contract)
 */
#ifndef CARBONDUMP_AGENT_THREADS_H
#define CARBONDUMP_AGENT_THREADS_H

#include "base/part.h"

/* The thread dump, threads.json and, with samples, hot_threads.txt. */
int cd_part_threads(cd_part_ctx *ctx, cd_error *err);

#endif
