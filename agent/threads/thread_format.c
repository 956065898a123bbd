/*
 * The text jstack -l prints, line for line where the data exists, for a
 * thread dump (thread_model.h).
 *
 * The text follows the JDK the dump comes from (cd_dump_style): JDK 17 writes
 * nid=0x3b13, JDK 18+ nid=15124, JDK 19+ adds "[15124]" after #id, JDK 11+
 * prints cpu= and elapsed=. Names go through cd_text_clean, so a thread name
 * can never start a line of its own.
 *
 * Pure C: no JVM types, unit-tested in tests/unit/test_thread_format.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "thread_model.h"

/* ---------------------------------------------------------------- text */

/* Writes text through cd_text_clean(CD_TEXT_DUMP). */
static int put_name(cd_sink *sink, const char *text)
{
    if (cd_text_is_plain(text))
        return cd_sink_puts(sink, text);
    char *clean = cd_text_clean(text, CD_TEXT_DUMP);
    if (!clean) {
        cd_error err;
        cd_fail(&err, CD_ERR_NOMEM, "out of memory writing the thread dump");
        cd_sink_fail(sink, &err);
        return -1;
    }
    int rc = cd_sink_puts(sink, clean);
    free(clean);
    return rc;
}

/* The VM prints most thread states with a trailing blank before " [0x...]". */
static const char *os_state_gap(const char *os_state)
{
    static const char *const unspaced[] = {"sleeping", "at breakpoint", "zombie"};
    for (size_t i = 0; i < sizeof unspaced / sizeof *unspaced; i++)
        if (strcmp(os_state, unspaced[i]) == 0)
            return " ";
    return "  ";
}

static const char *lock_line_start(cd_lock_action action)
{
    switch (action) {
    case CD_LOCK_LOCKED: return "\t- locked ";
    case CD_LOCK_WAITING_TO_LOCK: return "\t- waiting to lock ";
    case CD_LOCK_WAITING_ON: return "\t- waiting on ";
    case CD_LOCK_WAITING_TO_RELOCK: return "\t- waiting to re-lock in wait() ";
    case CD_LOCK_PARKING: return "\t- parking to wait for  ";
    case CD_LOCK_WAITING_ON_UNKNOWN: break;
    }
    return NULL;
}

/* "<0x000000000000002a> (a java.lang.Object)\n", as the VM prints an object */
static int write_object(cd_sink *sink, const cd_object *object, const char *unknown_class)
{
    cd_sink_puts(sink, "<");
    cd_sink_put_hex(sink, object->id, 16);
    cd_sink_puts(sink, "> (a ");
    put_name(sink, object->class_name ? object->class_name : unknown_class);
    return cd_sink_puts(sink, ")\n");
}

static int write_lock_line(cd_sink *sink, const cd_frame_lock *lock)
{
    const char *start = lock_line_start(lock->action);
    if (!start)
        return cd_sink_puts(sink, "\t- waiting on <no object reference available>\n");
    cd_sink_puts(sink, start);
    return write_object(sink, &lock->object, "<unknown class>");
}

/* "Class.method(module/File.java:N)", piece by piece: a dump of thousands of
 * threads has tens of thousands of these. */
static void write_frame_text(cd_sink *sink, const cd_frame *frame)
{
    const cd_method *m = frame->method;
    put_name(sink, m->class_name);
    cd_sink_puts(sink, ".");
    put_name(sink, m->method_name);
    cd_sink_puts(sink, "(");
    if (m->module) {
        put_name(sink, m->module);
        cd_sink_puts(sink, "/");
    }
    if (m->is_native) {
        cd_sink_puts(sink, "Native Method");
    } else if (m->source_file) {
        put_name(sink, m->source_file);
        if (frame->line >= 0) {
            cd_sink_puts(sink, ":");
            cd_sink_put_int(sink, frame->line);
        }
    } else {
        cd_sink_puts(sink, "Unknown Source");
    }
    cd_sink_puts(sink, ")");
}

