/*
 * hsperfdata files for tests, laid out as HotSpot writes them
 * (include/carbondump/hsperf.h), little-endian, on a little-endian host.
 */
#ifndef CARBONDUMP_TEST_HSPERF_FIXTURE_H
#define CARBONDUMP_TEST_HSPERF_FIXTURE_H

#include <stdint.h>
#include <string.h>

#define HSPERF_FIXTURE_BYTES 8192

typedef struct hsperf_fixture {
    unsigned char bytes[HSPERF_FIXTURE_BYTES];
    size_t used;
    uint32_t entries;
} hsperf_fixture;

/* An empty file: the prologue, entries from offset 32. */
static inline void hsperf_begin(hsperf_fixture *f)
{
    static const unsigned char magic[4] = {0xca, 0xfe, 0xc0, 0xc0};
    memset(f, 0, sizeof *f);
    memcpy(f->bytes, magic, 4);
    f->bytes[4] = 1; /* little-endian */
    f->bytes[5] = 2;
    f->used = 32;
    uint32_t offset = 32;
    memcpy(f->bytes + 24, &offset, 4);
}

/* An entry of type 'J' (value) or 'B' (text, with its NUL). */
static inline void hsperf_entry(hsperf_fixture *f, const char *name, char type, uint64_t value,
                                const char *text)
{
    size_t name_len = strlen(name) + 1;
    size_t data_at = (20 + name_len + 7) / 8 * 8;
    size_t data_len = type == 'J' ? 8 : strlen(text) + 1;
    size_t len = (data_at + data_len + 7) / 8 * 8;
    unsigned char *e = f->bytes + f->used;
    uint32_t fields[3] = {(uint32_t)len, 20, type == 'J' ? 0 : (uint32_t)data_len};
    memcpy(e, fields, sizeof fields);
    e[12] = (unsigned char)type;
    e[14] = 1;
    e[15] = 3;
    uint32_t d = (uint32_t)data_at;
    memcpy(e + 16, &d, 4);
    memcpy(e + 20, name, name_len);
    if (type == 'J')
        memcpy(e + data_at, &value, 8);
    else
        memcpy(e + data_at, text, data_len);
    f->used += len;
    f->entries++;
    memcpy(f->bytes + 28, &f->entries, 4);
}

static inline void hsperf_long(hsperf_fixture *f, const char *name, uint64_t value)
{
    hsperf_entry(f, name, 'J', value, NULL);
}

static inline void hsperf_text(hsperf_fixture *f, const char *name, const char *text)
{
    hsperf_entry(f, name, 'B', 0, text);
}

#endif
