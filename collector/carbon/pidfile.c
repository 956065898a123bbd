/*
 * Carbon's pid file: see pidfile.h.
 */
#include "pidfile.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "carbondump/fsutil.h"

/* How many bytes of unexpected contents a message quotes. */
#define QUOTE_MAX_BYTES 16

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Quotes up to QUOTE_MAX_BYTES of arbitrary bytes for a message: printable ASCII
 * as is, the rest as \xNN, "..." when there is more. */
static void quote_bytes(const char *data, size_t len, char *out, size_t outlen)
{
    size_t used = 0;
    size_t shown = len < QUOTE_MAX_BYTES ? len : QUOTE_MAX_BYTES;
    out[0] = '\0';
    for (size_t i = 0; i < shown && used + 5 < outlen; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '"' || c == '\\')
            used += (size_t)snprintf(out + used, outlen - used, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            used += (size_t)snprintf(out + used, outlen - used, "%c", c);
        else
            used += (size_t)snprintf(out + used, outlen - used, "\\x%02x", c);
    }
    if (shown < len && used + 4 < outlen)
        snprintf(out + used, outlen - used, "...");
}

/* Length of the word at data: up to the next white space or NUL. */
static size_t word_length(const char *data, size_t len)
{
    size_t n = 0;
    while (n < len && data[n] != '\0' && !is_space(data[n]))
        n++;
    return n;
}

int cd_pidfile_parse(const char *data, size_t len, pid_t *pid, cd_error *err)
{
    char quoted[QUOTE_MAX_BYTES * 4 + 8];
    size_t i = 0;
    while (i < len && is_space(data[i]))
        i++;
    size_t rest = i;
    while (rest < len && (data[rest] == '\0' || is_space(data[rest])))
        rest++;
    if (rest == len)
        return cd_fail(err, CD_ERR_USAGE, "pid file is empty");

    size_t digits_start = i;
    if (data[i] == '-' && i + 1 < len && data[i + 1] >= '0' && data[i + 1] <= '9') {
        size_t end = i + 1;
        while (end < len && data[end] >= '0' && data[end] <= '9')
            end++;
        quote_bytes(data + i, end - i, quoted, sizeof quoted);
        return cd_fail(err, CD_ERR_USAGE, "pid file holds a negative process id: %s", quoted);
    }
    if (data[i] < '0' || data[i] > '9') {
        quote_bytes(data + i, word_length(data + i, len - i), quoted, sizeof quoted);
        return cd_fail(err, CD_ERR_USAGE, "pid file does not start with a process id: \"%s\"",
                       quoted);
    }

    long long value = 0;
    int too_large = 0;
    for (; i < len && data[i] >= '0' && data[i] <= '9'; i++) {
        if (!too_large)
            value = value * 10 + (data[i] - '0');
        if (value > CD_PID_MAX)
            too_large = 1;
    }
    if (too_large) {
        quote_bytes(data + digits_start, i - digits_start, quoted, sizeof quoted);
        return cd_fail(err, CD_ERR_USAGE,
                       "pid file holds process id %s, larger than any Linux pid (%d)", quoted,
                       CD_PID_MAX);
    }
    if (value == 0)
        return cd_fail(err, CD_ERR_USAGE, "pid file holds process id 0, which is no process");

    for (size_t end = i; end < len; end++) {
        if (data[end] != '\0' && !is_space(data[end])) {
            quote_bytes(data + end, word_length(data + end, len - end), quoted, sizeof quoted);
            return cd_fail(err, CD_ERR_USAGE,
                           "pid file has unexpected text after process id %lld: \"%s\"", value,
                           quoted);
        }
    }
    *pid = (pid_t)value;
    return 0;
}

int cd_pidfile_read(const char *carbon_home, pid_t *pid, cd_error *err)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", carbon_home, CD_PIDFILE_NAME) >= sizeof path)
        return cd_fail(err, CD_ERR_USAGE, "CARBON_HOME path is too long: %.100s...", carbon_home);

    char *data;
    size_t len;
    if (cd_read_file(path, CD_PIDFILE_MAX_BYTES, 0, &data, &len, err) != 0) {
        if (err && err->code == CD_ERR_NOENT) {
            struct stat st;
            if (stat(carbon_home, &st) != 0 || !S_ISDIR(st.st_mode))
                return cd_fail(err, CD_ERR_NOENT, "CARBON_HOME %s is not a directory", carbon_home);
            return cd_fail(err, CD_ERR_NOENT,
                           "no %s in %s: the server is not running, or it was started without "
                           "one; give the process id with --pid",
                           CD_PIDFILE_NAME, carbon_home);
        }
        return -1;
    }
    int rc = cd_pidfile_parse(data, len, pid, err);
    free(data);
    if (rc != 0)
        return cd_error_wrap(err, "%s", path);
    return 0;
}
