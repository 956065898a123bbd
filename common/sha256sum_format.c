/*
 * sha256sum's line format (sha256sum_format.h).
 */
#include "carbondump/sha256sum_format.h"

#include <string.h>

int cd_sha256sum_name_needs_escape(const char *path)
{
    return strpbrk(path, "\\\n\r") != NULL;
}

void cd_sha256sum_write_name(cd_sink *sink, const char *path)
{
    const char *run = path;
    for (const char *p = path; *p; p++) {
        const char *escape = *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : NULL;
        if (!escape)
            continue;
        cd_sink_write(sink, run, (size_t)(p - run));
        cd_sink_puts(sink, escape);
        run = p + 1;
    }
    cd_sink_puts(sink, run);
}

void cd_sha256sum_write_line(cd_sink *sink, const char *hex, const char *path)
{
    if (cd_sha256sum_name_needs_escape(path))
        cd_sink_puts(sink, "\\");
    cd_sink_puts(sink, hex);
    cd_sink_puts(sink, "  ");
    cd_sha256sum_write_name(sink, path);
    cd_sink_puts(sink, "\n");
}
