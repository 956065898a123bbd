/*
 * `carbondump --control-file FILE`: asks an agent loaded at start-up for a
 * bundle through its control file, without attaching, and waits for the
 * agent's FILE.status.
 */
#ifndef CARBONDUMP_CONTROL_H
#define CARBONDUMP_CONTROL_H

#include "base/options.h"

/* Returns the process exit status (0, 3, 2; 1 for usage errors). */
int cd_control_run(const cd_cli *cli);

#endif
