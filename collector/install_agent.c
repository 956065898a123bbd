/*
 * `carbondump install-agent`: see install_agent.h.
 *
 * Getopt is enough here: the subcommand has no single-dash legacy spellings to
 * keep (unlike the main command line, cli.c). Every failure is an error value
 * that reaches cd_install_agent_main, the one place that prints it; a refusal
 * leaves the script untouched and prints the JAVA_OPTS line to add by hand.
 */
#include "install_agent.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbon/start_script.h"
#include "carbondump/fsutil.h"
#include "carbondump/startup.h"
#include "jvm/agent_session.h"

#define SCRIPT_MAX_BYTES (4u << 20) /* start scripts are a few KB */

static const char usage_text[] =
    "Usage: carbondump install-agent --carbon-home DIR [options]\n"
    "Makes a WSO2 Carbon product load carbondump's agent at start-up, by adding\n"
    "-agentpath to JAVA_OPTS in its start script (bin/wso2server.sh, bin/api-manager.sh\n"
    "...). The script's previous content is kept as SCRIPT.carbondump-backup. Running\n"
    "it again changes nothing; the server loads the agent when it is next started.\n"
    "\n"
    "  --carbon-home DIR      the product's CARBON_HOME (required)\n"
    "  --script FILE          the start script (default: the product's launcher in\n"
    "                         CARBON_HOME/bin; a bare name is looked for there)\n"
    "  --agent PATH           the agent library (default: the one installed with\n"
    "                         this program)\n"
    "  --output DIR           where the agent writes bundles "
    "(default " CD_INSTALL_AGENT_DEFAULT_OUTPUT ")\n"
    "  --control-file FILE    the control file that asks for a bundle when created\n"
    "                         (default: CARBON_HOME/carbondump.ctl)\n"
    "  --agent-options LIST   more agent options, key=value separated by commas\n"
    "                         (on-oom, gc-thrash, deadlock-check, max-bundles,\n"
    "                         min-interval, poll, parts ...)\n"
    "  --uninstall            take the agent out of the start script again\n"
    "  -h, --help\n"
    "\n"
    "Exit status: 0 done, or nothing to do; 1 usage error; 2 refused or failed, the\n"
    "script unchanged (the message says why, and what to add by hand instead).\n";

const char *cd_install_agent_usage(void)
{
    return usage_text;
}

