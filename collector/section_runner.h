/*
 * The host-side sections (section_runner.c), each on a thread of its own under
 * --section-timeout, while the JVM side works.
 *
 *   cd_host_sections_run  run every selected host section and record its outcome
 */
#ifndef CARBONDUMP_SECTION_RUNNER_H
#define CARBONDUMP_SECTION_RUNNER_H

#include "base/run_context.h"

/* Runs each selected host section under --section-timeout and records its outcome. */
void cd_host_sections_run(cd_run *run);

#endif
