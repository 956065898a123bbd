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
 * base/run_context.h). */
int cd_run_main(const cd_cli *cli, int argc, char *const argv[]);

#endif
