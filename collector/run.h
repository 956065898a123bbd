/*
 * One collection from start to finish (run.c): the orchestration. It resolves
 * the target and CARBON_HOME, runs the JVM side (jvm/) and the host sections
 * (section_runner.c) side by side, then hands the staged files to the findings
 * (findings/), the reports (report/) and the bundle (bundle/). No stage calls
 * back into it.
 *
 *   cd_run_main  the whole collection for a parsed command line
 */
#ifndef CARBONDUMP_RUN_H
#define CARBONDUMP_RUN_H

#include "base/options.h"

/* The whole collection; returns the process exit status (CD_EXIT_*,
 * base/run_context.h). *threads_left is set when a host section abandoned past
 * --section-timeout may still be running: its thread reads the run and cli,
 * so the caller must end the process without exit handlers (_exit) and
 * without leaving the frame that holds cli. */
int cd_run_main(const cd_cli *cli, int argc, char *const argv[], int *threads_left);

#endif
