/*
 * Numbers and names as a person reads them (wording.h).
 */
#include "wording.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cd_format_bytes(double bytes, char *out, size_t outlen)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(out, outlen, "%.0f B", bytes < 0 ? 0 : bytes);
        return;
    }
    int unit = -1;
    while (bytes >= 1024 && unit < 3) {
        bytes /= 1024;
        unit++;
    }
    snprintf(out, outlen, "%.1f %s", bytes, units[unit]);
}

const char *cd_plural(double count)
{
    return count == 1 ? "" : "s";
}

void cd_format_duration(double ms, char *out, size_t outlen)
{
    if (ms < 1000)
        snprintf(out, outlen, "%.0f ms", ms < 0 ? 0 : ms);
    else if (ms < 60e3)
        snprintf(out, outlen, "%.1f s", ms / 1e3);
    else if (ms < 3600e3)
        snprintf(out, outlen, "%.1f min", ms / 60e3);
    else if (ms < 86400e3)
        snprintf(out, outlen, "%.1f h", ms / 3600e3);
    else
        snprintf(out, outlen, "%.1f d", ms / 86400e3);
}

void cd_java_type_name(const char *jvm_name, char *out, size_t outlen)
{
    int dims = 0;
    while (jvm_name[dims] == '[')
        dims++;
    if (dims == 0) {
        snprintf(out, outlen, "%s", jvm_name);
        return;
    }
    const char *element = jvm_name + dims;
    const char *base = NULL;
    size_t base_len = 0;
    switch (*element) {
    case 'Z': base = "boolean"; break;
    case 'B': base = "byte"; break;
    case 'C': base = "char"; break;
    case 'S': base = "short"; break;
    case 'I': base = "int"; break;
    case 'J': base = "long"; break;
    case 'F': base = "float"; break;
    case 'D': base = "double"; break;
    case 'L':
        base = element + 1;
        base_len = strcspn(base, ";");
        break;
    default: snprintf(out, outlen, "%s", jvm_name); return;
    }
    if (!base_len)
        base_len = strlen(base);
    int n = snprintf(out, outlen, "%.*s", (int)base_len, base);
    for (int d = 0; d < dims && n >= 0 && (size_t)n + 2 < outlen; d++)
        n += snprintf(out + n, outlen - (size_t)n, "[]");
}

void cd_appendf(char *buffer, size_t size, const char *fmt, ...)
{
    size_t used = strnlen(buffer, size);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buffer + used, size - used, fmt, ap);
    va_end(ap);
}
