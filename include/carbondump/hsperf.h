/*
 * hsperfdata: the performance counters a HotSpot JVM publishes in a memory-
 * mapped file, /tmp/hsperfdata_<user>/<pid> (what jstat reads). The file is
 * written by the VM itself, without Java code or Java allocation, so it still
 * says how the heap is used when the heap is exhausted.
 *
 * Layout (HotSpot's perfMemory, stable since JDK 6): a prologue
 *   u4 magic 0xcafec0c0, u1 byte order (0 big, 1 little), u1 major, u1 minor,
 *   u1 accessible, i4 used, i4 overflow, i8 modification time,
 *   i4 entry offset, i4 entry count
 * then entries
 *   i4 entry length, i4 name offset, i4 vector length, u1 type ('J' long,
 *   'B' byte array: a string), u1 flags, u1 units, u1 variability,
 *   i4 data offset
 * with offsets relative to the entry.
 */
#ifndef CARBONDUMP_HSPERF_H
#define CARBONDUMP_HSPERF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One counter; name and text point into the file's bytes. */
typedef struct cd_hsperf_counter {
    const char *name; /* "sun.gc.generation.0.space.0.used" */
    int is_long;      /* a 'J' scalar: value holds it */
    int64_t value;
    const char *text; /* a 'B' string, NUL-terminated in the file, or NULL */
} cd_hsperf_counter;

/* Calls visit for each counter of an hsperfdata file's bytes, in file order,
 * until visit returns non-zero. Entries that do not fit the file end the
 * walk. Returns 0, or -1 when the bytes are no hsperfdata file. */
int cd_hsperf_each(const unsigned char *data, size_t len,
                   int (*visit)(const cd_hsperf_counter *counter, void *arg), void *arg);

/* The bytes of the hsperfdata file of the JVM whose pid in its own
 * namespace is nspid: <root>/tmp/hsperfdata_<any user>/<nspid> (root "" for
 * this process's view, "/proc/<pid>/root" for another mount namespace), a
 * regular file owned by uid. Returns 0 with *data malloc'd, or -1. */
int cd_hsperf_load(const char *root, pid_t nspid, uid_t uid, unsigned char **data, size_t *len);

#endif
