/*
 * One run of the collector: what it was asked, what it found out about the
 * target and the installation, and how each section went. Every stage reads
 * it; host sections write files under run->host_staging, the agent session
 * fills in the JVM sections, and each records its outcome here.
 *
 *   cd_run_set_outcome  record how a section went (thread-safe)
 *   cd_run_settle       settle every still pending section of a set
 *   cd_status_name      "ok", "failed", "skipped", "pending"
 */
#ifndef CARBONDUMP_COLLECTOR_RUN_CONTEXT_H
#define CARBONDUMP_COLLECTOR_RUN_CONTEXT_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/sections.h"
#include "options.h"
#include "target.h"

typedef enum cd_status {
    CD_STATUS_PENDING,
    CD_STATUS_OK,
    CD_STATUS_FAILED,
    CD_STATUS_SKIPPED
} cd_status;

typedef struct cd_section_outcome {
    cd_status status;
    char reason[CD_ERROR_MESSAGE_MAX];
    uint64_t duration_ms;
} cd_section_outcome;

typedef struct cd_run {
    const cd_cli *cli;
    int argc;
    char *const *argv;
    uint64_t started_wall_ms;
    char bundle_name[64]; /* carbondump-YYYY-MM-DD_HH-MM-SS */

    pid_t pid;       /* 0: no target */
    int have_target; /* target inspected successfully */
    cd_target target;
    char target_problem[CD_ERROR_MESSAGE_MAX]; /* why there is no target */

    char carbon_home[PATH_MAX]; /* "" if none */
    char home_problem[CD_ERROR_MESSAGE_MAX];

    char output_dir[PATH_MAX];    /* absolute */
    char host_staging[PATH_MAX];  /* collector's staging: files at their bundle paths */
    char agent_staging[PATH_MAX]; /* the agent's staging, as seen from here ("" if none) */

    pthread_mutex_t lock; /* guards outcomes and abandoned_sections */
    cd_section_outcome outcomes[CD_SECTION_COUNT];
    int abandoned_sections; /* host sections left running past --section-timeout */

} cd_run;

/* Records the outcome of a section (thread-safe). */
void cd_run_set_outcome(cd_run *run, cd_section section, cd_status status, const char *reason,
                        uint64_t duration_ms);

/* Marks every selected section in set that is still pending as skipped or
 * failed with reason. */
void cd_run_settle(cd_run *run, cd_section_set set, cd_status status, const char *reason);

/* "ok", "failed", "skipped" or "pending". */
const char *cd_status_name(cd_status status);

/* Exit statuses (README, --help). */
#define CD_EXIT_OK 0
#define CD_EXIT_USAGE 1
#define CD_EXIT_NO_BUNDLE 2 /* output not writable, disk full, ... */
#define CD_EXIT_PARTIAL 3   /* bundle written, some sections failed or were skipped */
#define CD_EXIT_BUSY 4      /* another carbondump kept the target longer than --lock-wait */

#endif
