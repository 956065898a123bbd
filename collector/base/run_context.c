/*
 * Section outcomes of a run (run_context.h).
 */
#include "run_context.h"

#include <stdio.h>

#include "progress.h"

const char *cd_status_name(cd_status status)
{
    switch (status) {
    case CD_STATUS_OK: return "ok";
    case CD_STATUS_FAILED: return "failed";
    case CD_STATUS_SKIPPED: return "skipped";
    case CD_STATUS_PENDING: break;
    }
    return "pending";
}

void cd_run_set_outcome(cd_run *run, cd_section section, cd_status status, const char *reason,
                        uint64_t duration_ms)
{
    pthread_mutex_lock(&run->lock);
    cd_section_outcome *o = &run->outcomes[section];
    o->status = status;
    snprintf(o->reason, sizeof o->reason, "%s", reason ? reason : "");
    o->duration_ms = duration_ms;
    pthread_mutex_unlock(&run->lock);
    if (status == CD_STATUS_OK)
        cd_progress("%-13s ok (%llu ms)", cd_section_name(section),
                    (unsigned long long)duration_ms);
    else
        cd_progress("%-13s %s: %s", cd_section_name(section), cd_status_name(status),
                    reason ? reason : "");
}

void cd_run_settle(cd_run *run, cd_section_set set, cd_status status, const char *reason)
{
    for (int s = 0; s < CD_SECTION_COUNT; s++) {
        if (!(set & run->cli->sections & CD_SECTION_BIT(s)))
            continue;
        pthread_mutex_lock(&run->lock);
        int pending = run->outcomes[s].status == CD_STATUS_PENDING;
        pthread_mutex_unlock(&run->lock);
        if (pending)
            cd_run_set_outcome(run, (cd_section)s, status, reason, 0);
    }
}
