/*
 * The os section: every file of osinfo/ that is about the machine (see
 * osinfo.h), one after another. The running-tasks snapshot takes its first
 * reading before the others and its second once they are done and half a
 * second has passed, so that their time counts towards its wait. The section
 * fails only when no file at all could be made.
 */
#include "osinfo.h"

static int write_meminfo(cd_run *run, cd_error *err)
{
    return cd_osinfo_copy(run, "os_meminfo.txt", "/proc/meminfo", CD_PROC_TEXT_MAX_BYTES, NULL,
                          err);
}

static int write_cpuinfo(cd_run *run, cd_error *err)
{
    return cd_osinfo_copy(run, "os_cpuinfo.txt", "/proc/cpuinfo", CD_PROC_TEXT_MAX_BYTES, NULL,
                          err);
}

typedef struct os_file {
    const char *what;
    int (*write)(cd_run *run, cd_error *err);
} os_file;

/* The files made between the running-tasks snapshot's two readings. */
static const os_file os_files[] = {
    {"kernel", cd_os_write_kernel},
    {"modules", cd_os_write_module_list},
    {"module information", cd_os_write_module_info},
    {"meminfo", write_meminfo},
    {"cpuinfo", write_cpuinfo},
    {"uptime", cd_os_write_system_up_time},
    {"environment", cd_os_write_env_variables},
    {"disk space", cd_os_write_disk_space},
    {"OOM killer", cd_os_write_oom_killer},
    {"network cards", cd_os_write_network_cards},
    {"open ports", cd_os_write_open_ports},
    {"installed software", cd_os_write_installed_software},
};

/* Counts one file's outcome; the first failure is the one reported. */
static void tally(int rc, const char *what, const cd_error *file_err, size_t *with_data,
                  size_t *failed, cd_error *first)
{
    if (rc < 0 && (*failed)++ == 0) {
        *first = *file_err;
        cd_error_wrap(first, "%s", what);
    }
    *with_data += rc > 0;
}

int cd_os_section(cd_run *run, cd_error *err)
{
    size_t count = sizeof os_files / sizeof *os_files, total = count + 1, with_data = 0, failed = 0;
    cd_error first = {0}, file_err = {0};
    /* %CPU needs half a second between two readings of every process: the
     * other files are made in between */
    cd_os_tasks_first *tasks = cd_os_tasks_first_take();
    for (size_t i = 0; i < count; i++) {
        file_err = (cd_error){0};
        tally(os_files[i].write(run, &file_err), os_files[i].what, &file_err, &with_data, &failed,
              &first);
    }
    file_err = (cd_error){0};
    tally(cd_os_write_running_tasks(run, tasks, &file_err), "running tasks", &file_err, &with_data,
          &failed, &first);
    if (failed > 0)
        return cd_fail(err, first.code, "%zu of %zu osinfo files could not be written (%s)", failed,
                       total, first.message);
    if (with_data == 0)
        return cd_fail(err, CD_ERR_PERM, "no OS information could be read (see osinfo/)");
    return 0;
}
