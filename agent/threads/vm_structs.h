/*
 * HotSpot's own description of its structures: the tables libjvm exports for
 * serviceability tools (gHotSpotVMStructs, gHotSpotVMTypes,
 * gHotSpotVMIntConstants; the SA behind jhsdb reads the same ones). They give
 * the offset of a field in a VM structure, the address of a static field, the
 * size of a type and named integer constants, by name, for the VM that is
 * running: nothing about a JDK's layout is compiled into the agent.
 *
 * The tables are static data of libjvm, read in place; they never change
 * while the VM runs. What they describe (threads, OS threads, heaps) is VM
 * memory that can change or go away at any moment, and is read only through
 * cd_vm_read (thread_os.c).
 */
#ifndef CARBONDUMP_AGENT_VM_STRUCTS_H
#define CARBONDUMP_AGENT_VM_STRUCTS_H

#include <jvmti.h>
#include <stdint.h>

#include "carbondump/error.h"

typedef struct cd_vm_structs cd_vm_structs;

/* Finds libjvm (through a function of the JVMTI table it implements) and its
 * tables. NULL with err when this VM exports none (not HotSpot). */
cd_vm_structs *cd_vm_structs_open(jvmtiEnv *jvmti, cd_error *err);
void cd_vm_structs_close(cd_vm_structs *structs);

/* The offset of a non-static field of type, -1 when the table has none. */
long cd_vm_structs_offset(const cd_vm_structs *structs, const char *type, const char *field);

/* The address of a static field of type, 0 when the table has none. */
uint64_t cd_vm_structs_static(const cd_vm_structs *structs, const char *type, const char *field);

/* The size of a type in bytes, -1 when the table does not describe it. */
long cd_vm_structs_type_size(const cd_vm_structs *structs, const char *type);

/* A named integer constant; 0, or -1 when the table has none. */
int cd_vm_structs_constant(const cd_vm_structs *structs, const char *name, int *value);

/* libjvm's file and the address it is loaded at (its symbol values are
 * relative to it). */
const char *cd_vm_structs_library(const cd_vm_structs *structs);
uint64_t cd_vm_structs_library_base(const cd_vm_structs *structs);

#endif
