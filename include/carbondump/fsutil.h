/*
 * Small file-system and clock utilities shared by the agent and the collector.
 *
 * Everything here refuses to follow symbolic links where it creates things, and
 * creates directories 0700 and files 0600: staging areas hold secrets until the
 * bundle is redacted and closed.
 */
#ifndef CARBONDUMP_FSUTIL_H
#define CARBONDUMP_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "carbondump/error.h"
#include "carbondump/sink.h"

/* mkdir -p with mode for the directories it creates. */
int cd_mkdirs(const char *path, mode_t mode, cd_error *err);

/* Opens a file sink for root/relpath, creating the parent directories (0700).
 * relpath must be relative and must not contain "..". */
cd_sink *cd_staging_open(const char *root, const char *relpath, cd_error *err);

/* Writes data to root/relpath through a sink (atomic: .partial then rename). */
int cd_staging_write(const char *root, const char *relpath, const void *data, size_t len,
                     cd_error *err);

/* Opens path for reading when it is a regular file, never blocking on a FIFO
 * or device, with extra open flags (O_NOFOLLOW ...); fills st. Returns the
 * descriptor, or -1 with err. */
int cd_open_regular(const char *path, int flags, struct stat *st, cd_error *err);

/* How cd_read_buffer aligns, for buffers that cannot come from it (on the
 * stack, in a struct) or that keep a read position on it. */
#define CD_READ_BUFFER_ALIGN 4096u

/* A buffer of size bytes for read(2) to fill, aligned to a page; free() it.
 * The kernel copies file data into such a buffer at full speed, where one from
 * malloc (16 bytes past a page for a large block) can cost several times more:
 * 6x for 256 KiB reads from the page cache on an AMD EPYC (rep movsb into a
 * destination that is not 32-byte aligned). NULL when out of memory. */
void *cd_read_buffer(size_t size);

/* Reads a whole regular file of at most max_bytes into a NUL-terminated buffer.
 * FIFOs, devices and sockets are refused without blocking. Larger files are an
 * error unless truncate_ok, in which case the first max_bytes are returned. */
int cd_read_file(const char *path, size_t max_bytes, int truncate_ok, char **data, size_t *len,
                 cd_error *err);

/* rm -rf that never follows symbolic links. Returns 0 or -1 (errno set). */
int cd_remove_tree(const char *path);

/* Milliseconds on the monotonic clock, and since the epoch. */
uint64_t cd_monotonic_ms(void);
uint64_t cd_wall_ms(void);

#endif
