/*
 * A thread dump as plain data, and the pure code that works on it.
 *
 * The threads part (threads.c and its neighbours) fills a cd_thread_dump
 * through JVMTI, JNI field reads, ThreadMXBean and /proc; everything after that
 * (the jstack -l text, threads.json, deadlock cycles, hot threads across
 * samples) is pure C over this model, with no JVM types, so the unit tests can
 * pin it down without a JVM:
 *
 *   thread_model.c   the arena, the dump's storage, names made safe
 *   thread_format.c  the jstack -l text
 *   thread_json.c    threads.json
 *   deadlocks.c      wait-for cycles (monitors and ownable synchronizers) and
 *                    their jstack report
 *   hot_threads.c    CPU, states and stuck threads across samples
 *
 * Ownership: every string and array of a dump lives in its arena and dies with
 * cd_thread_dump_free(); frames point at cd_method records owned by whoever
 * resolved them (the collector's method cache, or a test), which must outlive
 * the dump.
 *
 * Object ids: objects (monitors, park blockers, synchronizers) are named by
 * their identity hash code, the one value JVMTI (GetObjectHashCode) and
 * java.lang.management (LockInfo.getIdentityHashCode) agree on. It is stable
 * for the object's lifetime, so inside one dump, and across samples, the same
 * object always prints the same <0x...>; jstack prints addresses instead.
 */
#ifndef CARBONDUMP_AGENT_THREAD_MODEL_H
#define CARBONDUMP_AGENT_THREAD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "carbondump/error.h"
#include "carbondump/sink.h"

/* ---------------------------------------------------------------- arena */

/* Bump allocator: many small strings and arrays, freed all at once. */
typedef struct cd_arena_block cd_arena_block;
typedef struct cd_arena {
    cd_arena_block *blocks;
    size_t bytes; /* handed out so far */
} cd_arena;

/* Zeroed memory, or NULL when out of memory. */
void *cd_arena_alloc(cd_arena *arena, size_t size);
char *cd_arena_strdup(cd_arena *arena, const char *text);
char *cd_arena_strndup(cd_arena *arena, const char *text, size_t len);
void cd_arena_free(cd_arena *arena);

/* ---------------------------------------------------------------- model */

/* java.lang.Thread.State, as JVMTI reports it. */
typedef enum cd_thread_state {
    CD_THREAD_NEW,
    CD_THREAD_RUNNABLE,
    CD_THREAD_BLOCKED,
    CD_THREAD_WAITING,
    CD_THREAD_TIMED_WAITING,
    CD_THREAD_TERMINATED,
} cd_thread_state;

/* The parenthesised part of jstack's state line. */
typedef enum cd_state_detail {
    CD_DETAIL_NONE,
    CD_DETAIL_OBJECT_MONITOR, /* "(on object monitor)": monitor enter or Object.wait */
    CD_DETAIL_SLEEPING,       /* "(sleeping)" */
    CD_DETAIL_PARKING,        /* "(parking)" */
} cd_state_detail;

/* A method as printed in a frame; shared by every frame running it. */
typedef struct cd_method {
    const char *class_name;  /* Class.getName() form: "java.lang.Thread", "Foo$$Lambda/0x..." */
    const char *method_name; /* "sleep", "<init>" */
    const char *module;      /* "java.base@17.0.15", "name", or NULL (unnamed module) */
    const char *source_file; /* "Thread.java", or NULL */
    int is_native;
    int may_lock; /* synchronized, or its bytecode has monitorenter; 1 when not known */
} cd_method;

typedef struct cd_frame {
    const cd_method *method;
    int line; /* -1 when unknown */
} cd_frame;

/* An object a lock line names. */
typedef struct cd_object {
    uint32_t id;            /* identity hash code */
    const char *class_name; /* Class.getName() form */
} cd_object;

/* The lock lines of a stack, in jstack's words. */
typedef enum cd_lock_action {
    CD_LOCK_LOCKED,            /* "- locked <id> (a X)" */
    CD_LOCK_WAITING_TO_LOCK,   /* "- waiting to lock <id> (a X)" */
    CD_LOCK_WAITING_ON,        /* "- waiting on <id> (a X)" */
    CD_LOCK_WAITING_TO_RELOCK, /* "- waiting to re-lock in wait() <id> (a X)" */
    CD_LOCK_PARKING,           /* "- parking to wait for  <id> (a X)" */
    CD_LOCK_WAITING_ON_UNKNOWN /* "- waiting on <no object reference available>" */
} cd_lock_action;