void cd_frame_text(const cd_frame *frame, char *out, size_t outlen)
{
    cd_sink *buffer = cd_sink_buffer();
    if (buffer)
        write_frame_text(buffer, frame);
    char *text = buffer ? cd_sink_buffer_take(buffer, NULL) : NULL;
    snprintf(out, outlen, "%s", text ? text : "");
    free(text);
}

static int write_frame_list(cd_sink *sink, const cd_frame *frames, int count,
                            const cd_frame_lock *locks, int lock_count)
{
    int next_lock = 0;
    while (next_lock < lock_count && locks[next_lock].depth < 0)
        next_lock++; /* monitors entered through JNI belong to no frame */
    for (int depth = 0; depth < count; depth++) {
        cd_sink_puts(sink, "\tat ");
        write_frame_text(sink, &frames[depth]);
        cd_sink_puts(sink, "\n");
        for (; next_lock < lock_count && locks[next_lock].depth == depth; next_lock++)
            write_lock_line(sink, &locks[next_lock]);
    }
    return cd_sink_puts(sink, "");
}

int cd_dump_write_frames(cd_sink *sink, const cd_thread *thread)
{
    write_frame_list(sink, thread->frames, thread->frame_count, thread->locks, thread->lock_count);
    if (thread->frames_omitted > 0)
        cd_sink_printf(sink, "\t... %d more frames not listed\n", thread->frames_omitted);
    return cd_sink_puts(sink, "");
}

/* " name=" and value / unit with two decimals, rounded ("cpu=0.73ms"). */
static void put_hundredths(cd_sink *sink, const char *name, int64_t value, int64_t unit,
                           const char *suffix)
{
    int64_t hundredths = (value + unit / 2) / unit;
    char frac[3] = {(char)('0' + hundredths % 100 / 10), (char)('0' + hundredths % 10), '\0'};
    cd_sink_puts(sink, name);
    cd_sink_put_int(sink, hundredths / 100);
    cd_sink_puts(sink, ".");
    cd_sink_puts(sink, frac);
    cd_sink_puts(sink, suffix);
}

static void put_nid(cd_sink *sink, const cd_dump_style *style, int64_t nid)
{
    cd_sink_puts(sink, " nid=");
    if (style->nid_decimal)
        cd_sink_put_int(sink, nid);
    else
        cd_sink_put_hex(sink, (uint64_t)nid, 1);
}

/* The counters every thread line has: os_prio, cpu and elapsed. */
static void put_os_counters(cd_sink *sink, const cd_dump_style *style, int os_priority,
                            int64_t cpu_ns, int64_t elapsed_ms)
{
    if (os_priority != INT32_MIN) {
        cd_sink_puts(sink, " os_prio=");
        cd_sink_put_int(sink, os_priority);
    }
    if (style->cpu_elapsed && cpu_ns >= 0)
        put_hundredths(sink, " cpu=", cpu_ns, 10000, "ms");
    if (style->cpu_elapsed && elapsed_ms >= 0)
        put_hundredths(sink, " elapsed=", elapsed_ms, 10, "s");
}

