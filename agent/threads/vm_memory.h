/*
 * Typed reads of VM memory for the code that walks the VM's structures
 * (vm_threads.c, vm_objects.c), over cd_vm_read (thread_os.c): every read
 * goes through process_vm_readv or /proc/self/mem, so that an address that
 * is no longer valid fails the read instead of faulting.
 */
#ifndef CARBONDUMP_AGENT_VM_MEMORY_H
#define CARBONDUMP_AGENT_VM_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "threads_internal.h"

/* size bytes at address into out: 0, or -1 when they cannot be read. */
static inline int cd_vm_read_bytes(const cd_vm_layout *layout, uint64_t address, void *out,
                                   size_t size)
{
    cd_vm_piece piece = {address, out, size, 0};
    cd_vm_read(layout, &piece, 1);
    return piece.ok ? 0 : -1;
}

/* A 32-bit value at address, as cd_vm_read_bytes. */
static inline int cd_vm_read_u32(const cd_vm_layout *layout, uint64_t address, uint32_t *out)
{
    return cd_vm_read_bytes(layout, address, out, sizeof *out);
}

/* A 16-bit value at address, as cd_vm_read_bytes. */
static inline int cd_vm_read_u16(const cd_vm_layout *layout, uint64_t address, uint16_t *out)
{
    return cd_vm_read_bytes(layout, address, out, sizeof *out);
}

/* The pointer field at base + offset (offset -1: the structure has none);
 * 0 when it cannot be read. */
static inline uint64_t cd_vm_read_pointer(const cd_vm_layout *layout, uint64_t base, long offset)
{
    uint64_t value = 0;
    if (!base || offset < 0 || cd_vm_read_u64(layout, base + (uint64_t)offset, &value) != 0)
        return 0;
    return value;
}

#endif
