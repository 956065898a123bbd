/*
 * One collection from start to finish:
 *
 *   resolve the target (pid, or CARBON_HOME/wso2carbon.pid) and CARBON_HOME
 *   (given, or the target's -Dcarbon.home); make the staging area in the output
 *   directory; run the host sections on their own thread while this thread
 *   drives the JVM side (attach, agent, wait); write carbon_server_info.txt;
 *   zip both staging areas with the manifest; clean up.
 *
 * Failing to reach the JVM is not fatal: the host sections still make a bundle
 * (exit 3), which is what an operator wants when the server has just died.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "carbon_info.h"
#include "carbondump/fsutil.h"
#include "carbondump/redaction_notes.h"
#include "carbondump/procstat.h"
#include "findings.h"
#include "pidfile.h"
#include "progress.h"
#include "redact.h"
#include "run.h"
#include "target_lock.h"

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

/* ---------------------------------------------------------------- staging */

#define OWNER_TAG ".owner-"

int cd_process_start_ticks(pid_t pid, unsigned long long *ticks)
{
    char path[64], *text = NULL;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (cd_read_file(path, 4096, 1, &text, NULL, NULL) != 0)
        return -1;
    cd_proc_stat st;
    int rc = cd_parse_proc_stat(text, &st);
    free(text);
    if (rc != 0 || st.state == 'Z' || st.state == 'X')
        return -1;
    *ticks = st.start_ticks;
    return 0;
}

void cd_target_tmp(const cd_target *t, char *out, size_t outlen)
{
    struct stat ours, theirs;
    int same_root = t->same_mount_ns && stat("/", &ours) == 0 && stat(t->root, &theirs) == 0 &&
                    ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
    snprintf(out, outlen, "%s/tmp", same_root ? "" : t->root);
}

/* The inode of our pid namespace: pids in an owner tag mean something only
 * there. */
static unsigned long long pid_namespace(void)
{
    struct stat st;
    return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

int cd_staging_create(const char *dir, const char *prefix, char *out, size_t outlen, cd_error *err)
{
    unsigned long long start = 0;
    cd_process_start_ticks(getpid(), &start);
    int n = snprintf(out, outlen, "%s/%s" OWNER_TAG "%llu-%d-%llu.XXXXXX", dir, prefix,
                     pid_namespace(), (int)getpid(), start);
    if (n < 0 || (size_t)n >= outlen)
        return cd_fail(err, CD_ERR_USAGE, "directory path too long: %s", dir);
    if (!mkdtemp(out)) {
        int e = errno;
        out[0] = '\0';
        cd_fail_errno(err, CD_ERR_IO, e, "cannot create a staging directory in %s", dir);
        errno = e;
        return -1;
    }
    return 0;
}

/* 1 when the owner named in a staging area's name has ended, 0 when it may
 * still run or the name does not say. */
static int owner_has_ended(const char *name, unsigned long long our_namespace)
{
    const char *tag = strstr(name, OWNER_TAG);
    unsigned long long namespace, start, now;
    int pid, used = 0;
    if (!tag ||
        sscanf(tag + strlen(OWNER_TAG), "%llu-%d-%llu.%*6[A-Za-z0-9]%n", &namespace, &pid, &start,
               &used) != 3 ||
        used == 0 || tag[strlen(OWNER_TAG) + (size_t)used] != '\0')
        return 0;
    if (namespace == 0 || namespace != our_namespace || pid <= 0)
        return 0;
    if (pid == (int)getpid())
        return 0;
    return cd_process_start_ticks(pid, &now) != 0 || now != start;
}

int cd_staging_sweep(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned long long our_namespace = pid_namespace();
    size_t prefix_len = strlen(prefix);
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, prefix, prefix_len) != 0 ||
            !owner_has_ended(de->d_name, our_namespace))
            continue;
        char path[PATH_MAX];
        struct stat st;
        int n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (n < 0 || (size_t)n >= sizeof path || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (st.st_uid != geteuid() && geteuid() != 0)
            continue; /* not ours to judge (nor, without root, to remove) */
        if (cd_remove_tree(path) == 0) {
            removed++;
            cd_progress("removed %s, left by a carbondump that is no longer running", path);
        }
    }
    closedir(d);
    return removed;
}

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

static int finish_bundle(cd_run *run, char *zip_path, size_t zip_path_len, cd_error *err)
{
    cd_error info_err = {0};
    if (cd_carbon_server_info_write(run, &info_err) != 0)
        cd_warn("carbon_server_info.txt: %s", info_err.message);
    cd_redaction_merge_agent(run);
    cd_manifest_note_masked(run);
    if (cd_redaction_log_write(run, &info_err) != 0)
        cd_warn("redaction_log.txt: %s", info_err.message);
    if (cd_findings_report(run, &info_err) != 0)
        cd_warn("findings report: %s", info_err.message);

    cd_bundle_entries entries = {0};
    static const char *const agent_private[] = {"agent-result.json", CD_AGENT_REDACTIONS_FILE,
                                                "libcarbondump.so", NULL};
    int rc = cd_bundle_collect(run->host_staging, NULL, &entries, err);
    size_t host_count = entries.count;
    cd_error agent_err = {0};
    if (rc == 0 && run->agent_staging[0] &&
        cd_bundle_collect(run->agent_staging, agent_private, &entries, &agent_err) != 0) {
        /* A target in another mount namespace takes its /tmp with it when it
         * dies: the host side still makes a bundle. */
        cd_warn("the JVM side's files cannot be read (%s); the bundle holds the host side only",
                agent_err.message);
        for (size_t i = host_count; i < entries.count; i++) {
            free(entries.items[i].path);
            free(entries.items[i].source);
        }
        entries.count = host_count;
    }
    if (rc == 0)
        rc = cd_bundle_write(run, &entries, zip_path, zip_path_len, err);
    cd_bundle_entries_free(&entries);
    cd_findings_release(run);
    return rc;
}

int cd_run_main(const cd_cli *cli, int argc, char *const argv[])
{
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
    cd_jvm_side_run(run);
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
    if (abandoned)
        return status; /* a section thread past its time may still read the run */
    pthread_mutex_destroy(&run->lock);
    free(run);
    return status;
}
