/*
 * Replays files through a fuzz target's LLVMFuzzerTestOneInput, so that the
 * seeds and every input that once crashed a target run in the normal build's
 * unit tests (and under ASan+UBSan in scripts/test.sh) without libFuzzer.
 *
 *   replay_<name> PATH...   each PATH a file, or a directory whose regular
 *                           files are replayed in name order (missing
 *                           directories are skipped: a target may have no
 *                           regressions yet)
 *
 * A broken invariant aborts, as under libFuzzer; the exit status is 0 when
 * every file ran, 1 when a file could not be read or no file was found.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *grown = realloc(data, cap * 2);
            if (!grown) {
                free(data);
                data = NULL;
                break;
            }
            data = grown;
            cap *= 2;
        }
    }
    int failed = ferror(f) || !data;
    fclose(f);
    if (failed) {
        fprintf(stderr, "cannot read %s\n", path);
        free(data);
        return -1;
    }
    /* an exact-size copy, so that ASan sees a read past the input */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Returns the number of files replayed, or -1. */
static int replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return replay_file(path) == 0 ? 1 : -1;
    struct dirent **entries;
    int count = scandir(path, &entries, NULL, by_name);
    if (count < 0)
        return -1;
    int replayed = 0;
    for (int i = 0; i < count; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, entries[i]->d_name);
        struct stat fst;
        if (entries[i]->d_name[0] != '.' && stat(file, &fst) == 0 && S_ISREG(fst.st_mode)) {
            if (replay_file(file) != 0)
                replayed = -1;
            else if (replayed >= 0)
                replayed++;
        }
        free(entries[i]);
    }
    free(entries);
    return replayed;
}

int main(int argc, char **argv)
{
    /* tells targets that they replay files written by hand (redact_check.h) */
    setenv("CD_FUZZ_REPLAY", "1", 1);
    int total = 0;
    for (int i = 1; i < argc; i++) {
        int n = replay_path(argv[i]);
        if (n < 0)
            return 1;
        total += n;
    }
    printf("%d inputs replayed\n", total);
    return total > 0 ? 0 : 1;
}
