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

void cd_sha256_buffer(const void *data, size_t len, char hex[CD_SHA256_HEX_LEN + 1]);

#endif
