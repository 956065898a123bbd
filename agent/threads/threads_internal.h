/*
 * The threads part's collection side, shared by its files:
 *
 *   threads.c        the part: samples, JVMTI threads, states, stacks, CPU,
 *                    and the files it writes
 *   thread_frames.c  frames to text parts: methods, classes, modules, lines
 *   thread_os.c      nid, the VM's thread state word and stack pointer (from
 *                    the VM's own structure table), /proc, native threads
 *   thread_locks.c   lock lines, ownable synchronizers, virtual threads and
 *                    the live check of deadlock cycles
 *   vm_threads.c     the threads JVMTI does not list, from the VM's own lists
 *                    (vm_structs.c reads the VM's structure table for both)
 *
 * One cd_thread_session lives for one request (all its samples); it holds
 * the JNI handles and caches that do not change between samples.
 */
#ifndef CARBONDUMP_AGENT_THREADS_INTERNAL_H
#define CARBONDUMP_AGENT_THREADS_INTERNAL_H

#include <jni.h>
#include <jvmti.h>
#include <pthread.h>

#include "base/part.h"
#include "thread_model.h"

/* ---------------------------------------------------------------- JDK classes */

/* The JDK classes whose fields the part reads, found among the loaded
 * classes (vm_fields.h) rather than with FindClass, which may run a class
 * loader or throw: no Java allocation. Global references; NULL when this JDK
 * has no such class (VirtualThread before 21, Module before 9). */
typedef struct cd_jdk_classes {
    jclass thread, thread_holder, synchronizer, virtual_thread, module, module_descriptor,
        module_version;
} cd_jdk_classes;

/* ---------------------------------------------------------------- frames */

typedef struct cd_method_cache cd_method_cache;

/* An empty cache of method names for one session; NULL when out of memory.
 * java_allowed permits Java calls where JVMTI and fields cannot answer. */
cd_method_cache *cd_method_cache_new(jvmtiEnv *jvmti, JNIEnv *jni, int java_allowed,
                                     const cd_jdk_classes *classes);
/* Frees the cache and what it holds. */
void cd_method_cache_free(cd_method_cache *cache, JNIEnv *jni);
/* From now on, methods resolved from JVMTI frames get cd_method.may_lock
 * worked out from their modifiers and bytecode (one GetBytecodes each). */
void cd_method_cache_want_lock_hints(cd_method_cache *cache);

/* Resolves JVMTI frames into dump's arena. Frames whose method cannot be
 * resolved (its class was unloaded meanwhile) print as "<unknown method>".
 * Returns 0 or -1 out of memory. */
int cd_frames_from_jvmti(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni,
                         const jvmtiFrameInfo *frames, int count, cd_thread_dump *dump,
                         cd_frame **out);

/* Resolves a java.lang.StackTraceElement[] (ThreadInfo.getStackTrace(),
 * Thread.getStackTrace()) by reading its fields: no Java call, no Java
 * allocation. Returns 0, or -1 with err (a JDK whose StackTraceElement has
 * other fields). */
int cd_frames_from_java(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni, jobjectArray elements,
                        cd_thread_dump *dump, cd_frame **out, int *count, cd_error *err);

/* Class.getName() of obj's class (owned by the cache); NULL if unknown. */
const char *cd_object_class_name(cd_method_cache *cache, jvmtiEnv *jvmti, JNIEnv *jni,
                                 jobject object, cd_thread_dump *dump);

/* ---------------------------------------------------------------- os */

typedef struct cd_vm_layout cd_vm_layout;

/* Finds the VM's structure table (gHotSpotVMStructs in libjvm) and checks it
 * by reading the calling thread's own OS thread id through it. Returns NULL
 * with err saying why when the layout is unknown or does not check out; the
 * dump then has no nid= and no native thread list, never a guessed one. */
cd_vm_layout *cd_vm_layout_open(jvmtiEnv *jvmti, uint64_t self_vm_thread, cd_error *err);
void cd_vm_layout_close(cd_vm_layout *layout);

