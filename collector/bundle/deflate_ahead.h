/*
 * Deflating a bundle's big files ahead of the ZIP, on every CPU.
 *
 * libzip deflates one entry after the other, inside zip_close(), on the
 * thread that calls it. The files to deflate (thread dumps, threads.json,
 * logs, checksum lists, configuration) are known as soon as the sections are
 * done, while the findings still have to read the bundle back and write the
 * reports. So the bundle hands them to worker threads, one per CPU (at most
 * four), which deflate each into memory with its CRC-32 and SHA-256; libzip
 * is then given the deflated bytes as they are (a source that says it is
 * deflated is copied, not deflated again, as zip_source_function(3)
 * documents).
 *
 * Only regular files up to CD_DEFLATE_AHEAD_FILE_MAX each, CD_DEFLATE_AHEAD_TOTAL_MAX
 * in all, are taken: the rest (a heap dump is already gzip) goes through
 * libzip as before. A file that cannot be read, or that grew after it was
 * listed, is given back, and libzip reads it itself and reports the failure
 * the usual way. Nothing here writes to disk.
 *
 *   cd_deflate_ahead_start   start deflating a list of files
 *   cd_deflate_ahead_source  one file's deflated bytes as a libzip source
 *   cd_deflate_ahead_free    stop the workers and free what is left
 */
#ifndef CARBONDUMP_DEFLATE_AHEAD_H
#define CARBONDUMP_DEFLATE_AHEAD_H

#include <stddef.h>
#include <stdint.h>
#include <zip.h>

#include "base/sha256.h"

/* The deflated copy of a file is held in memory until libzip has written it. */
#define CD_DEFLATE_AHEAD_FILE_MAX (32u << 20)
#define CD_DEFLATE_AHEAD_TOTAL_MAX (128u << 20)

typedef struct cd_deflate_ahead cd_deflate_ahead;

/* Starts deflating files[0..count), each at its zlib level (1 to 9, or
 * Z_DEFAULT_COMPRESSION), the largest first, as far as the limits above allow;
 * sizes are what the files held when listed. Returns NULL when nothing was
 * taken or no thread could start: every file is then libzip's to deflate. */
cd_deflate_ahead *cd_deflate_ahead_start(const char *const files[], const uint64_t sizes[],
                                         const int levels[], size_t count);

/* A source for file's deflated bytes in zip (deflated here first when no
 * worker has begun on it; otherwise waits for the worker), with the SHA-256 and
 * the size of what was deflated in sha256 and bytes. NULL when the file was not
 * taken or could not be deflated: the caller reads it itself. Each file's
 * source is made once; freeing it frees the deflated bytes. */
zip_source_t *cd_deflate_ahead_source(cd_deflate_ahead *ahead, zip_t *zip, const char *file,
                                      char sha256[CD_SHA256_HEX_LEN + 1], uint64_t *bytes);

/* Stops the workers (a file being deflated is finished first) and frees every
 * deflated copy no source took; after zip_close() or zip_discard(). NULL is
 * allowed. */
void cd_deflate_ahead_free(cd_deflate_ahead *ahead);

#endif
