/*
 * SHA-256 through OpenSSL EVP: see sha256.h.
 */
#include "sha256.h"
#include "carbondump/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Small enough to stay in the CPU's cache between read() filling it and
 * SHA-256 reading it; large enough that syscalls cost little. */
#define READ_BYTES (256 * 1024)

static void to_hex(const unsigned char *digest, char hex[CD_SHA256_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[CD_SHA256_HEX_LEN] = '\0';
}

struct cd_sha256_hasher {
    unsigned char *buffer;
    EVP_MD_CTX *md;
};

cd_sha256_hasher *cd_sha256_hasher_new(void)
{
    cd_sha256_hasher *h = calloc(1, sizeof *h);
    if (h && (!(h->buffer = cd_read_buffer(READ_BYTES)) || !(h->md = EVP_MD_CTX_new()))) {
        cd_sha256_hasher_free(h);
        h = NULL;
    }
    return h;
}

void cd_sha256_hasher_free(cd_sha256_hasher *h)
{
    if (!h)
        return;
    free(h->buffer);
    EVP_MD_CTX_free(h->md);
    free(h);
}

int cd_sha256_hasher_begin(cd_sha256_hasher *h)
{
    return EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

void cd_sha256_hasher_update(cd_sha256_hasher *h, const void *data, size_t len)
{
    EVP_DigestUpdate(h->md, data, len);
}

int cd_sha256_hasher_end(cd_sha256_hasher *h, char hex[CD_SHA256_HEX_LEN + 1])
{
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (EVP_DigestFinal_ex(h->md, digest, &digest_len) != 1 || digest_len != 32)
        return -1;
    to_hex(digest, hex);
    return 0;
}

int cd_sha256_hasher_fd(cd_sha256_hasher *h, int fd, const char *name,
                        char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes, cd_error *err)
{
    if (cd_sha256_hasher_begin(h) != 0)
        return cd_fail(err, CD_ERR_INTERNAL, "cannot start SHA-256 of %s", name);
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, h->buffer, READ_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return cd_fail_errno(err, CD_ERR_IO, errno, "cannot read %s", name);
        if (n == 0)
            break;
        cd_sha256_hasher_update(h, h->buffer, (size_t)n);
        total += (uint64_t)n;
    }
    if (cd_sha256_hasher_end(h, hex) != 0)
        return cd_fail(err, CD_ERR_INTERNAL, "SHA-256 of %s failed", name);
    if (bytes)
        *bytes = total;
    return 0;
}

int cd_sha256_fd(int fd, const char *name, char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes,
                 cd_error *err)
{
    cd_sha256_hasher *h = cd_sha256_hasher_new();
    if (!h)
        return cd_fail(err, CD_ERR_NOMEM, "cannot start SHA-256 of %s", name);
    int rc = cd_sha256_hasher_fd(h, fd, name, hex, bytes, err);
    cd_sha256_hasher_free(h);
    return rc;
}

int cd_sha256_file(const char *path, char hex[CD_SHA256_HEX_LEN + 1], uint64_t *bytes,
                   cd_error *err)
{
    struct stat st;
    int fd = cd_open_regular(path, O_NOFOLLOW, &st, err);
    if (fd < 0)
        return -1;
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
