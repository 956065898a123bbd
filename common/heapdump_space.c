/*
 * Heap dump size estimates and free-space checks: see
 * include/carbondump/heapdump_space.h.
 *
 * The heap's committed bytes come from the JVM's hsperfdata file
 * (carbondump/hsperf.h): the sum of its sun.gc.generation.<g>.space.<s>.capacity
 * counters.
 */
#include "carbondump/heapdump_space.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "carbondump/fsutil.h"
#include "carbondump/hsperf.h"

#define MIB (1024.0 * 1024.0)

uint64_t cd_heapdump_estimate_bytes(uint64_t heap_used_bytes)
{
    return heap_used_bytes / 2 + CD_HEAPDUMP_MARGIN_BYTES;
}

/* 1 for "sun.gc.generation.<g>.space.<s>.capacity". */
static int heap_space_capacity(const char *name)
{
    static const char prefix[] = "sun.gc.generation.", suffix[] = ".capacity";
    size_t len = strlen(name);
    return strncmp(name, prefix, sizeof prefix - 1) == 0 && strstr(name, ".space.") &&
           len > sizeof suffix && strcmp(name + len - (sizeof suffix - 1), suffix) == 0;
}

typedef struct committed_sum {
    uint64_t total;
    int found;
} committed_sum;

static int add_capacity(const cd_hsperf_counter *counter, void *arg)
{
    committed_sum *sum = arg;
    if (counter->is_long && heap_space_capacity(counter->name)) {
        sum->total += (uint64_t)counter->value;
        sum->found = 1;
    }
    return 0;
}

int cd_hsperf_heap_committed(const char *root, pid_t nspid, uid_t uid, uint64_t *bytes)
{
    unsigned char *data = NULL;
    size_t len = 0;
    committed_sum sum = {0, 0};
    if (cd_hsperf_load(root, nspid, uid, &data, &len) != 0)
        return -1;
    int rc = cd_hsperf_each(data, len, add_capacity, &sum) == 0 && sum.found ? 0 : -1;
    free(data);
    if (rc == 0)
        *bytes = sum.total;
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