typedef struct cd_vm_thread_info {
    int64_t nid;          /* -1 when not readable */
    const char *os_state; /* static word, or NULL */
    uint64_t last_java_sp;
} cd_vm_thread_info;

/* One read of VM memory: size bytes at address into out; ok says whether
 * they were read. */
typedef struct cd_vm_piece {
    uint64_t address;
    void *out;
    size_t size;
    int ok;
} cd_vm_piece;

/* Reads every piece (a zero address fails), as many per system call as the
 * kernel takes: through process_vm_readv on this process, or /proc/self/mem,
 * so that a bad address fails the piece instead of faulting. */
void cd_vm_read(const cd_vm_layout *layout, cd_vm_piece *pieces, size_t count);
/* One 8-byte read: 0, or -1 when the address cannot be read. */
int cd_vm_read_u64(const cd_vm_layout *layout, uint64_t address, uint64_t *out);

/* The structure tables the layout was found in (vm_structs.h). */
struct cd_vm_structs;
const struct cd_vm_structs *cd_vm_layout_structs(const cd_vm_layout *layout);
/* Thread::_osthread, the same in every kind of VM thread. */
long cd_vm_layout_osthread_offset(const cd_vm_layout *layout);

/* Reads the OS threads of count JavaThreads (vm_threads[i], 0 for none)
 * into info[i], in a few system calls whatever the count; nid is -1 where a
 * thread cannot be read. Only call while the threads are known alive; the
 * caller re-checks Thread.eetop afterwards. */
void cd_vm_threads_read(const cd_vm_layout *layout, const uint64_t *vm_threads, size_t count,
                        cd_vm_thread_info *info);

/* The same for other threads of the VM (Thread, not JavaThread: no stack
 * pointer is read). */
void cd_vm_other_threads_read(const cd_vm_layout *layout, const uint64_t *threads, size_t count,
                              cd_vm_thread_info *info);

/* /proc/self/task opened once per dump (-1 if it cannot be: paths are used). */
int cd_proc_task_dir(void);

/* From /proc/self/task/<nid>/stat: os_prio (nice), elapsed since the thread
 * started, the kernel state letter and the kernel's name (comm, 15 bytes).
 * Returns 0, or -1 if there is no such thread. */
typedef struct cd_proc_thread {
    int nice;
    int64_t elapsed_ms;
    uint64_t start_ticks; /* since boot, in clock ticks */
    char state;
    char comm[32];
} cd_proc_thread;
int cd_proc_thread_read(int task_dir, int64_t nid, cd_proc_thread *out);

/* CPU time of any thread of this process by its Linux id, -1 if gone. */
int64_t cd_proc_thread_cpu_ns(int64_t nid);

/* The operating system's side of one dump, done on a native thread of its
 * own while the agent thread waits for the VM (the ThreadMXBean snapshots):
 * first the OS thread (nid, state word, last Java stack pointer) of every
 * thread JVMTI listed, read from VM memory through their JavaThreads, and
 * its CPU clock; then os_prio and elapsed of every Java thread, and the
 * other threads of the process (the ones JVMTI does not list). The helper
 * touches nothing but the job, the layout (read only) and the start times
 * kept from the previous dump (see thread_os.c), which only the one request
 * running at a time uses. */
typedef struct cd_native_job_thread {
    int64_t nid;
    int64_t cpu_ns;
    cd_proc_thread proc;
} cd_native_job_thread;

typedef struct cd_proc_job {
    /* the threads JVMTI listed: JavaThread addresses and Java ids in, OS
     * thread and CPU time out (nid -1, cpu_ns -1 where unread) */
    const cd_vm_layout *layout; /* NULL: their VM memory is not read */
    uint64_t *vm_threads;
    int64_t *vm_java_ids;
    cd_vm_thread_info *vm_info;
    int64_t *vm_cpu_ns;
    size_t vm_count;
    /* every Java thread by Linux id, the listed ones' added once read */
    int64_t *nids;     /* sorted once the listed ones are in */
    int64_t *java_ids; /* java_ids[i] goes with nids[i], -1 if unknown */
    size_t count;
    cd_proc_thread *stats;
    unsigned char *alive;
    cd_native_job_thread *natives;
    size_t native_count;
    pthread_t thread;
    int prepared, started, finished;
} cd_proc_job;

