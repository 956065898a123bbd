/*
 * What the operating system knows of the JVM's threads: nid (the Linux thread
 * id jstack prints and top -H shows), the VM's own word for the thread's state
 * ("waiting on condition"), the stack pointer of the last Java frame, os_prio,
 * elapsed, and the threads JVMTI does not list.
 *
 * JVMTI has no way to name a Java thread's Linux id. HotSpot publishes the
 * layout of its internal structures in a table exported by libjvm
 * (gHotSpotVMStructs, the table serviceability tools read): the offset of
 * JavaThread::_osthread, OSThread::_thread_id and ::_state, and of the last
 * Java frame's stack pointer. java.lang.Thread.eetop holds the JavaThread's
 * address (what jstack prints as tid=). Reading through them is done
 * defensively:
 *
 *  - Every read of VM memory goes through process_vm_readv on this process
 *    (or /proc/self/mem where that is refused), which fails with an error
 *    instead of faulting on a bad address: a wrong offset can give a wrong
 *    number, never a crash.
 *  - The layout is checked once per request on the calling thread itself:
 *    its own JavaThread must lead to its own gettid(). Otherwise nothing is
 *    read and the dump has no nid= at all.
 *  - Per thread, the caller reads eetop before and after (a thread that ends
 *    clears it), and the id must be a live task of this process.
 *
 * /proc/self/task/<tid>/stat then gives the nice value (os_prio, as the VM
 * reports it), the start time (elapsed) and, for the other threads of the
 * process, the kernel's name (comm) and state. Reading it costs about 5 us
 * of kernel time a thread, the largest part of a dump of thousands of
 * threads; a thread's start time never changes, so the ones read are kept
 * for the next dump (see start_cache) and a thread known from it only needs
 * getpriority for its nice value.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "carbondump/procstat.h"
#include "threads_internal.h"
#include "carbondump/array.h"
#include "vm_structs.h"

struct cd_vm_layout {
    long osthread;     /* (Java)Thread::_osthread */
    long thread_id;    /* OSThread::_thread_id */
    long state;        /* OSThread::_state, -1 unknown */
    long last_java_sp; /* JavaThread::_anchor + JavaFrameAnchor::_last_Java_sp, -1 */
    cd_vm_structs *structs;
    pid_t pid;
    int mem_fd; /* /proc/self/mem, when process_vm_readv is refused */
    int use_mem_fd;
    struct {
        int value;
        const char *word;
    } states[9];
    int state_count;
};

/* ---------------------------------------------------------------- memory */

#define PIECES_PER_CALL 1024 /* the kernel's IOV_MAX */

/* Reads every piece, as many per system call as the kernel takes. A piece
 * that cannot be read (a bad or zero address) is marked so, and the pieces
 * after it are still read: process_vm_readv stops at the first remote piece
 * it cannot copy and says how many bytes came before it. */
void cd_vm_read(const cd_vm_layout *layout, cd_vm_piece *pieces, size_t count)
{
    struct iovec local[PIECES_PER_CALL], remote[PIECES_PER_CALL];
    size_t i = 0;
    while (i < count) {
        cd_vm_piece *p = &pieces[i];
        if (!p->address || layout->use_mem_fd) {
            p->ok = p->address &&
                    pread(layout->mem_fd, p->out, p->size, (off_t)p->address) == (ssize_t)p->size;
            i++;
            continue;
        }
        size_t n = 0;
        for (; i + n < count && n < PIECES_PER_CALL && pieces[i + n].address; n++) {
            local[n] = (struct iovec){pieces[i + n].out, pieces[i + n].size};
            remote[n] =
                (struct iovec){(void *)(uintptr_t)pieces[i + n].address, pieces[i + n].size};
        }
        ssize_t got =
            process_vm_readv(layout->pid, local, (unsigned long)n, remote, (unsigned long)n, 0);
        size_t done = 0;
        for (; done < n && got >= (ssize_t)pieces[i + done].size; done++) {
            got -= (ssize_t)pieces[i + done].size;
            pieces[i + done].ok = 1;
        }
        if (done < n) /* the piece the read stopped at */
            pieces[i + done++].ok = 0;
        i += done;
    }
}

int cd_vm_read_u64(const cd_vm_layout *layout, uint64_t address, uint64_t *out)
{
    cd_vm_piece piece = {address, out, sizeof *out, 0};
    cd_vm_read(layout, &piece, 1);
    return piece.ok ? 0 : -1;
}

