/*
 * An ELF file's symbol table (elf_symbols.h).
 *
 * Layout (elf.h): the file header says where the section headers are; the
 * section of type SHT_SYMTAB (or SHT_DYNSYM) holds Elf64_Sym records, and
 * its sh_link names the string table their st_name offsets point into.
 * Nothing is copied: lookups read the mapping, and the only memory kept
 * besides it is the index of the objects with one name prefix.
 */
#include "elf_symbols.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct object_entry {
    uint64_t value, size;
    const char *name;
} object_entry;

struct cd_elf_symbols {
    const unsigned char *map;
    size_t map_size;
    const Elf64_Sym *symbols;
    size_t count;
    const char *strings;
    size_t strings_size;
    int complete;
    /* objects whose name starts with index_prefix, sorted by value */
    char *index_prefix;
    object_entry *index;
    size_t index_count;
};

/* Whether [offset, offset + size) lies in a file of file_size bytes. */
static int in_file(uint64_t offset, uint64_t size, size_t file_size)
{
    return offset <= file_size && size <= file_size - offset;
}

/* The section header of the first section of type, or NULL. */
static const Elf64_Shdr *section_of_type(const cd_elf_symbols *s, const Elf64_Ehdr *header,
                                         uint32_t type)
{
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(s->map + header->e_shoff);
    for (unsigned i = 0; i < header->e_shnum; i++)
        if (sections[i].sh_type == type)
            return &sections[i];
    return NULL;
}

/* Points symbols at the table of type, if the file has a sound one. */
static int use_table(cd_elf_symbols *s, const Elf64_Ehdr *header, uint32_t type)
{
    const Elf64_Shdr *table = section_of_type(s, header, type);
    if (!table || table->sh_link >= header->e_shnum || table->sh_entsize != sizeof(Elf64_Sym) ||
        !in_file(table->sh_offset, table->sh_size, s->map_size))
        return -1;
    const Elf64_Shdr *strings = (const Elf64_Shdr *)(s->map + header->e_shoff) + table->sh_link;
    if (strings->sh_type != SHT_STRTAB || strings->sh_size == 0 ||
        !in_file(strings->sh_offset, strings->sh_size, s->map_size))
        return -1;
    s->symbols = (const Elf64_Sym *)(s->map + table->sh_offset);
    s->count = table->sh_size / sizeof(Elf64_Sym);
    s->strings = (const char *)s->map + strings->sh_offset;
    s->strings_size = strings->sh_size;
    return s->count > 0 ? 0 : -1;
}

static int find_tables(cd_elf_symbols *s)
{
    if (s->map_size < sizeof(Elf64_Ehdr))
        return -1;
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)s->map;
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64 ||
        header->e_shentsize != sizeof(Elf64_Shdr) || header->e_shoff % 8 != 0 ||
        !in_file(header->e_shoff, (uint64_t)header->e_shnum * sizeof(Elf64_Shdr), s->map_size))
        return -1;
    s->complete = use_table(s, header, SHT_SYMTAB) == 0;
    return s->complete || use_table(s, header, SHT_DYNSYM) == 0 ? 0 : -1;
}

cd_elf_symbols *cd_elf_symbols_open(const char *path, cd_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cd_fail_errno(err, CD_ERR_IO, errno, "cannot open %s", path);
        return NULL;
    }
    struct stat st;
    cd_elf_symbols *s = calloc(1, sizeof *s);
    void *map = MAP_FAILED;
    if (s && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (!s || map == MAP_FAILED) {
        free(s);
        cd_fail(err, s ? CD_ERR_IO : CD_ERR_NOMEM, "cannot map %s", path);
        return NULL;
    }
    s->map = map;
    s->map_size = (size_t)st.st_size;
    if (find_tables(s) != 0) {
        cd_elf_symbols_close(s);
        cd_fail(err, CD_ERR_UNSUPPORTED, "%s is not a 64-bit ELF file with a symbol table", path);
        return NULL;
    }
    return s;
}

void cd_elf_symbols_close(cd_elf_symbols *symbols)
{
    if (!symbols)
        return;
    if (symbols->map)
        munmap((void *)symbols->map, symbols->map_size);
    free(symbols->index_prefix);
    free(symbols->index);
    free(symbols);
}

int cd_elf_symbols_complete(const cd_elf_symbols *symbols)
{
    return symbols->complete;
}

/* The symbol's name, or NULL when its offset or end lie outside the table. */
static const char *symbol_name(const cd_elf_symbols *s, const Elf64_Sym *symbol)
{
    if (symbol->st_name == 0 || symbol->st_name >= s->strings_size)
        return NULL;
    const char *name = s->strings + symbol->st_name;
    return memchr(name, '\0', s->strings_size - symbol->st_name) ? name : NULL;
}

uint64_t cd_elf_symbol_value(const cd_elf_symbols *symbols, const char *name)
{
    for (size_t i = 0; i < symbols->count; i++) {
        const Elf64_Sym *symbol = &symbols->symbols[i];
        if (symbol->st_shndx == SHN_UNDEF || symbol->st_value == 0)
            continue;
        const char *n = symbol_name(symbols, symbol);
        if (n && n[0] == name[0] && strcmp(n, name) == 0)
            return symbol->st_value;
    }
    return 0;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = ((const object_entry *)a)->value, y = ((const object_entry *)b)->value;
    return x < y ? -1 : x > y;
}

static int build_index(cd_elf_symbols *s, const char *prefix)
{
    free(s->index_prefix);
    free(s->index);
    s->index = NULL;
    s->index_count = 0;
    s->index_prefix = strdup(prefix);
    if (!s->index_prefix)
        return -1;
    size_t prefix_len = strlen(prefix), n = 0, capacity = 0;
    for (size_t i = 0; i < s->count; i++) {
        const Elf64_Sym *symbol = &s->symbols[i];
        const char *name = symbol_name(s, symbol);
        if (ELF64_ST_TYPE(symbol->st_info) != STT_OBJECT || symbol->st_shndx == SHN_UNDEF ||
            symbol->st_size == 0 || !name || strncmp(name, prefix, prefix_len) != 0)
            continue;
        if (n == capacity) {
            size_t grown = capacity ? capacity * 2 : 256;
            object_entry *more = realloc(s->index, grown * sizeof *more);
            if (!more)
                return -1;
            s->index = more;
            capacity = grown;
        }
        s->index[n++] = (object_entry){symbol->st_value, symbol->st_size, name};
    }
    if (n)
        qsort(s->index, n, sizeof *s->index, by_value);
    s->index_count = n;
    return 0;
}

const char *cd_elf_object_at(cd_elf_symbols *symbols, uint64_t value, const char *prefix)
{
    if ((!symbols->index_prefix || strcmp(symbols->index_prefix, prefix) != 0) &&
        build_index(symbols, prefix) != 0) {
        free(symbols->index_prefix); /* built again next time */
        symbols->index_prefix = NULL;
        return NULL;
    }
    size_t lo = 0, hi = symbols->index_count;
    while (lo < hi) { /* the last object starting at or before value */
        size_t mid = lo + (hi - lo) / 2;
        if (symbols->index[mid].value <= value)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const object_entry *e = &symbols->index[lo - 1];
    return value - e->value < e->size ? e->name : NULL;
}
