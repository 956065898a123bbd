/*
 * Reading hsperfdata files (include/carbondump/hsperf.h). Every offset in an
 * entry is checked against the entry and the file before it is used: the
 * file is the JVM's, and a JVM that dies mid-write, or a file that is not
 * one, must not lead a reader astray.
 */
#include "carbondump/hsperf.h"

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "carbondump/fsutil.h"

#define HSPERF_MAX_BYTES (1 << 20)
#define HSPERF_MAGIC 0xcafec0c0u
#define PROLOGUE_BYTES 32
#define ENTRY_HEADER_BYTES 20

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

int cd_hsperf_each(const unsigned char *data, size_t len,
                   int (*visit)(const cd_hsperf_counter *counter, void *arg), void *arg)
{
    /* the magic is written big-endian whatever the byte order of the rest */
    if (len < PROLOGUE_BYTES || get_u4(data, 0) != HSPERF_MAGIC)
        return -1;
    int little = data[4] == 1;
    uint32_t entry = get_u4(data + 24, little), count = get_u4(data + 28, little);
    for (uint32_t i = 0; i < count && (size_t)entry + ENTRY_HEADER_BYTES <= len; i++) {
        const unsigned char *e = data + entry;
        uint32_t entry_len = get_u4(e, little), name_at = get_u4(e + 4, little);
        uint32_t vector = get_u4(e + 8, little), data_at = get_u4(e + 16, little);
        if (entry_len < ENTRY_HEADER_BYTES || entry_len > len - entry || name_at >= entry_len ||
            data_at > entry_len)
            break;
        cd_hsperf_counter counter = {(const char *)e + name_at, 0, 0, NULL};
        if (!memchr(counter.name, '\0', entry_len - name_at))
            break;
        if (e[12] == 'J' && vector == 0 && (size_t)data_at + 8 <= entry_len) {
            counter.is_long = 1;
            counter.value = (int64_t)get_u8(e + data_at, little);
        } else if (e[12] == 'B' && vector > 0 && vector <= entry_len - data_at &&
                   memchr(e + data_at, '\0', vector)) {
            counter.text = (const char *)e + data_at;
        }
        if (visit(&counter, arg))
            break;
        entry += entry_len;
    }
    return 0;
}

int cd_hsperf_load(const char *root, pid_t nspid, uid_t uid, unsigned char **data, size_t *len)
{
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/tmp/hsperfdata_*/%d", root, (int)nspid);
    glob_t found;
    if (glob(pattern, GLOB_NOSORT, NULL, &found) != 0)
        return -1;
    int rc = -1;
    for (size_t i = 0; rc != 0 && i < found.gl_pathc; i++) {
        struct stat st;
        char *bytes = NULL;
        if (lstat(found.gl_pathv[i], &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != uid ||
            cd_read_file(found.gl_pathv[i], HSPERF_MAX_BYTES, 0, &bytes, len, NULL) != 0)
            continue;
        *data = (unsigned char *)bytes;
        rc = 0;
    }
    globfree(&found);
    return rc;
}