const cd_vm_structs *cd_vm_layout_structs(const cd_vm_layout *layout)
{
    return layout->structs;
}

long cd_vm_layout_osthread_offset(const cd_vm_layout *layout)
{
    return layout->osthread;
}

/* ---------------------------------------------------------------- table */

/* The VM's ThreadState words (OSThread::print_on), for the values it exports. */
static void load_state_words(cd_vm_layout *layout, const cd_vm_structs *s)
{
    static const struct {
        const char *constant, *word;
    } words[] = {{"ALLOCATED", "allocated"},
                 {"INITIALIZED", "initialized"},
                 {"RUNNABLE", "runnable"},
                 {"MONITOR_WAIT", "waiting for monitor entry"},
                 {"CONDVAR_WAIT", "waiting on condition"},
                 {"OBJECT_WAIT", "in Object.wait()"},
                 {"BREAKPOINTED", "at breakpoint"},
                 {"SLEEPING", "sleeping"},
                 {"ZOMBIE", "zombie"}};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        int value;
        if (cd_vm_structs_constant(s, words[i].constant, &value) == 0) {
            layout->states[layout->state_count].value = value;
            layout->states[layout->state_count].word = words[i].word;
            layout->state_count++;
        }
    }
}

/* ---------------------------------------------------------------- layout */

void cd_vm_layout_close(cd_vm_layout *layout)
{
    if (!layout)
        return;
    if (layout->mem_fd >= 0)
        close(layout->mem_fd);
    cd_vm_structs_close(layout->structs);
    free(layout);
}

/* Picks process_vm_readv, or /proc/self/mem where seccomp refuses it. */
static int choose_reader(cd_vm_layout *layout)
{
    uint64_t probe = 0x5ca1ab1e, copy = 0;
    layout->pid = getpid();
    layout->use_mem_fd = 0;
    if (cd_vm_read_u64(layout, (uint64_t)(uintptr_t)&probe, &copy) == 0 && copy == probe)
        return 0;
    layout->mem_fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    layout->use_mem_fd = 1;
    copy = 0;
    return layout->mem_fd >= 0 && cd_vm_read_u64(layout, (uint64_t)(uintptr_t)&probe, &copy) == 0 &&
                   copy == probe
               ? 0
               : -1;
}

cd_vm_layout *cd_vm_layout_open(jvmtiEnv *jvmti, uint64_t self_vm_thread, cd_error *err)
{
    cd_vm_layout *layout = calloc(1, sizeof *layout);
    if (!layout) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    layout->mem_fd = -1;
    const cd_vm_structs *s = layout->structs = cd_vm_structs_open(jvmti, err);
    if (!s) {
        cd_vm_layout_close(layout);
        return NULL;
    }
    layout->osthread = cd_vm_structs_offset(s, "JavaThread", "_osthread");
    if (layout->osthread < 0)
        layout->osthread = cd_vm_structs_offset(s, "Thread", "_osthread");
    layout->thread_id = cd_vm_structs_offset(s, "OSThread", "_thread_id");
    layout->state = cd_vm_structs_offset(s, "OSThread", "_state");
    long anchor = cd_vm_structs_offset(s, "JavaThread", "_anchor");
    long sp = cd_vm_structs_offset(s, "JavaFrameAnchor", "_last_Java_sp");
    layout->last_java_sp = anchor >= 0 && sp >= 0 ? anchor + sp : -1;
    load_state_words(layout, s);

    if (layout->osthread < 0 || layout->thread_id < 0) {
        cd_vm_layout_close(layout);
        cd_fail(err, CD_ERR_UNSUPPORTED, "the VM's structure table has no OS thread id");
        return NULL;
    }
    if (choose_reader(layout) != 0) {
        cd_vm_layout_close(layout);
        cd_fail(err, CD_ERR_PERM,
                "this process may not read its own memory "
                "(process_vm_readv and /proc/self/mem refused)");
        return NULL;
    }
    cd_vm_thread_info self;
    cd_vm_threads_read(layout, &self_vm_thread, 1, &self);
    long tid = syscall(SYS_gettid);
    if (self.nid != tid) {
        cd_vm_layout_close(layout);
        cd_fail(err, CD_ERR_UNSUPPORTED,
                "the VM's structure table did not lead to the agent thread's own id "
                "(read %lld, expected %ld)",
                (long long)self.nid, tid);
        return NULL;
    }
    return layout;
}

