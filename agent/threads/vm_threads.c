/*
 * The VM's own thread lists: the JavaThreads JVMTI hides and the VM's
 * non-Java threads, as jstack prints them (vm_threads.h says where each
 * datum comes from).
 *
 * The hidden JavaThreads' java.lang.Thread fields are read from memory
 * (vm_objects.h); what a VM thread does comes from its class, named by the
 * symbol of its vtable; a compiler thread's task from the structure table.
 */
#include "vm_threads.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/elf_symbols.h"
#include "vm_memory.h"
#include "vm_objects.h"
#include "vm_structs.h"

#define JAVA_THREADS_MAX (1u << 20) /* a longer list is not one */
#define NON_JAVA_THREADS_MAX 4096
#define LIST_ATTEMPTS 3
#define NAME_BYTES_MAX 256 /* of a non-Java thread's C string */
#define SYMBOL_BYTES_MAX 1024

/* Where a compiler thread's task and its method are. */
typedef struct compile_layout {
    int known;
    long thread_env, env_task;
    long task_method, task_id, task_level, task_osr_bci;
    long method_const, method_flags;
    long const_constants, const_name_index, const_code_size;
    long pool_holder, pool_size;
    long klass_name, symbol_length, symbol_body;
} compile_layout;

struct cd_vm_threads {
    const cd_vm_layout *layout;
    cd_elf_symbols *symbols; /* libjvm's symbol table, opened when needed */
    int symbols_failed;
    uint64_t base;
    char problem[CD_ERROR_MESSAGE_MAX]; /* what the census cannot read, or "" */
    uint64_t java_list;                 /* &ThreadsSMRSupport::_java_thread_list */
    long list_length, list_threads;
    uint64_t non_java_list; /* &NonJavaThread::_the_list, whose _head comes first */
    long non_java_next, named_name;
    cd_vm_objects *objects; /* NULL: the hidden threads' Java fields cannot be read */
    compile_layout compiles;
};

/* Adds a sentence to what the census cannot read. */
__attribute__((format(printf, 2, 3))) static void add_problem(cd_vm_threads *vt, const char *fmt,
                                                              ...)
{
    size_t used = strlen(vt->problem);
    if (used && used + 2 < sizeof vt->problem)
        used += (size_t)snprintf(vt->problem + used, sizeof vt->problem - used, "; ");
    va_list args;
    va_start(args, fmt);
    if (used < sizeof vt->problem)
        vsnprintf(vt->problem + used, sizeof vt->problem - used, fmt, args);
    va_end(args);
}

/* ---------------------------------------------------------------- classes */

/* "CompilerThread" from "_ZTV14CompilerThread", "A::B" from "_ZTVN1A1BE". */
static int demangle_vtable(const char *symbol, char *out, size_t outlen)
{
    const char *p = symbol + 4; /* after "_ZTV" */
    int nested = *p == 'N';
    size_t used = 0;
    if (nested)
        p++;
    out[0] = '\0';
    do {
        char *end;
        unsigned long len = strtoul(p, &end, 10);
        if (end == p || len == 0 || strnlen(end, len) < len || used + len + 3 > outlen)
            return -1;
        if (used)
            used += (size_t)snprintf(out + used, outlen - used, "::");
        memcpy(out + used, end, len);
        used += len;
        out[used] = '\0';
        p = end + len;
    } while (nested && *p && *p != 'E');
    return 0;
}

/* ---------------------------------------------------------------- libjvm's symbols */

#define CLASSES_KEPT 64
#define CLASS_NAME_MAX 128

/* What libjvm's symbol table told, kept for the life of the process: the
 * library does not change under a running VM, and reading its table costs
 * milliseconds, which every request would pay again. Only the threads part
 * uses it, and requests run one at a time (runtime.c's request lock). */
static struct {
    int looked;                         /* the table was read for the list below */
    uint64_t non_java_list;             /* NonJavaThread::_the_list's value, 0 if not found */
    char problem[CD_ERROR_MESSAGE_MAX]; /* why there is no table, or "" */
    struct {
        uint64_t vtable;
        char name[CLASS_NAME_MAX]; /* "" when the table names no class there */
    } classes[CLASSES_KEPT];
    size_t class_count;
} libjvm;

