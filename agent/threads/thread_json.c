/*
 * threads.json for a thread dump (thread_model.h; schema in docs/threads.md).
 *
 * Streamed thread by thread: the top-level members are printed by cJSON in
 * two halves around the "threads" array, and each thread is one object
 * printed and freed before the next, so memory does not grow with the number
 * of threads. Frames refer to a "methods" table by number, which keeps a dump
 * of thousands of threads small. Names go through cd_text_clean: the JSON is
 * valid UTF-8 whatever the JVM hands over.
 *
 * A dump of thousands of threads makes hundreds of thousands of items, so
 * the items own as little as they can: keys are the constant strings below
 * (cJSON's "CS" functions), strings are references to the dump's own text,
 * and a thread's integers and object ids are formatted into a scratch area
 * the items refer to (json_scratch). cJSON then allocates the items and
 * nothing else.
 *
 * Pure C: no JVM types, unit-tested in tests/unit/test_thread_format.c.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/fsutil.h"
#include "carbondump/json.h"
#include "thread_model.h"
#include "carbondump/format.h"
#include "carbondump/array.h"

/* ---------------------------------------------------------------- items */

/* Text the items of the thread being built refer to: its integers and
 * object ids. Sized before the first item of a thread refers to it, reset
 * for the next one. Without one (NULL), items own copies. */
typedef struct json_scratch {
    char (*texts)[CD_HEX_TEXT_MAX > CD_INT_TEXT_MAX ? CD_HEX_TEXT_MAX : CD_INT_TEXT_MAX];
    size_t used, capacity;
} json_scratch;

static int scratch_reset(json_scratch *scratch, size_t capacity)
{
    scratch->used = 0;
    return cd_array_reserve(&scratch->texts, &scratch->capacity, capacity,
                            sizeof *scratch->texts);
}

static char *scratch_take(json_scratch *scratch)
{
    return scratch && scratch->used < scratch->capacity ? scratch->texts[scratch->used++] : NULL;
}

/* An item printed as text is, which stays owned by the caller. */
static cJSON *raw_reference(const char *text)
{
    cJSON *item = cJSON_CreateNull();
    if (item) {
        item->type = cJSON_Raw | cJSON_IsReference;
        item->valuestring = (char *)(uintptr_t)text;
    }
    return item;
}

static cJSON *integer_item(json_scratch *scratch, int64_t value)
{
    char *text = scratch_take(scratch);
    if (!text)
        return cd_json_integer(value);
    cd_format_int(value, text);
    return raw_reference(text);
}

/* Adds item under key, a string constant that outlives the object. */
static void add_item(cJSON *object, const char *key, cJSON *item)
{
    if (item && !cJSON_AddItemToObjectCS(object, key, item))
        cJSON_Delete(item);
}

static void add_integer(json_scratch *scratch, cJSON *object, const char *key, int64_t value)
{
    add_item(object, key, integer_item(scratch, value));
}

/* text outlives the object: constant, or the dump's own. */
static void add_reference(cJSON *object, const char *key, const char *text)
{
    add_item(object, key, cJSON_CreateStringReference(text));
}

static void add_clean_string(cJSON *object, const char *key, const char *text)
{
    if (cd_text_is_plain(text)) {
        add_reference(object, key, text);
        return;
    }
    char *clean = cd_text_clean(text, CD_TEXT_JSON);
    if (clean)
        add_item(object, key, cJSON_CreateString(clean));
    free(clean);
}

static void add_object_id(json_scratch *scratch, cJSON *object, const char *key, uint32_t id)
{
    char copy[CD_HEX_TEXT_MAX], *text = scratch_take(scratch);
    cd_format_hex(id, 16, text ? text : copy);
    add_item(object, key, text ? cJSON_CreateStringReference(text) : cJSON_CreateString(copy));
}

static cJSON *object_json(json_scratch *scratch, const cd_object *object)
{
    cJSON *o = cJSON_CreateObject();
    add_object_id(scratch, o, "id", object->id);
    add_clean_string(o, "class", object->class_name ? object->class_name : "");
    return o;
}

/* Every method the dump's frames run, numbered in order of first use: the
 * JSON lists each once ("methods") and frames refer to it by number. */
