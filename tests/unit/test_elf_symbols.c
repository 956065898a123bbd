/*
 * An ELF file's symbol table (agent/base/elf_symbols.c), read from this test's
 * own executable, and from files that are not what they claim.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/elf_symbols.h"
#include "carbondump/fsutil.h"

/* Objects with a name to look for, and their neighbour. */
const int cd_test_marker_table[16] = {1};
const int cd_test_marker_other[4] = {2};

/* This executable's path and where it is loaded. */
static const char *self_path(uint64_t *base)
{
    static char path[4096];
    Dl_info info;
    assert_true(dladdr((void *)cd_test_marker_table, &info) != 0);
    *base = (uint64_t)(uintptr_t)info.dli_fbase;
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    assert_true(n > 0);
    path[n] = '\0';
    return path;
}

static void finds_a_symbol_that_is_not_exported(void **state)
{
    uint64_t base;
    cd_error err = {0};
    cd_elf_symbols *symbols = cd_elf_symbols_open(self_path(&base), &err);
    assert_non_null(symbols);
    assert_true(cd_elf_symbols_complete(symbols));
    uint64_t value = cd_elf_symbol_value(symbols, "cd_test_marker_table");
    assert_int_equal(base + value, (uint64_t)(uintptr_t)cd_test_marker_table);
    assert_int_equal(cd_elf_symbol_value(symbols, "cd_no_such_symbol_anywhere"), 0);
    cd_elf_symbols_close(symbols);
}

static void names_the_object_an_address_falls_in(void **state)
{
    uint64_t base;
    cd_error err = {0};
    cd_elf_symbols *symbols = cd_elf_symbols_open(self_path(&base), &err);
    assert_non_null(symbols);
    uint64_t inside = (uint64_t)(uintptr_t)&cd_test_marker_table[9] - base;
    assert_string_equal(cd_elf_object_at(symbols, inside, "cd_test_marker_"),
                        "cd_test_marker_table");
    uint64_t other = (uint64_t)(uintptr_t)cd_test_marker_other - base;
    assert_string_equal(cd_elf_object_at(symbols, other, "cd_test_marker_"),
                        "cd_test_marker_other");
    /* a prefix the object does not have, and an address in no object */
    assert_null(cd_elf_object_at(symbols, inside, "_ZTV"));
    assert_null(cd_elf_object_at(symbols, 0, "cd_test_marker_"));
    cd_elf_symbols_close(symbols);
}

static void refuses_files_that_are_no_elf_or_cut_short(void **state)
{
    char dir[] = "/tmp/cd-test-elf.XXXXXX";
    assert_non_null(mkdtemp(dir));
    cd_error err = {0};
    const char text[] = "not an ELF file at all\n";
    assert_int_equal(cd_staging_write(dir, "text", text, sizeof text, &err), 0);
    /* the first 4 KB of a real one: headers promise sections beyond the end */
    uint64_t base;
    char head[4096];
    FILE *self = fopen(self_path(&base), "rb");
    assert_non_null(self);
    assert_int_equal(fread(head, 1, sizeof head, self), sizeof head);
    fclose(self);
    assert_int_equal(cd_staging_write(dir, "cut", head, sizeof head, &err), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/text", dir);
    assert_null(cd_elf_symbols_open(path, &err));
    assert_non_null(strstr(err.message, "is not a 64-bit ELF file with a symbol table"));
    snprintf(path, sizeof path, "%s/cut", dir);
    assert_null(cd_elf_symbols_open(path, &err));
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_null(cd_elf_symbols_open(path, &err));
    assert_int_equal(err.code, CD_ERR_NOENT);
    cd_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_a_symbol_that_is_not_exported),
        cmocka_unit_test(names_the_object_an_address_falls_in),
        cmocka_unit_test(refuses_files_that_are_no_elf_or_cut_short),
    };
    return cmocka_run_group_tests_name("elf_symbols", tests, NULL, NULL);
}
