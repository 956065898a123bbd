/*
 * The thread dump model's storage and text helpers (thread_model.h): the
 * arena, the threads of a dump and their lock lines, an index by java id,
 * the jstack words for states, and cd_text_clean, which every rendering
 * (thread_format.c, thread_json.c, deadlocks.c, hot_threads.c) puts the
 * JVM's names through: they come in modified UTF-8 and may hold anything.
 *
 * Pure C: no JVM types, unit-tested in tests/unit/test_thread_format.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thread_model.h"
#include "carbondump/array.h"

/* ---------------------------------------------------------------- arena */

#define ARENA_BLOCK_BYTES (64 * 1024)

struct cd_arena_block {
    cd_arena_block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

void *cd_arena_alloc(cd_arena *arena, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    cd_arena_block *block = arena->blocks;
    if (!block || block->size - block->used < size) {
        size_t want = size > ARENA_BLOCK_BYTES ? size : ARENA_BLOCK_BYTES;
        block = malloc(sizeof *block + want);
        if (!block)
            return NULL;
        block->used = 0;
        block->size = want;
        block->next = arena->blocks;
        arena->blocks = block;
    }
    void *p = block->data + block->used;
    block->used += size;
    arena->bytes += size;
    memset(p, 0, size);
    return p;
}

char *cd_arena_strndup(cd_arena *arena, const char *text, size_t len)
{
    char *copy = cd_arena_alloc(arena, len + 1);
    if (copy)
        memcpy(copy, text, len);
    return copy;
}

char *cd_arena_strdup(cd_arena *arena, const char *text)
{
    return text ? cd_arena_strndup(arena, text, strlen(text)) : NULL;
}

void cd_arena_free(cd_arena *arena)
{
    while (arena->blocks) {
        cd_arena_block *next = arena->blocks->next;
        free(arena->blocks);
        arena->blocks = next;
    }
    arena->bytes = 0;
}

/* ---------------------------------------------------------------- model */

void cd_dump_style_for(const char *spec_version, cd_dump_style *style)
{
    int feature = 0;
    if (spec_version) {
        if (strncmp(spec_version, "1.", 2) == 0)
            feature = atoi(spec_version + 2);
        else
            feature = atoi(spec_version);
    }
    int newest = feature == 0;
    style->jdk_feature = feature;
    style->nid_decimal = newest || feature >= 18;
    style->os_id_after_id = newest || feature >= 19;
    style->cpu_elapsed = newest || feature >= 11;
}

void cd_thread_dump_init(cd_thread_dump *dump)
{
    memset(dump, 0, sizeof *dump);
    dump->virtual_threads = -1;
    dump->virtual_threads_mounted = -1;
    cd_dump_style_for(NULL, &dump->style);
}

void cd_thread_dump_free(cd_thread_dump *dump)
{
    free(dump->threads);
    cd_arena_free(&dump->arena);
    memset(dump, 0, sizeof *dump);
}

cd_thread *cd_thread_dump_add(cd_thread_dump *dump)
{
    if (CD_ARRAY_ROOM_FOR_ONE(dump->threads, dump->capacity, dump->count) != 0)
        return NULL;
    cd_thread *t = &dump->threads[dump->count++];
    memset(t, 0, sizeof *t);
    t->java_id = -1;
    t->os_priority = INT32_MIN;
    t->cpu_ns = -1;
    t->elapsed_ms = -1;
    t->nid = -1;
    t->waiting_for_owner = -1;
    t->carried_virtual_id = -1;
    return t;
}

cd_thread *cd_thread_dump_find(cd_thread_dump *dump, int64_t java_id)
{
    for (size_t i = 0; i < dump->count; i++)
        if (dump->threads[i].java_id == java_id)
            return &dump->threads[i];
    return NULL;
}

static size_t index_slot(const cd_thread_index *index, int64_t key)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (index->slots - 1);
}

int cd_thread_index_build(cd_thread_index *index, const cd_thread_dump *dump)
{
    size_t slots = 16;
    while (slots < dump->count * 2 + 1)
        slots *= 2;
    index->keys = malloc(slots * sizeof *index->keys);
    index->values = malloc(slots * sizeof *index->values);
    index->slots = slots;
    if (!index->keys || !index->values) {
        cd_thread_index_free(index);
        return -1;
    }
    for (size_t i = 0; i < slots; i++)
        index->keys[i] = -1;
    for (size_t i = 0; i < dump->count; i++) {
        int64_t key = dump->threads[i].java_id;
        if (key < 0)
            continue;
        size_t s = index_slot(index, key);
        while (index->keys[s] != -1 && index->keys[s] != key)
            s = (s + 1) & (slots - 1);
        if (index->keys[s] == -1) { /* the first thread with an id wins */
            index->keys[s] = key;
            index->values[s] = i;
        }
    }
    return 0;
}

