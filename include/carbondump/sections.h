/*
 * The sections of a bundle, shared by the collector (--only/--skip, manifest)
 * and the agent (the parts it is asked to produce).
 *
 * The order of the enum is the order of the manifest and of the progress
 * output; the names are the stable words of the command line.
 */
#ifndef CARBONDUMP_SECTIONS_H
#define CARBONDUMP_SECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"

typedef enum cd_section {
    CD_SECTION_JVM,
    CD_SECTION_THREADS,
    CD_SECTION_HISTOGRAM,
    CD_SECTION_HEAP_SUMMARY,
    CD_SECTION_FINALIZER,
    CD_SECTION_CLASSLOADERS,
    CD_SECTION_GC,
    CD_SECTION_FLAGS,
    CD_SECTION_HEAPDUMP,
    CD_SECTION_MAPS,
    CD_SECTION_OS,
    CD_SECTION_PROCESS,
    CD_SECTION_CARBON,
    CD_SECTION_FILES,
    CD_SECTION_CHECKSUMS,
    CD_SECTION_LISTING,
    CD_SECTION_COUNT
} cd_section;

typedef uint32_t cd_section_set;

#define CD_SECTION_BIT(s) ((cd_section_set)1u << (s))
#define CD_SECTIONS_ALL ((cd_section_set)((1u << CD_SECTION_COUNT) - 1))

/* Sections produced inside the JVM by the agent (heapdump only with the jvmti
 * engine; the vm engine asks the VM's own dumper through attach). */
#define CD_SECTIONS_AGENT                                                                  \
    (CD_SECTION_BIT(CD_SECTION_JVM) | CD_SECTION_BIT(CD_SECTION_THREADS) |                 \
     CD_SECTION_BIT(CD_SECTION_HISTOGRAM) | CD_SECTION_BIT(CD_SECTION_HEAP_SUMMARY) |      \
     CD_SECTION_BIT(CD_SECTION_FINALIZER) | CD_SECTION_BIT(CD_SECTION_CLASSLOADERS) |      \
     CD_SECTION_BIT(CD_SECTION_GC) | CD_SECTION_BIT(CD_SECTION_FLAGS) |                    \
     CD_SECTION_BIT(CD_SECTION_HEAPDUMP))

/* Sections that need a target JVM (a pid). */
#define CD_SECTIONS_NEED_PID                                                               \
    (CD_SECTIONS_AGENT | CD_SECTION_BIT(CD_SECTION_MAPS) | CD_SECTION_BIT(CD_SECTION_PROCESS))

/* Sections that need a CARBON_HOME. */
#define CD_SECTIONS_NEED_HOME                                                              \
    (CD_SECTION_BIT(CD_SECTION_CARBON) | CD_SECTION_BIT(CD_SECTION_FILES) |                \
     CD_SECTION_BIT(CD_SECTION_CHECKSUMS) | CD_SECTION_BIT(CD_SECTION_LISTING))

/* The name --only and --skip use: "jvm", "heap-summary" ... */
const char *cd_section_name(cd_section section);

/* The section called name[0..len), or -1. */
int cd_section_lookup(const char *name, size_t len);

/* Parses a list like "jvm,threads" (separator sep) into *set. An unknown or
 * empty name is an error naming it and listing the valid names. */
int cd_section_set_parse(const char *list, char sep, cd_section_set *set, cd_error *err);

/* Writes the names in set separated by sep. Returns 0, or -1 if out is too small. */
int cd_section_set_format(cd_section_set set, char sep, char *out, size_t outlen);

#endif