/* libjvm's symbol table for this request, opened on first need; NULL
 * when it cannot be read (stripped: libjvm.problem says so). */
static cd_elf_symbols *symbols_of(cd_vm_threads *vt)
{
    if (vt->symbols || vt->symbols_failed)
        return vt->symbols;
    cd_error err = {0};
    const char *path = cd_vm_structs_library(cd_vm_layout_structs(vt->layout));
    vt->symbols = cd_elf_symbols_open(path, &err);
    if (vt->symbols && !cd_elf_symbols_complete(vt->symbols)) {
        cd_elf_symbols_close(vt->symbols);
        vt->symbols = NULL;
        cd_fail(&err, CD_ERR_UNSUPPORTED, "%s has been stripped of its symbol table", path);
    }
    vt->symbols_failed = !vt->symbols;
    if (!vt->symbols)
        snprintf(libjvm.problem, sizeof libjvm.problem, "%s", err.message);
    return vt->symbols;
}

/* The class of a VM thread, by its vtable pointer (the object's first
 * word): from the classes seen before, else from the symbol table. */
static int class_of(cd_vm_threads *vt, uint64_t thread, char *out, size_t outlen)
{
    uint64_t vtable = cd_vm_read_pointer(vt->layout, thread, 0);
    if (!vtable || vtable <= vt->base)
        return -1;
    for (size_t i = 0; i < libjvm.class_count; i++)
        if (libjvm.classes[i].vtable == vtable) {
            snprintf(out, outlen, "%s", libjvm.classes[i].name);
            return out[0] ? 0 : -1;
        }
    cd_elf_symbols *symbols = symbols_of(vt);
    const char *symbol = symbols ? cd_elf_object_at(symbols, vtable - vt->base, "_ZTV") : NULL;
    if (!symbols)
        return -1; /* not remembered: the table may be readable another time */
    if (!symbol || demangle_vtable(symbol, out, outlen) != 0)
        out[0] = '\0';
    if (libjvm.class_count < CLASSES_KEPT) {
        libjvm.classes[libjvm.class_count].vtable = vtable;
        snprintf(libjvm.classes[libjvm.class_count].name, CLASS_NAME_MAX, "%s", out);
        libjvm.class_count++;
    }
    return out[0] ? 0 : -1;
}

/* What a thread of a VM class does, in the words of the dump and findings.
 * prefix: the class names that start with the name. */
static const struct {
    const char *name, *kind;
    int prefix;
} thread_kinds[] = {
    {"CompilerThread", "JIT compiler", 0},
    {"CodeCacheSweeperThread", "code cache sweeper", 0},
    {"VMThread", "VM operations", 0},
    {"WatcherThread", "VM periodic tasks", 0},
    {"ServiceThread", "VM service", 0},
    {"MonitorDeflationThread", "VM service", 0},
    {"NotificationThread", "VM service", 0},
    {"AttachListenerThread", "VM service", 0},
    {"TrainingReplayThread", "VM service", 0},
    {"AsyncLogWriter", "VM logging", 0},
    {"JvmtiAgentThread", "JVMTI agent", 0},
    {"Jfr", "JFR", 1},
    {"WorkerThread", "GC", 0},
    {"GangWorker", "GC", 0},
    {"AbstractGangWorker", "GC", 0},
    {"ConcurrentGCThread", "GC", 0},
    {"StringDedup", "GC", 1},
    {"G1", "GC", 1},
    {"Z", "GC", 1},
    {"Shenandoah", "GC", 1},
    {"PS", "GC", 1},
    {"Parallel", "GC", 1},
    {"Serial", "GC", 1},
    {"Epsilon", "GC", 1},
};

static const char *kind_of(const char *class_name)
{
    for (size_t i = 0; i < sizeof thread_kinds / sizeof *thread_kinds; i++) {
        size_t len = strlen(thread_kinds[i].name);
        if (thread_kinds[i].prefix ? strncmp(class_name, thread_kinds[i].name, len) == 0
                                   : strcmp(class_name, thread_kinds[i].name) == 0)
            return thread_kinds[i].kind;
    }
    return NULL;
}

/* Non-Java thread classes whose name() is a constant of the VM's code
 * rather than a NamedThread's _name. */
static const struct {
    const char *class_name, *thread_name;
} fixed_names[] = {
    {"WatcherThread", "VM Periodic Task Thread"},
};