typedef struct method_index {
    const cd_method **keys;
    size_t *values;
    size_t slots;
    const cd_method **order;
    size_t count;
} method_index;

static size_t method_slot(const method_index *index, const cd_method *m)
{
    uint64_t h = (uint64_t)(uintptr_t)m * 0x9E3779B97F4A7C15ull;
    size_t s = (size_t)(h >> 20) & (index->slots - 1);
    while (index->keys[s] && index->keys[s] != m)
        s = (s + 1) & (index->slots - 1);
    return s;
}

static int method_index_add_frames(method_index *index, const cd_frame *frames, int count)
{
    for (int i = 0; i < count; i++) {
        size_t s = method_slot(index, frames[i].method);
        if (index->keys[s])
            continue;
        if ((index->count + 1) * 2 > index->slots)
            return -1; /* sized for the worst case below: cannot happen */
        index->keys[s] = frames[i].method;
        index->values[s] = index->count;
        index->order[index->count++] = frames[i].method;
    }
    return 0;
}

static int method_index_build(method_index *index, const cd_thread_dump *dump)
{
    size_t frames = 0;
    for (size_t i = 0; i < dump->count; i++)
        frames +=
            (size_t)dump->threads[i].frame_count + (size_t)dump->threads[i].virtual_frame_count;
    index->slots = 16;
    while (index->slots < frames * 2 + 2)
        index->slots *= 2;
    index->keys = calloc(index->slots, sizeof *index->keys);
    index->values = malloc(index->slots * sizeof *index->values);
    index->order = malloc((frames + 1) * sizeof *index->order);
    index->count = 0;
    if (!index->keys || !index->values || !index->order)
        return -1;
    for (size_t i = 0; i < dump->count; i++) {
        const cd_thread *t = &dump->threads[i];
        if (method_index_add_frames(index, t->frames, t->frame_count) != 0 ||
            method_index_add_frames(index, t->virtual_frames, t->virtual_frame_count) != 0)
            return -1;
    }
    return 0;
}

static void method_index_free(method_index *index)
{
    free(index->keys);
    free(index->values);
    free(index->order);
}

static cJSON *methods_json(const method_index *index)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < index->count; i++) {
        const cd_method *m = index->order[i];
        cJSON *o = cJSON_CreateObject();
        add_clean_string(o, "class", m->class_name);
        add_clean_string(o, "method", m->method_name);
        if (m->module)
            add_clean_string(o, "module", m->module);
        if (m->source_file)
            add_clean_string(o, "file", m->source_file);
        add_item(o, "native", cJSON_CreateBool(m->is_native));
        cJSON_AddItemToArray(array, o);
    }
    return array;
}

/* [[method number, line or null], ...] */
static cJSON *frames_json(json_scratch *scratch, const method_index *index, const cd_frame *frames,
                          int count)
{
    cJSON *array = cJSON_CreateArray();
    for (int i = 0; array && i < count; i++) {
        cJSON *f = cJSON_CreateArray();
        size_t method = index->values[method_slot(index, frames[i].method)];
        cJSON_AddItemToArray(f, integer_item(scratch, (int64_t)method));
        cJSON_AddItemToArray(f, frames[i].line >= 0 ? integer_item(scratch, frames[i].line)
                                                    : cJSON_CreateNull());
        cJSON_AddItemToArray(array, f);
    }
    return array;
}

static const char *lock_action_word(cd_lock_action action)
{
    switch (action) {
    case CD_LOCK_LOCKED: return "locked";
    case CD_LOCK_WAITING_TO_LOCK: return "waiting to lock";
    case CD_LOCK_WAITING_ON: return "waiting on";
    case CD_LOCK_WAITING_TO_RELOCK: return "waiting to re-lock in wait()";
    case CD_LOCK_PARKING: return "parking to wait for";
    case CD_LOCK_WAITING_ON_UNKNOWN: return "waiting on unknown object";
    }
    return "?";
}

