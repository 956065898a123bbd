/*
 * `carbondump install-agent`: makes a WSO2 Carbon product load carbondump's agent
 * at start-up (start-up mode, no attach needed), by adding -agentpath to the
 * JAVA_OPTS of its start script, and `--uninstall` takes it out again.
 *
 * The edit itself is start_script.c's; this file finds the script, composes and
 * checks the agent's options (with the agent's own parser), keeps a backup and
 * replaces the script atomically with its mode and owner.
 */
#ifndef CARBONDUMP_INSTALL_AGENT_H
#define CARBONDUMP_INSTALL_AGENT_H

#include "carbondump/error.h"

#define CD_INSTALL_AGENT_DEFAULT_OUTPUT "/var/tmp/carbondump"
#define CD_INSTALL_AGENT_BACKUP_SUFFIX ".carbondump-backup"

typedef struct cd_install_agent_args {
    const char *carbon_home;
    const char *script;        /* NULL: the product's launcher in CARBON_HOME/bin */
    const char *agent_path;    /* NULL: the agent installed beside this program */
    const char *output_dir;    /* NULL: CD_INSTALL_AGENT_DEFAULT_OUTPUT */
    const char *control_file;  /* NULL: CARBON_HOME/carbondump.ctl */
    const char *agent_options; /* more key=value options for the agent, or NULL */
    int uninstall;
    int show_help;
} cd_install_agent_args;

/* Parses the subcommand's arguments (argv[0] is "install-agent"). Errors are
 * CD_ERR_USAGE naming the argument. Strings point into argv. */
int cd_install_agent_parse(int argc, char *argv[], cd_install_agent_args *args, cd_error *err);

/* The -agentpath option the script will pass, for an agent at agent_path (absolute):
 * "-agentpath:AGENT=output=DIR,control=FILE[,more]". Checked with the agent's own
 * option parser and for characters the script cannot carry. */
int cd_install_agent_option(const cd_install_agent_args *args, const char *agent_path, char *out,
                            size_t outlen, cd_error *err);

/* The subcommand's --help text. */
const char *cd_install_agent_usage(void);

/* Runs the subcommand: prints what it did (stdout) or why not (stderr), and
 * returns the exit status: 0 done or nothing to do, 1 usage error, 2 refused or
 * failed (nothing changed). */
int cd_install_agent_main(int argc, char *argv[]);

#endif
