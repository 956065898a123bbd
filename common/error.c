/*
 * Errors as values: see include/carbondump/error.h.
 */
#include "carbondump/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_message(cd_error *err, const char *fmt, va_list ap)
{
    vsnprintf(err->message, sizeof err->message, fmt, ap);
}

int cd_fail(cd_error *err, cd_code code, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    return -1;
}

static cd_code code_for_errno(int errnum, cd_code fallback)
{
    switch (errnum) {
    case ENOENT:
    case ESRCH:
        return CD_ERR_NOENT;
    case EACCES:
    case EPERM:
    case EROFS:
        return CD_ERR_PERM;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return CD_ERR_NOSPACE;
    case ENOMEM:
        return CD_ERR_NOMEM;
    case ETIMEDOUT:
        return CD_ERR_TIMEOUT;
    default:
        return fallback;
    }
}

int cd_fail_errno(cd_error *err, cd_code fallback, int errnum, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code_for_errno(errnum, fallback);
    va_list ap;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof err->message - used, ": %s", strerror(errnum));
    return -1;
}

int cd_error_wrap(cd_error *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[CD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[CD_ERROR_MESSAGE_MAX];
    memcpy(old, err->message, sizeof old);
    snprintf(err->message, sizeof err->message, "%s: %s", prefix, old);
    return -1;
}

void cd_error_clear(cd_error *err)
{
    if (err) {
        err->code = CD_OK;
        err->message[0] = '\0';
    }
}

const char *cd_code_name(cd_code code)
{
    switch (code) {
    case CD_OK: return "ok";
    case CD_ERR_USAGE: return "usage";
    case CD_ERR_IO: return "io";
    case CD_ERR_NOENT: return "not-found";
    case CD_ERR_PERM: return "permission";
    case CD_ERR_TIMEOUT: return "timeout";
    case CD_ERR_PROTOCOL: return "protocol";
    case CD_ERR_UNSUPPORTED: return "unsupported";
    case CD_ERR_NOSPACE: return "no-space";
    case CD_ERR_NOMEM: return "out-of-memory";
    case CD_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}
