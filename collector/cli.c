/*
 * Command-line parsing: see cli.h. Hand-written rather than getopt_long, because
 * the original tool's single-dash long options (-pid, -carbonHome) must keep
 * working beside the GNU-style ones, and every message must name what is wrong.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: carbondump [options]\n"
    "       carbondump install-agent --carbon-home DIR [--uninstall] [options]\n"
    "Captures the state of a Java server (threads, heap, GC, VM, OS, and a WSO2 Carbon\n"
    "installation) into one ZIP for support analysis. install-agent makes a Carbon\n"
    "product load carbondump's agent at start-up (carbondump install-agent --help).\n"
    "\n"
    "Target:\n"
    "  -pid, --pid PID             the JVM (default: CARBON_HOME/wso2carbon.pid)\n"
    "  -carbonHome, --carbon-home DIR\n"
    "                              CARBON_HOME (default: the target's -Dcarbon.home)\n"
    "Output:\n"
    "  -o, --output DIR            where the ZIP goes (default: current directory)\n"
    "Sections:\n"
    "  --only LIST | --skip LIST   comma-separated: jvm, threads, histogram, heap-summary,\n"
    "                              finalizer, classloaders, gc, flags, heapdump, maps, os,\n"
    "                              process, carbon, files, checksums, listing\n"
    "  --no-heap-dump              leave out the heap dump\n"
    "  --heap-engine vm|jvmti      who writes the heap dump (default: vm)\n"
    "  --live                      only live objects (full GC first), like jmap's :live\n"
    "  --heap-redact none|basic|full\n"
    "                              zero String contents (basic) or all primitive values\n"
    "                              (full) in the heap dump (default: none)\n"
    "  --thread-samples N          take N thread dumps (default 1) ...\n"
    "  --thread-interval SECONDS   ... this far apart (default 10)\n"
    "  --no-redact                 copy configuration, environment and properties\n"
    "                              without masking secrets\n"
    "  --max-log-bytes SIZE        copy at most the last SIZE bytes of each log\n"
    "                              (default 50M; K, M, G suffixes; 0: no logs)\n"
    "  --max-logs-total-bytes SIZE copy at most SIZE bytes of logs in all, newest\n"
    "                              files first (default 200M)\n"
    "Behaviour:\n"
    "  --timeout SECONDS           give up on the JVM side after this long (default 300)\n"
    "  --section-timeout SECONDS   give up on a host section (os, process, carbon, files,\n"
    "                              checksums, listing, maps) after this long; the manifest\n"
    "                              records it as failed, \"timed out after N s\" (default 300)\n"
    "  --lock-wait SECONDS         wait this long for another carbondump collecting from\n"
    "                              the same JVM to finish, then give up (default 60)\n"
    "  --agent PATH                the agent library (default: next to this program)\n"
    "  --control-file FILE         trigger an agent loaded at start-up through its\n"
    "                              control file instead of attaching\n"
    "  --agent-output DIR          (used by the agent in start-up mode) bundle the JVM parts\n"
    "                              the agent already wrote to DIR instead of attaching\n"
    "  -q, --quiet                 no progress output\n"
    "  -v, --verbose               more progress output\n"
    "  --version, -h, --help\n"
    "\n"
    "Exit status: 0 all sections succeeded; 3 bundle written, some sections failed or\n"
    "were skipped (see manifest.json); 2 no bundle written (output not writable, disk\n"
    "full); 1 usage error; 4 refused: another carbondump kept collecting from the same\n"
    "JVM for longer than --lock-wait.\n"
    "On success the last line on stdout is the path of the ZIP.\n";

const char *cd_cli_usage(void)
{
    return usage_text;
}

static int parse_long(const char *option, const char *value, long min, long max, long *out,
                      cd_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!isdigit((unsigned char)value[0]) || *end != '\0' || errno != 0)
        return cd_fail(err, CD_ERR_USAGE, "%s: '%s' is not a whole number", option, value);
    if (v < min || v > max)
        return cd_fail(err, CD_ERR_USAGE, "%s: %s is out of range (%ld to %ld)", option, value,
                       min, max);
    *out = v;
    return 0;
}

/* A size in bytes: digits with an optional K, M or G (powers of 1024). */
static int parse_size(const char *option, const char *value, uint64_t *out, cd_error *err)
{
    char *end;
    errno = 0;
    unsigned long long v = isdigit((unsigned char)value[0]) ? strtoull(value, &end, 10) : 0;
    int shift = 0;
    if (isdigit((unsigned char)value[0]) && *end && !end[1])
        shift = strchr("kK", *end) ? 10 : strchr("mM", *end) ? 20 : strchr("gG", *end) ? 30 : -1;
    if (!isdigit((unsigned char)value[0]) || errno != 0 || shift < 0 || (*end && shift == 0))
        return cd_fail(err, CD_ERR_USAGE,
                       "%s: '%s' is not a size (bytes, or a number with K, M or G)", option, value);
    if (v > (1ull << 40) >> shift)
        return cd_fail(err, CD_ERR_USAGE, "%s: %s is out of range (0 to 1T)", option, value);
    *out = (uint64_t)v << shift;
    return 0;
}

