/*
 * Numbers and names as a person reads them, for findings and reports.
 *
 *   cd_format_bytes     "57.7 MiB"
 *   cd_format_duration  "4.5 s"
 *   cd_plural           "s" unless one
 *   cd_java_type_name   "byte[]" for "[B"
 *   cd_appendf          printf onto the end of a fixed buffer
 */
#ifndef CARBONDUMP_FINDINGS_WORDING_H
#define CARBONDUMP_FINDINGS_WORDING_H

#include <stddef.h>

/* "512 B", "1.5 KiB", "57.7 MiB", "2.0 GiB". */
void cd_format_bytes(double bytes, char *out, size_t outlen);

/* "s" unless count is 1, for "%.0f collection%s". */
const char *cd_plural(double count);

/* "850 ms", "4.5 s", "6.2 min", "3.1 h", "2.0 d". */
void cd_format_duration(double ms, char *out, size_t outlen);

/* A JVM class name as Java source spells it: "[B" -> "byte[]",
 * "[[Ljava.lang.String;" -> "java.lang.String[][]"; others unchanged. */
void cd_java_type_name(const char *jvm_name, char *out, size_t outlen);

/* Appends printf output to a fixed buffer (truncating), for one-line summaries
 * assembled piece by piece. */
void cd_appendf(char *buffer, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
