/*
 * The symbol table of an ELF shared library, read from its file: the names
 * the dynamic linker does not export (a library's static fields, the
 * vtables of its C++ classes) are still in .symtab unless the library was
 * stripped. HotSpot's libjvm keeps it on the JDKs that matter here; the
 * agent uses it to find the VM's lists of threads and to tell a VM thread's
 * class by its vtable, as serviceability tools do.
 *
 * The file is mapped read-only and every offset in it is checked against
 * its size: a truncated, stripped or foreign file gives an error or no
 * symbol, never a read outside the mapping. 64-bit ELF only.
 */
#ifndef CARBONDUMP_AGENT_ELF_SYMBOLS_H
#define CARBONDUMP_AGENT_ELF_SYMBOLS_H

#include <stdint.h>

#include "carbondump/error.h"

typedef struct cd_elf_symbols cd_elf_symbols;

/* Maps the file at path and finds its .symtab (its .dynsym when stripped).
 * NULL with err when it is not a readable 64-bit ELF file with symbols. */
cd_elf_symbols *cd_elf_symbols_open(const char *path, cd_error *err);
void cd_elf_symbols_close(cd_elf_symbols *symbols);

/* Whether the symbols are the full table (.symtab) rather than only the
 * exported ones (.dynsym). */
int cd_elf_symbols_complete(const cd_elf_symbols *symbols);

/* The value of the defined symbol named name (for a shared library, its
 * address relative to where the library is loaded), 0 when there is none. */
uint64_t cd_elf_symbol_value(const cd_elf_symbols *symbols, const char *name);

/* The name of the data object whose [value, value + size) holds value and
 * whose name starts with prefix, or NULL. The first call for a prefix sorts
 * the objects with that prefix; later calls with the same prefix are a
 * binary search. NULL also when out of memory. */
const char *cd_elf_object_at(cd_elf_symbols *symbols, uint64_t value, const char *prefix);

#endif
