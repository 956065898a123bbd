/*
 * One run of the collector: what it was asked, what it found out about the
 * target and the installation, and how each section went. Shared by the parts
 * of the collector; host sections read it and write files under
 * run->host_staging, the agent session fills in the JVM sections.
 */
#ifndef CARBONDUMP_RUN_H
#define CARBONDUMP_RUN_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/sections.h"
#include "cli.h"
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

    pid_t pid;        /* 0: no target */
    int have_target;  /* target inspected successfully */
    cd_target target;
    char target_problem[CD_ERROR_MESSAGE_MAX]; /* why there is no target */

    char carbon_home[PATH_MAX]; /* "" if none */
    char home_problem[CD_ERROR_MESSAGE_MAX];

    char output_dir[PATH_MAX];   /* absolute */
    char host_staging[PATH_MAX]; /* collector's staging: files at their bundle paths */
    char agent_staging[PATH_MAX]; /* the agent's staging, as seen from here ("" if none) */

    pthread_mutex_t lock; /* guards outcomes and abandoned_sections */
    cd_section_outcome outcomes[CD_SECTION_COUNT];
    int abandoned_sections; /* host sections left running past --section-timeout */

    struct cd_findings *findings; /* the findings report's (findings.h); NULL before it ran */
} cd_run;

/* Records the outcome of a section (thread-safe). */
void cd_run_set_outcome(cd_run *run, cd_section section, cd_status status, const char *reason,
                        uint64_t duration_ms);

/* Marks every selected section in set that is still pending as skipped or
 * failed with reason. */
void cd_run_settle(cd_run *run, cd_section_set set, cd_status status, const char *reason);

const char *cd_status_name(cd_status status);

/* Exit statuses (README, --help). */
#define CD_EXIT_OK 0
#define CD_EXIT_USAGE 1
#define CD_EXIT_NO_BUNDLE 2 /* output not writable, disk full, ... */
#define CD_EXIT_PARTIAL 3   /* bundle written, some sections failed or were skipped */
#define CD_EXIT_BUSY 4      /* another carbondump kept the target longer than --lock-wait */

/* The whole collection; returns the process exit status (CD_EXIT_*). */
int cd_run_main(const cd_cli *cli, int argc, char *const argv[]);

/* ---- staging areas that name their owner, so that a later run can tell the
 * leftovers of a killed carbondump from the work of a live one */

/* Creates the directory dir/<prefix>.owner-<pid namespace>-<pid>-<start>.XXXXXX,
 * 0700, naming this process; out receives its path. */
int cd_staging_create(const char *dir, const char *prefix, char *out, size_t outlen,
                      cd_error *err);

/* Removes every directory in dir whose name starts with prefix and names an
 * owner (as cd_staging_create does) that has ended: no process with that pid and
 * start time in this pid namespace. Areas of live owners, of owners in other pid
 * namespaces and of unknown form are kept. Returns how many were removed. */
int cd_staging_sweep(const char *dir, const char *prefix);

/* The start time of process pid (clock ticks since boot): with the pid, it
 * names a process for good. Returns 0 or -1. */
int cd_process_start_ticks(pid_t pid, unsigned long long *ticks);

/* The target's /tmp as seen from here: plain /tmp when the target's root is
 * ours (so it stays reachable after the target dies, unlike /proc/<pid>/root),
 * else through /proc/<pid>/root. */
void cd_target_tmp(const cd_target *t, char *out, size_t outlen);

/* ---- the JVM side (jvm_side.c): attach, load the agent, wait for it */
int cd_jvm_side_run(cd_run *run);

/* The agent library's real path: agent_path (--agent) if given, else the one
 * installed beside this program (bin/../lib/ or bin/../lib/carbondump/). */
int cd_find_agent(const char *agent_path, char *out, size_t outlen, cd_error *err);

/* ---- host sections (host_sections.c), run on their own thread */
void cd_host_sections_run(cd_run *run);

#endif