size_t cd_thread_index_get(const cd_thread_index *index, int64_t java_id)
{
    if (java_id < 0 || !index->slots)
        return (size_t)-1;
    for (size_t s = index_slot(index, java_id); index->keys[s] != -1;
         s = (s + 1) & (index->slots - 1))
        if (index->keys[s] == java_id)
            return index->values[s];
    return (size_t)-1;
}

void cd_thread_index_free(cd_thread_index *index)
{
    free(index->keys);
    free(index->values);
    memset(index, 0, sizeof *index);
}

int cd_thread_add_lock(cd_thread_dump *dump, cd_thread *thread, int depth, cd_lock_action action,
                       cd_object object)
{
    /* Capacity is the next power of two at or above lock_count. */
    int n = thread->lock_count;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        int capacity = n == 0 ? 4 : n * 2;
        cd_frame_lock *grown = cd_arena_alloc(&dump->arena, (size_t)capacity * sizeof *grown);
        if (!grown)
            return -1;
        if (n)
            memcpy(grown, thread->locks, (size_t)n * sizeof *grown);
        thread->locks = grown;
    }
    thread->locks[n].depth = depth;
    thread->locks[n].action = action;
    thread->locks[n].object = object;
    thread->lock_count = n + 1;
    return 0;
}

void cd_thread_sort_locks(cd_thread *thread)
{
    /* Insertion sort: stable, and a thread holds a handful of locks. */
    for (int i = 1; i < thread->lock_count; i++) {
        cd_frame_lock item = thread->locks[i];
        int j = i - 1;
        while (j >= 0 && thread->locks[j].depth > item.depth) {
            thread->locks[j + 1] = thread->locks[j];
            j--;
        }
        thread->locks[j + 1] = item;
    }
}

/* ---------------------------------------------------------------- text */

typedef struct text_buffer {
    char *data;
    size_t len, cap;
    int failed;
} text_buffer;

static void buffer_put(text_buffer *b, const char *bytes, size_t len)
{
    if (b->failed)
        return;
    if (cd_array_reserve(&b->data, &b->cap, b->len + len + 1, 1) != 0) {
        b->failed = 1;
        return;
    }
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->data[b->len] = '\0';
}

static void buffer_put_code_point(text_buffer *b, uint32_t cp)
{
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buffer_put(b, out, n);
}

#define REPLACEMENT_CHARACTER 0xFFFDu

/* Decodes one UTF-8 or modified UTF-8 sequence at s (NUL-terminated). Sets
 * *cp and returns the bytes used, or 0 if the bytes are not a sequence (the
 * caller replaces the first byte and moves on). Surrogates are returned as
 * such; the caller pairs them. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if ((b & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        uint32_t v = ((uint32_t)(b & 0x1F) << 6) | (s[1] & 0x3F);
        if (v < 0x80 && v != 0) /* overlong; C0 80 is modified UTF-8's NUL */
            return 0;
        *cp = v;
        return 2;
    }
    if ((b & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        uint32_t v = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (v < 0x800)
            return 0;
        *cp = v;
        return 3;
    }
    if ((b & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        uint32_t v = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (v < 0x10000 || v > 0x10FFFF)
            return 0;
        *cp = v;
        return 4;
    }
    return 0;
}

static void put_clean(text_buffer *b, uint32_t cp, cd_text_mode mode)
{
    if (mode == CD_TEXT_DUMP && (cp < 0x20 || cp == 0x7F) && cp != '\t') {
        char escaped[8];
        if (cp == '\n')
            buffer_put(b, "\\n", 2);
        else if (cp == '\r')
            buffer_put(b, "\\r", 2);
        else {
            snprintf(escaped, sizeof escaped, "\\u%04x", (unsigned)cp);
            buffer_put(b, escaped, 6);
        }
        return;
    }
    if (cp == 0) /* JSON: cJSON strings end at NUL */
        cp = REPLACEMENT_CHARACTER;
    buffer_put_code_point(b, cp);
}

char *cd_text_clean(const char *text, cd_text_mode mode)
{
    text_buffer b = {0};
    buffer_put(&b, "", 0);
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    while (*s) {
        uint32_t cp;
        size_t used = decode(s, &cp);
        if (used == 0) {
            put_clean(&b, REPLACEMENT_CHARACTER, mode);
            s++;
            continue;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            size_t next = decode(s + used, &low);
            if (next == 3 && low >= 0xDC00 && low <= 0xDFFF) {
                put_clean(&b, 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00), mode);
                s += used + next;
                continue;
            }
            cp = REPLACEMENT_CHARACTER;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = REPLACEMENT_CHARACTER;
        }
        put_clean(&b, cp, mode);
        s += used;
    }
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    return b.data;
}

