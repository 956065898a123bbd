/*
 * Heap dump size estimates and free-space checks: see
 * include/carbondump/heapdump_space.h.
 *
 * hsperfdata layout (HotSpot's perfMemory, stable since JDK 6): a prologue
 *   u4 magic 0xcafec0c0, u1 byte order (0 big, 1 little), u1 major, u1 minor,
 *   u1 accessible, i4 used, i4 overflow, i8 modification time,
 *   i4 entry offset, i4 entry count
 * then entries
 *   i4 entry length, i4 name offset, i4 vector length, u1 type ('J' long),
 *   u1 flags, u1 units, u1 variability, i4 data offset
 * with offsets relative to the entry. The heap's counters are
 * sun.gc.generation.<g>.space.<s>.capacity (committed bytes).
 */
#include "carbondump/heapdump_space.h"

#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "carbondump/fsutil.h"

#define HSPERF_MAX_BYTES (1 << 20)
#define MIB (1024.0 * 1024.0)

uint64_t cd_heapdump_estimate_bytes(uint64_t heap_used_bytes)
{
    return heap_used_bytes / 2 + CD_HEAPDUMP_MARGIN_BYTES;
}

static uint32_t get_u4(const unsigned char *p, int little)
{
    return little
               ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
               : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static uint64_t get_u8(const unsigned char *p, int little)
{
    uint64_t lo = get_u4(p + (little ? 0 : 4), little);
    uint64_t hi = get_u4(p + (little ? 4 : 0), little);
    return hi << 32 | lo;
}

/* 1 for "sun.gc.generation.<g>.space.<s>.capacity". */
static int heap_space_capacity(const char *name)
{
    static const char prefix[] = "sun.gc.generation.", suffix[] = ".capacity";
    size_t len = strlen(name);
    return strncmp(name, prefix, sizeof prefix - 1) == 0 && strstr(name, ".space.") &&
           len > sizeof suffix && strcmp(name + len - (sizeof suffix - 1), suffix) == 0;
}

/* Sums the committed heap in an hsperfdata file's bytes. */
static int parse_hsperf(const unsigned char *data, size_t len, uint64_t *bytes)
{
    if (len < 32 || get_u4(data, 0) != 0xcafec0c0u)
        return -1;
    int little = data[4] == 1;
    uint32_t entry = get_u4(data + 24, little), count = get_u4(data + 28, little);
    uint64_t total = 0;
    int found = 0;
    for (uint32_t i = 0; i < count && (size_t)entry + 20 <= len; i++) {
        const unsigned char *e = data + entry;
        uint32_t entry_len = get_u4(e, little), name_at = get_u4(e + 4, little);
        uint32_t vector = get_u4(e + 8, little), data_at = get_u4(e + 16, little);
        if (entry_len < 20 || (size_t)entry + entry_len > len || name_at >= entry_len)
            break;
        const char *name = (const char *)e + name_at;
        if (memchr(name, '\0', entry_len - name_at) && e[12] == 'J' && vector == 0 &&
            (size_t)data_at + 8 <= entry_len && heap_space_capacity(name)) {
            total += get_u8(e + data_at, little);
            found = 1;
        }
        entry += entry_len;
    }
    if (!found)
        return -1;
    *bytes = total;
    return 0;
}

int cd_hsperf_heap_committed(const char *root, pid_t nspid, uid_t uid, uint64_t *bytes)
{
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/tmp/hsperfdata_*/%d", root, (int)nspid);
    glob_t found;
    if (glob(pattern, GLOB_NOSORT, NULL, &found) != 0)
        return -1;
    int rc = -1;
    for (size_t i = 0; rc != 0 && i < found.gl_pathc; i++) {
        struct stat st;
        char *data = NULL;
        size_t len = 0;
        if (lstat(found.gl_pathv[i], &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != uid ||
            cd_read_file(found.gl_pathv[i], HSPERF_MAX_BYTES, 0, &data, &len, NULL) != 0)
            continue;
        rc = parse_hsperf((const unsigned char *)data, len, bytes);
        free(data);
    }
    globfree(&found);
    return rc;
}

int cd_process_resident_bytes(pid_t pid, uint64_t *bytes)
{
    char path[64];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/status");
    char *text = NULL;
    if (cd_read_file(path, 64 * 1024, 1, &text, NULL, NULL) != 0)
        return -1;
    const char *line = strstr(text, "\nVmRSS:");
    unsigned long long kib;
    int rc = line && sscanf(line + 7, "%llu", &kib) == 1 ? 0 : -1;
    if (rc == 0)
        *bytes = (uint64_t)kib * 1024;
    free(text);
    return rc;
}

int cd_space_check(const cd_space_need *needs, int count, cd_error *err)
{
    for (int i = 0; i < count; i++) {
        struct stat st;
        struct statvfs vfs;
        if (stat(needs[i].dir, &st) != 0 || statvfs(needs[i].dir, &vfs) != 0)
            return cd_fail_errno(err, CD_ERR_IO, errno, "cannot see the free space of %s",
                                 needs[i].dir);
        /* What is written to this file system by any of the needs. */
        uint64_t need = 0;
        for (int k = 0; k < count; k++) {
            struct stat other;
            if (stat(needs[k].dir, &other) == 0 && other.st_dev == st.st_dev)
                need += needs[k].bytes;
        }
        uint64_t available = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        if (need > available)
            return cd_fail(err, CD_ERR_NOSPACE,
                           "not enough free space in %s: about %.0f MiB needed, %.1f MiB free",
                           needs[i].dir, (double)need / MIB, (double)available / MIB);
    }
    return 0;
}

int cd_heapdump_space_admit_self(const char *dir, cd_error *err)
{
    uint64_t heap = 0;
    const char *source = "committed heap";
    if (cd_hsperf_heap_committed("", getpid(), geteuid(), &heap) != 0) {
        source = "resident memory";
        if (cd_process_resident_bytes(0, &heap) != 0)
            return 0; /* nothing to estimate from: let the dump's own errors speak */
    }
    cd_space_need need = {dir, cd_heapdump_estimate_bytes(heap)};
    if (cd_space_check(&need, 1, err) != 0) {
        size_t len = strlen(err->message);
        snprintf(err->message + len, sizeof err->message - len, " (estimated from %.0f MiB of %s)",
                 (double)heap / MIB, source);
        return -1;
    }
    return 0;
}