int cd_dump_write_thread(cd_sink *sink, const cd_thread_dump *dump, const cd_thread *t)
{
    const cd_dump_style *style = &dump->style;
    cd_sink_puts(sink, "\"");
    put_name(sink, t->name);
    cd_sink_puts(sink, "\" #");
    cd_sink_put_int(sink, t->java_id);
    if (style->os_id_after_id && t->nid >= 0) {
        cd_sink_puts(sink, " [");
        cd_sink_put_int(sink, t->nid);
        cd_sink_puts(sink, "]");
    }
    cd_sink_puts(sink, t->daemon ? " daemon prio=" : " prio=");
    cd_sink_put_int(sink, t->priority);
    put_os_counters(sink, style, t->os_priority, t->cpu_ns, t->elapsed_ms);
    if (t->vm_thread) {
        cd_sink_puts(sink, " tid=");
        cd_sink_put_hex(sink, t->vm_thread, 16);
    }
    if (t->nid >= 0)
        put_nid(sink, style, t->nid);
    const char *os_state = t->os_state ? t->os_state : "";
    cd_sink_puts(sink, " ");
    cd_sink_puts(sink, os_state);
    cd_sink_puts(sink, *os_state ? os_state_gap(os_state) : "");
    cd_sink_puts(sink, "[");
    cd_sink_put_hex(sink, t->last_java_sp, 16);
    cd_sink_puts(sink, "]\n");

    if (t->carried_virtual_id >= 0) {
        /* JDK 21+ prints a carrier this way instead of its state line. */
        cd_sink_printf(sink, "   Carrying virtual thread #%" PRId64 "\n", t->carried_virtual_id);
        cd_dump_write_frames(sink, t);
        cd_sink_printf(sink, "   Mounted virtual thread #%" PRId64 "\n", t->carried_virtual_id);
        if (t->virtual_frames_known)
            write_frame_list(sink, t->virtual_frames, t->virtual_frame_count, NULL, 0);
        else
            cd_sink_puts(sink, "\t(its stack could not be read)\n");
    } else {
        cd_sink_puts(sink, "   java.lang.Thread.State: ");
        cd_sink_puts(sink, cd_thread_state_text(t->state, t->detail));
        cd_sink_puts(sink, "\n");
        if (t->compile_task) { /* a compiler thread's task, after its state as jstack has it */
            cd_sink_puts(sink, "   ");
            put_name(sink, t->compile_task);
            cd_sink_puts(sink, "\n");
        }
        cd_dump_write_frames(sink, t);
    }

    cd_sink_puts(sink, "\n   Locked ownable synchronizers:\n");
    if (!t->synchronizers_known)
        cd_sink_puts(sink, "\t- <not available>\n");
    else if (t->synchronizer_count == 0)
        cd_sink_puts(sink, "\t- None\n");
    for (int i = 0; t->synchronizers_known && i < t->synchronizer_count; i++) {
        cd_sink_puts(sink, "\t- ");
        write_object(sink, &t->synchronizers[i], "<unknown class>");
    }
    return cd_sink_puts(sink, "\n");
}

static void write_native_thread(cd_sink *sink, const cd_thread_dump *dump,
                                const cd_native_thread *n)
{
    cd_sink_puts(sink, "\"");
    put_name(sink, n->name);
    cd_sink_puts(sink, "\"");
    put_os_counters(sink, &dump->style, n->os_priority, n->cpu_ns, n->elapsed_ms);
    if (n->vm_thread) {
        cd_sink_puts(sink, " tid=");
        cd_sink_put_hex(sink, n->vm_thread, 16);
    }
    put_nid(sink, &dump->style, n->nid);
    cd_sink_puts(sink, " ");
    cd_sink_puts(sink, n->os_state ? n->os_state : "");
    cd_sink_puts(sink, "  \n\n");
}

