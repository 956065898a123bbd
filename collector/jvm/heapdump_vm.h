/*
 * The heap dump, collector side: disk admission for both engines, and the vm
 * engine, which asks the target JVM's own dumper for the dump.
 */
#ifndef CARBONDUMP_COLLECTOR_HEAPDUMP_H
#define CARBONDUMP_COLLECTOR_HEAPDUMP_H

#include <stdint.h>

#include "base/run_context.h"
#include "carbondump/error.h"

/* Checks, before a dump, that the file system of staging_dir (where the dump is
 * written) and that of the output directory (where the ZIP copies it) have room
 * for the dump estimated from the target's heap in use (heapdump_space.h). If
 * not, records the heapdump section as skipped with the reason (the manifest
 * and stderr say it) and returns -1; returns 0 to go ahead. A check that cannot
 * be made goes ahead with a warning. */
int cd_heapdump_admit(cd_run *run, const char *staging_dir);

/* The vm engine: the target JVM writes memoryinfo/java_heap_memory_dump.hprof.gz
 * into the staging area (staging as seen from here, staging_in_target as the
 * target sees it) with "GC.heap_dump -gz=1" over attach (jmap's semantics:
 * -all unless --live); --heap-redact then rewrites it as a stream. Admits the
 * dump first and records the heapdump section's outcome. Returns 0 or -1. */
int cd_heapdump_vm_run(cd_run *run, const char *staging, const char *staging_in_target);

/* Heap in use from the text of jcmd GC.heap_info: the "used" of each heap line
 * (G1, Parallel, Serial, ZGC, Shenandoah layouts of JDK 8 to 25), summed.
 * Returns 0, or -1 if the text has none. */
int cd_heap_info_used_bytes(const char *text, uint64_t *bytes);

#endif