/* A lock line printed under the frame at depth (0 = top). Lines of one frame
 * are kept in the order they print. */
typedef struct cd_frame_lock {
    int depth;
    cd_lock_action action;
    cd_object object;
} cd_frame_lock;

/* What a thread waits for, as an edge of the wait-for graph. */
typedef enum cd_wait_kind {
    CD_WAIT_NONE,
    CD_WAIT_MONITOR,      /* BLOCKED entering (or re-entering) a monitor */
    CD_WAIT_SYNCHRONIZER, /* parked on an AbstractOwnableSynchronizer */
} cd_wait_kind;

/* A platform (or carrier) Java thread. Unknown numbers are -1. */
typedef struct cd_thread {
    const char *name; /* as JVMTI gives it: modified UTF-8, any characters */
    int64_t java_id;  /* Thread.getId(), jstack's #N */
    int daemon;
    int priority;
    int os_priority;       /* os_prio=, the nice value; INT32_MIN when unknown */
    int64_t cpu_ns;        /* JVMTI thread CPU time */
    int64_t elapsed_ms;    /* since the native thread started */
    uint64_t vm_thread;    /* tid=: the VM's JavaThread address; 0 when unknown */
    int64_t nid;           /* Linux thread id; -1 when unknown (never guessed) */
    const char *os_state;  /* the VM's word after nid= ("runnable"), or NULL */
    uint64_t last_java_sp; /* the [0x...] of the thread line (0 when none) */
    cd_thread_state state;
    cd_state_detail detail;
    int in_native; /* JVMTI_THREAD_STATE_IN_NATIVE */

    cd_frame *frames;
    int frame_count;
    int frames_omitted; /* frames beyond the depth limit, not listed */

    cd_frame_lock *locks;
    int lock_count;

    /* Locked ownable synchronizers; synchronizers_known 0: "not available". */
    cd_object *synchronizers;
    int synchronizer_count;
    int synchronizers_known;

    /* The wait-for edge, for deadlock detection. */
    cd_wait_kind wait_kind;
    cd_object waiting_for;
    int64_t waiting_for_owner; /* java id of the owner, -1 if none or unknown */

    /* A virtual thread mounted on this carrier (JDK 21+), -1 if none. */
    int64_t carried_virtual_id;
    cd_frame *virtual_frames;
    int virtual_frame_count;
    int virtual_frames_known;

    /* A JavaThread the VM keeps from JVMTI (a compiler thread, the Service
     * Thread ...), read from the VM's own list: no stack, no lock lines. */
    int vm_internal;
    const char *kind;         /* what the VM's thread does ("JIT compiler"), or NULL */
    const char *compile_task; /* a compiler thread's "No compile task" or "Compiling: ..." */
} cd_thread;

/* A thread of the process that is no Java thread: one of the VM's own (VM
 * Thread, GC workers ..., vm_internal), found in the VM's list, or another
 * (a native library's, the launcher's), found in /proc. */
typedef struct cd_native_thread {
    const char *name; /* the VM's name, else the kernel's comm (at most 15 bytes of it) */
    int64_t nid;
    int64_t cpu_ns;
    int64_t elapsed_ms;
    int os_priority;
    const char *os_state; /* the VM's word, else "runnable" or "waiting on condition" (/proc) */
    int vm_internal;      /* one of the VM's threads */
    uint64_t vm_thread;   /* its Thread (tid=), 0 when unknown */
    const char *kind;     /* "GC", "VM operations" ..., or NULL */
} cd_native_thread;

/* One cycle of the wait-for graph: threads[i] waits for an object that
 * threads[(i + 1) % count] holds. Indexes into cd_thread_dump.threads. */
typedef struct cd_deadlock {
    size_t *threads;
    size_t count;
} cd_deadlock;

/* How a jstack of this JDK words its thread line. */
typedef struct cd_dump_style {
    int jdk_feature;    /* 8, 11, 17, 25 ... (0 unknown: the newest style) */
    int nid_decimal;    /* JDK 18+: nid=12345, before: nid=0x3039 */
    int os_id_after_id; /* JDK 19+: "#3 [12345]" */
    int cpu_elapsed;    /* JDK 11+: cpu=...ms elapsed=...s */
} cd_dump_style;

/* Derives the style from java.specification.version ("1.8", "17", "25"). */
void cd_dump_style_for(const char *spec_version, cd_dump_style *style);