int cd_dump_write_text(cd_sink *sink, const cd_thread_dump *dump)
{
    char when[32];
    time_t seconds = (time_t)(dump->wall_ms / 1000);
    struct tm local;
    localtime_r(&seconds, &local);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &local);
    cd_sink_printf(sink, "%s\nFull thread dump ", when);
    put_name(sink, dump->vm_name ? dump->vm_name : "Java HotSpot(TM) VM");
    cd_sink_puts(sink, " (");
    put_name(sink, dump->vm_version ? dump->vm_version : "");
    if (dump->vm_info && *dump->vm_info) {
        cd_sink_puts(sink, " ");
        put_name(sink, dump->vm_info);
    }
    cd_sink_puts(sink, "):\n\n");

    for (size_t i = 0; i < dump->count; i++)
        cd_dump_write_thread(sink, dump, &dump->threads[i]);
    for (size_t i = 0; i < dump->native_count; i++)
        write_native_thread(sink, dump, &dump->natives[i]);

    /* Where jstack says "JNI global refs", carbondump says what it could not see. */
    if (dump->virtual_threads >= 0)
        cd_sink_printf(sink,
                       "Virtual threads: %" PRId64 " alive, not listed (%" PRId64
                       " mounted, shown with their carrier threads)\n",
                       dump->virtual_threads,
                       dump->virtual_threads_mounted > 0 ? dump->virtual_threads_mounted : 0);
    else if (dump->virtual_note)
        cd_sink_printf(sink, "Virtual threads: not counted (%s)\n", dump->virtual_note);
    if (!dump->locks_source)
        cd_sink_printf(sink, "Lock information: not available (%s)\n",
                       dump->locks_note ? dump->locks_note : "unknown reason");
    else if (dump->locks_note)
        cd_sink_printf(sink, "Lock information: %s\n", dump->locks_note);
    if (dump->synchronizers_note)
        cd_sink_printf(sink, "Locked ownable synchronizers: not available (%s)\n",
                       dump->synchronizers_note);
    if (dump->natives_note)
        cd_sink_printf(sink, "Threads the VM keeps from JVMTI: not listed (%s)\n",
                       dump->natives_note);
    else if (dump->vm_threads_note)
        cd_sink_printf(sink, "Threads the VM keeps from JVMTI: %s\n", dump->vm_threads_note);
    if (dump->threads_skipped > 0)
        cd_sink_printf(sink, "Threads that ended while being dumped: %d (not listed)\n",
                       dump->threads_skipped);
    if (!dump->deadlocks_checked)
        cd_sink_puts(sink, "Deadlocks: not checked (no lock information)\n");
    cd_sink_puts(sink, "\n");
    return cd_deadlocks_write_text(sink, dump);
}

/* ---------------------------------------------------------------- deadlocks */

/* "name" through the dump's escaping, as the rest of the text. */
static void put_quoted(cd_sink *sink, const char *name, const char *after)
{
    cd_sink_puts(sink, "\"");
    put_name(sink, name);
    cd_sink_puts(sink, "\"");
    cd_sink_puts(sink, after);
}

static void write_wait_line(cd_sink *sink, const cd_thread *t)
{
    char *cls =
        cd_text_clean(t->waiting_for.class_name ? t->waiting_for.class_name : "?", CD_TEXT_DUMP);
    uint64_t id = t->waiting_for.id;
    /* jstack names the ObjectMonitor's address and then the object's; the
     * identity hash stands for both here (docs/threads.md). */
    if (t->wait_kind == CD_WAIT_MONITOR)
        cd_sink_printf(
            sink, "  waiting to lock monitor 0x%016" PRIx64 " (object 0x%016" PRIx64 ", a %s),\n",
            id, id, cls ? cls : "?");
    else
        cd_sink_printf(sink, "  waiting for ownable synchronizer 0x%016" PRIx64 ", (a %s),\n", id,
                       cls ? cls : "?");
    free(cls);
}

int cd_deadlocks_write_text(cd_sink *sink, const cd_thread_dump *dump)
{
    for (size_t d = 0; d < dump->deadlock_count; d++) {
        const cd_deadlock *cycle = &dump->deadlocks[d];
        cd_sink_puts(sink, "Found one Java-level deadlock:\n=============================\n");
        for (size_t k = 0; k < cycle->count; k++) {
            const cd_thread *t = &dump->threads[cycle->threads[k]];
            const cd_thread *owner = &dump->threads[cycle->threads[(k + 1) % cycle->count]];
            put_quoted(sink, t->name, ":\n");
            write_wait_line(sink, t);
            cd_sink_puts(sink, "  which is held by ");
            put_quoted(sink, owner->name, "\n\n");
        }
        cd_sink_puts(sink, "Java stack information for the threads listed above:\n"
                           "===================================================\n");
        for (size_t k = 0; k < cycle->count; k++) {
            const cd_thread *t = &dump->threads[cycle->threads[k]];
            put_quoted(sink, t->name, ":\n");
            cd_dump_write_frames(sink, t);
        }
        cd_sink_puts(sink, "\n");
    }
    if (dump->deadlock_count == 1)
        cd_sink_puts(sink, "Found 1 deadlock.\n\n");
    else if (dump->deadlock_count > 1)
        cd_sink_printf(sink, "Found %zu deadlocks.\n\n", dump->deadlock_count);
    return cd_sink_puts(sink, "");
}