/* The structure table entries of compile_layout, all needed. */
static const struct {
    const char *type, *field;
    size_t at; /* in compile_layout */
} compile_fields[] = {
    {"CompilerThread", "_env", offsetof(compile_layout, thread_env)},
    {"ciEnv", "_task", offsetof(compile_layout, env_task)},
    {"CompileTask", "_method", offsetof(compile_layout, task_method)},
    {"CompileTask", "_compile_id", offsetof(compile_layout, task_id)},
    {"CompileTask", "_comp_level", offsetof(compile_layout, task_level)},
    {"CompileTask", "_osr_bci", offsetof(compile_layout, task_osr_bci)},
    {"Method", "_constMethod", offsetof(compile_layout, method_const)},
    {"Method", "_access_flags", offsetof(compile_layout, method_flags)},
    {"ConstMethod", "_constants", offsetof(compile_layout, const_constants)},
    {"ConstMethod", "_name_index", offsetof(compile_layout, const_name_index)},
    {"ConstMethod", "_code_size", offsetof(compile_layout, const_code_size)},
    {"ConstantPool", "_pool_holder", offsetof(compile_layout, pool_holder)},
    {"Klass", "_name", offsetof(compile_layout, klass_name)},
    {"Symbol", "_length", offsetof(compile_layout, symbol_length)},
    {"Symbol", "_body", offsetof(compile_layout, symbol_body)},
};

static void learn_compile_layout(cd_vm_threads *vt)
{
    const cd_vm_structs *s = cd_vm_layout_structs(vt->layout);
    compile_layout *c = &vt->compiles;
    c->pool_size = cd_vm_structs_type_size(s, "ConstantPool"); /* its entries follow it */
    c->known = c->pool_size > 0;
    for (size_t i = 0; i < sizeof compile_fields / sizeof *compile_fields; i++) {
        long *offset = (long *)((char *)c + compile_fields[i].at);
        *offset = cd_vm_structs_offset(s, compile_fields[i].type, compile_fields[i].field);
        c->known &= *offset >= 0;
    }
}

/* ---------------------------------------------------------------- open */

/* NonJavaThread::_the_list, a static field the structure table does not
 * describe: its address from libjvm's symbol table, looked up once. */
static uint64_t non_java_list(cd_vm_threads *vt)
{
    if (!libjvm.looked && symbols_of(vt)) {
        libjvm.non_java_list = cd_elf_symbol_value(vt->symbols, "_ZN13NonJavaThread9_the_listE");
        libjvm.looked = 1;
    }
    return libjvm.non_java_list ? vt->base + libjvm.non_java_list : 0;
}

cd_vm_threads *cd_vm_threads_open(cd_thread_session *session, jthread self)
{
    if (!session->layout)
        return NULL;
    cd_vm_threads *vt = calloc(1, sizeof *vt);
    if (!vt)
        return NULL;
    vt->layout = session->layout;
    const cd_vm_structs *s = cd_vm_layout_structs(vt->layout);
    vt->java_list = cd_vm_structs_static(s, "ThreadsSMRSupport", "_java_thread_list");
    vt->list_length = cd_vm_structs_offset(s, "ThreadsList", "_length");
    vt->list_threads = cd_vm_structs_offset(s, "ThreadsList", "_threads");
    vt->named_name = cd_vm_structs_offset(s, "NamedThread", "_name");
    long thread_size = cd_vm_structs_type_size(s, "Thread");
    long non_java_size = cd_vm_structs_type_size(s, "NonJavaThread");
    /* NonJavaThread adds one field to Thread: its _next */
    vt->non_java_next = thread_size > 0 && non_java_size == thread_size + 8 ? thread_size : -1;

    vt->base = cd_vm_structs_library_base(s);
    vt->non_java_list = non_java_list(vt);
    if (!vt->java_list || vt->list_length < 0 || vt->list_threads < 0) {
        add_problem(vt, "the structure table does not describe the VM's list of Java threads");
        return vt;
    }
    if (!libjvm.looked)
        add_problem(vt,
                    "the VM's own non-Java threads are named by the kernel and not told apart (%s)",
                    libjvm.problem);
    else if (!vt->non_java_list || vt->non_java_next < 0)
        add_problem(vt, "libjvm's list of non-Java threads was not found: they are named by the "
                        "kernel");
    char why[CD_ERROR_MESSAGE_MAX];
    vt->objects = cd_vm_objects_learn(session, self, why, sizeof why);
    if (!vt->objects)
        add_problem(vt,
                    "the Java fields of the threads JVMTI does not list cannot be read (%s): they "
                    "are listed under the kernel's name",
                    why);
    learn_compile_layout(vt);
    return vt;
}