typedef struct cd_thread_dump {
    cd_arena arena;
    uint64_t wall_ms;       /* when the dump started */
    const char *vm_name;    /* java.vm.name */
    const char *vm_version; /* java.vm.version */
    const char *vm_info;    /* java.vm.info */
    cd_dump_style style;

    cd_thread *threads;
    size_t count, capacity;

    cd_native_thread *natives; /* the VM's in its order, then the others by id */
    size_t native_count;
    const char *natives_note;    /* why native threads are not listed, or NULL */
    const char *vm_threads_note; /* what could not be read of the VM's own threads, or NULL */

    /* Where the lock lines came from ("jvmti", "thread_mxbean") or NULL with
     * locks_note saying why there are none. */
    const char *locks_source;
    const char *locks_note;
    const char *synchronizers_note; /* why "Locked ownable synchronizers" is unknown */

    int64_t virtual_threads;         /* live virtual threads; -1 unknown or none on this JDK */
    int64_t virtual_threads_mounted; /* of which mounted on a carrier */
    const char *virtual_note;        /* why the count is unknown, or NULL */

    cd_deadlock *deadlocks;
    size_t deadlock_count;
    int deadlocks_checked; /* 0: not enough lock data to look for deadlocks */

    int threads_skipped; /* threads that exited while being dumped */
} cd_thread_dump;

/* An empty dump. */
void cd_thread_dump_init(cd_thread_dump *dump);
/* Frees the dump's threads, texts and deadlocks; the dump is empty again. */
void cd_thread_dump_free(cd_thread_dump *dump);

/* Appends a zeroed thread (unknown numbers set to -1). NULL when out of memory. */
cd_thread *cd_thread_dump_add(cd_thread_dump *dump);

/* The thread with java_id, or NULL. Linear: callers with many lookups build
 * their own index (cd_thread_index). */
cd_thread *cd_thread_dump_find(cd_thread_dump *dump, int64_t java_id);

/* java id -> thread index, for dumps with thousands of threads. */
typedef struct cd_thread_index {
    int64_t *keys;
    size_t *values;
    size_t slots;
} cd_thread_index;

/* Indexes dump's threads by Java id: 0, or -1 when out of memory. */
int cd_thread_index_build(cd_thread_index *index, const cd_thread_dump *dump);
/* The index of the thread with java_id, or (size_t)-1. */
size_t cd_thread_index_get(const cd_thread_index *index, int64_t java_id);
void cd_thread_index_free(cd_thread_index *index);

/* Adds a lock line; NULL out of memory. Lines for one depth print in the
 * order added. */
int cd_thread_add_lock(cd_thread_dump *dump, cd_thread *thread, int depth, cd_lock_action action,
                       cd_object object);

/* Sorts a thread's lock lines by depth, keeping the order within a depth. */
void cd_thread_sort_locks(cd_thread *thread);

/* ---------------------------------------------------------------- text */

/* Escape modes for names and class names coming from the JVM. */
typedef enum cd_text_mode {
    CD_TEXT_DUMP, /* valid UTF-8; line breaks and control characters as \n, \r, \uXXXX */
    CD_TEXT_JSON  /* valid UTF-8; control characters kept (the JSON writer escapes them) */
} cd_text_mode;

/* Converts modified UTF-8 (what JVMTI and JNI hand out: supplementary
 * characters as surrogate pairs, NUL as C0 80) or any bytes into valid UTF-8:
 * pairs are joined, lone surrogates and invalid bytes become U+FFFD, NUL
 * becomes U+FFFD in JSON mode and \u0000 in dump mode. Returns a malloc'd
 * string, or NULL when out of memory. */
char *cd_text_clean(const char *text, cd_text_mode mode);

/* Whether text is printable ASCII (tabs allowed): cd_text_clean would return
 * it unchanged, in either mode. Almost every class, method and thread name. */
int cd_text_is_plain(const char *text);

/* jstack's state line text: "RUNNABLE", "WAITING (parking)" ... */
const char *cd_thread_state_text(cd_thread_state state, cd_state_detail detail);

/* "java.lang.Thread.sleep(java.base@17.0.15/Native Method)": the part after
 * "\tat " of a frame line, into out (truncated to outlen). */
void cd_frame_text(const cd_frame *frame, char *out, size_t outlen);

/* The jstack -l text of a whole dump: header, every thread with its lock
 * lines and ownable synchronizers, the native threads, notes, and the
 * deadlock report. Returns the sink's state. */
