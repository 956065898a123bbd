/*
 * Errors as values.
 *
 * Every fallible function in carbondump returns 0 on success and -1 on failure,
 * and fills a caller-provided cd_error with a code and a message written for an
 * operator ("cannot attach to pid 4242: permission denied ..."). The message is
 * composed once, where the context is known, and travels up unchanged to the one
 * place that reports it: the manifest, the attach reply, or stderr. Nothing
 * below main() prints, exits or aborts.
 */
#ifndef CARBONDUMP_ERROR_H
#define CARBONDUMP_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cd_code {
    CD_OK = 0,
    CD_ERR_USAGE,       /* the caller asked for something malformed */
    CD_ERR_IO,          /* a read or write failed */
    CD_ERR_NOENT,       /* a file, process or entry does not exist */
    CD_ERR_PERM,        /* permission denied, or refused for safety */
    CD_ERR_TIMEOUT,     /* waited long enough, gave up */
    CD_ERR_PROTOCOL,    /* the other side answered something we do not understand */
    CD_ERR_UNSUPPORTED, /* the target cannot do this (attach disabled, no capability) */
    CD_ERR_NOSPACE,     /* not enough disk space */
    CD_ERR_NOMEM,
    CD_ERR_INTERNAL,
} cd_code;

#define CD_ERROR_MESSAGE_MAX 512

typedef struct cd_error {
    cd_code code;
    char message[CD_ERROR_MESSAGE_MAX];
} cd_error;

/* Records code and a printf-style message in err (err may be NULL). Returns -1 so
 * that callers can write `return cd_fail(err, CD_ERR_IO, "...")`. */
int cd_fail(cd_error *err, cd_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like cd_fail, appending ": <strerror(errnum)>". Picks the code from errnum
 * (ENOENT, EACCES/EPERM, ENOSPC/EDQUOT, ENOMEM) and uses fallback otherwise. */
int cd_fail_errno(cd_error *err, cd_code fallback, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefixes an existing message with more context: "reading conf: <old message>". */
int cd_error_wrap(cd_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Resets err to no error. */
void cd_error_clear(cd_error *err);

/* A short stable word for the code, used in JSON ("io", "timeout", ...). */
const char *cd_code_name(cd_code code);

#ifdef __cplusplus
}
#endif

#endif
