/*
 * The `maps` section: what the target has mapped, per file, in
 * memoryinfo/shared_object_mappings.txt. It replaces the original tool's
 * `jmap PID` (JDK 8 and older printed the shared objects with their base
 * address and size), from /proc/<pid>/smaps (resident sizes too) or, when
 * that cannot be read, /proc/<pid>/maps.
 *
 * The parsers are pure and unit-tested (tests/unit/test_maps.c).
 */
#ifndef CARBONDUMP_COLLECTOR_MAPS_H
#define CARBONDUMP_COLLECTOR_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/run_context.h"
#include "carbondump/error.h"

/* The maps section (section_runner.c; needs a target). */
int cd_maps_section(cd_run *run, cd_error *err);

typedef struct cd_mapping {
    uint64_t start, end; /* [start, end) */
    char perms[5];       /* "r-xp" */
    uint64_t offset;
    uint64_t inode;
    int64_t rss_kb;   /* Rss: of smaps, -1 if not known */
    const char *path; /* points into the parsed text; path_len 0 for anonymous */
    size_t path_len;  /* "[heap]", "[stack]", "/usr/lib/x.so (deleted)" ... */
} cd_mapping;

/* Parses one line of /proc/<pid>/maps (also a mapping's first line in smaps):
 * "start-end perms offset dev inode [path]". Returns 0, or -1 if the line is
 * not one. out->path points into line; rss_kb is set to -1. */
int cd_parse_maps_line(const char *line, size_t len, cd_mapping *out);

/* Parses all of /proc/<pid>/maps or /proc/<pid>/smaps text into a malloc'd
 * array (release with free) whose paths point into text. With smaps text the
 * Rss: lines fill rss_kb. Returns 0, or -1 (CD_ERR_NOMEM, or CD_ERR_PROTOCOL
 * if the text is not empty and no line parses). */
int cd_parse_mappings(const char *text, cd_mapping **mappings, size_t *count, cd_error *err);

/* What one file (or kind of anonymous memory) takes. */
typedef struct cd_mapped_file {
    const char *path; /* as in cd_mapping; path_len 0 groups anonymous memory */
    size_t path_len;
    uint64_t base; /* lowest start address */
    uint64_t mapped_bytes;
    int64_t rss_kb; /* sum of the mappings' rss, -1 if none was known */
    size_t mappings;
} cd_mapped_file;

/* Groups mappings by path, ordered by base address. The result (malloc'd)
 * points where the mappings' paths point. */
int cd_summarize_mappings(const cd_mapping *mappings, size_t count, cd_mapped_file **files,
                          size_t *file_count, cd_error *err);

#endif
