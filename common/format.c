/*
 * Numbers and times as text (format.h): integers and hex without printf, for
 * the writers of large dumps, and ISO-8601 timestamps.
 */
#include "carbondump/format.h"

#include <stdio.h>
#include <time.h>

size_t cd_format_int(int64_t value, char *text)
{
    /* the magnitude as unsigned, so INT64_MIN has one too */
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    size_t len = 0;
    if (value < 0)
        text[len++] = '-';
    while (n)
        text[len++] = digits[--n];
    text[len] = '\0';
    return len;
}

size_t cd_format_hex(uint64_t value, int min_digits, char *text)
{
    char digits[16];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value & 0xF];
        value >>= 4;
    } while ((value || n < min_digits) && n < 16);
    size_t len = 0;
    text[len++] = '0';
    text[len++] = 'x';
    while (n)
        text[len++] = digits[--n];
    text[len] = '\0';
    return len;
}

void cd_format_iso8601(uint64_t wall_ms, char *out, size_t outlen)
{
    time_t seconds = (time_t)(wall_ms / 1000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, outlen, "%s.%03uZ", date, (unsigned)(wall_ms % 1000));
}
