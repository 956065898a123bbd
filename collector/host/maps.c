/*
 * The `maps` section: memoryinfo/shared_object_mappings.txt. See maps.h.
 *
 * The file has three parts: a summary per mapped file, ordered by base
 * address like `jmap PID` printed the shared objects (address, mapped size,
 * resident size, number of mappings, path); totals for files and for
 * anonymous memory (the Java heap, thread stacks, malloc arenas and metaspace
 * all live there); then /proc/<pid>/maps verbatim for whoever needs the
 * detail. Resident sizes come from smaps, which needs the target's user or
 * root; without it the table says "-".
 */
#include "maps.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"
#include "carbondump/fsutil.h"

#define PROC_TEXT_MAX (256u << 20) /* smaps of a JVM with 10k threads is ~10 MB */

/* ---------------------------------------------------------------- parsing */

static int parse_hex(const char **p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = *p;
    int digits = 0;
    for (; s < end; s++, digits++) {
        int d = *s >= '0' && *s <= '9'   ? *s - '0'
                : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
                                         : -1;
        if (d < 0)
            break;
        if (digits == 16)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    if (digits == 0)
        return -1;
    *p = s;
    *out = v;
    return 0;
}

static int expect_char(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c)
        return -1;
    (*p)++;
    return 0;
}

static void skip_blanks(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
}

int cd_parse_maps_line(const char *line, size_t len, cd_mapping *out)
{
    const char *p = line, *end = line + len;
    cd_mapping m;
    memset(&m, 0, sizeof m);
    uint64_t major, minor;
    if (parse_hex(&p, end, &m.start) != 0 || expect_char(&p, end, '-') != 0 ||
        parse_hex(&p, end, &m.end) != 0 || m.end < m.start || expect_char(&p, end, ' ') != 0)
        return -1;
    if (end - p < 5 || p[4] != ' ')
        return -1;
    for (int i = 0; i < 4; i++) {
        if (!strchr("rwxps-", p[i]))
            return -1;
        m.perms[i] = p[i];
    }
    p += 5;
    if (parse_hex(&p, end, &m.offset) != 0 || expect_char(&p, end, ' ') != 0 ||
        parse_hex(&p, end, &major) != 0 || expect_char(&p, end, ':') != 0 ||
        parse_hex(&p, end, &minor) != 0 || expect_char(&p, end, ' ') != 0)
        return -1;
    const char *inode_start = p;
    while (p < end && *p >= '0' && *p <= '9')
        m.inode = m.inode * 10 + (uint64_t)(*p++ - '0');
    if (p == inode_start || (p < end && *p != ' ' && *p != '\t'))
        return -1;
    skip_blanks(&p, end);
    m.path = p;
    m.path_len = (size_t)(end - p);
    while (m.path_len > 0 && (m.path[m.path_len - 1] == '\n' || m.path[m.path_len - 1] == ' '))
        m.path_len--;
    m.rss_kb = -1;
    *out = m;
    return 0;
}

/* "Rss:   1234 kB" -> 1234; -1 for any other line. */
static int64_t rss_line(const char *line, size_t len)
{
    if (len < 4 || memcmp(line, "Rss:", 4) != 0)
        return -1;
    const char *p = line + 4, *end = line + len;
    skip_blanks(&p, end);
    int64_t v = 0;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9')
        v = v * 10 + (*p++ - '0');
    return p == digits ? -1 : v;
}

int cd_parse_mappings(const char *text, cd_mapping **mappings, size_t *count, cd_error *err)
{
    *mappings = NULL;
    *count = 0;
    size_t n = 0, cap = 256, lines = 0;
    cd_mapping *out = malloc(cap * sizeof *out);
    if (!out)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory parsing memory mappings");
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        lines++;
        int64_t rss;
        if (CD_ARRAY_ROOM_FOR_ONE(out, cap, n) != 0) {
            free(out);
            return cd_fail(err, CD_ERR_NOMEM, "out of memory parsing memory mappings");
        }
        if (cd_parse_maps_line(line, len, &out[n]) == 0)
            n++;
        else if (n > 0 && (rss = rss_line(line, len)) >= 0)
            out[n - 1].rss_kb = rss;
        line = nl ? nl + 1 : line + len;
    }
    if (n == 0 && lines > 0) {
        free(out);
        return cd_fail(err, CD_ERR_PROTOCOL, "no memory mapping found in the text");
    }
    *mappings = out;
    *count = n;
    return 0;
}

/* ---------------------------------------------------------------- summary */

static int compare_by_path(const void *a, const void *b)
{
    const cd_mapping *x = *(const cd_mapping *const *)a, *y = *(const cd_mapping *const *)b;
    size_t n = x->path_len < y->path_len ? x->path_len : y->path_len;
    int c = memcmp(x->path, y->path, n);
    if (c == 0 && x->path_len != y->path_len)
        c = x->path_len < y->path_len ? -1 : 1;
    if (c == 0 && x->start != y->start)
        c = x->start < y->start ? -1 : 1;
    return c;
}