void cd_vm_threads_close(cd_vm_threads *vm_threads)
{
    if (!vm_threads)
        return;
    cd_elf_symbols_close(vm_threads->symbols);
    cd_vm_objects_free(vm_threads->objects);
    free(vm_threads);
}

/* ---------------------------------------------------------------- lists */

/* The VM's JavaThreads, read until the list is the same before and after
 * (a thread that starts or ends replaces the list). 0, or -1 unreadable. */
static int read_java_list(const cd_vm_threads *vt, uint64_t **out, size_t *count)
{
    for (int attempt = 0; attempt < LIST_ATTEMPTS; attempt++) {
        uint64_t list = 0, array = 0, again = 0;
        uint32_t length = 0;
        if (cd_vm_read_u64(vt->layout, vt->java_list, &list) != 0 || !list ||
            cd_vm_read_u32(vt->layout, list + (uint64_t)vt->list_length, &length) != 0 ||
            length > JAVA_THREADS_MAX ||
            cd_vm_read_u64(vt->layout, list + (uint64_t)vt->list_threads, &array) != 0)
            return -1;
        uint64_t *threads = malloc(((size_t)length + 1) * sizeof *threads);
        if (!threads)
            return -1;
        if (length && cd_vm_read_bytes(vt->layout, array, threads, length * sizeof *threads) != 0) {
            free(threads);
            return -1;
        }
        if (cd_vm_read_u64(vt->layout, vt->java_list, &again) == 0 && again == list) {
            *out = threads;
            *count = length;
            return 0;
        }
        free(threads);
    }
    return -1;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The VM's non-Java threads, from the head of its list along _next. */
static size_t read_non_java_list(const cd_vm_threads *vt, uint64_t *threads, size_t max)
{
    size_t n = 0;
    uint64_t at = vt->non_java_list ? cd_vm_read_pointer(vt->layout, vt->non_java_list, 0) : 0;
    while (at && n < max) {
        for (size_t i = 0; i < n; i++)
            if (threads[i] == at)
                return n; /* a cycle: the list changed under the reader */
        threads[n++] = at;
        at = cd_vm_read_pointer(vt->layout, at, vt->non_java_next);
    }
    return n;
}

/* A NUL-terminated C string of at most NAME_BYTES_MAX bytes, malloc'd. */
static char *read_c_string(const cd_vm_threads *vt, uint64_t address)
{
    char buffer[NAME_BYTES_MAX + 1];
    size_t got = 0;
    /* in pieces, so that a string near the end of a mapping still reads */
    while (address && got < NAME_BYTES_MAX) {
        size_t want = 32 < NAME_BYTES_MAX - got ? 32 : NAME_BYTES_MAX - got;
        if (cd_vm_read_bytes(vt->layout, address + got, buffer + got, want) != 0)
            return NULL;
        buffer[got + want] = '\0';
        if (memchr(buffer + got, '\0', want))
            return strdup(buffer);
        got += want;
    }
    return NULL;
}

/* ---------------------------------------------------------------- compile tasks */

/* A Symbol's text ("java/lang/String"), into out; -1 if unreadable. */
static int read_symbol(const cd_vm_threads *vt, uint64_t symbol, char *out, size_t outlen)
{
    const compile_layout *c = &vt->compiles;
    uint16_t length = 0;
    if (!symbol || cd_vm_read_u16(vt->layout, symbol + (uint64_t)c->symbol_length, &length) != 0 ||
        (size_t)length >= outlen ||
        cd_vm_read_bytes(vt->layout, symbol + (uint64_t)c->symbol_body, out, length) != 0)
        return -1;
    out[length] = '\0';
    return 0;
}

/* "Class::method" of a Method, the way the VM prints a method's short name,
 * and its bytecode size and access flags. */
static int method_text(const cd_vm_threads *vt, uint64_t method, char *out, size_t outlen,
                       uint16_t *code_size, uint32_t *flags)
{
    const compile_layout *c = &vt->compiles;
    char holder[SYMBOL_BYTES_MAX], name[SYMBOL_BYTES_MAX];
    uint16_t name_index = 0;
    uint64_t const_method = cd_vm_read_pointer(vt->layout, method, c->method_const);
    uint64_t pool = cd_vm_read_pointer(vt->layout, const_method, c->const_constants);
    uint64_t klass = cd_vm_read_pointer(vt->layout, pool, c->pool_holder);
    if (!const_method || !pool ||
        cd_vm_read_u16(vt->layout, const_method + (uint64_t)c->const_name_index, &name_index) !=
            0 ||
        cd_vm_read_u16(vt->layout, const_method + (uint64_t)c->const_code_size, code_size) != 0 ||
        cd_vm_read_u32(vt->layout, method + (uint64_t)c->method_flags, flags) != 0 ||
        read_symbol(vt, cd_vm_read_pointer(vt->layout, klass, c->klass_name), holder,
                    sizeof holder) != 0 ||
        read_symbol(vt, cd_vm_read_pointer(vt->layout, pool, c->pool_size + 8L * name_index), name,
                    sizeof name) != 0)
        return -1;
    for (char *p = holder; *p; p++)
        *p = *p == '/' ? '.' : *p;
    snprintf(out, outlen, "%s::%s", holder, name);
    return 0;
}

#define ACC_SYNCHRONIZED 0x0020
#define ACC_NATIVE 0x0100

/* jstack's line under a compiler thread's state: "No compile task", or
 * "Compiling: " and the task as CompileTask::print writes it: id, the flags
 * it can tell ('%' on-stack replacement, 's' synchronized, 'n' native; the
 * exception handler and blocking flags are not readable here and print
 * blank), tier, the method and its bytecode size. NULL when the compiler
 * thread's data cannot be read. */
static char *compile_task_text(const cd_vm_threads *vt, uint64_t thread)
{
    const compile_layout *c = &vt->compiles;
    uint64_t env = 0, task = 0;
    if (!c->known || cd_vm_read_u64(vt->layout, thread + (uint64_t)c->thread_env, &env) != 0)
        return NULL;
    if (!env || cd_vm_read_u64(vt->layout, env + (uint64_t)c->env_task, &task) != 0 || !task)
        return strdup("No compile task");
    int32_t id = 0, level = 0, osr_bci = 0;
    uint16_t code_size = 0;
    uint32_t flags = 0;
    char method[2 * SYMBOL_BYTES_MAX + 2];
    if (cd_vm_read_u32(vt->layout, task + (uint64_t)c->task_id, (uint32_t *)&id) != 0 ||
        cd_vm_read_u32(vt->layout, task + (uint64_t)c->task_level, (uint32_t *)&level) != 0 ||
        cd_vm_read_u32(vt->layout, task + (uint64_t)c->task_osr_bci, (uint32_t *)&osr_bci) != 0 ||
        method_text(vt, cd_vm_read_pointer(vt->layout, task, c->task_method), method, sizeof method,
                    &code_size, &flags) != 0)
        return strdup("Compiling: (a task this agent cannot read)");
    char text[sizeof method + 96], at[32] = "", size[32];
    int osr = osr_bci >= 0; /* InvocationEntryBci is -1 */
    if (osr)
        snprintf(at, sizeof at, " @ %d", osr_bci);
    if (flags & ACC_NATIVE)
        snprintf(size, sizeof size, " (native)");
    else
        snprintf(size, sizeof size, " (%u bytes)", code_size);
    snprintf(text, sizeof text, "Compiling: %4d %c%c%c%c%c %d       %s%s%s", id, osr ? '%' : ' ',
             flags & ACC_SYNCHRONIZED ? 's' : ' ', ' ', ' ', flags & ACC_NATIVE ? 'n' : ' ', level,
             method, at, size);
    return strdup(text);
}

/* ---------------------------------------------------------------- the census */

/* The hidden threads' Java fields. */
static int read_hidden_fields(const cd_vm_threads *vt, cd_vm_census *census)
{
    size_t n = census->hidden_count;
    if (!vt->objects || n == 0)
        return 0;
    uint64_t *threads = malloc(n * sizeof *threads);
    cd_vm_thread_fields *fields = calloc(n, sizeof *fields);
    unsigned char *ok = calloc(n, 1);
    if (!threads || !fields || !ok) {
        free(threads);
        free(fields);
        free(ok);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        threads[i] = census->hidden[i].vm_thread;
    if (cd_vm_objects_read_threads(vt->objects, threads, n, fields, ok) != 0)
        snprintf(census->note, sizeof census->note,
                 "the heap was collected while the hidden Java threads were read, again and "
                 "again: they are listed under the kernel's name");
    for (size_t i = 0; i < n; i++) {
        census->hidden[i].java = fields[i];
        census->hidden[i].java_known = ok[i];
    }
    free(threads);
    free(fields);
    free(ok);
    return 0;
}

static int take_hidden(cd_vm_threads *vt, const uint64_t *known, size_t known_count,
                       cd_vm_census *census)
{
    size_t count = census->java_count;
    uint64_t *sorted = malloc((known_count + 1) * sizeof *sorted);
    uint64_t *addresses = malloc((count + 1) * sizeof *addresses);
    size_t *positions = malloc((count + 1) * sizeof *positions);
    cd_vm_thread_info *os = malloc((count + 1) * sizeof *os);
    census->hidden = calloc(count + 1, sizeof *census->hidden);
    int rc = sorted && addresses && positions && os && census->hidden ? 0 : -1;
    size_t n = 0;
    if (rc == 0) {
        memcpy(sorted, known, known_count * sizeof *sorted);
        qsort(sorted, known_count, sizeof *sorted, compare_u64);
        for (size_t i = 0; i < count; i++) {
            uint64_t t = census->java_list[i];
            if (t && !bsearch(&t, sorted, known_count, sizeof *sorted, compare_u64)) {
                positions[n] = i;
                addresses[n++] = t;
            }
        }
        cd_vm_threads_read(vt->layout, addresses, n, os);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cd_vm_hidden_thread *h = &census->hidden[census->hidden_count];
        char class_name[256];
        if (os[i].nid <= 0)
            continue; /* not started, or gone */
        h->position = positions[i];
        h->vm_thread = addresses[i];
        h->os = os[i];
        h->kind = class_of(vt, addresses[i], class_name, sizeof class_name) == 0
                      ? kind_of(class_name)
                      : NULL;
        if (h->kind && strcmp(h->kind, "JIT compiler") == 0)
            h->compile_task = compile_task_text(vt, addresses[i]);
        census->hidden_count++;
    }
    free(sorted);
    free(addresses);
    free(positions);
    free(os);
    return rc == 0 ? read_hidden_fields(vt, census) : rc;
}

static int take_others(cd_vm_threads *vt, cd_vm_census *census)
{
    if (!vt->non_java_list || vt->non_java_next < 0)
        return 0;
    uint64_t *threads = malloc(NON_JAVA_THREADS_MAX * sizeof *threads);
    cd_vm_thread_info *os = malloc(NON_JAVA_THREADS_MAX * sizeof *os);
    size_t n = threads ? read_non_java_list(vt, threads, NON_JAVA_THREADS_MAX) : 0;
    census->others = calloc(n + 1, sizeof *census->others);
    if (!threads || !os || !census->others) {
        free(threads);
        free(os);
        return -1;
    }
    cd_vm_other_threads_read(vt->layout, threads, n, os);
    for (size_t i = 0; i < n; i++) {
        cd_vm_other_thread *t = &census->others[census->other_count];
        char class_name[256];
        if (os[i].nid <= 0)
            continue;
        t->vm_thread = threads[i];
        t->os = os[i];
        if (class_of(vt, threads[i], class_name, sizeof class_name) == 0) {
            t->kind = kind_of(class_name);
            for (size_t k = 0; k < sizeof fixed_names / sizeof *fixed_names; k++)
                if (strcmp(class_name, fixed_names[k].class_name) == 0)
                    t->name = strdup(fixed_names[k].thread_name);
        }
        if (!t->name && vt->named_name >= 0) /* checked against the kernel's name later */
            t->name = read_c_string(vt, cd_vm_read_pointer(vt->layout, threads[i], vt->named_name));
        census->other_count++;
    }
    free(threads);
    free(os);
    return 0;
}

int cd_vm_census_take(cd_vm_threads *vm_threads, const uint64_t *known, size_t known_count,
                      cd_vm_census *census)
{
    memset(census, 0, sizeof *census);
    if (!vm_threads)
        return 0;
    snprintf(census->note, sizeof census->note, "%s", vm_threads->problem);
    if (!vm_threads->java_list || vm_threads->list_length < 0 || vm_threads->list_threads < 0)
        return 0;
    if (read_java_list(vm_threads, &census->java_list, &census->java_count) != 0) {
        snprintf(census->note, sizeof census->note,
                 "the VM's list of Java threads kept changing or could not be read");
        return 0;
    }
    if (take_hidden(vm_threads, known, known_count, census) != 0 ||
        take_others(vm_threads, census) != 0) {
        cd_vm_census_free(census);
        return -1;
    }
    return 0;
}

void cd_vm_census_free(cd_vm_census *census)
{
    for (size_t i = 0; census->hidden && i < census->hidden_count; i++) {
        free(census->hidden[i].java.name);
        free(census->hidden[i].compile_task);
    }
    for (size_t i = 0; census->others && i < census->other_count; i++)
        free(census->others[i].name);
    free(census->java_list);
    free(census->hidden);
    free(census->others);
    memset(census, 0, sizeof *census);
}

/* ---------------------------------------------------------------- into the dump */

/* A thread's place in the VM's order: its position in the VM's list, and
 * its index in the dump to keep JVMTI's order among equals. */
typedef struct placed {
    size_t position, index;
} placed;

static int by_place(const void *a, const void *b)
{
    const placed *x = a, *y = b;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct listed {
    uint64_t vm_thread;
    size_t position;
} listed;

static int by_vm_thread(const void *a, const void *b)
{
    return compare_u64(&((const listed *)a)->vm_thread, &((const listed *)b)->vm_thread);
}

/* Adds the hidden threads whose Java fields were read; their positions go
 * to places (room for dump->count + hidden_count). */
static int add_hidden(cd_vm_census *census, cd_thread_dump *dump, placed *places)
{
    for (size_t i = 0; i < census->hidden_count; i++) {
        cd_vm_hidden_thread *h = &census->hidden[i];
        int duplicate = 0;
        for (size_t k = 0; k < dump->count && !duplicate; k++)
            duplicate = dump->threads[k].nid == h->os.nid;
        if (!h->java_known || duplicate)
            continue;
        cd_thread *t = cd_thread_dump_add(dump);
        if (!t)
            return -1;
        places[dump->count - 1] = (placed){h->position, dump->count - 1};
        t->name = cd_arena_strdup(&dump->arena, h->java.name);
        t->compile_task = h->compile_task ? cd_arena_strdup(&dump->arena, h->compile_task) : NULL;
        if (!t->name || (h->compile_task && !t->compile_task))
            return -1;
        t->java_id = h->java.java_id;
        t->priority = h->java.priority;
        t->daemon = h->java.daemon;
        cd_thread_map_state(h->java.status, t);
        t->vm_thread = h->vm_thread;
        t->nid = h->os.nid;
        t->os_state = h->os.os_state;
        t->last_java_sp = h->os.last_java_sp;
        t->cpu_ns = cd_proc_thread_cpu_ns(t->nid);
        t->synchronizers_known = 1; /* the VM's own threads take no java.util.concurrent lock */
        t->vm_internal = 1;
        t->kind = h->kind;
        h->merged = 1;
    }
    return 0;
}

/* Moves the session's per-thread arrays along with the dump's threads. */
static int reorder(cd_thread_session *session, cd_thread_dump *dump, size_t jvmti_count,
                   const placed *places)
{
    size_t n = dump->count;
    cd_thread *threads = malloc((n + 1) * sizeof *threads);
    jthread *jthreads = calloc(n + 1, sizeof *jthreads);
    cd_park_blocker *park = calloc(n + 1, sizeof *park);
    if (!threads || !jthreads || !park) {
        free(threads);
        free(jthreads);
        free(park);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t from = places[i].index;
        threads[i] = dump->threads[from];
        if (from < jvmti_count) {
            jthreads[i] = session->jthreads[from];
            park[i] = session->park[from];
        } else {
            park[i].owner = -1;
        }
    }
    memcpy(dump->threads, threads, n * sizeof *threads);
    free(threads);
    free(session->jthreads);
    free(session->park);
    session->jthreads = jthreads;
    session->park = park;
    return 0;
}

int cd_vm_census_merge(cd_vm_census *census, cd_thread_session *session, cd_thread_dump *dump)
{
    size_t jvmti_count = dump->count;
    placed *places = malloc((jvmti_count + census->hidden_count + 1) * sizeof *places);
    listed *list = malloc((census->java_count + 1) * sizeof *list);
    int rc = places && list ? 0 : -1;
    if (rc == 0 && census->java_count) {
        for (size_t i = 0; i < census->java_count; i++)
            list[i] = (listed){census->java_list[i], i};
        qsort(list, census->java_count, sizeof *list, by_vm_thread);
        /* JVMTI lists threads in the VM's order: one it does not find in
         * the list read later (ended, or started meanwhile) stays right
         * after the thread it followed */
        size_t position = 0;
        for (size_t i = 0; i < jvmti_count; i++) {
            listed key = {dump->threads[i].vm_thread, 0};
            const listed *found =
                key.vm_thread ? bsearch(&key, list, census->java_count, sizeof *list, by_vm_thread)
                              : NULL;
            position = found ? found->position : position;
            places[i] = (placed){position, i};
        }
        rc = add_hidden(census, dump, places);
        if (rc == 0 && dump->count > jvmti_count) {
            qsort(places, dump->count, sizeof *places, by_place);
            rc = reorder(session, dump, jvmti_count, places);
        }
    }
    free(places);
    free(list);
    return rc;
}

/* Whether the kernel's name of a thread (comm: its first 15 bytes, as the
 * VM set it) is the start of name. */
static int named_alike(const char *name, const char *comm)
{
    size_t len = strlen(comm);
    return len > 0 && strncmp(name, comm, len) == 0 && (len >= 15 || name[len] == '\0');
}

/* One of the VM's non-Java threads (or a hidden one without Java fields),
 * if its nid is a live task; the name is the VM's when the kernel's agrees. */
static void add_vm_native(cd_thread_dump *dump, const cd_proc_job *job, uint64_t vm_thread,
                          const cd_vm_thread_info *os, const char *name, const char *kind)
{
    const cd_proc_thread *proc = cd_proc_job_thread(job, os->nid);
    if (!proc)
        return;
    cd_native_thread *t = &dump->natives[dump->native_count];
    t->name =
        cd_arena_strdup(&dump->arena, name && named_alike(name, proc->comm) ? name : proc->comm);
    t->nid = os->nid;
    t->cpu_ns = cd_proc_thread_cpu_ns(os->nid);
    t->elapsed_ms = proc->elapsed_ms;
    t->os_priority = proc->nice;
    t->os_state = os->os_state         ? os->os_state
                  : proc->state == 'R' ? "runnable"
                                       : "waiting on condition";
    t->vm_internal = 1;
    t->vm_thread = vm_thread;
    t->kind = kind;
    if (t->name)
        dump->native_count++;
}

int cd_vm_census_natives(const cd_vm_census *census, const cd_proc_job *job, cd_thread_dump *dump)
{
    size_t room = census->other_count + census->hidden_count;
    if (census->note[0])
        dump->vm_threads_note = cd_arena_strdup(&dump->arena, census->note);
    if (room) {
        dump->natives = cd_arena_alloc(&dump->arena, room * sizeof *dump->natives);
        if (!dump->natives)
            return -1;
    }
    /* jstack's order: the hidden JavaThreads it could not name among the
     * Java threads, then the non-Java threads as the VM lists them */
    for (size_t i = 0; i < census->hidden_count; i++) {
        const cd_vm_hidden_thread *h = &census->hidden[i];
        if (!h->merged)
            add_vm_native(dump, job, h->vm_thread, &h->os, NULL, h->kind);
    }
    for (size_t i = 0; i < census->other_count; i++) {
        const cd_vm_other_thread *o = &census->others[i];
        add_vm_native(dump, job, o->vm_thread, &o->os, o->name, o->kind);
    }
    return cd_proc_job_natives(job, dump);
}
