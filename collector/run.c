/*
 * One collection from start to finish:
 *
 *   resolve the target (pid, or CARBON_HOME/wso2carbon.pid) and CARBON_HOME
 *   (given, or the target's -Dcarbon.home); make the staging area in the output
 *   directory; run the host sections on their own thread (section_runner.c)
 *   while this thread drives the JVM side (jvm/agent_session.c); write
 *   carbon_server_info.txt and redaction_log.txt; read the staged files back
 *   for the findings (findings/) and their reports (report/); zip both staging
 *   areas with the manifest (bundle/); clean up.
 *
 * Failing to reach the JVM is not fatal: the host sections still make a bundle
 * (exit 3), which is what an operator wants when the server has just died.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/run_context.h"
#include "base/staging.h"
#include "bundle/bundle.h"
#include "carbon/carbon_info.h"
#include "carbon/pidfile.h"
#include "carbondump/format.h"
#include "carbondump/fsutil.h"
#include "carbondump/redaction_notes.h"
#include "findings/findings.h"
#include "jvm/agent_session.h"
#include "jvm/target_lock.h"
#include "redact/redaction_log.h"
#include "report/report.h"
#include "run.h"
#include "section_runner.h"

/* ---------------------------------------------------------------- target */

static int resolve_carbon_home(cd_run *run, cd_error *err)
{
    const cd_cli *cli = run->cli;
    if (cli->carbon_home) {
        char real[PATH_MAX];
        struct stat st;
        if (!realpath(cli->carbon_home, real) || stat(real, &st) != 0)
            return cd_fail_errno(err, CD_ERR_USAGE, errno, "CARBON_HOME %s", cli->carbon_home);
        if (!S_ISDIR(st.st_mode))
            return cd_fail(err, CD_ERR_USAGE, "CARBON_HOME %s is not a directory",
                           cli->carbon_home);
        snprintf(run->carbon_home, sizeof run->carbon_home, "%s", real);
        return 0;
    }
    if (!run->pid) {
        snprintf(run->home_problem, sizeof run->home_problem,
                 "no CARBON_HOME: none given and no target to ask");
        return 0;
    }
    char home[PATH_MAX];
    int found = cd_target_system_property(run->pid, "carbon.home", home, sizeof home);
    if (found <= 0) {
        snprintf(run->home_problem, sizeof run->home_problem,
                 "no CARBON_HOME: none given and pid %d has no -Dcarbon.home", (int)run->pid);
        return 0;
    }
    /* The target may live in another mount namespace: look through its root. */
    char seen[PATH_MAX];
    if (run->have_target && !run->target.same_mount_ns && home[0] == '/')
        snprintf(seen, sizeof seen, "%s%s", run->target.root, home);
    else
        snprintf(seen, sizeof seen, "%s", home);
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(seen, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(run->home_problem, sizeof run->home_problem,
                 "-Dcarbon.home=%s of pid %d is not a readable directory", home, (int)run->pid);
        return 0;
    }
    snprintf(run->carbon_home, sizeof run->carbon_home, "%s", real);
    cd_progress_detail("CARBON_HOME %s (from -Dcarbon.home of pid %d)", real, (int)run->pid);
    return 0;
}

