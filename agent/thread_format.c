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

void cd_frame_text(const cd_frame *frame, char *out, size_t outlen)
{
    const cd_method *m = frame->method;
    char module[256] = "";
    if (m->module)
        snprintf(module, sizeof module, "%s/", m->module);
    if (m->is_native)
        snprintf(out, outlen, "%s.%s(%sNative Method)", m->class_name, m->method_name, module);
    else if (m->source_file && frame->line >= 0)
        snprintf(out, outlen, "%s.%s(%s%s:%d)", m->class_name, m->method_name, module,
                 m->source_file, frame->line);
    else if (m->source_file)
        snprintf(out, outlen, "%s.%s(%s%s)", m->class_name, m->method_name, module, m->source_file);
    else
        snprintf(out, outlen, "%s.%s(%sUnknown Source)", m->class_name, m->method_name, module);
}

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

static void format_nid(const cd_dump_style *style, int64_t nid, char *out, size_t outlen)
{
    if (style->nid_decimal)
        snprintf(out, outlen, "%" PRId64, nid);
    else
        snprintf(out, outlen, "0x%" PRIx64, nid);
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

static const char *lock_line_format(cd_lock_action action)
{
    switch (action) {
    case CD_LOCK_LOCKED: return "\t- locked <0x%016" PRIx64 "> (a ";
    case CD_LOCK_WAITING_TO_LOCK: return "\t- waiting to lock <0x%016" PRIx64 "> (a ";
    case CD_LOCK_WAITING_ON: return "\t- waiting on <0x%016" PRIx64 "> (a ";
    case CD_LOCK_WAITING_TO_RELOCK:
        return "\t- waiting to re-lock in wait() <0x%016" PRIx64 "> (a ";
    case CD_LOCK_PARKING: return "\t- parking to wait for  <0x%016" PRIx64 "> (a ";
    case CD_LOCK_WAITING_ON_UNKNOWN: break;
    }
    return NULL;
}

static int write_lock_line(cd_sink *sink, const cd_frame_lock *lock)
{
    const char *format = lock_line_format(lock->action);
    if (!format)
        return cd_sink_puts(sink, "\t- waiting on <no object reference available>\n");
    cd_sink_printf(sink, format, (uint64_t)lock->object.id);
    put_name(sink, lock->object.class_name ? lock->object.class_name : "<unknown class>");
    return cd_sink_puts(sink, ")\n");
}

static int write_frame_list(cd_sink *sink, const cd_frame *frames, int count,
                            const cd_frame_lock *locks, int lock_count)
{
    char text[2048];
    int next_lock = 0;
    while (next_lock < lock_count && locks[next_lock].depth < 0)
        next_lock++; /* monitors entered through JNI belong to no frame */
    for (int depth = 0; depth < count; depth++) {
        cd_frame_text(&frames[depth], text, sizeof text);
        cd_sink_puts(sink, "\tat ");
        put_name(sink, text);
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

int cd_dump_write_thread(cd_sink *sink, const cd_thread_dump *dump, const cd_thread *t)
{
    const cd_dump_style *style = &dump->style;
    char nid[32];
    cd_sink_puts(sink, "\"");
    put_name(sink, t->name);
    cd_sink_printf(sink, "\" #%" PRId64, t->java_id);
    if (style->os_id_after_id && t->nid >= 0)
        cd_sink_printf(sink, " [%" PRId64 "]", t->nid);
    cd_sink_printf(sink, "%s prio=%d", t->daemon ? " daemon" : "", t->priority);
    if (t->os_priority != INT32_MIN)
        cd_sink_printf(sink, " os_prio=%d", t->os_priority);
    if (style->cpu_elapsed && t->cpu_ns >= 0)
        cd_sink_printf(sink, " cpu=%.2fms", (double)t->cpu_ns / 1e6);
    if (style->cpu_elapsed && t->elapsed_ms >= 0)
        cd_sink_printf(sink, " elapsed=%.2fs", (double)t->elapsed_ms / 1e3);
    if (t->vm_thread)
        cd_sink_printf(sink, " tid=0x%016" PRIx64, t->vm_thread);
    if (t->nid >= 0) {
        format_nid(style, t->nid, nid, sizeof nid);
        cd_sink_printf(sink, " nid=%s", nid);
    }
    const char *os_state = t->os_state ? t->os_state : "";
    cd_sink_printf(sink, " %s%s[0x%016" PRIx64 "]\n", os_state,
                   *os_state ? os_state_gap(os_state) : "", t->last_java_sp);

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
        cd_sink_printf(sink, "   java.lang.Thread.State: %s\n",
                       cd_thread_state_text(t->state, t->detail));
        cd_dump_write_frames(sink, t);
    }

    cd_sink_puts(sink, "\n   Locked ownable synchronizers:\n");
    if (!t->synchronizers_known)
        cd_sink_puts(sink, "\t- <not available>\n");
    else if (t->synchronizer_count == 0)
        cd_sink_puts(sink, "\t- None\n");
    for (int i = 0; t->synchronizers_known && i < t->synchronizer_count; i++) {
        cd_sink_printf(sink, "\t- <0x%016" PRIx64 "> (a ", (uint64_t)t->synchronizers[i].id);
        put_name(sink, t->synchronizers[i].class_name);
        cd_sink_puts(sink, ")\n");
    }
    return cd_sink_puts(sink, "\n");
}

static void write_native_thread(cd_sink *sink, const cd_thread_dump *dump,
                                const cd_native_thread *n)
{
    char nid[32];
    format_nid(&dump->style, n->nid, nid, sizeof nid);
    cd_sink_puts(sink, "\"");
    put_name(sink, n->name);
    cd_sink_puts(sink, "\"");
    if (n->os_priority != INT32_MIN)
        cd_sink_printf(sink, " os_prio=%d", n->os_priority);
    if (dump->style.cpu_elapsed && n->cpu_ns >= 0)
        cd_sink_printf(sink, " cpu=%.2fms", (double)n->cpu_ns / 1e6);
    if (dump->style.cpu_elapsed && n->elapsed_ms >= 0)
        cd_sink_printf(sink, " elapsed=%.2fs", (double)n->elapsed_ms / 1e3);
    cd_sink_printf(sink, " nid=%s %s  \n\n", nid, n->os_state ? n->os_state : "");
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
    if (dump->threads_skipped > 0)
        cd_sink_printf(sink, "Threads that ended while being dumped: %d (not listed)\n",
                       dump->threads_skipped);
    if (!dump->deadlocks_checked)
        cd_sink_puts(sink, "Deadlocks: not checked (no lock information)\n");
    cd_sink_puts(sink, "\n");
    return cd_deadlocks_write_text(sink, dump);
}
