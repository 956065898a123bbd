/*
 * The heap parts: what the Java heap holds and how full it is.
 *
 *   cd_part_histogram     java_heap_histogram.txt/.json: instances and bytes per class
 *                         (histogram.c, the agent's own heap walk)
 *   cd_part_heap_summary  java_heap_summary.txt/.json: GC in use, heap and non-heap pools
 *                         (heap_summary.c)
 *   cd_part_heapdump      java_heap_memory_dump.hprof.gz from the agent's own heap walk
 *                         (heapdump.c, heapdump_snapshot.c, hprof_writer.c)
 */
#ifndef CARBONDUMP_AGENT_HEAP_H
#define CARBONDUMP_AGENT_HEAP_H

#include "base/part.h"

/* Instances and bytes per class from the agent's own heap walk. */
int cd_part_histogram(cd_part_ctx *ctx, cd_error *err);
/* The GC in use and the heap and non-heap pools. */
int cd_part_heap_summary(cd_part_ctx *ctx, cd_error *err);
/* A gzip-compressed HPROF heap dump from the agent's own heap walk. */
int cd_part_heapdump(cd_part_ctx *ctx, cd_error *err);

#endif