#define FIELDS_MAX 2
#define SPAN_MAX 1024 /* fields this close together are read as one piece */

/* Reads fields (offsets[f], -1 when the VM has no such field; sizes[f] of 4
 * or 8 bytes) of count structures at bases[i] (0 for none) into
 * values[i * FIELDS_MAX + f]. ok[i] says whether every field of structure i
 * was read. Fields close together are read as one span: the kernel's cost
 * is per piece (it pins the page), not per byte. */
static void read_fields(const cd_vm_layout *layout, const uint64_t *bases, size_t count,
                        const long *offsets, const size_t *sizes, int fields, uint64_t *values,
                        unsigned char *ok)
{
    long lo = -1, hi = -1;
    for (int f = 0; f < fields; f++)
        if (offsets[f] >= 0) {
            lo = lo < 0 || offsets[f] < lo ? offsets[f] : lo;
            hi = offsets[f] + (long)sizes[f] > hi ? offsets[f] + (long)sizes[f] : hi;
        }
    memset(values, 0, count * FIELDS_MAX * sizeof *values);
    memset(ok, 0, count);
    if (lo < 0)
        return;
    int spans = hi - lo <= SPAN_MAX;
    size_t per = spans ? 1 : (size_t)fields, span = spans ? (size_t)(hi - lo) : 0;
    cd_vm_piece *pieces = malloc((count * per + 1) * sizeof *pieces);
    unsigned char *buffer = spans ? malloc(count * span + 1) : NULL;
    if (!pieces || (spans && !buffer)) {
        free(pieces);
        free(buffer);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (spans) {
            pieces[n++] =
                (cd_vm_piece){bases[i] ? bases[i] + (uint64_t)lo : 0, buffer + i * span, span, 0};
            continue;
        }
        for (int f = 0; f < fields; f++) /* an absent field reads nothing and fails */
            pieces[n++] =
                (cd_vm_piece){bases[i] && offsets[f] >= 0 ? bases[i] + (uint64_t)offsets[f] : 0,
                              &values[i * FIELDS_MAX + (size_t)f], sizes[f], 0};
    }
    cd_vm_read(layout, pieces, n);
    for (size_t i = 0; i < count; i++) {
        ok[i] = 1;
        for (size_t k = 0; k < per; k++)
            ok[i] &= pieces[i * per + k].ok || (!spans && offsets[k] < 0);
        for (int f = 0; spans && ok[i] && f < fields; f++)
            if (offsets[f] >= 0) /* little-endian: a 4-byte field fills the low half */
                memcpy(&values[i * FIELDS_MAX + (size_t)f], buffer + i * span + (offsets[f] - lo),
                       sizes[f]);
    }
    free(pieces);
    free(buffer);
}

/* cd_vm_threads_read's work, given its buffers; java says whether the
 * threads are JavaThreads (which have a last Java stack pointer). */
static void read_threads(const cd_vm_layout *layout, const uint64_t *vm_threads, size_t count,
                         int java, cd_vm_thread_info *info, uint64_t *values, uint64_t *osthreads,
                         uint64_t *sps, unsigned char *ok)
{
    /* The JavaThread's OSThread pointer and last Java stack pointer... */
    const long thread_offsets[FIELDS_MAX] = {layout->osthread, java ? layout->last_java_sp : -1};
    const size_t thread_sizes[FIELDS_MAX] = {sizeof(uint64_t), sizeof(uint64_t)};
    read_fields(layout, vm_threads, count, thread_offsets, thread_sizes, 2, values, ok);
    for (size_t i = 0; i < count; i++) {
        osthreads[i] = ok[i] ? values[i * FIELDS_MAX] : 0;
        sps[i] = values[i * FIELDS_MAX + 1];
    }
    /* ...then the OSThread's id and state. */
    const long os_offsets[FIELDS_MAX] = {layout->thread_id, layout->state};
    const size_t os_sizes[FIELDS_MAX] = {sizeof(int32_t), sizeof(int32_t)};
    read_fields(layout, osthreads, count, os_offsets, os_sizes, 2, values, ok);
    for (size_t i = 0; i < count; i++) {
        int32_t id = (int32_t)values[i * FIELDS_MAX], state = (int32_t)values[i * FIELDS_MAX + 1];
        if (!ok[i] || id <= 0)
            continue;
        info[i].nid = id;
        for (int k = 0; layout->state >= 0 && k < layout->state_count; k++)
            if (layout->states[k].value == state)
                info[i].os_state = layout->states[k].word;
        info[i].last_java_sp = sps[i] & ~(uint64_t)0xFFF; /* printed page-aligned */
    }
}