static int compare_by_base(const void *a, const void *b)
{
    const cd_mapped_file *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

int cd_summarize_mappings(const cd_mapping *mappings, size_t count, cd_mapped_file **files,
                          size_t *file_count, cd_error *err)
{
    *files = NULL;
    *file_count = 0;
    const cd_mapping **sorted = malloc((count ? count : 1) * sizeof *sorted);
    cd_mapped_file *out = malloc((count ? count : 1) * sizeof *out);
    if (!sorted || !out) {
        free(sorted);
        free(out);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory summarising memory mappings");
    }
    for (size_t i = 0; i < count; i++)
        sorted[i] = &mappings[i];
    qsort(sorted, count, sizeof *sorted, compare_by_path);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const cd_mapping *m = sorted[i];
        cd_mapped_file *f = n ? &out[n - 1] : NULL;
        if (!f || f->path_len != m->path_len || memcmp(f->path, m->path, m->path_len) != 0) {
            f = &out[n++];
            *f = (cd_mapped_file){
                .path = m->path, .path_len = m->path_len, .base = m->start, .rss_kb = -1};
        }
        f->mapped_bytes += m->end - m->start;
        if (m->rss_kb >= 0)
            f->rss_kb = (f->rss_kb < 0 ? 0 : f->rss_kb) + m->rss_kb;
        if (m->start < f->base)
            f->base = m->start;
        f->mappings++;
    }
    free(sorted);
    qsort(out, n, sizeof *out, compare_by_base);
    *files = out;
    *file_count = n;
    return 0;
}

/* ---------------------------------------------------------------- report */

static int is_file(const cd_mapped_file *f)
{
    return f->path_len > 0 && f->path[0] == '/';
}

static void print_rss(cd_sink *out, int64_t rss_kb)
{
    if (rss_kb < 0)
        cd_sink_printf(out, " %10s", "-");
    else
        cd_sink_printf(out, " %9" PRId64 "K", rss_kb);
}

static void write_report(cd_sink *out, pid_t pid, const char *source, const cd_mapped_file *files,
                         size_t count, const char *maps_text)
{
    cd_sink_printf(out, "Memory mappings of pid %d (from %s)\n\n", (int)pid, source);
    cd_sink_puts(out, "Mapped files, by base address:\n");
    cd_sink_printf(out, "%-18s %10s %10s %5s  %s\n", "Address", "Mapped", "Resident", "Maps",
                   "File");
    uint64_t file_bytes = 0, other_bytes = 0;
    int64_t file_rss = -1, other_rss = -1;
    size_t file_count = 0;
    for (size_t i = 0; i < count; i++) {
        const cd_mapped_file *f = &files[i];
        int64_t *rss = is_file(f) ? &file_rss : &other_rss;
        if (f->rss_kb >= 0)
            *rss = (*rss < 0 ? 0 : *rss) + f->rss_kb;
        if (!is_file(f)) {
            other_bytes += f->mapped_bytes;
            continue;
        }
        file_bytes += f->mapped_bytes;
        file_count++;
        cd_sink_printf(out, "0x%016" PRIx64 " %9" PRIu64 "K", f->base, f->mapped_bytes / 1024);
        print_rss(out, f->rss_kb);
        cd_sink_printf(out, " %5zu  %.*s\n", f->mappings, (int)f->path_len, f->path);
    }
    cd_sink_puts(out, "\nOther memory (Java heap, thread stacks, native allocations, metaspace "
                      "and code cache are anonymous):\n");
    cd_sink_printf(out, "%-18s %10s %10s %5s  %s\n", "Address", "Mapped", "Resident", "Maps",
                   "Kind");
    for (size_t i = 0; i < count; i++) {
        const cd_mapped_file *f = &files[i];
        if (is_file(f))
            continue;
        cd_sink_printf(out, "0x%016" PRIx64 " %9" PRIu64 "K", f->base, f->mapped_bytes / 1024);
        print_rss(out, f->rss_kb);
        if (f->path_len)
            cd_sink_printf(out, " %5zu  %.*s\n", f->mappings, (int)f->path_len, f->path);
        else
            cd_sink_printf(out, " %5zu  (anonymous)\n", f->mappings);
    }
    cd_sink_printf(out, "\nTotal: %zu files, %" PRIu64 "K mapped", file_count, file_bytes / 1024);
    if (file_rss >= 0)
        cd_sink_printf(out, ", %" PRId64 "K resident", file_rss);
    cd_sink_printf(out, "; other memory %" PRIu64 "K mapped", other_bytes / 1024);
    if (other_rss >= 0)
        cd_sink_printf(out, ", %" PRId64 "K resident", other_rss);
    cd_sink_printf(out, "\n\n/proc/%d/maps:\n", (int)pid);
    cd_sink_puts(out, maps_text);
}

int cd_maps_section(cd_run *run, cd_error *err)
{
    char path[64];
    char *smaps = NULL, *maps = NULL;
    cd_error smaps_err = {0};
    snprintf(path, sizeof path, "/proc/%d/maps", (int)run->pid);
    if (cd_read_file(path, PROC_TEXT_MAX, 1, &maps, NULL, err) != 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)run->pid);
    int have_smaps = cd_read_file(path, PROC_TEXT_MAX, 1, &smaps, NULL, &smaps_err) == 0;
    char source[CD_ERROR_MESSAGE_MAX + 64];
    if (have_smaps)
        snprintf(source, sizeof source, "/proc/%d/smaps", (int)run->pid);
    else
        snprintf(source, sizeof source, "/proc/%d/maps; no resident sizes: %s", (int)run->pid,
                 smaps_err.message);

    cd_mapping *mappings = NULL;
    cd_mapped_file *files = NULL;
    size_t mapping_count = 0, file_count = 0;
    int rc = -1;
    if (cd_parse_mappings(have_smaps ? smaps : maps, &mappings, &mapping_count, err) != 0 ||
        cd_summarize_mappings(mappings, mapping_count, &files, &file_count, err) != 0)
        goto out;
    cd_sink *sink =
        cd_staging_open(run->host_staging, "memoryinfo/shared_object_mappings.txt", err);
    if (!sink)
        goto out;
    write_report(sink, run->pid, source, files, file_count, maps);
    rc = cd_sink_close(sink, err);
out:
    free(files);
    free(mappings);
    free(smaps);
    free(maps);
    return rc;
}