/* Starts the job for vm_count threads JVMTI listed (their JavaThreads and
 * Java ids, read through layout) and count more Java threads whose Linux
 * ids are known (any order). Returns 0, or -1 out of memory. Done in the
 * caller's thread at finish time if no thread can be started. */
int cd_proc_job_start(cd_proc_job *job, const cd_vm_layout *layout, const uint64_t *vm_threads,
                      const int64_t *vm_java_ids, size_t vm_count, const int64_t *nids,
                      const int64_t *java_ids, size_t count);
void cd_proc_job_finish(cd_proc_job *job);
/* After finish: the stat of a Java thread's id, NULL if it is no live task. */
const cd_proc_thread *cd_proc_job_thread(const cd_proc_job *job, int64_t nid);
/* After finish: the other threads (sorted by id) appended to dump->natives. */
int cd_proc_job_natives(const cd_proc_job *job, cd_thread_dump *dump);
void cd_proc_job_free(cd_proc_job *job);

/* ---------------------------------------------------------------- session */

typedef struct cd_thread_session {
    cd_part_ctx *ctx;
    jvmtiEnv *jvmti;
    JNIEnv *jni;
    int java_allowed; /* Java calls and allocation allowed (the heap is not exhausted) */

    cd_jdk_classes classes;
    jfieldID thread_id_field, eetop_field, park_blocker_field;
    /* Thread.name, and priority and daemon on the Thread itself (JDK 17) or
     * on its Thread$FieldHolder (holder_field, JDK 19+): all three known, or
     * all NULL and JVMTI's GetThreadInfo is asked instead. */
    jfieldID name_field, holder_field, priority_field, daemon_field;
    jclass synchronizer_class; /* = classes.synchronizer, when its owner field is known */
    jfieldID synchronizer_owner_field;
    jclass virtual_thread_class; /* = classes.virtual_thread, when its fields are known */
    jfieldID virtual_state_field, virtual_carrier_field;
    jint virtual_new, virtual_terminated;

    cd_method_cache *methods;
    cd_vm_layout *layout;
    char layout_problem[CD_ERROR_MESSAGE_MAX];

    char *vm_name, *vm_version, *vm_info;
    cd_dump_style style;

    int64_t self_java_id; /* the agent thread running the part */
    /* JVMTI monitor functions held (the agent was loaded at start-up). */
    int jvmti_monitors;
    /* Per thread of the dump being collected: jthreads[i] and park[i] belong
     * to dump->threads[i] (NULL and empty for the VM's hidden threads). */
    jthread *jthreads;
    struct cd_park_blocker *park;

    /* The VM's own thread lists (vm_threads.h), NULL when unreadable, and
     * what they held for the dump being collected. */
    struct cd_vm_threads *vm_threads;
    struct cd_vm_census *census;
} cd_thread_session;

/* Opens the session for a request's dumps (thread_session.c); close it
 * whether or not opening succeeded. */
int cd_thread_session_open(cd_thread_session *s, cd_part_ctx *ctx, cd_error *err);
void cd_thread_session_close(cd_thread_session *s);

/* A thread's state and the detail of its state line from JVMTI state bits
 * (GetThreadState, or java.lang.Thread's threadStatus, which uses them). */
void cd_thread_map_state(jint state, cd_thread *thread);

/* Java id (Thread.tid) of a java.lang.Thread, -1 if unknown. No Java calls. */
int64_t cd_thread_java_id(cd_thread_session *session, jobject thread);

/* The VM's JavaThread of a java.lang.Thread (Thread.eetop), 0 if unknown or
 * ended. No Java calls. */
uint64_t cd_thread_vm_thread(cd_thread_session *session, jthread thread);

/* A thread's name (in the dump's arena), priority and daemon flag. */
typedef struct cd_thread_basics {
    const char *name;
    int priority, daemon;
} cd_thread_basics;

