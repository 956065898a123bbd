/*
 * The host-side sections, run one after another on their own thread while the
 * JVM side works. Each is a function of the run that writes its files under
 * run->host_staging at their bundle paths. A section without a function here is
 * reported as skipped, "not implemented", never faked.
 */
#include <stddef.h>

#include "carbondump/fsutil.h"
#include "carbon.h"
#include "checksums.h"
#include "files.h"
#include "maps.h"
#include "osinfo.h"
#include "process_info.h"
#include "run.h"

typedef int (*cd_host_fn)(cd_run *run, cd_error *err);

typedef struct host_section {
    cd_section section;
    cd_host_fn run;
    int needs_home;
    int needs_target;
} host_section;

static const host_section host_sections[] = {
    {CD_SECTION_MAPS, cd_maps_section, 0, 1},      {CD_SECTION_OS, cd_os_section, 0, 0},
    {CD_SECTION_PROCESS, cd_process_section, 0, 1},   {CD_SECTION_CARBON, cd_carbon_section, 1, 0},
    {CD_SECTION_FILES, cd_files_section, 1, 0},     {CD_SECTION_CHECKSUMS, cd_checksums_section, 1, 0},
    {CD_SECTION_LISTING, cd_listing_section, 1, 0},
};

void cd_host_sections_run(cd_run *run)
{
    for (size_t i = 0; i < sizeof host_sections / sizeof *host_sections; i++) {
        const host_section *h = &host_sections[i];
        if (!(run->cli->sections & CD_SECTION_BIT(h->section)))
            continue;
        if (!h->run) {
            cd_run_set_outcome(run, h->section, CD_STATUS_SKIPPED,
                               "not implemented in this version", 0);
            continue;
        }
        if (h->needs_home && !run->carbon_home[0]) {
            cd_run_set_outcome(run, h->section, CD_STATUS_SKIPPED, run->home_problem, 0);
            continue;
        }
        if (h->needs_target && !run->have_target) {
            cd_run_set_outcome(run, h->section, CD_STATUS_FAILED,
                               run->pid ? run->target_problem : "no target JVM (no --pid)", 0);
            continue;
        }
        cd_error err = {0};
        uint64_t t0 = cd_monotonic_ms();
        int rc = h->run(run, &err);
        cd_run_set_outcome(run, h->section, rc == 0 ? CD_STATUS_OK : CD_STATUS_FAILED,
                           rc == 0 ? NULL : err.message, cd_monotonic_ms() - t0);
    }
}