static const char *state_word(cd_thread_state state)
{
    switch (state) {
    case CD_THREAD_NEW: return "NEW";
    case CD_THREAD_RUNNABLE: return "RUNNABLE";
    case CD_THREAD_BLOCKED: return "BLOCKED";
    case CD_THREAD_WAITING: return "WAITING";
    case CD_THREAD_TIMED_WAITING: return "TIMED_WAITING";
    case CD_THREAD_TERMINATED: return "TERMINATED";
    }
    return "UNKNOWN";
}

/* The integers and ids a thread's object holds, at most. */
static size_t thread_scratch_size(const cd_thread *t)
{
    return 2 * ((size_t)t->frame_count + (size_t)t->virtual_frame_count) +
           3 * ((size_t)t->lock_count + (size_t)t->synchronizer_count) + 16;
}

static cJSON *thread_json(json_scratch *scratch, const method_index *index, const cd_thread *t)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    add_clean_string(o, "name", t->name);
    add_integer(scratch, o, "java_id", t->java_id);
    add_item(o, "daemon", cJSON_CreateBool(t->daemon));
    add_integer(scratch, o, "priority", t->priority);
    if (t->os_priority != INT32_MIN)
        add_integer(scratch, o, "os_priority", t->os_priority);
    if (t->cpu_ns >= 0)
        add_integer(scratch, o, "cpu_ns", t->cpu_ns);
    if (t->elapsed_ms >= 0)
        add_integer(scratch, o, "elapsed_ms", t->elapsed_ms);
    if (t->vm_thread) {
        char *text = scratch_take(scratch);
        if (text) {
            cd_format_hex(t->vm_thread, 16, text);
            add_reference(o, "vm_thread", text);
        }
    }
    if (t->nid >= 0)
        add_integer(scratch, o, "nid", t->nid);
    if (t->os_state)
        add_reference(o, "os_state", t->os_state);
    add_reference(o, "state", state_word(t->state));
    add_reference(o, "state_line", cd_thread_state_text(t->state, t->detail));
    add_item(o, "in_native", cJSON_CreateBool(t->in_native));
    add_item(o, "frames", frames_json(scratch, index, t->frames, t->frame_count));
    if (t->frames_omitted > 0)
        add_integer(scratch, o, "frames_omitted", t->frames_omitted);
    cJSON *locks = cJSON_CreateArray();
    add_item(o, "locks", locks);
    for (int i = 0; locks && i < t->lock_count; i++) {
        const cd_frame_lock *l = &t->locks[i];
        cJSON *item = l->action == CD_LOCK_WAITING_ON_UNKNOWN ? cJSON_CreateObject()
                                                              : object_json(scratch, &l->object);
        add_integer(scratch, item, "depth", l->depth);
        add_reference(item, "action", lock_action_word(l->action));
        cJSON_AddItemToArray(locks, item);
    }
    if (t->synchronizers_known) {
        cJSON *syncs = cJSON_CreateArray();
        add_item(o, "ownable_synchronizers", syncs);
        for (int i = 0; syncs && i < t->synchronizer_count; i++)
            cJSON_AddItemToArray(syncs, object_json(scratch, &t->synchronizers[i]));
    } else {
        add_item(o, "ownable_synchronizers", cJSON_CreateNull());
    }
    if (t->wait_kind != CD_WAIT_NONE) {
        cJSON *w = object_json(scratch, &t->waiting_for);
        add_reference(w, "kind",
                      t->wait_kind == CD_WAIT_MONITOR ? "monitor" : "ownable_synchronizer");
        if (t->waiting_for_owner >= 0)
            add_integer(scratch, w, "owner_java_id", t->waiting_for_owner);
        add_item(o, "waiting_for", w);
    }
    if (t->vm_internal)
        add_item(o, "vm_internal", cJSON_CreateTrue());
    if (t->kind)
        add_reference(o, "kind", t->kind);
    if (t->compile_task)
        add_clean_string(o, "compile_task", t->compile_task);
    if (t->carried_virtual_id >= 0) {
        cJSON *v = cJSON_CreateObject();
        add_item(o, "mounted_virtual_thread", v);
        add_integer(scratch, v, "java_id", t->carried_virtual_id);
        add_item(v, "frames",
                 t->virtual_frames_known
                     ? frames_json(scratch, index, t->virtual_frames, t->virtual_frame_count)
                     : cJSON_CreateNull());
    }
    return o;
}

