/*
 * The command line (DESIGN section 4), parsed by a pure function into a
 * cd_cli (base/options.h). The original carbondump.sh spellings -pid and
 * -carbonHome work too.
 *
 *   cd_cli_parse  argv to options, or a usage error naming the argument
 *   cd_cli_usage  the --help text
 */
#ifndef CARBONDUMP_CLI_H
#define CARBONDUMP_CLI_H

#include "base/options.h"
#include "carbondump/error.h"

/* Parses argv (argv[0] is the program). Errors are CD_ERR_USAGE with a message
 * naming the offending argument. Strings point into argv. */
int cd_cli_parse(int argc, char *const argv[], cd_cli *cli, cd_error *err);

/* The --help text. */
const char *cd_cli_usage(void);

#endif
