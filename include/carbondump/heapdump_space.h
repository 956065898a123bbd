/*
 * Disk safety for heap dumps: how big a compressed dump will be, and whether
 * the file systems it is written to have room for it.
 *
 * The estimate is heap in use x 1/2 + 16 MiB. HotSpot's level-1 gzip of an
 * HPROF dump (the format carries each object's fields without header padding,
 * but with 8-byte ids and a few bytes of record per object) is typically 20
 * to 35% of the heap in use; half leaves room for heaps full of data that does
 * not compress (compressed or random byte arrays), and the 16 MiB cover the
 * class and thread records of a small heap. A dump that still outgrows its
 * estimate fails cleanly when the disk fills (its partial file is removed) and
 * the rest of the bundle is written anyway.
 *
 * Heap in use comes from the caller (the collector asks the JVM), or from the
 * JVM's hsperfdata file (committed heap: an upper bound of what is in use, as
 * the used counters of some collectors only move at GC time), or, failing all,
 * from the process's resident memory.
 */
#ifndef CARBONDUMP_HEAPDUMP_SPACE_H
#define CARBONDUMP_HEAPDUMP_SPACE_H

#include <stdint.h>
#include <sys/types.h>

#include "carbondump/error.h"

#define CD_HEAPDUMP_MARGIN_BYTES (16ULL << 20)

/* Compressed dump bytes to expect from heap_used_bytes in use. */
uint64_t cd_heapdump_estimate_bytes(uint64_t heap_used_bytes);

/* The committed Java heap of the JVM whose pid in its own namespace is nspid,
 * from <root>/tmp/hsperfdata_<user>/<nspid> (root "" for this process's view,
 * "/proc/<pid>/root" for another mount namespace), the file owned by uid.
 * Returns 0, or -1 when there is no readable file or no heap counters. */
int cd_hsperf_heap_committed(const char *root, pid_t nspid, uid_t uid, uint64_t *bytes);

/* Resident memory of pid (0: this process), from /proc. 0 or -1. */
int cd_process_resident_bytes(pid_t pid, uint64_t *bytes);

/* Where bytes will be written: a directory and how much. */
typedef struct cd_space_need {
    const char *dir;
    uint64_t bytes;
} cd_space_need;

/* Checks that every file system has room (free to unprivileged users) for
 * what is written to it; needs on the same file system add up. Returns 0, or -1
 * with CD_ERR_NOSPACE and a message naming the directory, the need and what is
 * free. Other failures: -1 with other codes. */
int cd_space_check(const cd_space_need *needs, int count, cd_error *err);

/* The agent's own check before it writes a dump into dir: heap from this JVM's
 * hsperfdata file, or its resident memory. */
int cd_heapdump_space_admit_self(const char *dir, cd_error *err);

#endif
