/*
 * Reading a java.lang.Thread from VM memory, without JNI: the fields of the
 * threads JVMTI hides (their name, #id, priority, daemon flag and status),
 * for which no JVMTI function hands out a reference.
 *
 * JavaThread::_threadObj leads to the object, and its fields are at the
 * offsets the VM itself uses, which are the ones HotSpot encodes in a JNI
 * field ID (offset << 2, with bit 1 marking an instance field). None of this
 * is taken on trust: cd_vm_objects_learn reads the agent's own Thread that
 * way, field by field, and compares every value (the #id, priority, daemon,
 * status, the name's String, its array's length and bytes) with what JNI
 * reads; references inside objects are decoded as compressed (the structure
 * table's CompressedOops base and shift) or full pointers, whichever agrees
 * with JNI. A collector whose references are not addresses (generational
 * ZGC's coloured pointers) does not agree, and nothing is read.
 *
 * A collection can move objects while they are read: reads are done between
 * two looks at the heap's collection count (CollectedHeap's
 * _total_collections), and again when a collection came between.
 */
#ifndef CARBONDUMP_AGENT_VM_OBJECTS_H
#define CARBONDUMP_AGENT_VM_OBJECTS_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

#include "threads_internal.h"

typedef struct cd_vm_objects cd_vm_objects;

/* Learns how to read a java.lang.Thread on self, the calling agent thread.
 * NULL with why (a sentence) when the layout does not check out, or out of
 * memory. No Java code runs and no Java object is allocated. */
cd_vm_objects *cd_vm_objects_learn(cd_thread_session *session, jthread self, char *why,
                                   size_t why_size);
void cd_vm_objects_free(cd_vm_objects *objects);

/* A thread's java.lang.Thread fields. */
typedef struct cd_vm_thread_fields {
    char *name; /* malloc'd, modified UTF-8 as JVMTI gives names */
    int64_t java_id;
    int priority, daemon;
    int status; /* threadStatus: JVMTI state bits */
} cd_vm_thread_fields;

/* Reads the fields of count JavaThreads into fields[i] (ok[i] set when they
 * were read), between two equal collection counts, a few times at most.
 * Returns 0, or -1 when the heap was collected during every attempt (then
 * no ok[i] is set). */
int cd_vm_objects_read_threads(const cd_vm_objects *objects, const uint64_t *java_threads,
                               size_t count, cd_vm_thread_fields *fields, unsigned char *ok);

#endif
