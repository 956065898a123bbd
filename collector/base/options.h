/*
 * What the user asked for: the parsed command line (cli.c parses it), read by
 * every stage of a collection through its run context. Defaults are here so
 * that the stages and --help agree.
 */
#ifndef CARBONDUMP_COLLECTOR_OPTIONS_H
#define CARBONDUMP_COLLECTOR_OPTIONS_H

#include <stdint.h>
#include <sys/types.h>

#include "carbondump/request.h"
#include "carbondump/sections.h"

#define CD_DEFAULT_TIMEOUT_S 300
#define CD_DEFAULT_SECTION_TIMEOUT_S 300 /* per host section */
#define CD_DEFAULT_LOCK_WAIT_S 60        /* for another carbondump on the same JVM */
#define CD_DEFAULT_THREAD_INTERVAL_MS 10000
#define CD_DEFAULT_MAX_LOG_BYTES (50ull << 20)         /* per log file in the bundle */
#define CD_DEFAULT_MAX_LOGS_TOTAL_BYTES (200ull << 20) /* all logs together */

typedef struct cd_cli {
    pid_t pid; /* 0: not given */
    const char *carbon_home;
    const char *output_dir;
    cd_section_set sections; /* after --only/--skip/--no-heap-dump */
    cd_heap_engine heap_engine;
    cd_heap_redact heap_redact;
    int live;
    int redact;
    uint64_t max_log_bytes;        /* the newest data of each log, at most */
    uint64_t max_logs_total_bytes; /* of all logs, newest files first */
    int thread_samples;
    int thread_interval_ms;
    int timeout_s;
    int section_timeout_s; /* a host section running longer is abandoned, "timed out" */
    int lock_wait_s;       /* how long to wait for another run against the same JVM */
    const char *agent_path;
    const char *control_file;
    const char *agent_output; /* internal: JVM parts already produced by the agent */
    int quiet;
    int verbose;
    int show_version;
    int show_help;
} cd_cli;

#endif
