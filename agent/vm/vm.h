/*
 * The VM parts: what the JVM is and how it runs, apart from threads and heap
 * contents.
 *
 *   cd_part_jvm           javainfo/jvm_info.json: VM, version, arguments, properties
 *                         (jvm_info.c)
 *   cd_part_flags         javainfo/vm_flags.txt, system_properties.txt, vm_arguments.txt
 *                         (flags.c, vm_arguments.c)
 *   cd_part_gc            memoryinfo/gc_statistics.txt/.json (gc_stats.c over gc_events.c)
 *   cd_part_classloaders  memoryinfo/class_loader_statistics.txt/.json (classloaders.c)
 *   cd_part_finalizer     memoryinfo/objects_awaiting_finalization.txt/.json (finalizer.c)
 */
#ifndef CARBONDUMP_AGENT_VM_H
#define CARBONDUMP_AGENT_VM_H

#include "base/part.h"

/* javainfo/jvm_info.json. */
int cd_part_jvm(cd_part_ctx *ctx, cd_error *err);
/* vm_flags.txt, system_properties.txt and vm_arguments.txt. */
int cd_part_flags(cd_part_ctx *ctx, cd_error *err);
/* gc_statistics.txt and .json. */
int cd_part_gc(cd_part_ctx *ctx, cd_error *err);
/* class_loader_statistics.txt and .json. */
int cd_part_classloaders(cd_part_ctx *ctx, cd_error *err);
/* objects_awaiting_finalization.txt and .json. */
int cd_part_finalizer(cd_part_ctx *ctx, cd_error *err);

#endif