int cd_dump_write_text(cd_sink *sink, const cd_thread_dump *dump);

/* One thread's block ("\"name\" #1 ..." through the blank line after its
 * synchronizers). */
int cd_dump_write_thread(cd_sink *sink, const cd_thread_dump *dump, const cd_thread *thread);

/* The frames of a stack with their lock lines, as jstack prints them. */
int cd_dump_write_frames(cd_sink *sink, const cd_thread *thread);

/* threads.json (schema in docs/threads.md), streamed thread by thread so that
 * memory does not grow with the number of threads. extra is a cJSON object
 * (owned by the caller, may be NULL) whose members are added at the top level
 * (samples, hot threads). Returns 0 or -1 with err. */
struct cJSON;
int cd_dump_write_json(cd_sink *sink, const cd_thread_dump *dump, const struct cJSON *extra,
                       cd_error *err);

/* ---------------------------------------------------------------- deadlocks */

/* Finds every cycle of the wait-for graph (each thread waits for at most one
 * object, so each cycle is found once) and stores them in dump->deadlocks,
 * each starting at its member that comes first in the dump. Threads that wait
 * for a deadlocked thread without being on the cycle are not part of it.
 * Returns the number of cycles, or -1 when out of memory. */
int cd_deadlocks_find(cd_thread_dump *dump);

/* jstack's deadlock report: for each cycle "Found one Java-level deadlock:",
 * the wait-for lines, "Java stack information for the threads listed
 * above:", the stacks; then "Found N deadlock(s)." Nothing when none. */
int cd_deadlocks_write_text(cd_sink *sink, const cd_thread_dump *dump);

/* ---------------------------------------------------------------- samples */

/* What hot_threads.c keeps of each sample: enough to compare, not the dump.
 * A thread that is no Java thread (the VM's own, or another of the process)
 * has java_id -1 and is matched across samples by nid. */
typedef struct cd_sample_thread {
    int64_t java_id;
    char *name; /* malloc'd, as in the dump */
    const char *kind; /* what a VM thread does ("GC", "JIT compiler"), static, or NULL */
    int vm_internal;  /* one of the VM's own threads */
    cd_thread_state state;
    cd_state_detail detail;
    int64_t cpu_ns;
    int64_t nid;
    uint64_t top_hash; /* of the top CD_SAMPLE_TOP_FRAMES frames; 0 without frames */
    char *top_frame;   /* the top frame's text, malloc'd, or NULL */
    /* What it waits for, held by whom (the dump's wait-for edge). */
    cd_wait_kind wait_kind;
    uint32_t waiting_for;      /* the object's id */
    int64_t waiting_for_owner; /* java id, -1 if none or unknown */
} cd_sample_thread;

#define CD_SAMPLE_TOP_FRAMES 5

typedef struct cd_sample {
    uint64_t wall_ms;
    uint64_t monotonic_ms;
    cd_sample_thread *threads; /* the Java threads */
    size_t count;
    cd_sample_thread *natives; /* the threads that are no Java threads: CPU only */
    size_t native_count;
} cd_sample;

/* Keeps what is needed of dump as sample. Returns 0 or -1 out of memory. */
int cd_sample_take(cd_sample *sample, const cd_thread_dump *dump, uint64_t monotonic_ms);
void cd_sample_free(cd_sample *sample);

/* hot_threads.txt from samples (at least two): top 20 threads by CPU used
 * between the first and the last sample with % of one core (the VM's own
 * threads among them, with what they do), thread counts per state in each
 * sample, and stuck threads (present in every sample with the same top
 * frames and state, RUNNABLE or BLOCKED throughout). */
int cd_hot_threads_write_text(cd_sink *sink, const cd_sample *samples, size_t count);

/* The same analysis for threads.json, and per sample the threads that wait
 * for a lock someone holds ("waits": java_id, object, owner_java_id and the
 * owner's state line), so that a reader can tell a wait that lasted through
 * every sample from one that came and went. NULL when out of memory. */
struct cJSON *cd_hot_threads_json(const cd_sample *samples, size_t count);

/* Whether a method's bytecode (as JVMTI GetBytecodes gives it) has a
 * monitorenter instruction, walked instruction by instruction so that an
 * operand byte is never taken for one. 1 also when it cannot be told (an
 * unknown opcode, code cut short): callers use it to skip threads that hold
 * no monitor, and a wrong 0 would hide a lock line. */
int cd_bytecode_may_lock(const unsigned char *code, size_t len);

#endif
