/*
 * Which function produces which section. A section without an entry is
 * reported by the runtime as skipped, "not implemented", never faked.
 */
#include "base/part.h"
#include "heap/heap.h"
#include "threads/threads.h"
#include "vm/vm.h"
#include "runtime.h"

cd_part_fn cd_agent_part(cd_section section)
{
    switch (section) {
    case CD_SECTION_JVM:
        return cd_part_jvm;
    case CD_SECTION_THREADS:
        return cd_part_threads;
    case CD_SECTION_HISTOGRAM:
        return cd_part_histogram;
    case CD_SECTION_HEAP_SUMMARY:
        return cd_part_heap_summary;
    case CD_SECTION_FINALIZER:
        return cd_part_finalizer;
    case CD_SECTION_CLASSLOADERS:
        return cd_part_classloaders;
    case CD_SECTION_GC:
        return cd_part_gc;
    case CD_SECTION_FLAGS:
        return cd_part_flags;
    case CD_SECTION_HEAPDUMP:
        return cd_part_heapdump;
    default:
        return NULL;
    }
}
