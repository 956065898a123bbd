/*
 * carbondump: captures the state of a Java server into one ZIP.
 * main() parses the command line and hands over to cd_run_main() (run.c), or
 * runs the install-agent subcommand (install_agent.c).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "carbondump/json.h"
#include "carbondump/version.h"
#include "cli.h"
#include "install_agent.h"
#include "jvm/control.h"
#include "run.h"

int main(int argc, char *argv[])
{
    cd_json_hooks_install(); /* before any thread: cJSON's hooks are global */
    if (argc > 1 && strcmp(argv[1], "install-agent") == 0)
        return cd_install_agent_main(argc - 1, argv + 1);
    cd_cli cli;
    cd_error err = {0};
    if (cd_cli_parse(argc, argv, &cli, &err) != 0) {
        fprintf(stderr, "carbondump: %s\nTry 'carbondump --help'.\n", err.message);
        return 1;
    }
    if (cli.show_help) {
        fputs(cd_cli_usage(), stdout);
        return 0;
    }
    if (cli.show_version) {
        printf("carbondump %s\n", CD_VERSION);
        return 0;
    }
    if (cli.control_file)
        return cd_control_run(&cli);
    int threads_left = 0;
    int status = cd_run_main(&cli, argc, argv, &threads_left);
    if (threads_left) {
        /* A host section abandoned past --section-timeout (a hung file
         * system) still runs on its thread. Returning would run the exit
         * handlers under it (OpenSSL frees the digests it is hashing with)
         * and unwind this frame, which its cli points into. Everything is
         * written, renamed and removed by now: end the process here. */
        fflush(stdout);
        fflush(stderr);
        _exit(status);
    }
    return status;
}