/* cd_vm_threads_read and cd_vm_other_threads_read. */
static void read_any_threads(const cd_vm_layout *layout, const uint64_t *vm_threads, size_t count,
                             int java, cd_vm_thread_info *info)
{
    uint64_t *values = malloc((count * FIELDS_MAX + 1) * sizeof *values);
    uint64_t *osthreads = calloc(count + 1, sizeof *osthreads);
    uint64_t *sps = calloc(count + 1, sizeof *sps);
    unsigned char *ok = malloc(count + 1);
    for (size_t i = 0; i < count; i++)
        info[i] = (cd_vm_thread_info){-1, NULL, 0};
    if (values && osthreads && sps && ok)
        read_threads(layout, vm_threads, count, java, info, values, osthreads, sps, ok);
    free(values);
    free(osthreads);
    free(sps);
    free(ok);
}

void cd_vm_threads_read(const cd_vm_layout *layout, const uint64_t *vm_threads, size_t count,
                        cd_vm_thread_info *info)
{
    read_any_threads(layout, vm_threads, count, 1, info);
}

void cd_vm_other_threads_read(const cd_vm_layout *layout, const uint64_t *threads, size_t count,
                              cd_vm_thread_info *info)
{
    read_any_threads(layout, threads, count, 0, info);
}

/* ---------------------------------------------------------------- /proc */

static int64_t boot_time_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds since a start time in clock ticks since boot, -1 unknown. */
static int64_t elapsed_since(uint64_t start_ticks)
{
    long hz = sysconf(_SC_CLK_TCK);
    int64_t now = boot_time_ms();
    if (now < 0 || hz <= 0)
        return -1;
    int64_t elapsed = now - (int64_t)(start_ticks * 1000 / (uint64_t)hz);
    return elapsed > 0 ? elapsed : 0;
}