static cJSON *deadlocks_json(const cd_thread_dump *dump)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t d = 0; array && d < dump->deadlock_count; d++) {
        const cd_deadlock *cycle = &dump->deadlocks[d];
        cJSON *entry = cJSON_CreateObject();
        cJSON *members = cJSON_AddArrayToObject(entry, "threads");
        for (size_t i = 0; i < cycle->count; i++) {
            const cd_thread *t = &dump->threads[cycle->threads[i]];
            const cd_thread *next = &dump->threads[cycle->threads[(i + 1) % cycle->count]];
            cJSON *m = cJSON_CreateObject();
            add_clean_string(m, "name", t->name);
            cd_json_add_integer(m, "java_id", t->java_id);
            cJSON *w = object_json(NULL, &t->waiting_for);
            cJSON_AddStringToObject(
                w, "kind", t->wait_kind == CD_WAIT_MONITOR ? "monitor" : "ownable_synchronizer");
            cJSON_AddItemToObject(m, "waiting_for", w);
            add_clean_string(m, "held_by", next->name);
            cd_json_add_integer(m, "held_by_java_id", next->java_id);
            cJSON_AddItemToArray(members, m);
        }
        cJSON_AddItemToArray(array, entry);
    }
    return array;
}

/* A buffer kept from one printed object to the next: a thread's object
 * is printed into it without cJSON allocating and growing one each time. */
typedef struct print_buffer {
    char *data;
    size_t size;
} print_buffer;

/* Writes object's members without the closing (or opening) brace, so the
 * thread array can be streamed between two halves printed by cJSON. */
static int write_object_part(cd_sink *sink, print_buffer *buffer, const cJSON *object,
                             int drop_open, int drop_close)
{
    char *text = NULL;
    if (buffer->data &&
        cJSON_PrintPreallocated((cJSON *)(uintptr_t)object, buffer->data, (int)buffer->size, 0))
        text = buffer->data;
    char *printed = text ? NULL : cJSON_PrintUnformatted(object);
    if (!text && !printed)
        return -1;
    if (!text)
        text = printed;
    size_t len = strlen(text);
    const char *start = text + (drop_open ? 1 : 0);
    size_t n = len - (drop_open ? 1 : 0) - (drop_close ? 1 : 0);
    int rc = cd_sink_write(sink, start, n);
    if (printed) { /* too small: grow for the next one (cJSON wants 5 bytes spare) */
        char *grown = len + 64 > buffer->size ? realloc(buffer->data, len + 64) : NULL;
        if (grown) {
            buffer->data = grown;
            buffer->size = len + 64;
        }
        free(printed);
    }
    return rc;
}

