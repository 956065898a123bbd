/*
 * The heap summary's numbers from the JVM's own hsperfdata counters
 * (carbondump/hsperf.h) instead of the memory MXBeans: what the heap-summary
 * part reports when the Java heap is exhausted and no Java code may run.
 *
 * The counters describe generations and their spaces
 * (sun.gc.generation.<g>.space.<s>.{name,used,capacity,maxCapacity,
 * initCapacity}), Metaspace and the compressed class space, the collector
 * policy and each collector's invocations and time. They come out in the
 * MXBean structs the part already prints: one heap pool per space, named
 * after its generation ("Young Generation: eden", "Old Generation: space"),
 * then "Metaspace" and "Compressed Class Space".
 */
#ifndef CARBONDUMP_AGENT_HEAP_PERFDATA_H
#define CARBONDUMP_AGENT_HEAP_PERFDATA_H

#include <stddef.h>

#include "base/mxbeans.h"
#include "carbondump/error.h"

typedef struct cd_perf_memory {
    char *policy;      /* sun.gc.policy.name ("GarbageFirst"), or NULL */
    cd_mx_pool *pools; /* the heap's spaces, then Metaspace and the class space */
    size_t pool_count;
    cd_mx_collector *collectors; /* count and time_ms; no pools */
    size_t collector_count;
    cd_mx_usage heap;     /* all spaces; max as the collector reserves it */
    cd_mx_usage non_heap; /* Metaspace (the code cache has no counters) */
} cd_perf_memory;

/* From an hsperfdata file's bytes. Returns 0, or -1 with err when they hold
 * no heap counters. */
int cd_perf_memory_parse(const unsigned char *data, size_t len, cd_perf_memory *out, cd_error *err);

/* From this JVM's own hsperfdata file (-XX:-UsePerfData turns it off).
 * Returns 0, or -1 with err. */
int cd_perf_memory_read_self(cd_perf_memory *out, cd_error *err);

/* Frees what cd_perf_memory_read_self filled in. */
void cd_perf_memory_free(cd_perf_memory *memory);

#endif
