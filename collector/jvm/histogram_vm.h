/*
 * The class histogram from the VM's own heap inspection (the attach command
 * jmap -histo uses), for the default heap engine `vm`: the VM counts with its
 * parallel GC workers, so the target pauses several times less than for the
 * agent's single-threaded JVMTI walk. The agent's walk (--heap-engine jvmti)
 * remains the engine that needs no attach listener and no Java allocation, for
 * start-up mode and OutOfMemoryError.
 */
#ifndef CARBONDUMP_HISTOGRAM_VM_H
#define CARBONDUMP_HISTOGRAM_VM_H

#include "base/run_context.h"

/* Writes memoryinfo/java_heap_histogram.txt (the VM's text as jmap prints it)
 * and .json into run->host_staging. Runs as the target's user. */
int cd_histogram_vm(cd_run *run, cd_error *err);

#endif
