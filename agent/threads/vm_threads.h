/*
 * The threads a jstack shows and JVMTI does not: the JavaThreads the VM
 * hides from JVMTI (compiler threads, Service Thread, Monitor Deflation
 * Thread, Sweeper thread ...) and the VM's non-Java threads (VM Thread, GC
 * workers, G1's concurrent threads, VM Periodic Task Thread ...), read from
 * the VM's own lists in the order jstack prints them.
 *
 * Where each datum comes from:
 *  - the JavaThreads, in the VM's order: ThreadsSMRSupport::_java_thread_list
 *    (structure table: the list, its length and its array);
 *  - the non-Java threads: NonJavaThread::_the_list, a static field the
 *    structure table does not describe, found in libjvm's symbol table
 *    (elf_symbols.h); each NonJavaThread's _next is its one field after
 *    Thread's (the table's type sizes say so);
 *  - a thread's class: its vtable, named by the symbol table ("vtable for
 *    CompilerThread"); it tells a compiler thread from a GC worker;
 *  - names of non-Java threads: NamedThread::_name, checked against the
 *    kernel's name of the same thread; java.lang.Thread fields of hidden
 *    JavaThreads (name, #id, priority, daemon, status): read from the Thread
 *    object, once the way to read it is checked on the agent's own thread
 *    against what JNI reads (vm_objects.h);
 *  - what a compiler thread compiles: CompilerThread::_env -> ciEnv::_task.
 *
 * Every read goes through cd_vm_read. The lists can change under the
 * reader (threads start and end; a collection can move a Thread object), so
 * a list is read again when it changed meanwhile, Java objects are read
 * between two looks at the heap's collection count, and a thread is kept
 * only when its OS thread is a live task of this process (threads.c checks
 * the nid against /proc). What cannot be read is left out, never guessed.
 */
#ifndef CARBONDUMP_AGENT_VM_THREADS_H
#define CARBONDUMP_AGENT_VM_THREADS_H

#include <stddef.h>
#include <stdint.h>

#include "threads_internal.h"
#include "vm_objects.h"

/* A JavaThread JVMTI does not list. */
typedef struct cd_vm_hidden_thread {
    uint64_t vm_thread; /* the JavaThread: tid= */
    size_t position;    /* in the VM's list of JavaThreads */
    cd_vm_thread_info os;
    const char *kind;         /* "JIT compiler" ..., NULL when its class says nothing */
    cd_vm_thread_fields java; /* from its java.lang.Thread, when java_known */
    int java_known;
    /* A compiler thread's line after its state: "No compile task" or
     * "Compiling: ..."; NULL for other threads. */
    char *compile_task;
    int merged; /* added to the dump's Java threads */
} cd_vm_hidden_thread;

/* A non-Java thread of the VM. */
typedef struct cd_vm_other_thread {
    uint64_t vm_thread; /* the Thread: tid= */
    cd_vm_thread_info os;
    const char *kind;
    char *name; /* the VM's name, or NULL (then the kernel's is used) */
} cd_vm_other_thread;

typedef struct cd_vm_census {
    uint64_t *java_list; /* the VM's JavaThreads, in its order */
    size_t java_count;
    cd_vm_hidden_thread *hidden;
    size_t hidden_count;
    cd_vm_other_thread *others; /* in the VM's order */
    size_t other_count;
    char note[CD_ERROR_MESSAGE_MAX]; /* what could not be read, or "" */
} cd_vm_census;

typedef struct cd_vm_threads cd_vm_threads;

/* Resolves what the census needs (structure table entries, libjvm's
 * symbols, the Java object layout, checked on the calling agent thread,
 * self). Never fails as a whole: what is missing is said by each census's
 * note. NULL only when out of memory or without a VM layout. */
cd_vm_threads *cd_vm_threads_open(cd_thread_session *session, jthread self);
void cd_vm_threads_close(cd_vm_threads *vm_threads);

/* Reads the VM's lists. known holds the JavaThreads JVMTI listed (any
 * order); the others are hidden. Returns 0, or -1 out of memory. */
int cd_vm_census_take(cd_vm_threads *vm_threads, const uint64_t *known, size_t known_count,
                      cd_vm_census *census);
void cd_vm_census_free(cd_vm_census *census);

/* Adds the hidden threads to dump (their states through state_of, a
 * JVMTI-bits mapper) and puts all its threads in the VM's order; the
 * session's per-thread arrays (jthreads, park) follow, with NULL and empty
 * entries for the hidden ones. Returns 0, or -1 out of memory. */
int cd_vm_census_merge(cd_vm_census *census, cd_thread_session *session, cd_thread_dump *dump);

/* The non-Java threads into dump->natives, named and checked against the
 * /proc data of the job (a thread whose nid is no live task is left out);
 * the threads of the process the VM does not know follow. Returns 0, or -1
 * out of memory. */
int cd_vm_census_natives(const cd_vm_census *census, const cd_proc_job *job, cd_thread_dump *dump);

#endif
