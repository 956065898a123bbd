/*
 * Section names and sets: see include/carbondump/sections.h.
 */
#include "carbondump/sections.h"

#include <stdio.h>
#include <string.h>

static const char *const section_names[CD_SECTION_COUNT] = {
    [CD_SECTION_JVM] = "jvm",
    [CD_SECTION_THREADS] = "threads",
    [CD_SECTION_HISTOGRAM] = "histogram",
    [CD_SECTION_HEAP_SUMMARY] = "heap-summary",
    [CD_SECTION_FINALIZER] = "finalizer",
    [CD_SECTION_CLASSLOADERS] = "classloaders",
    [CD_SECTION_GC] = "gc",
    [CD_SECTION_FLAGS] = "flags",
    [CD_SECTION_HEAPDUMP] = "heapdump",
    [CD_SECTION_MAPS] = "maps",
    [CD_SECTION_OS] = "os",
    [CD_SECTION_PROCESS] = "process",
    [CD_SECTION_CARBON] = "carbon",
    [CD_SECTION_FILES] = "files",
    [CD_SECTION_CHECKSUMS] = "checksums",
    [CD_SECTION_LISTING] = "listing",
};

const char *cd_section_name(cd_section section)
{
    return (unsigned)section < CD_SECTION_COUNT ? section_names[section] : "?";
}

int cd_section_lookup(const char *name, size_t len)
{
    for (int i = 0; i < CD_SECTION_COUNT; i++)
        if (strlen(section_names[i]) == len && memcmp(section_names[i], name, len) == 0)
            return i;
    return -1;
}

int cd_section_set_parse(const char *list, char sep, cd_section_set *set, cd_error *err)
{
    cd_section_set result = 0;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0)
            return cd_fail(err, CD_ERR_USAGE, "empty section name in '%s'", list);
        int section = cd_section_lookup(p, len);
        if (section < 0) {
            char valid[256];
            cd_section_set_format(CD_SECTIONS_ALL, ',', valid, sizeof valid);
            return cd_fail(err, CD_ERR_USAGE, "unknown section '%.*s' (valid: %s)", (int)len, p,
                           valid);
        }
        result |= CD_SECTION_BIT(section);
        if (!end)
            break;
        p = end + 1;
    }
    *set = result;
    return 0;
}

int cd_section_set_format(cd_section_set set, char sep, char *out, size_t outlen)
{
    size_t used = 0;
    if (outlen == 0)
        return -1;
    out[0] = '\0';
    for (int i = 0; i < CD_SECTION_COUNT; i++) {
        if (!(set & CD_SECTION_BIT(i)))
            continue;
        int n = snprintf(out + used, outlen - used, "%s%s", used ? (char[]){sep, 0} : "",
                         section_names[i]);
        if (n < 0 || (size_t)n >= outlen - used)
            return -1;
        used += (size_t)n;
    }
    return 0;
}
