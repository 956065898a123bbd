/*
 * SHA-256 of files and buffers through OpenSSL's libcrypto (which uses the
 * CPU's SHA extensions where present).
 */
#ifndef CARBONDUMP_SHA256_H
#define CARBONDUMP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"

#define CD_SHA256_HEX_LEN 64

/* Hashes the file at path (opened without following a final symlink, never
 * blocking on a FIFO); writes 64 lowercase hex digits and a NUL to hex. */
int cd_sha256_file(const char *path, char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes,
                   cd_error *err);

/* Same for an open file descriptor (read from its current offset). */
int cd_sha256_fd(int fd, const char *name, char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes,
                 cd_error *err);

/* A hasher that keeps its read buffer and digest context from one file to
 * the next: a thread hashing thousands of files allocates them once. */
typedef struct cd_sha256_hasher cd_sha256_hasher;
cd_sha256_hasher *cd_sha256_hasher_new(void); /* NULL out of memory */
void cd_sha256_hasher_free(cd_sha256_hasher *h);
int cd_sha256_hasher_fd(cd_sha256_hasher *h, int fd, const char *name,
                        char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes, cd_error *err);

/* The same hasher fed piece by piece: begin, update with every piece in
 * order, end writes the digest. */
int cd_sha256_hasher_begin(cd_sha256_hasher *h);
void cd_sha256_hasher_update(cd_sha256_hasher *h, const void *data, size_t len);
int cd_sha256_hasher_end(cd_sha256_hasher *h, char hex[CD_SHA256_HEX_LEN + 1]);

/* The SHA-256 of data[0..len) as lowercase hex. */
void cd_sha256_buffer(const void *data, size_t len, char hex[CD_SHA256_HEX_LEN + 1]);

#endif