int cd_proc_task_dir(void)
{
    return open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int cd_proc_thread_read(int task_dir, int64_t nid, cd_proc_thread *out)
{
    char path[64], text[1024];
    if (task_dir >= 0)
        snprintf(path, sizeof path, "%lld/stat", (long long)nid);
    else
        snprintf(path, sizeof path, "/proc/self/task/%lld/stat", (long long)nid);
    int fd = openat(task_dir >= 0 ? task_dir : AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    cd_proc_stat st;
    if (cd_parse_proc_stat(text, &st) != 0 || !st.state)
        return -1;
    snprintf(out->comm, sizeof out->comm, "%s", st.comm);
    out->state = st.state;
    out->nice = (int)st.nice;
    out->start_ticks = st.start_ticks;
    out->elapsed_ms = elapsed_since(st.start_ticks);
    return 0;
}

int64_t cd_proc_thread_cpu_ns(int64_t nid)
{
    /* The kernel's per-thread CPU clock id (what pthread_getcpuclockid builds
     * for a thread of this process): ~tid << 3 | CPUCLOCK_PERTHREAD | SCHED. */
    clockid_t clock = (clockid_t)(((unsigned int)~(int)nid) << 3) | 6;
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The ids of the threads of this process that are not in java_nids
 * (sorted), sorted; NULL with *count 0 when /proc cannot be read. */
static int64_t *other_tids(const int64_t *java_nids, size_t java_count, size_t *count)
{
    *count = 0;
    DIR *dir = opendir("/proc/self/task");
    if (!dir)
        return NULL;
    size_t capacity = 64, n = 0;
    int64_t *tids = malloc(capacity * sizeof *tids);
    struct dirent *de;
    while (tids && (de = readdir(dir)) != NULL) {
        char *end;
        long long tid = strtoll(de->d_name, &end, 10);
        int64_t key = tid;
        if (*end || tid <= 0 ||
            bsearch(&key, java_nids, java_count, sizeof *java_nids, compare_i64))
            continue;
        if (CD_ARRAY_ROOM_FOR_ONE(tids, capacity, n) != 0) {
            free(tids);
            tids = NULL;
            break;
        }
        tids[n++] = key;
    }
    closedir(dir);
    if (tids)
        qsort(tids, n, sizeof *tids, compare_i64);
    *count = tids ? n : 0;
    return tids;
}

/* ------------------------------------------------------------ start times */

/* The start times of the Java threads of the previous dump, sorted by Linux
 * id. An entry counts only for the same Linux id and the same Java id: a
 * Linux id the kernel gave to another thread meanwhile is read again. A
 * Java thread keeps its Linux thread for life, and the dump has just read
 * that id from the live thread, so the entry is that thread's. Replaced by
 * each job (only threads alive then are kept); used by one job at a time,
 * since requests run one after the other. */
typedef struct start_entry {
    int64_t nid, java_id;
    uint64_t start_ticks;
} start_entry;

static start_entry *start_cache;
static size_t start_cache_count;

static int compare_entries(const void *a, const void *b)
{
    int64_t x = ((const start_entry *)a)->nid, y = ((const start_entry *)b)->nid;
    return x < y ? -1 : x > y;
}

/* The Java thread's os_prio and elapsed from its kept start time and
 * getpriority; 0, or -1 when it is not kept or no longer a task. */
static int known_thread(int64_t nid, int64_t java_id, cd_proc_thread *out)
{
    start_entry key = {nid, 0, 0};
    const start_entry *e =
        java_id >= 0 && start_cache
            ? bsearch(&key, start_cache, start_cache_count, sizeof key, compare_entries)
            : NULL;
    if (!e || e->java_id != java_id)
        return -1;
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)nid);
    if (nice == -1 && errno != 0)
        return -1;
    memset(out, 0, sizeof *out);
    out->nice = nice;
    out->start_ticks = e->start_ticks;
    out->elapsed_ms = elapsed_since(e->start_ticks);
    return 0;
}

/* Keeps the start times of the job's live Java threads for the next one. */
static void keep_start_times(const cd_proc_job *job)
{
    start_entry *kept = malloc((job->count + 1) * sizeof *kept);
    size_t n = 0;
    for (size_t i = 0; kept && i < job->count; i++)
        if (job->alive[i] && job->java_ids[i] >= 0)
            kept[n++] = (start_entry){job->nids[i], job->java_ids[i], job->stats[i].start_ticks};
    free(start_cache);
    start_cache = kept; /* nids are sorted already */
    start_cache_count = kept ? n : 0;
}

/* ---------------------------------------------------------------- the job */

/* The listed threads' OS threads from VM memory and their CPU clocks; the
 * ids read join the job's, which are then sorted with their Java ids. */
static void read_listed(cd_proc_job *job)
{
    if (job->layout && job->vm_count)
        cd_vm_threads_read(job->layout, job->vm_threads, job->vm_count, job->vm_info);
    for (size_t i = 0; i < job->vm_count; i++) {
        int64_t nid = job->vm_info[i].nid;
        if (nid < 0)
            continue;
        job->vm_cpu_ns[i] = cd_proc_thread_cpu_ns(nid);
        job->nids[job->count] = nid;
        job->java_ids[job->count++] = job->vm_java_ids[i];
    }
    start_entry *pairs = malloc((job->count + 1) * sizeof *pairs);
    if (!pairs) {
        job->count = 0; /* no id is kept unchecked: none is printed */
        return;
    }
    for (size_t i = 0; i < job->count; i++)
        pairs[i] = (start_entry){job->nids[i], job->java_ids[i], 0};
    qsort(pairs, job->count, sizeof *pairs, compare_entries);
    for (size_t i = 0; i < job->count; i++) {
        job->nids[i] = pairs[i].nid;
        job->java_ids[i] = pairs[i].java_id;
    }
    free(pairs);
}

/* The job's work: the listed threads from VM memory, /proc for the Java
 * threads' ids, then the other threads. */
static void *proc_job_run(void *arg)
{
    cd_proc_job *job = arg;
    read_listed(job);
    int task_dir = cd_proc_task_dir();
    for (size_t i = 0; i < job->count; i++)
        job->alive[i] = known_thread(job->nids[i], job->java_ids[i], &job->stats[i]) == 0 ||
                        cd_proc_thread_read(task_dir, job->nids[i], &job->stats[i]) == 0;
    keep_start_times(job);
    size_t n = 0;
    int64_t *tids = other_tids(job->nids, job->count, &n);
    int64_t self = syscall(SYS_gettid); /* this helper is the agent's, not the server's */
    job->natives = n ? calloc(n, sizeof *job->natives) : NULL;
    for (size_t i = 0; job->natives && i < n; i++) {
        cd_native_job_thread *t = &job->natives[job->native_count];
        if (tids[i] == self || cd_proc_thread_read(task_dir, tids[i], &t->proc) != 0)
            continue; /* ended meanwhile */
        t->nid = tids[i];
        t->cpu_ns = cd_proc_thread_cpu_ns(tids[i]);
        job->native_count++;
    }
    if (task_dir >= 0)
        close(task_dir);
    free(tids);
    return NULL;
}

int cd_proc_job_start(cd_proc_job *job, const cd_vm_layout *layout, const uint64_t *vm_threads,
                      const int64_t *vm_java_ids, size_t vm_count, const int64_t *nids,
                      const int64_t *java_ids, size_t count)
{
    memset(job, 0, sizeof *job);
    size_t room = count + vm_count + 1;
    job->vm_threads = malloc((vm_count + 1) * sizeof *job->vm_threads);
    job->vm_java_ids = malloc((vm_count + 1) * sizeof *job->vm_java_ids);
    job->vm_info = malloc((vm_count + 1) * sizeof *job->vm_info);
    job->vm_cpu_ns = malloc((vm_count + 1) * sizeof *job->vm_cpu_ns);
    job->nids = malloc(room * sizeof *job->nids);
    job->java_ids = malloc(room * sizeof *job->java_ids);
    job->stats = malloc(room * sizeof *job->stats);
    job->alive = calloc(room, 1);
    if (!job->vm_threads || !job->vm_java_ids || !job->vm_info || !job->vm_cpu_ns || !job->nids ||
        !job->java_ids || !job->stats || !job->alive) {
        cd_proc_job_free(job);
        return -1;
    }
    job->layout = layout;
    if (vm_count) {
        memcpy(job->vm_threads, vm_threads, vm_count * sizeof *vm_threads);
        memcpy(job->vm_java_ids, vm_java_ids, vm_count * sizeof *vm_java_ids);
    }
    for (size_t i = 0; i < vm_count; i++) {
        job->vm_info[i] = (cd_vm_thread_info){-1, NULL, 0};
        job->vm_cpu_ns[i] = -1;
    }
    job->vm_count = vm_count;
    if (count) {
        memcpy(job->nids, nids, count * sizeof *nids);
        memcpy(job->java_ids, java_ids, count * sizeof *java_ids);
    }
    job->count = count;
    job->prepared = 1;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved); /* the helper inherits: no signal lands on it */
    job->started = pthread_create(&job->thread, NULL, proc_job_run, job) == 0;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return 0;
}