int cd_text_is_plain(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p >= 0x7F || (*p < 0x20 && *p != '\t'))
            return 0;
    return 1;
}

const char *cd_thread_state_text(cd_thread_state state, cd_state_detail detail)
{
    switch (state) {
    case CD_THREAD_NEW: return "NEW";
    case CD_THREAD_RUNNABLE: return "RUNNABLE";
    case CD_THREAD_BLOCKED: return "BLOCKED (on object monitor)";
    case CD_THREAD_TERMINATED: return "TERMINATED";
    case CD_THREAD_WAITING:
        return detail == CD_DETAIL_OBJECT_MONITOR ? "WAITING (on object monitor)"
               : detail == CD_DETAIL_PARKING      ? "WAITING (parking)"
                                                  : "WAITING";
    case CD_THREAD_TIMED_WAITING:
        return detail == CD_DETAIL_OBJECT_MONITOR ? "TIMED_WAITING (on object monitor)"
               : detail == CD_DETAIL_PARKING      ? "TIMED_WAITING (parking)"
               : detail == CD_DETAIL_SLEEPING     ? "TIMED_WAITING (sleeping)"
                                                  : "TIMED_WAITING";
    }
    return "UNKNOWN";
}

/* ---------------------------------------------------------------- bytecode */

/* The length of the instruction at code[at], 0 if it cannot be told (an
 * opcode the class file format does not define, or one cut short). */
static size_t instruction_length(const unsigned char *code, size_t len, size_t at)
{
    /* Lengths of opcodes 0x00..0xc9 with fixed lengths; 0 marks the three
     * with variable ones (tableswitch, lookupswitch, wide). */
    static const unsigned char fixed[0xca] = {
        /* 0x00 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        /* 0x10 */ 2, 3, 2, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1,
        /* 0x20 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        /* 0x30 */ 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1,
        /* 0x40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        /* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        /* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        /* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        /* 0x80 */ 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        /* 0x90 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3,
        /* 0xa0 */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 0, 0, 1, 1, 1, 1,
        /* 0xb0 */ 1, 1, 3, 3, 3, 3, 3, 3, 3, 5, 5, 3, 2, 3, 1, 1,
        /* 0xc0 */ 3, 3, 1, 1, 0, 4, 3, 3, 5, 5,
    };
    unsigned char op = code[at];
    if (op >= sizeof fixed)
        return 0;
    if (fixed[op])
        return at + fixed[op] <= len ? fixed[op] : 0;
    if (op == 0xc4) /* wide: iinc takes two 2-byte operands, the loads and stores one */
        return at + 1 < len ? (code[at + 1] == 0x84 ? 6 : 4) : 0;
    /* tableswitch, lookupswitch: padding to a 4-byte boundary, then 4-byte
     * big-endian numbers */
    size_t base = (at + 4) & ~(size_t)3;
    if (base + 12 > len)
        return 0;
    const unsigned char *w = code + base;
    int32_t a = (int32_t)((uint32_t)w[4] << 24 | (uint32_t)w[5] << 16 | (uint32_t)w[6] << 8 | w[7]);
    int32_t b =
        (int32_t)((uint32_t)w[8] << 24 | (uint32_t)w[9] << 16 | (uint32_t)w[10] << 8 | w[11]);
    int64_t entries = op == 0xaa ? (int64_t)b - a + 1 : (int64_t)a * 2;
    if (entries < 0 || entries > (int64_t)len)
        return 0;
    size_t end = base + (op == 0xaa ? 12 : 8) + (size_t)entries * 4;
    return end <= len ? end - at : 0;
}

int cd_bytecode_may_lock(const unsigned char *code, size_t len)
{
    for (size_t at = 0; at < len;) {
        if (code[at] == 0xc2) /* monitorenter */
            return 1;
        size_t step = instruction_length(code, len, at);
        if (step == 0)
            return 1;
        at += step;
    }
    return 0;
}