int cd_dump_write_json(cd_sink *sink, const cd_thread_dump *dump, const cJSON *extra, cd_error *err)
{
    cJSON *head = cJSON_CreateObject();
    cJSON *tail = cJSON_CreateObject();
    method_index index = {0};
    if (!head || !tail || method_index_build(&index, dump) != 0) {
        cJSON_Delete(head);
        cJSON_Delete(tail);
        method_index_free(&index);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory writing threads.json");
    }
    char when[40];
    cd_format_iso8601(dump->wall_ms, when, sizeof when);
    cJSON_AddStringToObject(head, "schema", "carbondump.threads/1");
    cJSON_AddStringToObject(head, "captured_at", when);
    cJSON *vm = cJSON_AddObjectToObject(head, "vm");
    add_clean_string(vm, "name", dump->vm_name ? dump->vm_name : "");
    add_clean_string(vm, "version", dump->vm_version ? dump->vm_version : "");
    add_clean_string(vm, "info", dump->vm_info ? dump->vm_info : "");
    if (dump->style.jdk_feature)
        cd_json_add_integer(vm, "jdk_feature", dump->style.jdk_feature);
    cJSON *sources = cJSON_AddObjectToObject(head, "sources");
    cJSON_AddStringToObject(sources, "stacks", "jvmti");
    if (dump->locks_source)
        cJSON_AddStringToObject(sources, "locks", dump->locks_source);
    else
        cJSON_AddNullToObject(sources, "locks");
    if (dump->locks_note)
        cJSON_AddStringToObject(sources, "locks_note", dump->locks_note);
    if (dump->synchronizers_note)
        cJSON_AddStringToObject(sources, "synchronizers_note", dump->synchronizers_note);
    if (dump->natives_note)
        cJSON_AddStringToObject(sources, "native_threads_note", dump->natives_note);
    if (dump->vm_threads_note)
        cJSON_AddStringToObject(sources, "vm_threads_note", dump->vm_threads_note);
    cd_json_add_integer(head, "thread_count", dump->count);
    cd_json_add_integer(head, "threads_skipped", dump->threads_skipped);
    cJSON_AddItemToObject(head, "methods", methods_json(&index));

    cJSON *natives = cJSON_AddArrayToObject(tail, "native_threads");
    for (size_t i = 0; i < dump->native_count; i++) {
        const cd_native_thread *n = &dump->natives[i];
        cJSON *o = cJSON_CreateObject();
        add_clean_string(o, "name", n->name);
        cd_json_add_integer(o, "nid", n->nid);
        if (n->cpu_ns >= 0)
            cd_json_add_integer(o, "cpu_ns", n->cpu_ns);
        if (n->elapsed_ms >= 0)
            cd_json_add_integer(o, "elapsed_ms", n->elapsed_ms);
        if (n->os_priority != INT32_MIN)
            cd_json_add_integer(o, "os_priority", n->os_priority);
        if (n->os_state)
            cJSON_AddStringToObject(o, "os_state", n->os_state);
        cJSON_AddBoolToObject(o, "vm_internal", n->vm_internal);
        if (n->vm_thread) {
            char hex[CD_HEX_TEXT_MAX];
            cd_format_hex(n->vm_thread, 16, hex);
            cJSON_AddStringToObject(o, "vm_thread", hex);
        }
        if (n->kind)
            cJSON_AddStringToObject(o, "kind", n->kind);
        cJSON_AddItemToArray(natives, o);
    }
    cJSON *virtual = cJSON_AddObjectToObject(tail, "virtual_threads");
    if (dump->virtual_threads >= 0) {
        cd_json_add_integer(virtual, "alive", dump->virtual_threads);
        cd_json_add_integer(
            virtual, "mounted",
            (dump->virtual_threads_mounted > 0 ? dump->virtual_threads_mounted : 0));
    } else {
        cJSON_AddNullToObject(virtual, "alive");
    }
    cJSON_AddBoolToObject(virtual, "listed", 0);
    if (dump->virtual_note)
        cJSON_AddStringToObject(virtual, "note", dump->virtual_note);
    cJSON_AddBoolToObject(tail, "deadlocks_checked", dump->deadlocks_checked);
    cJSON_AddItemToObject(tail, "deadlocks", deadlocks_json(dump));
    for (const cJSON *item = extra ? extra->child : NULL; item; item = item->next)
        cJSON_AddItemToObject(tail, item->string, cJSON_Duplicate(item, 1));

    print_buffer buffer = {malloc(16 << 10), 16 << 10};
    if (!buffer.data)
        buffer.size = 0;
    int rc = write_object_part(sink, &buffer, head, 0, 1);
    cd_sink_puts(sink, ",\"threads\":[\n");
    json_scratch scratch = {0};
    for (size_t i = 0; rc == 0 && i < dump->count; i++) {
        const cd_thread *thread = &dump->threads[i];
        cJSON *t = scratch_reset(&scratch, thread_scratch_size(thread)) == 0
                       ? thread_json(&scratch, &index, thread)
                       : NULL;
        if (!t || write_object_part(sink, &buffer, t, 0, 0) != 0)
            rc = -1;
        cJSON_Delete(t);
        cd_sink_puts(sink, i + 1 < dump->count ? ",\n" : "\n");
    }
    free(scratch.texts);
    cd_sink_puts(sink, "],\n");
    if (rc == 0)
        rc = write_object_part(sink, &buffer, tail, 1, 0);
    cd_sink_puts(sink, "\n");
    free(buffer.data);
    cJSON_Delete(head);
    cJSON_Delete(tail);
    method_index_free(&index);
    if (rc != 0)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory writing threads.json");
    return 0;
}