int cd_install_agent_parse(int argc, char *argv[], cd_install_agent_args *args, cd_error *err)
{
    enum { CARBON_HOME = 1000, SCRIPT, AGENT, OUTPUT, CONTROL_FILE, AGENT_OPTIONS, UNINSTALL };
    static const struct option options[] = {
        {"carbon-home", required_argument, NULL, CARBON_HOME},
        {"script", required_argument, NULL, SCRIPT},
        {"agent", required_argument, NULL, AGENT},
        {"output", required_argument, NULL, OUTPUT},
        {"control-file", required_argument, NULL, CONTROL_FILE},
        {"agent-options", required_argument, NULL, AGENT_OPTIONS},
        {"uninstall", no_argument, NULL, UNINSTALL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(args, 0, sizeof *args);
    opterr = 0; /* getopt's own messages would not name the subcommand */
    optind = 0; /* a full reset: the caller may parse more than once */
    for (;;) {
        int c = getopt_long(argc, argv, "+:h", options, NULL);
        if (c == -1)
            break;
        const char *bad = argv[optind - 1];
        switch (c) {
        case CARBON_HOME: args->carbon_home = optarg; break;
        case SCRIPT: args->script = optarg; break;
        case AGENT: args->agent_path = optarg; break;
        case OUTPUT: args->output_dir = optarg; break;
        case CONTROL_FILE: args->control_file = optarg; break;
        case AGENT_OPTIONS: args->agent_options = optarg; break;
        case UNINSTALL: args->uninstall = 1; break;
        case 'h': args->show_help = 1; break;
        case ':': return cd_fail(err, CD_ERR_USAGE, "%s needs a value", bad);
        default: return cd_fail(err, CD_ERR_USAGE, "unknown option '%s'", bad);
        }
        if (optarg && !*optarg)
            return cd_fail(err, CD_ERR_USAGE, "%s: empty value", bad);
    }
    if (optind < argc)
        return cd_fail(err, CD_ERR_USAGE, "unexpected argument '%s'", argv[optind]);
    if (args->show_help)
        return 0;
    if (!args->carbon_home)
        return cd_fail(err, CD_ERR_USAGE, "--carbon-home DIR is required");
    if (args->uninstall && (args->output_dir || args->control_file || args->agent_options))
        return cd_fail(err, CD_ERR_USAGE,
                       "--uninstall takes no --output, --control-file or --agent-options");
    return 0;
}

/* An absolute form of path: as it is, or under the current directory. The
 * agent wants absolute paths, and the server does not start where we run. */
static int absolute(const char *what, const char *path, char *out, size_t outlen, cd_error *err)
{
    char cwd[PATH_MAX];
    if (path[0] == '/') {
        if (snprintf(out, outlen, "%s", path) >= (int)outlen)
            return cd_fail(err, CD_ERR_USAGE, "%s: path too long", what);
        return 0;
    }
    if (!getcwd(cwd, sizeof cwd))
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot tell the current directory");
    if (snprintf(out, outlen, "%s/%s", cwd, path) >= (int)outlen)
        return cd_fail(err, CD_ERR_USAGE, "%s: path too long", what);
    return 0;
}

int cd_install_agent_option(const cd_install_agent_args *args, const char *agent_path, char *out,
                            size_t outlen, cd_error *err)
{
    char output[PATH_MAX], control[PATH_MAX], options[3 * PATH_MAX];
    if (absolute("--output", args->output_dir ? args->output_dir : CD_INSTALL_AGENT_DEFAULT_OUTPUT,
                 output, sizeof output, err) != 0)
        return -1;
    if (args->control_file) {
        if (absolute("--control-file", args->control_file, control, sizeof control, err) != 0)
            return -1;
    } else if (snprintf(control, sizeof control, "%s/carbondump.ctl", args->carbon_home) >=
               (int)sizeof control) {
        return cd_fail(err, CD_ERR_USAGE, "--carbon-home: path too long");
    }
    if (cd_start_script_check_word("the agent's path", agent_path, err) != 0 ||
        cd_start_script_check_word("--output", output, err) != 0 ||
        cd_start_script_check_word("--control-file", control, err) != 0 ||
        (args->agent_options &&
         cd_start_script_check_word("--agent-options", args->agent_options, err) != 0))
        return -1;
    if (strchr(agent_path, '=') || strchr(agent_path, ','))
        return cd_fail(err, CD_ERR_USAGE,
                       "the agent's path '%s' holds '=' or ',', which end it in -agentpath",
                       agent_path);
    if (snprintf(options, sizeof options, "output=%s,control=%s%s%s", output, control,
                 args->agent_options ? "," : "",
                 args->agent_options ? args->agent_options : "") >= (int)sizeof options)
        return cd_fail(err, CD_ERR_USAGE, "--agent-options: too long");
    cd_startup_options parsed;
    if (cd_startup_options_parse(options, &parsed, err) != 0)
        return cd_error_wrap(err, "agent options %s", options);
    if (snprintf(out, outlen, "-agentpath:%s=%s", agent_path, options) >= (int)outlen)
        return cd_fail(err, CD_ERR_USAGE, "the -agentpath option is too long");
    return 0;
}

/* ---------------------------------------------------------------- files */

/* The launchers WSO2 products start with, one per product or profile. */
static const char *const launchers[] = {"wso2server.sh",     "api-manager.sh", "api-cp.sh",
                                        "key-manager.sh",    "gateway.sh",     "api-gateway.sh",
                                        "traffic-manager.sh"};

/* Finds the start script: --script (a bare name is looked for in bin/), else
 * the one launcher CARBON_HOME/bin has. Fills out (PATH_MAX bytes) with its
 * real path. */
static int find_script(const char *home, const char *script, char *out, cd_error *err)
{
    char path[PATH_MAX];
    if (script) {
        if (strchr(script, '/'))
            snprintf(path, sizeof path, "%s", script);
        else
            snprintf(path, sizeof path, "%s/bin/%s", home, script);
        if (!realpath(path, out))
            return cd_fail_errno(err, CD_ERR_NOENT, errno, "--script %s", path);
        return 0;
    }
    const char *found[sizeof launchers / sizeof *launchers];
    size_t count = 0;
    for (size_t i = 0; i < sizeof launchers / sizeof *launchers; i++) {
        snprintf(path, sizeof path, "%s/bin/%s", home, launchers[i]);
        if (access(path, F_OK) == 0)
            found[count++] = launchers[i];
    }
    if (count == 0)
        return cd_fail(err, CD_ERR_NOENT,
                       "no start script in %s/bin (looked for wso2server.sh, api-manager.sh, "
                       "api-cp.sh, key-manager.sh, gateway.sh, api-gateway.sh, "
                       "traffic-manager.sh); name it with --script",
                       home);
    if (count > 1)
        return cd_fail(err, CD_ERR_USAGE,
                       "%s/bin has several start scripts (%s, %s%s); choose the one the server "
                       "is started with, --script NAME",
                       home, found[0], found[1], count > 2 ? ", ..." : "");
    snprintf(path, sizeof path, "%s/bin/%s", home, found[0]);
    if (!realpath(path, out))
        return cd_fail_errno(err, CD_ERR_NOENT, errno, "%s", path);
    return 0;
}

/* Puts data at path through a new file beside it, given like's mode and owner,
 * then renamed over path: whoever starts the server meanwhile reads the old
 * script or the new one, never a mix. */
static int replace_file(const char *path, const char *data, size_t len, const struct stat *like,
                        cd_error *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.carbondump-XXXXXX", path) >= (int)sizeof tmp)
        return cd_fail(err, CD_ERR_USAGE, "%s: path too long", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot create a file beside %s", path);
    int rc = -1;
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cd_fail_errno(err, CD_ERR_IO, errno, "cannot write %s", tmp);
            goto out;
        }
        done += (size_t)n;
    }
    /* Only root may give a file away; a user editing their own script keeps it. */
    if (fchown(fd, like->st_uid, like->st_gid) != 0 && like->st_uid != geteuid()) {
        cd_fail_errno(err, CD_ERR_PERM, errno, "cannot give %s to its owner, uid %u", path,
                      (unsigned)like->st_uid);
        goto out;
    }
    if (fchmod(fd, like->st_mode & 07777) != 0 || fsync(fd) != 0) {
        cd_fail_errno(err, CD_ERR_IO, errno, "cannot write %s", tmp);
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        cd_fail_errno(err, CD_ERR_IO, errno, "cannot write %s", tmp);
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        cd_fail_errno(err, CD_ERR_IO, errno, "cannot replace %s", path);
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    return rc;
}

typedef struct install_outcome {
    char script[PATH_MAX];
    char option[4 * PATH_MAX]; /* empty when uninstalling */
    cd_script_change change;
} install_outcome;

/* Does the work; fills outcome as far as it got, for the messages. */
static int install(const cd_install_agent_args *given, install_outcome *outcome, cd_error *err)
{
    char home[PATH_MAX], agent[PATH_MAX];
    struct stat st;
    if (!realpath(given->carbon_home, home) || stat(home, &st) != 0)
        return cd_fail_errno(err, CD_ERR_NOENT, errno, "--carbon-home %s", given->carbon_home);
    if (!S_ISDIR(st.st_mode))
        return cd_fail(err, CD_ERR_USAGE, "--carbon-home %s is not a directory", home);
    cd_install_agent_args args = *given;
    args.carbon_home = home;
    if (!args.uninstall &&
        (cd_find_agent(args.agent_path, agent, sizeof agent, err) != 0 ||
         cd_install_agent_option(&args, agent, outcome->option, sizeof outcome->option, err) != 0))
        return -1;
    if (find_script(home, args.script, outcome->script, err) != 0)
        return -1;

    char *script = NULL, *edited = NULL;
    size_t len = 0, edited_len = 0;
    if (stat(outcome->script, &st) != 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "%s", outcome->script);
    if (cd_read_file(outcome->script, SCRIPT_MAX_BYTES, 0, &script, &len, err) != 0)
        return -1;
    int rc = args.uninstall ? cd_start_script_remove_agent(script, len, &edited, &edited_len,
                                                           &outcome->change, err)
                            : cd_start_script_add_agent(script, len, outcome->option, &edited,
                                                        &edited_len, &outcome->change, err);
    if (rc == 0 && outcome->change != CD_SCRIPT_UNCHANGED) {
        char backup[PATH_MAX + sizeof CD_INSTALL_AGENT_BACKUP_SUFFIX];
        snprintf(backup, sizeof backup, "%s%s", outcome->script, CD_INSTALL_AGENT_BACKUP_SUFFIX);
        rc = replace_file(backup, script, len, &st, err);
        if (rc == 0)
            rc = replace_file(outcome->script, edited, edited_len, &st, err);
    }
    if (rc != 0)
        cd_error_wrap(err, "%s", outcome->script);
    free(script);
    free(edited);
    return rc;
}

int cd_install_agent_main(int argc, char *argv[])
{
    cd_install_agent_args args;
    cd_error err = {0};
    if (cd_install_agent_parse(argc, argv, &args, &err) != 0) {
        fprintf(stderr, "carbondump install-agent: %s\nTry 'carbondump install-agent --help'.\n",
                err.message);
        return 1;
    }
    if (args.show_help) {
        fputs(usage_text, stdout);
        return 0;
    }
    install_outcome outcome = {0};
    if (install(&args, &outcome, &err) != 0) {
        fprintf(stderr, "carbondump install-agent: %s\n", err.message);
        if (err.code == CD_ERR_USAGE)
            return 1;
        fprintf(stderr, "carbondump install-agent: nothing was changed.\n");
        if (outcome.option[0] && (err.code == CD_ERR_UNSUPPORTED || err.code == CD_ERR_NOENT))
            fprintf(stderr,
                    "To load the agent anyway, start the server with this in its environment:\n"
                    "  export JAVA_OPTS=\"$JAVA_OPTS %s\"\n",
                    outcome.option);
        return 2;
    }
    const char *script = outcome.script;
    switch (outcome.change) {
    case CD_SCRIPT_UNCHANGED:
        printf(args.uninstall ? "%s does not load the agent; nothing changed\n"
                              : "%s already loads the agent with these options; nothing changed\n",
               script);
        break;
    case CD_SCRIPT_ADDED:
    case CD_SCRIPT_UPDATED:
        printf("%s the agent %s %s (the script as it was: %s%s)\n"
               "  %s\n"
               "Restart the server to load it.\n",
               outcome.change == CD_SCRIPT_ADDED ? "added" : "updated",
               outcome.change == CD_SCRIPT_ADDED ? "to" : "in", script, script,
               CD_INSTALL_AGENT_BACKUP_SUFFIX, outcome.option);
        break;
    case CD_SCRIPT_REMOVED:
        printf("removed the agent from %s (the script as it was: %s%s)\n"
               "Restart the server to unload it.\n",
               script, script, CD_INSTALL_AGENT_BACKUP_SUFFIX);
        break;
    }
    return 0;
}