static int parse_seconds_ms(const char *option, const char *value, long max_ms, int *out_ms,
                            cd_error *err)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (!(isdigit((unsigned char)value[0]) || value[0] == '.') || *end != '\0' || errno != 0 ||
        !isfinite(v))
        return cd_fail(err, CD_ERR_USAGE, "%s: '%s' is not a number of seconds", option, value);
    if (v < 0 || v * 1000.0 > (double)max_ms)
        return cd_fail(err, CD_ERR_USAGE, "%s: %s is out of range (0 to %ld seconds)", option,
                       value, max_ms / 1000);
    *out_ms = (int)lround(v * 1000.0);
    return 0;
}

static int parse_choice(const char *option, const char *value, const char *const names[],
                        int count, int *out, cd_error *err)
{
    for (int i = 0; i < count; i++)
        if (strcmp(value, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return cd_fail(err, CD_ERR_USAGE, "%s: '%s' is not one of %s%s%s%s%s", option, value,
                   names[0], count > 1 ? ", " : "", count > 1 ? names[1] : "",
                   count > 2 ? ", " : "", count > 2 ? names[2] : "");
}

/* Matches argv[*i] against the option's spellings; takes its value if it has
 * one ("--opt VALUE" or "--opt=VALUE"). Returns 1 matched, 0 not, -1 error. */
static int match(int argc, char *const argv[], int *i, const char *long_name,
                 const char *alt_name, int takes_value, const char **value, cd_error *err)
{
    const char *arg = argv[*i];
    const char *names[2] = {long_name, alt_name};
    for (int n = 0; n < 2; n++) {
        if (!names[n])
            continue;
        size_t len = strlen(names[n]);
        if (strncmp(arg, names[n], len) != 0)
            continue;
        if (arg[len] == '\0') {
            if (!takes_value)
                return 1;
            if (*i + 1 >= argc)
                return cd_fail(err, CD_ERR_USAGE, "%s needs a value", names[n]);
            *value = argv[++*i];
            return 1;
        }
        if (arg[len] == '=' && takes_value && names[n][1] == '-') {
            *value = arg + len + 1;
            return 1;
        }
    }
    return 0;
}

int cd_cli_parse(int argc, char *const argv[], cd_cli *cli, cd_error *err)
{
    memset(cli, 0, sizeof *cli);
    cli->output_dir = ".";
    cli->heap_engine = CD_HEAP_ENGINE_VM;
    cli->heap_redact = CD_HEAP_REDACT_NONE;
    cli->redact = 1;
    cli->max_log_bytes = CD_DEFAULT_MAX_LOG_BYTES;
    cli->max_logs_total_bytes = CD_DEFAULT_MAX_LOGS_TOTAL_BYTES;
    cli->thread_samples = 1;
    cli->thread_interval_ms = CD_DEFAULT_THREAD_INTERVAL_MS;
    cli->timeout_s = CD_DEFAULT_TIMEOUT_S;
    cli->section_timeout_s = CD_DEFAULT_SECTION_TIMEOUT_S;
    cli->lock_wait_s = CD_DEFAULT_LOCK_WAIT_S;

    const char *only = NULL, *skip = NULL;
    int no_heap_dump = 0;
    static const char *const engines[] = {"vm", "jvmti"};
    static const char *const redactions[] = {"none", "basic", "full"};

    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        long n = 0;
        int m, choice = 0;
#define OPTION(lname, alt, has_value)                                                       \
    ((m = match(argc, argv, &i, lname, alt, has_value, &v, err)) < 0 ? -1 : m)
        if ((m = OPTION("--pid", "-pid", 1)) != 0) {
            if (m < 0 || parse_long("--pid", v, 1, INT_MAX, &n, err) != 0)
                return -1;
            cli->pid = (pid_t)n;
        } else if ((m = OPTION("--carbon-home", "-carbonHome", 1)) != 0) {
            if (m < 0)
                return -1;
            if (!*v)
                return cd_fail(err, CD_ERR_USAGE, "--carbon-home: empty path");
            cli->carbon_home = v;
        } else if ((m = OPTION("--output", "-o", 1)) != 0) {
            if (m < 0)
                return -1;
            if (!*v)
                return cd_fail(err, CD_ERR_USAGE, "--output: empty path");
            cli->output_dir = v;
        } else if ((m = OPTION("--only", NULL, 1)) != 0) {
            if (m < 0)
                return -1;
            only = v;
        } else if ((m = OPTION("--skip", NULL, 1)) != 0) {
            if (m < 0)
                return -1;
            skip = v;
        } else if ((m = OPTION("--no-heap-dump", NULL, 0)) != 0) {
            no_heap_dump = 1;
        } else if ((m = OPTION("--heap-engine", NULL, 1)) != 0) {
            if (m < 0 || parse_choice("--heap-engine", v, engines, 2, &choice, err) != 0)
                return -1;
            cli->heap_engine = (cd_heap_engine)choice;
        } else if ((m = OPTION("--live", NULL, 0)) != 0) {
            cli->live = 1;
        } else if ((m = OPTION("--thread-samples", NULL, 1)) != 0) {
            if (m < 0 ||
                parse_long("--thread-samples", v, 1, CD_THREAD_SAMPLES_MAX, &n, err) != 0)
                return -1;
            cli->thread_samples = (int)n;
        } else if ((m = OPTION("--thread-interval", NULL, 1)) != 0) {
            if (m < 0 || parse_seconds_ms("--thread-interval", v, CD_THREAD_INTERVAL_MS_MAX,
                                          &cli->thread_interval_ms, err) != 0)
                return -1;
        } else if ((m = OPTION("--heap-redact", NULL, 1)) != 0) {
            if (m < 0 || parse_choice("--heap-redact", v, redactions, 3, &choice, err) != 0)
                return -1;
            cli->heap_redact = (cd_heap_redact)choice;
        } else if ((m = OPTION("--no-redact", NULL, 0)) != 0) {
            cli->redact = 0;
        } else if ((m = OPTION("--max-log-bytes", NULL, 1)) != 0) {
            if (m < 0 || parse_size("--max-log-bytes", v, &cli->max_log_bytes, err) != 0)
                return -1;
        } else if ((m = OPTION("--max-logs-total-bytes", NULL, 1)) != 0) {
            if (m < 0 ||
                parse_size("--max-logs-total-bytes", v, &cli->max_logs_total_bytes, err) != 0)
                return -1;
        } else if ((m = OPTION("--timeout", NULL, 1)) != 0) {
            if (m < 0 || parse_long("--timeout", v, 1, 86400, &n, err) != 0)
                return -1;
            cli->timeout_s = (int)n;
        } else if ((m = OPTION("--section-timeout", NULL, 1)) != 0) {
            if (m < 0 || parse_long("--section-timeout", v, 1, 86400, &n, err) != 0)
                return -1;
            cli->section_timeout_s = (int)n;
        } else if ((m = OPTION("--lock-wait", NULL, 1)) != 0) {
            if (m < 0 || parse_long("--lock-wait", v, 0, 86400, &n, err) != 0)
                return -1;
            cli->lock_wait_s = (int)n;
        } else if ((m = OPTION("--agent", NULL, 1)) != 0) {
            if (m < 0)
                return -1;
            cli->agent_path = v;
        } else if ((m = OPTION("--control-file", NULL, 1)) != 0) {
            if (m < 0)
                return -1;
            cli->control_file = v;
        } else if ((m = OPTION("--agent-output", NULL, 1)) != 0) {
            if (m < 0)
                return -1;
            if (v[0] != '/')
                return cd_fail(err, CD_ERR_USAGE, "--agent-output: '%s' is not an absolute path",
                               v);
            cli->agent_output = v;
        } else if ((m = OPTION("--quiet", "-q", 0)) != 0) {
            cli->quiet = 1;
        } else if ((m = OPTION("--verbose", "-v", 0)) != 0) {
            cli->verbose = 1;
        } else if ((m = OPTION("--version", NULL, 0)) != 0) {
            cli->show_version = 1;
        } else if ((m = OPTION("--help", "-h", 0)) != 0) {
            cli->show_help = 1;
        } else if (argv[i][0] == '-') {
            return cd_fail(err, CD_ERR_USAGE, "unknown option '%s'", argv[i]);
        } else {
            return cd_fail(err, CD_ERR_USAGE, "unexpected argument '%s'", argv[i]);
        }
#undef OPTION
    }

    if (cli->agent_output && cli->control_file)
        return cd_fail(err, CD_ERR_USAGE, "--agent-output and --control-file cannot be used together");
    if (only && skip)
        return cd_fail(err, CD_ERR_USAGE, "--only and --skip cannot be used together");
    if (cli->quiet && cli->verbose)
        return cd_fail(err, CD_ERR_USAGE, "--quiet and --verbose cannot be used together");
    cli->sections = CD_SECTIONS_ALL;
    cd_section_set set;
    if (only) {
        if (cd_section_set_parse(only, ',', &set, err) != 0)
            return cd_error_wrap(err, "--only");
        cli->sections = set;
    }
    if (skip) {
        if (cd_section_set_parse(skip, ',', &set, err) != 0)
            return cd_error_wrap(err, "--skip");
        cli->sections &= ~set;
    }
    if (no_heap_dump) {
        if (only && (cli->sections & CD_SECTION_BIT(CD_SECTION_HEAPDUMP)))
            return cd_fail(err, CD_ERR_USAGE, "--no-heap-dump contradicts --only heapdump");
        cli->sections &= ~CD_SECTION_BIT(CD_SECTION_HEAPDUMP);
    }
    if (!cli->sections && !cli->show_help && !cli->show_version)
        return cd_fail(err, CD_ERR_USAGE, "no sections left to collect");
    return 0;
}