static int resolve_target(cd_run *run, cd_error *err)
{
    const cd_cli *cli = run->cli;
    int need_pid = (cli->sections & CD_SECTIONS_NEED_PID) != 0;
    run->pid = cli->pid;
    if (!run->pid && need_pid && cli->carbon_home) {
        cd_error perr = {0};
        if (cd_pidfile_read(cli->carbon_home, &run->pid, &perr) != 0) {
            snprintf(run->target_problem, sizeof run->target_problem, "%s", perr.message);
            cd_warn("%s; JVM sections will be skipped", perr.message);
        } else {
            cd_progress("pid %d from %s/wso2carbon.pid", (int)run->pid, cli->carbon_home);
        }
    } else if (!run->pid && need_pid) {
        return cd_fail(err, CD_ERR_USAGE,
                       "no target: give --pid PID, or --carbon-home DIR with a wso2carbon.pid "
                       "(or choose host sections only with --only)");
    }
    if (run->pid) {
        cd_error terr = {0};
        if (cd_target_inspect(run->pid, &run->target, &terr) == 0) {
            run->have_target = 1;
        } else {
            snprintf(run->target_problem, sizeof run->target_problem, "%s", terr.message);
            cd_warn("%s; JVM sections will fail, host sections go on", terr.message);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- output */

/* The output directory must take files before any work starts: making the
 * staging area in it is the test (a read-only or full file system fails here,
 * not after minutes of collecting). Leftovers of killed runs go first. */
static int prepare_output(cd_run *run, cd_error *err)
{
    const char *dir = run->cli->output_dir;
    if (cd_mkdirs(dir, 0700, err) != 0)
        return cd_error_wrap(err, "output directory");
    if (!realpath(dir, run->output_dir))
        return cd_fail_errno(err, CD_ERR_IO, errno, "output directory %s", dir);
    if (access(run->output_dir, W_OK | X_OK) != 0)
        return cd_fail_errno(err, CD_ERR_PERM, errno, "cannot write to output directory %s",
                             run->output_dir);
    char prefix[sizeof run->bundle_name + 1];
    snprintf(prefix, sizeof prefix, ".%s", run->bundle_name);
    cd_staging_sweep(run->output_dir, ".carbondump-");
    if (cd_staging_create(run->output_dir, prefix, run->host_staging, sizeof run->host_staging,
                          err) != 0)
        return err->code == CD_ERR_USAGE
                   ? -1
                   : cd_fail_errno(err, CD_ERR_IO, errno, "cannot write to output directory %s",
                                   run->output_dir);
    return 0;
}

static void name_bundle(cd_run *run)
{
    time_t now = (time_t)(run->started_wall_ms / 1000);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(run->bundle_name, sizeof run->bundle_name, "carbondump-%Y-%m-%d_%H-%M-%S", &tm);
}

/* ---------------------------------------------------------------- main */

static void *host_thread(void *arg)
{
    cd_host_sections_run(arg);
    return NULL;
}

static int exit_status(const cd_run *run)
{
    for (int s = 0; s < CD_SECTION_COUNT; s++)
        if ((run->cli->sections & CD_SECTION_BIT(s)) && run->outcomes[s].status != CD_STATUS_OK)
            return CD_EXIT_PARTIAL;
    return CD_EXIT_OK;
}

/* Only a run that attaches needs the JVM to itself; in start-up mode the agent
 * has done its part already. */
static int needs_target_lock(const cd_run *run)
{
    return run->have_target && (run->cli->sections & CD_SECTIONS_AGENT) && !run->cli->agent_output;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Bundle paths of every entry plus the files written after the analysis (the
 * reports themselves and the manifest), sorted and NULL-terminated, for
 * index.html's links; NULL when out of memory. */
static char **bundle_paths(const cd_bundle_entries *entries)
{
    static const char *const added_later[] = {"index.html", "manifest.json", "summary.txt"};
    size_t later = sizeof added_later / sizeof *added_later;
    const char **paths = calloc(entries->count + later + 1, sizeof *paths);
    if (!paths)
        return NULL;
    size_t count = 0;
    for (size_t i = 0; i < entries->count; i++)
        paths[count++] = entries->items[i].path;
    for (size_t i = 0; i < later; i++)
        paths[count++] = added_later[i];
    qsort(paths, count, sizeof *paths, compare_strings);
    return (char **)paths;
}

/* Reads the staged bundle back, finds what it shows, writes summary.txt and
 * index.html and adds them to entries. A report that cannot be made costs the
 * report, never the bundle: the failure is a warning. */
static void report_findings(cd_run *run, const char *const roots[], size_t root_count,
                            cd_bundle_entries *entries, cd_findings *findings)
{
    cd_error err = {0};
    cd_report_inputs in;
    if (cd_report_inputs_load(&in, roots, root_count, &err) != 0) {
        cd_warn("findings report: %s", err.message);
        return;
    }
    cd_findings_analyze(&in, findings);
    cd_findings_drop_missing_evidence(findings, &in);

    char captured_at[40], target[320];
    cd_format_iso8601(run->started_wall_ms, captured_at, sizeof captured_at);
    const char *product = cd_json_string_at(in.carbon, "product/version_txt");
    if (run->pid)
        snprintf(target, sizeof target, "pid %d%s%s%s", (int)run->pid, product ? " (" : "",
                 product ? product : "", product ? ")" : "");
    else
        snprintf(target, sizeof target, "%s", product ? product : "no JVM");
    char **paths = bundle_paths(entries);
    cd_report_context context = {.bundle_name = run->bundle_name,
                                 .captured_at = captured_at,
                                 .target = target,
                                 .files = (const char *const *)paths};
    if (cd_reports_write(run->host_staging, findings, &in, &context, &err) != 0)
        cd_warn("findings report: %s", err.message);
    free(paths); /* the strings belong to the entries */
    cd_report_inputs_free(&in);
    if (cd_bundle_add(entries, run->host_staging, "summary.txt", &err) != 0 ||
        cd_bundle_add(entries, run->host_staging, "index.html", &err) != 0)
        cd_warn("findings report: %s", err.message);
    cd_progress("findings      %zu critical, %zu warning, %zu info",
                cd_findings_count(findings, CD_SEVERITY_CRITICAL),
                cd_findings_count(findings, CD_SEVERITY_WARNING) -
                    cd_findings_count(findings, CD_SEVERITY_CRITICAL),
                findings->count - cd_findings_count(findings, CD_SEVERITY_WARNING));
}

/* Everything after the sections: the files made from their results, the
 * findings and their reports, and the ZIP. */
static int finish_bundle(cd_run *run, char *zip_path, size_t zip_path_len, cd_error *err)
{
    cd_error info_err = {0};
    if (cd_carbon_server_info_write(run, &info_err) != 0)
        cd_warn("carbon_server_info.txt: %s", info_err.message);
    cd_redaction_merge_agent(run);
    cd_manifest_note_masked(run);
    if (cd_redaction_log_write(run, &info_err) != 0)
        cd_warn("redaction_log.txt: %s", info_err.message);

    cd_bundle_entries entries = {0};
    static const char *const agent_private[] = {"agent-result.json", CD_AGENT_REDACTIONS_FILE,
                                                "libcarbondump.so", NULL};
    const char *roots[CD_REPORT_ROOTS_MAX] = {run->host_staging};
    size_t root_count = 1;
    int rc = cd_bundle_collect(run->host_staging, NULL, &entries, err);
    size_t host_count = entries.count;
    cd_error agent_err = {0};
    if (rc == 0 && run->agent_staging[0]) {
        if (cd_bundle_collect(run->agent_staging, agent_private, &entries, &agent_err) == 0) {
            roots[root_count++] = run->agent_staging;
        } else {
            /* A target in another mount namespace takes its /tmp with it when
             * it dies: the host side still makes a bundle. */
            cd_warn("the JVM side's files cannot be read (%s); the bundle holds the host side "
                    "only",
                    agent_err.message);
            for (size_t i = host_count; i < entries.count; i++) {
                free(entries.items[i].path);
                free(entries.items[i].source);
            }
            entries.count = host_count;
        }
    }
    cd_findings findings = {0};
    if (rc == 0) {
        /* the big files deflate on the other CPUs while the findings read the bundle */
        cd_deflate_ahead *ahead = cd_bundle_deflate_ahead(&entries);
        report_findings(run, roots, root_count, &entries, &findings);
        rc = cd_bundle_write(run, &entries, ahead, &findings, zip_path, zip_path_len, err);
        cd_deflate_ahead_free(ahead);
    }
    cd_bundle_entries_free(&entries);
    cd_findings_free(&findings);
    return rc;
}

int cd_run_main(const cd_cli *cli, int argc, char *const argv[], int *threads_left)
{
    *threads_left = 0;
    umask(077); /* the bundle and everything staged for it is private */
    signal(SIGPIPE, SIG_IGN);
    cd_progress_init(cli->quiet, cli->verbose);

    cd_run *run = calloc(1, sizeof *run);
    if (!run) {
        fprintf(stderr, "carbondump: out of memory\n");
        return CD_EXIT_NO_BUNDLE;
    }
    run->cli = cli;
    run->argc = argc;
    run->argv = argv;
    run->started_wall_ms = cd_wall_ms();
    pthread_mutex_init(&run->lock, NULL);
    name_bundle(run);

    cd_error err = {0};
    cd_target_lock target_lock = {.fd = -1};
    int status;
    if (resolve_target(run, &err) != 0 || resolve_carbon_home(run, &err) != 0) {
        fprintf(stderr, "carbondump: %s\n", err.message);
        status = CD_EXIT_USAGE;
        goto out;
    }
    if (prepare_output(run, &err) != 0) {
        fprintf(stderr, "carbondump: no bundle written: %s\n", err.message);
        status = CD_EXIT_NO_BUNDLE;
        goto out;
    }
    if (needs_target_lock(run) &&
        cd_target_lock_acquire(&run->target, cli->lock_wait_s, &target_lock, &err) != 0) {
        if (err.code == CD_ERR_TIMEOUT) {
            fprintf(stderr, "carbondump: no bundle written: %s\n", err.message);
            status = CD_EXIT_BUSY;
            goto out;
        }
        /* A lock that cannot be taken must not cost the bundle; the JVM side
         * reports whatever stands in its way too. */
        cd_warn("%s; going on without it", err.message);
    }

    pthread_t host;
    int host_started = pthread_create(&host, NULL, host_thread, run) == 0;
    if (!host_started)
        cd_host_sections_run(run);
    cd_agent_session_run(run);
    cd_target_lock_release(&run->target, &target_lock);
    if (host_started)
        pthread_join(host, NULL);
    cd_run_settle(run, CD_SECTIONS_ALL, CD_STATUS_FAILED, "not run (internal error)");
    if (run->have_target && (cli->sections & CD_SECTIONS_NEED_PID) && !cd_target_alive(run->pid))
        cd_warn("pid %d exited during the collection: the bundle holds what was collected "
                "before; manifest.json says which sections failed and why",
                (int)run->pid);

    char zip_path[PATH_MAX];
    if (finish_bundle(run, zip_path, sizeof zip_path, &err) != 0) {
        fprintf(stderr, "carbondump: no bundle written: %s\n", err.message);
        status = CD_EXIT_NO_BUNDLE;
    } else {
        status = exit_status(run);
        if (status != CD_EXIT_OK)
            cd_progress("some sections failed or were skipped: see manifest.json");
        printf("%s\n", zip_path);
        fflush(stdout);
    }

out:
    cd_target_lock_release(&run->target, &target_lock);
    if (run->host_staging[0])
        cd_remove_tree(run->host_staging);
    if (run->agent_staging[0])
        cd_remove_tree(run->agent_staging);
    pthread_mutex_lock(&run->lock);
    int abandoned = run->abandoned_sections;
    pthread_mutex_unlock(&run->lock);
    if (abandoned) {
        *threads_left = 1;
        return status; /* a section thread past its time may still read the run */
    }
    pthread_mutex_destroy(&run->lock);
    free(run);
    return status;
}
