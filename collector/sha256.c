/*
 * SHA-256 through OpenSSL EVP: see sha256.h.
 */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BYTES (1 << 20)

static void to_hex(const unsigned char *digest, char hex[CD_SHA256_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[CD_SHA256_HEX_LEN] = '\0';
}

int cd_sha256_fd(int fd, const char *name, char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes,
                 cd_error *err)
{
    unsigned char *buffer = malloc(READ_BYTES);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!buffer || !md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        free(buffer);
        EVP_MD_CTX_free(md);
        return cd_fail(err, CD_ERR_NOMEM, "cannot start SHA-256 of %s", name);
    }
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, READ_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = cd_fail_errno(err, CD_ERR_IO, errno, "cannot read %s", name);
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, buffer, (size_t)n);
        total += (uint64_t)n;
    }
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (rc == 0 && EVP_DigestFinal_ex(md, digest, &digest_len) == 1 && digest_len == 32) {
        to_hex(digest, hex);
        if (bytes)
            *bytes = total;
    } else if (rc == 0) {
        rc = cd_fail(err, CD_ERR_INTERNAL, "SHA-256 of %s failed", name);
    }
    EVP_MD_CTX_free(md);
    free(buffer);
    return rc;
}

int cd_sha256_file(const char *path, char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes,
                   cd_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot open %s", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return cd_fail(err, CD_ERR_IO, "%s is not a regular file", path);
    }
    int rc = cd_sha256_fd(fd, path, hex, bytes, err);
    close(fd);
    return rc;
}

void cd_sha256_buffer(const void *data, size_t len, char hex[CD_SHA256_HEX_LEN + 1])
{
    unsigned char digest[32];
    unsigned int digest_len = 0;
    EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL);
    to_hex(digest, hex);
}
