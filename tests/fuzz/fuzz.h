/*
 * What every fuzz target here shares: the libFuzzer entry point's signature,
 * a NUL-terminated copy of the input for the parsers that take C strings, and
 * a check that aborts with a message (an invariant broken is a finding, like a
 * crash, and libFuzzer keeps the input that broke it).
 *
 * Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput only; it is
 * linked either with libFuzzer (the clang build, -DCARBONDUMP_FUZZ=ON) or with
 * replay_main.c, which feeds it the seed and regression files in the normal
 * build's unit tests.
 */
#ifndef CARBONDUMP_FUZZ_H
#define CARBONDUMP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd copy of the input with a NUL after it (text parsers stop at the
 * first NUL, like they would on a C string read from a file). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* A malloc'd copy of exactly size bytes (at least one, zeroed, when size is
 * 0), for the parsers that take (pointer, length): ASan then catches a read
 * past the input. */
static inline char *fuzz_bytes(const uint8_t *data, size_t size)
{
    char *bytes = malloc(size ? size : 1);
    if (!bytes)
        abort();
    bytes[0] = '\0';
    if (size)
        memcpy(bytes, data, size);
    return bytes;
}

/* Aborts, naming the broken invariant, when ok is false. */
#define FUZZ_CHECK(ok, what)                                                                       \
    do {                                                                                           \
        if (!(ok)) {                                                                               \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, what);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A message must be a C string within its buffer. */
#define FUZZ_CHECK_MESSAGE(err)                                                                    \
    FUZZ_CHECK(memchr((err).message, '\0', sizeof(err).message) != NULL,                           \
               "error message is NUL-terminated")

#endif
