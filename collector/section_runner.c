/*
 * The host-side sections, all at once while the JVM side works: each is a
 * function of the run that writes its files under run->host_staging at their
 * bundle paths, on a thread of its own. They share nothing but the run (whose
 * outcomes are locked) and the redaction register (locked too), and most of
 * their time is spent waiting (on the disk, on the 0.5 s between the two
 * readings of the task list), so side by side they take about as long as the
 * longest of them. A section without a function here is reported as skipped,
 * "not implemented", never faked.
 *
 * Each section runs under --section-timeout, counted from its start: a section
 * stuck on a hung file system (a read that never returns) is recorded as failed,
 * "timed out after N s", and the run goes on without it. Such a thread cannot be
 * stopped safely, so it is abandoned: its sink guard is tripped (sink.h), which
 * makes every file it writes fail and keeps its .partial files from ever being
 * renamed into the staging area, and the run and the section's job are never
 * freed while it may still use them.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/run_context.h"
#include "carbon/carbon.h"
#include "carbon/checksums.h"
#include "carbon/files.h"
#include "carbon/listing.h"
#include "carbondump/fsutil.h"
#include "host/maps.h"
#include "host/osinfo.h"
#include "host/process_info.h"
#include "section_runner.h"

typedef int (*cd_host_fn)(cd_run *run, cd_error *err);

typedef struct host_section {
    cd_section section;
    cd_host_fn run;
    int needs_home;
    int needs_target;
} host_section;

static const host_section host_sections[] = {
    {CD_SECTION_MAPS, cd_maps_section, 0, 1},
    {CD_SECTION_OS, cd_os_section, 0, 0},
    {CD_SECTION_PROCESS, cd_process_section, 0, 1},
    {CD_SECTION_CARBON, cd_carbon_section, 1, 0},
    {CD_SECTION_FILES, cd_files_section, 1, 0},
    {CD_SECTION_CHECKSUMS, cd_checksums_section, 1, 0},
    {CD_SECTION_LISTING, cd_listing_section, 1, 0},
};

/* One section on its own thread. Shared by the driver and the section thread
 * under lock; whoever of the two is last to let go frees it. */
typedef struct section_job {
    cd_run *run;
    const host_section *section;
    cd_sink_guard *guard;
    pthread_mutex_t lock;
    pthread_cond_t finished_cond;
    int finished;
    int abandoned;
    int rc;
    cd_error err;
    uint64_t finished_ms; /* on the monotonic clock */
} section_job;

static void job_free(section_job *job)
{
    pthread_cond_destroy(&job->finished_cond);
    pthread_mutex_destroy(&job->lock);
    cd_sink_guard_free(job->guard);
    free(job);
}

static void *section_thread(void *arg)
{
    section_job *job = arg;
    cd_sink_guard_install(job->guard);
    cd_error err = {0};
    int rc = job->section->run(job->run, &err);
    cd_sink_guard_install(NULL);
    pthread_mutex_lock(&job->lock);
    job->rc = rc;
    job->finished_ms = cd_monotonic_ms();
    job->err = err;
    job->finished = 1;
    int abandoned = job->abandoned;
    pthread_cond_signal(&job->finished_cond);
    pthread_mutex_unlock(&job->lock);
    if (abandoned)
        job_free(job); /* the driver has gone on; nobody else holds the job */
    return NULL;
}

/* A section started on its own thread; NULL thread when it ran in place. */
typedef struct started_section {
    const host_section *section;
    section_job *job; /* NULL: no thread could be had, the fields below are final */
    pthread_t thread;
    uint64_t started_ms, finished_ms;
    int rc;
    cd_error err;
} started_section;

/* Starts h on a thread of its own. Without memory or a thread it runs h here,
 * unguarded, and the result is final at once. */
static void start_section(cd_run *run, const host_section *h, started_section *s)
{
    memset(s, 0, sizeof *s);
    s->section = h;
    s->started_ms = cd_monotonic_ms();
    section_job *job = calloc(1, sizeof *job);
    cd_sink_guard *guard = job ? cd_sink_guard_new() : NULL;
    if (!guard) {
        free(job);
        s->rc = h->run(run, &s->err);
        s->finished_ms = cd_monotonic_ms();
        return;
    }
    job->run = run;
    job->section = h;
    job->guard = guard;
    pthread_mutex_init(&job->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&job->finished_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&s->thread, NULL, section_thread, job) != 0) {
        job_free(job);
        s->rc = h->run(run, &s->err);
        s->finished_ms = cd_monotonic_ms();
        return;
    }
    s->job = job;
}

/* Waits for a started section until limit_s after its start. Returns its
 * result; past the limit returns -1 with err saying so, and the section's
 * thread is abandoned. */
static int await_section(cd_run *run, started_section *s, int limit_s, cd_error *err)
{
    section_job *job = s->job;
    if (!job) { /* it ran in place */
        if (s->rc != 0)
            *err = s->err;
        return s->rc;
    }
    uint64_t deadline_ms = s->started_ms + (uint64_t)limit_s * 1000;
    struct timespec until = {.tv_sec = (time_t)(deadline_ms / 1000),
                             .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    pthread_mutex_lock(&job->lock);
    int waited = 0;
    while (!job->finished && waited != ETIMEDOUT)
        waited = pthread_cond_timedwait(&job->finished_cond, &job->lock, &until);
    if (job->finished) {
        pthread_mutex_unlock(&job->lock);
        pthread_join(s->thread, NULL);
        int rc = job->rc;
        if (rc != 0)
            *err = job->err;
        s->finished_ms = job->finished_ms;
        job_free(job);
        s->job = NULL;
        return rc;
    }
    /* Tripped before letting go of the job: once the thread sees it abandoned it
     * frees the job and its guard. */
    char why[CD_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof why, "timed out after %d s (--section-timeout)", limit_s);
    cd_sink_guard_trip(job->guard, why);
    job->abandoned = 1;
    pthread_mutex_unlock(&job->lock);
    pthread_detach(s->thread);
    s->job = NULL;
    s->finished_ms = cd_monotonic_ms();
    pthread_mutex_lock(&run->lock);
    run->abandoned_sections++;
    pthread_mutex_unlock(&run->lock);
    return cd_fail(err, CD_ERR_TIMEOUT, "%s; the files it had not finished are left out", why);
}

void cd_host_sections_run(cd_run *run)
{
    enum { SECTION_COUNT = sizeof host_sections / sizeof *host_sections };
    started_section started[SECTION_COUNT];
    size_t count = 0;
    for (size_t i = 0; i < SECTION_COUNT; i++) {
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
        start_section(run, h, &started[count++]);
    }
    for (size_t i = 0; i < count; i++) {
        started_section *s = &started[i];
        cd_error err = {0};
        int rc = await_section(run, s, run->cli->section_timeout_s, &err);
        cd_run_set_outcome(run, s->section->section, rc == 0 ? CD_STATUS_OK : CD_STATUS_FAILED,
                           rc == 0 ? NULL : err.message, s->finished_ms - s->started_ms);
    }
}
