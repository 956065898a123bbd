/*
 * Numbers and times as text, shared by the agent and the collector.
 *
 *   cd_format_int      decimal, without printf
 *   cd_format_hex      "0x" and lowercase hex digits, without printf
 *   cd_format_iso8601  "2026-11-26T08:07:38.123Z" from epoch milliseconds
 */
#ifndef CARBONDUMP_FORMAT_H
#define CARBONDUMP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* value in decimal into text, which has room for CD_INT_TEXT_MAX bytes;
 * returns its length. Without printf: for the writers of large dumps. */
#define CD_INT_TEXT_MAX 21
size_t cd_format_int(int64_t value, char *text);

/* value as "0x" and at least min_digits lowercase hex digits into text,
 * which has room for CD_HEX_TEXT_MAX bytes; returns its length. */
#define CD_HEX_TEXT_MAX 19
size_t cd_format_hex(uint64_t value, int min_digits, char *text);

/* Formats epoch milliseconds as ISO-8601 UTC ("2026-11-26T08:07:38.123Z"). */
void cd_format_iso8601(uint64_t wall_ms, char *out, size_t outlen);

#endif