void cd_proc_job_finish(cd_proc_job *job)
{
    if (job->finished)
        return;
    if (job->started)
        pthread_join(job->thread, NULL);
    else if (job->prepared)
        proc_job_run(job);
    job->started = 0;
    job->finished = 1;
}

const cd_proc_thread *cd_proc_job_thread(const cd_proc_job *job, int64_t nid)
{
    const int64_t *at =
        job->nids ? bsearch(&nid, job->nids, job->count, sizeof nid, compare_i64) : NULL;
    size_t i = at ? (size_t)(at - job->nids) : 0;
    return at && job->alive[i] ? &job->stats[i] : NULL;
}

int cd_proc_job_natives(const cd_proc_job *job, cd_thread_dump *dump)
{
    cd_native_thread *before = dump->natives;
    if (job->native_count) {
        dump->natives = cd_arena_alloc(&dump->arena, (dump->native_count + job->native_count) *
                                                         sizeof *dump->natives);
        if (!dump->natives) {
            dump->natives = before;
            return -1;
        }
        if (dump->native_count)
            memcpy(dump->natives, before, dump->native_count * sizeof *before);
    }
    for (size_t i = 0; i < job->native_count; i++) {
        const cd_native_job_thread *from = &job->natives[i];
        cd_native_thread *t = &dump->natives[dump->native_count];
        t->name = cd_arena_strdup(&dump->arena, from->proc.comm);
        t->nid = from->nid;
        t->cpu_ns = from->cpu_ns;
        t->elapsed_ms = from->proc.elapsed_ms;
        t->os_priority = from->proc.nice;
        t->os_state = from->proc.state == 'R' ? "runnable" : "waiting on condition";
        if (t->name)
            dump->native_count++;
    }
    return 0;
}

void cd_proc_job_free(cd_proc_job *job)
{
    cd_proc_job_finish(job);
    free(job->vm_threads);
    free(job->vm_java_ids);
    free(job->vm_info);
    free(job->vm_cpu_ns);
    free(job->nids);
    free(job->java_ids);
    free(job->stats);
    free(job->alive);
    free(job->natives);
    memset(job, 0, sizeof *job);
}
