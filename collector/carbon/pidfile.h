/*
 * Carbon's pid file, CARBON_HOME/wso2carbon.pid.
 *
 * The server writes its process id there as decimal digits, usually followed by a
 * newline and NUL padding up to 100 bytes. When the operator gives no --pid, this
 * is how carbondump finds the server. The parser is a pure function; the reader
 * refuses anything that is not a small regular file, so a FIFO or a device planted
 * under that name can neither block nor flood it.
 */
#ifndef CARBONDUMP_COLLECTOR_PIDFILE_H
#define CARBONDUMP_COLLECTOR_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "carbondump/error.h"

#define CD_PIDFILE_NAME "wso2carbon.pid"
#define CD_PIDFILE_MAX_BYTES 4096

/* The kernel's hard ceiling for pid_max (PID_MAX_LIMIT on 64-bit). */
#define CD_PID_MAX 4194304

/* Parses the contents of a pid file: optional leading white space, decimal digits,
 * then nothing but white space and NUL bytes. Returns 0 and sets *pid, or -1 with
 * CD_ERR_USAGE and a message describing what is wrong with the contents. */
int cd_pidfile_parse(const char *data, size_t len, pid_t *pid, cd_error *err);

/* Reads and parses <carbon_home>/wso2carbon.pid. Messages name the file. */
int cd_pidfile_read(const char *carbon_home, pid_t *pid, cd_error *err);

#endif