/* From the Thread object's fields, or JVMTI's GetThreadInfo where they are
 * not the ones expected. Returns 0, 1 when the thread ended meanwhile, -1
 * out of memory. */
int cd_thread_basics_read(cd_thread_session *session, cd_thread_dump *dump, jthread thread,
                          cd_thread_basics *out);

/* ---------------------------------------------------------------- locks */

/* Start-up path, per thread while it is being collected: contended monitor,
 * owned monitors with their depths (JVMTI). */
void cd_locks_from_jvmti(cd_thread_session *session, cd_thread_dump *dump, cd_thread *thread,
                         jthread jthread);

/* What a thread is parked on (Thread.parkBlocker), read before its stack is
 * known. */
typedef struct cd_park_blocker {
    int present;
    cd_object object;
    int synchronizer; /* an AbstractOwnableSynchronizer */
    int64_t owner;    /* its exclusive owner's java id, -1 if none */
} cd_park_blocker;

/* Both paths, per thread: the park blocker (a JNI field read) into
 * session->park[index]. */
void cd_locks_park_blocker(cd_thread_session *session, cd_thread_dump *dump, size_t index,
                           jthread jthread);

/* Once stacks are known: "- parking to wait for" under each parked thread's
 * top frame, and the wait-for edge of threads parked on a synchronizer. */
void cd_locks_apply_park(cd_thread_session *session, cd_thread_dump *dump);

/* Late-attach path, once JVMTI gave every thread its stack and state: one
 * ThreadMXBean.getThreadInfo(ids, true, false) snapshot of the threads that
 * can have a lock line (blocked, in Object.wait, or running a method that is
 * synchronized or has a monitorenter) gives each of those (seen[i] set) its
 * stack, state and lock lines from one safepoint, as jstack's. A thread with
 * no such frame holds no monitor, so it is not asked for: on a server with
 * thousands of pooled threads the VM builds a few dozen ThreadInfo objects
 * instead of thousands. Calls Java. */
int cd_locks_from_mxbean(cd_thread_session *session, cd_thread_dump *dump, unsigned char *seen,
                         cd_error *err);

/* Ownable synchronizers of every thread from one stack-less ThreadMXBean
 * snapshot (dumpAllThreads(false, true, 0)): the VM finds them with a heap
 * walk of its own at one safepoint, as for jstack -l, several times quicker
 * than a JVMTI heap iteration, and builds no stack traces. A thread missing
 * from the snapshot (started since) keeps synchronizers_known 0. Calls Java. */
int cd_locks_synchronizers_from_mxbean(cd_thread_session *session, cd_thread_dump *dump,
                                       cd_error *err);

/* Threads in Object.wait() whose object JVMTI did not name (JDK 23+ no
 * longer reports it through GetCurrentContendedMonitor): ThreadMXBean names
 * it when Java allocation is allowed; otherwise the line says the object is
 * unknown, as jstack does when it cannot tell. */
void cd_locks_fill_wait_objects(cd_thread_session *session, cd_thread_dump *dump);

/* Owners of contended monitors (JVMTI path), from the owned monitors seen. */
void cd_locks_link_monitor_owners(cd_thread_dump *dump);

/* One heap walk (private JVMTI environment, tags only): with synchronizers
 * (when ThreadMXBean cannot be used: an exhausted heap), every ownable
 * synchronizer with an owner goes to its owner's "Locked ownable
 * synchronizers"; live and mounted virtual threads are counted and the
 * mounted ones attached to their carriers. Without synchronizers the walk
 * passes only java.lang.VirtualThread objects to the agent (a class filter
 * the VM applies before any tag lookup). No walk when neither is asked for.
 * No Java allocation unless session->java_allowed (virtual thread stacks). */
int cd_locks_heap_scan(cd_thread_session *session, cd_thread_dump *dump, int synchronizers,
                       cd_error *err);

/* Drops the deadlock cycles the live VM does not confirm (a cycle assembled
 * from data read at different moments). */
void cd_deadlocks_confirm(cd_thread_session *session, cd_thread_dump *dump);

#endif
