/*
 * Part "heapdump", jvmti engine: the agent writes the heap dump itself, as
 * memoryinfo/java_heap_memory_dump.hprof.gz, from one JVMTI FollowReferences
 * walk. It is the engine for a JVM whose own dumper cannot be reached, and the
 * one the OutOfMemoryError trigger uses: nothing here allocates a Java object.
 *
 * The dump is laid out as HotSpot lays out its own (DESIGN section 9), so heap
 * analysers read it alike:
 *   UTF8 and LOAD_CLASS for every loaded class, FRAME and TRACE per thread
 *   (plus the dummy trace 1 that every object cites), then HEAP_DUMP_SEGMENTs:
 *   a CLASS_DUMP per class (statics with values, own instance fields, empty
 *   constant pool), then roots and objects as the walk reports them, then
 *   HEAP_DUMP_END. java.lang.Class objects are CLASS_DUMPs, not instances; the
 *   primitive-type mirrors (int.class ...) are instances of java.lang.Class.
 *
 * Identity. Objects have no stable address in JVMTI, so every object gets a
 * tag, and the tag is its HPROF id. The tags live in a jvmtiEnv of this dump
 * only (heap_walk.h), disposed at the end, which frees them all at once. A tag
 * is a sequence number (bits 0..33) and, for arrays, length + 1 (bits 34..62):
 * when an object array's references are reported, JVMTI does not repeat its
 * length, and trailing nulls are not reported at all. Class mirrors get tags
 * 1..N in the order of GetLoadedClasses, so the class of an object is found by
 * its class tag without a search.
 *
 * Order. A class dump must precede the instances of its class, but the walk
 * may reach an instance before its class. So classes are dumped before the
 * walk, from GetLoadedClasses, and their static values are read with JNI just
 * before the walk (reading a field allocates nothing). The objects those
 * statics point to are held by local references during the walk so that they
 * are still there when the walk reaches them; the agent thread's own JNI locals
 * are not written as roots. A java.lang.Class object outside the snapshot is
 * either a class loaded since (the class of some object: it gets a minimal
 * class dump before its first instance, and its name after the walk) or a
 * mirror CDS keeps for a class not loaded yet (an instance of java.lang.Class,
 * as in HotSpot's dumps).
 *
 * Memory. FollowReferences reports all references of one object in one burst
 * (its class first, then fields or elements, or its primitive values); the
 * object's record is written when its burst ends. Besides the tags (JVMTI's,
 * about 63 bytes an object) the walk keeps nothing per object: one instance's
 * field values, the classes' field maps, and the output buffers. Everything in
 * the heap callbacks is memory and pthread work only (no JNI, no JVMTI), as the
 * callbacks run at a safepoint; compression runs on a thread of its own.
 *
 * Thread names stay readable under --heap-redact: the Strings a thread's name
 * field holds, and their value arrays, are exempt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/part.h"
#include "base/jvmti_util.h"
#include "carbondump/fsutil.h"
#include "carbondump/heapdump_space.h"
#include "carbondump/hprof.h"
#include "carbondump/sink_async.h"
#include "base/heap_walk.h"
#include "base/jni_util.h"
#include "heapdump_internal.h"
#include "hprof_writer.h"
#include "heap.h"

#define DUMP_PATH "memoryinfo/java_heap_memory_dump.hprof.gz"
#define GZIP_LEVEL 1
#define GZIP_MEMBER_BYTES (1u << 20)
#define OUTPUT_BUFFERS 4
#define MAX_STACK_DEPTH 1024

enum { BURST_NONE, BURST_INSTANCE, BURST_OBJECT_ARRAY, BURST_PRIMITIVE_ARRAY, BURST_CLASS };

/* ---------------------------------------------------------------- the walk (safepoint) */

/* A class outside the snapshot is the class of the current object: it needs a
 * class dump before the object's record (once). */
static void class_outside_snapshot(heapdump *h, uint64_t id)
{
    for (size_t i = 0; i < h->late.count; i++)
        if (h->late.items[i] == id)
            return;
    if (cd_idlist_push(&h->late, id) != 0)
        hd_stop(h, CD_ERR_NOMEM, "out of memory");
}

/* Class dumps still owed for classes first seen in the walk; written between
 * records, before any instance of them. */
static void write_pending(heapdump *h)
{
    if (h->late_dumped < h->late.count)
        hd_dump_late_classes(h);
}

static void begin_object_array(heapdump *h)
{
    write_pending(h);
    cd_hprof_object_array_begin(h->w, h->burst_id, h->burst_class_id,
                                hd_tag_length(h, h->burst_id));
    h->burst_written = 1;
}

static void finish_burst(heapdump *h)
{
    switch (h->burst_kind) {
    case BURST_INSTANCE: {
        uint32_t len = h->burst_class ? h->burst_class->instance_bytes : 0;
        write_pending(h);
        cd_hprof_instance(h->w, h->burst_id, h->burst_class_id, h->values, len);
        memset(h->values, 0, len);
        break;
    }
    case BURST_OBJECT_ARRAY:
        if (!h->burst_written)
            begin_object_array(h);
        cd_hprof_object_array_end(h->w);
        break;
    case BURST_PRIMITIVE_ARRAY:
        if (!h->burst_written && h->burst_class) {
            write_pending(h);
            cd_hprof_primitive_array(h->w, h->burst_id, h->burst_class->element_type,
                                     hd_tag_length(h, h->burst_id), NULL, 1);
        }
        break;
    default: break;
    }
    h->burst_kind = BURST_NONE;
    h->burst_id = 0;
    write_pending(h);
    if (cd_hprof_writer_failed(h->w))
        hd_stop(h, CD_ERR_IO, "writing the heap dump failed");
}

static void begin_burst(heapdump *h, uint64_t id, uint64_t class_tag)
{
    finish_burst(h);
    h->burst_id = id;
    h->burst_written = 0;
    h->burst_class = NULL;
    h->burst_class_id = 0;
    h->burst_keep = h->redact != CD_HEAP_REDACT_NONE && cd_idlist_has(&h->keep, id);
    if (class_tag == h->class_class_id) {
        h->burst_kind = BURST_CLASS; /* dumped before the walk */
        return;
    }
    hd_class *c = hd_class_by_tag(h, class_tag);
    if (c) {
        h->burst_class = c;
        h->burst_class_id = c->id;
        h->burst_kind = c->kind == HD_OBJECT_ARRAY      ? BURST_OBJECT_ARRAY
                        : c->kind == HD_PRIMITIVE_ARRAY ? BURST_PRIMITIVE_ARRAY
                                                        : BURST_INSTANCE;
    } else {
        /* A class loaded after the snapshot (only object array classes can be
         * new); its id comes with the burst's first reference, to its class. */
        h->burst_kind = (id >> HD_TAG_SEQUENCE_BITS) ? BURST_OBJECT_ARRAY : BURST_INSTANCE;
    }
}

static void root(heapdump *h, jvmtiHeapReferenceKind kind, const jvmtiHeapReferenceInfo *info,
                 uint64_t id)
{
    switch (kind) {
    case JVMTI_HEAP_REFERENCE_JNI_GLOBAL:
        cd_hprof_root_jni_global(h->w, id, ++h->jni_globals);
        break;
    case JVMTI_HEAP_REFERENCE_SYSTEM_CLASS:
        cd_hprof_root(h->w, CD_HPROF_ROOT_STICKY_CLASS, id);
        break;
    case JVMTI_HEAP_REFERENCE_MONITOR: cd_hprof_root(h->w, CD_HPROF_ROOT_MONITOR_USED, id); break;
    case JVMTI_HEAP_REFERENCE_STACK_LOCAL:
        cd_hprof_root_in_frame(h->w, CD_HPROF_ROOT_JAVA_FRAME, id,
                               hd_thread_serial(h, (uint64_t)info->stack_local.thread_tag),
                               info->stack_local.depth);
        break;
    case JVMTI_HEAP_REFERENCE_JNI_LOCAL:
        /* This thread's locals are the dump's own bookkeeping. */
        if ((uint64_t)info->jni_local.thread_tag == h->own_thread_tag)
            break;
        cd_hprof_root_in_frame(h->w, CD_HPROF_ROOT_JNI_LOCAL, id,
                               hd_thread_serial(h, (uint64_t)info->jni_local.thread_tag),
                               info->jni_local.depth);
        break;
    case JVMTI_HEAP_REFERENCE_THREAD: {
        uint32_t serial = hd_thread_serial(h, id);
        /* A thread started after the snapshot has no trace of its own. */
        cd_hprof_root_thread(h->w, id, serial ? serial : h->next_thread_serial++,
                             serial ? CD_HPROF_DUMMY_TRACE + serial : CD_HPROF_DUMMY_TRACE);
        break;
    }
    default: cd_hprof_root(h->w, CD_HPROF_ROOT_UNKNOWN, id); break;
    }
}

/* The slot of the current instance's field at JVMTI index, or NULL when the
 * burst is no instance of a known class or the index no instance field of it. */
static inline const hd_slot *field_slot(const heapdump *h, jint index)
{
    const hd_class *c = h->burst_class;
    if (h->burst_kind != BURST_INSTANCE || !c || index < 0 || (uint32_t)index >= c->slot_count)
        return NULL;
    const hd_slot *slot = &c->slots[index];
    return slot->type ? slot : NULL;
}

static jint JNICALL on_reference(jvmtiHeapReferenceKind kind, const jvmtiHeapReferenceInfo *info,
                                 jlong class_tag, jlong referrer_class_tag, jlong size,
                                 jlong *tag_ptr, jlong *referrer_tag_ptr, jint length,
                                 void *user_data)
{
    heapdump *h = user_data;
    if (h->stop)
        return JVMTI_VISIT_ABORT;
    uint64_t referee = (uint64_t)*tag_ptr;
    if (!referee) {
        referee = hd_new_tag(h, length);
        *tag_ptr = (jlong)referee;
        if ((uint64_t)class_tag == h->class_class_id && cd_idlist_push(&h->unknown, referee) != 0)
            hd_stop(h, CD_ERR_NOMEM, "out of memory");
    }
    if (!referrer_tag_ptr) {
        root(h, kind, info, referee);
        return h->stop ? JVMTI_VISIT_ABORT : JVMTI_VISIT_OBJECTS;
    }
    uint64_t referrer = (uint64_t)*referrer_tag_ptr;
    if (!referrer)
        return JVMTI_VISIT_OBJECTS;
    if (referrer != h->burst_id)
        begin_burst(h, referrer, (uint64_t)referrer_class_tag);
    switch (kind) {
    case JVMTI_HEAP_REFERENCE_CLASS:
        if (!h->burst_class_id && h->burst_kind != BURST_CLASS) {
            h->burst_class_id = referee;
            if (referee > h->class_count)
                class_outside_snapshot(h, referee);
        }
        break;
    case JVMTI_HEAP_REFERENCE_FIELD: {
        const hd_slot *slot = field_slot(h, info->field.index);
        if (slot && slot->type == CD_HPROF_OBJECT)
            cd_hprof_store_value(h->values + slot->offset, referee, CD_HPROF_ID_SIZE);
        break;
    }
    case JVMTI_HEAP_REFERENCE_ARRAY_ELEMENT:
        if (h->burst_kind != BURST_OBJECT_ARRAY)
            break;
        if (!h->burst_written)
            begin_object_array(h);
        cd_hprof_object_array_element(h->w, (uint32_t)info->array.index, referee);
        break;
    default: break; /* a class's references: its dump is written already */
    }
    return h->stop ? JVMTI_VISIT_ABORT : JVMTI_VISIT_OBJECTS;
}

static jint JNICALL on_primitive_field(jvmtiHeapReferenceKind kind,
                                       const jvmtiHeapReferenceInfo *info, jlong object_class_tag,
                                       jlong *object_tag_ptr, jvalue value,
                                       jvmtiPrimitiveType value_type, void *user_data)
{
    heapdump *h = user_data;
    if (h->stop)
        return JVMTI_VISIT_ABORT;
    if (kind != JVMTI_HEAP_REFERENCE_FIELD) /* statics: read before the walk */
        return 0;
    uint64_t object = (uint64_t)*object_tag_ptr;
    if (object != h->burst_id)
        begin_burst(h, object, (uint64_t)object_class_tag);
    const hd_slot *slot = field_slot(h, info->field.index);
    if (!slot || slot->descriptor != (char)value_type || (slot->zeroed && !h->burst_keep))
        return 0;
    /* jvalue is a union: the member of the value's size holds its bits. */
    uint64_t bits;
    switch (slot->size) {
    case 1: bits = (uint8_t)value.b; break;
    case 2: bits = (uint16_t)value.s; break;
    case 4: bits = (uint32_t)value.i; break;
    default: bits = (uint64_t)value.j; break;
    }
    cd_hprof_store_value(h->values + slot->offset, bits, slot->size);
    return 0;
}

static jint JNICALL on_primitive_array(jlong class_tag, jlong size, jlong *tag_ptr,
                                       jint element_count, jvmtiPrimitiveType element_type,
                                       const void *elements, void *user_data)
{
    heapdump *h = user_data;
    if (h->stop)
        return JVMTI_VISIT_ABORT;
    uint64_t array = (uint64_t)*tag_ptr;
    if (array != h->burst_id)
        begin_burst(h, array, (uint64_t)class_tag);
    h->burst_kind = BURST_PRIMITIVE_ARRAY;
    write_pending(h);
    uint8_t type = cd_hprof_type_of_descriptor((char)element_type);
    int zeroed = cd_hprof_redacts_array(h->redact, type) && !h->burst_keep;
    cd_hprof_primitive_array(h->w, array, type, (uint32_t)element_count, elements, zeroed);
    h->burst_written = 1;
    return 0;
}

/* Records every reachable object and root. */
static int walk(heapdump *h, cd_error *err)
{
    h->values = calloc(h->values_cap + 8, 1);
    if (!h->values)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    jvmtiHeapCallbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.heap_reference_callback = on_reference;
    callbacks.primitive_field_callback = on_primitive_field;
    callbacks.array_primitive_value_callback = on_primitive_array;
    jvmtiError e = (*h->env)->FollowReferences(h->env, 0, NULL, NULL, &callbacks, h);
    if (!h->stop)
        finish_burst(h);
    if (h->stop) {
        *err = h->error;
        return -1;
    }
    return e == JVMTI_ERROR_NONE ? 0 : cd_jvmti_fail(err, e, "FollowReferences");
}

/* ---------------------------------------------------------------- around the walk */

/* The Class objects outside the snapshot that no object had as its class are
 * objects of class java.lang.Class: CDS keeps mirrors of classes not loaded
 * yet in its archived heap, and HotSpot dumps those as instances too. */
static void dump_unknown_mirrors(heapdump *h, const uint8_t *zeros, uint32_t len)
{
    cd_idlist_seal(&h->late);
    for (size_t i = 0; i < h->unknown.count; i++)
        if (!cd_idlist_has(&h->late, h->unknown.items[i]))
            cd_hprof_instance(h->w, h->unknown.items[i], h->class_class_id, zeros, len);
}

static int dump(heapdump *h, cd_error *err)
{
    jvmtiStackInfo *stacks = NULL;
    jint thread_count = 0, class_count = 0;
    jclass *klasses = NULL;
    /* Stacks first: every class a frame names is then among the classes. */
    jvmtiError e = (*h->env)->GetAllStackTraces(h->env, MAX_STACK_DEPTH, &stacks, &thread_count);
    if (e != JVMTI_ERROR_NONE)
        return cd_jvmti_fail(err, e, "GetAllStackTraces");
    e = (*h->env)->GetLoadedClasses(h->env, &class_count, &klasses);
    if (e != JVMTI_ERROR_NONE) {
        cd_jvmti_free(h->env, stacks);
        return cd_jvmti_fail(err, e, "GetLoadedClasses");
    }
    /* JVMTI made a local reference per thread and per class behind checked
     * JNI's back: declare them before the next JNI call. */
    cd_jni_declare_refs(h->jni, class_count + thread_count);
    int rc = hd_snapshot_classes(h, klasses, class_count, err);
    if (rc == 0) {
        /* Room for a local reference per static, loader and thread name. */
        jint statics = 0;
        for (size_t i = 0; i < h->class_count; i++)
            for (uint16_t k = 0; k < h->classes[i].field_count; k++)
                statics += h->classes[i].fields[k].is_static;
        (*h->jni)->EnsureLocalCapacity(h->jni, class_count + statics + 4 * thread_count + 256);
        rc = hd_dump_threads(h, stacks, thread_count, err);
    }
    for (size_t i = 0; rc == 0 && i < h->class_count; i++)
        rc = hd_dump_class(h, (int32_t)i, err);
    uint32_t mirror_len = h->class_count ? h->classes[h->class_class_id - 1].instance_bytes : 0;
    uint8_t *zeros = calloc(mirror_len + 1, 1);
    if (rc == 0 && !zeros)
        rc = cd_fail(err, CD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < h->mirrors.count; i++)
        cd_hprof_instance(h->w, h->mirrors.items[i], h->class_class_id, zeros, mirror_len);
    if (rc == 0 && cd_hprof_writer_failed(h->w))
        rc = -1;
    if (rc == 0)
        rc = walk(h, err);
    if (rc == 0) {
        dump_unknown_mirrors(h, zeros, mirror_len);
        rc = hd_name_late_classes(h, err);
    }
    free(zeros);
    cd_jvmti_free(h->env, stacks);
    cd_jvmti_free(h->env, klasses);
    return rc;
}

static void free_heapdump(heapdump *h)
{
    for (size_t i = 0; h->classes && i < h->class_count; i++) {
        free(h->classes[i].fields);
        free(h->classes[i].interfaces);
        free(h->classes[i].slots);
    }
    free(h->classes);
    free(h->threads);
    free(h->values);
    cd_idlist_free(&h->keep);
    cd_idlist_free(&h->mirrors);
    cd_idlist_free(&h->late);
    cd_idlist_free(&h->unknown);
    cd_idlist_free(&h->long_arrays);
}

/* ---------------------------------------------------------------- the part */

int cd_part_heapdump(cd_part_ctx *ctx, cd_error *err)
{
    const cd_request *request = ctx->request;
    if (request->heap_engine != CD_HEAP_ENGINE_JVMTI) {
        cd_fail(err, CD_ERR_UNSUPPORTED,
                "the vm engine's heap dump is made by the collector, not the agent");
        return CD_PART_SKIPPED;
    }
    if (!ctx->jni)
        return cd_fail(err, CD_ERR_INTERNAL, "no JNI environment for the heap dump");

    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/memoryinfo", request->dir);
    if (cd_mkdirs(dir, 0700, err) != 0)
        return -1;
    if (cd_heapdump_space_admit_self(dir, err) != 0)
        return err->code == CD_ERR_NOSPACE ? CD_PART_SKIPPED : -1;

    jvmtiEnv *env = NULL;
    if (cd_walk_env_open(ctx->agent, &env, err) != 0)
        return -1;
    jvmtiCapabilities more;
    memset(&more, 0, sizeof more);
    more.can_get_source_file_name = 1;
    more.can_get_line_numbers = 1;
    (*env)->AddCapabilities(env, &more); /* frames just lack lines without them */

    cd_sink *file = cd_staging_open(request->dir, DUMP_PATH, err);
    cd_sink *gzip = file ? cd_sink_gzip(file, GZIP_LEVEL, GZIP_MEMBER_BYTES, err) : NULL;
    cd_sink *out = gzip ? cd_sink_async(gzip, GZIP_MEMBER_BYTES, OUTPUT_BUFFERS, err) : NULL;
    if (!out) {
        cd_walk_env_close(env);
        return -1;
    }
    heapdump h;
    memset(&h, 0, sizeof h);
    h.jni = ctx->jni;
    h.env = env;
    h.redact = request->heap_redact;
    int rc = (*ctx->jni)->PushLocalFrame(ctx->jni, 64) == 0
                 ? 0
                 : cd_fail(err, CD_ERR_NOMEM, "no room for JNI local references");
    if (rc == 0) {
        h.w = cd_hprof_writer_new(out, cd_wall_ms(), err);
        rc = h.w ? dump(&h, err) : -1;
        if (h.w && cd_hprof_writer_finish(h.w) != 0 && rc == 0)
            rc = cd_fail(err, out->error.code, "%s", out->error.message);
        cd_hprof_writer_free(h.w);
        (*ctx->jni)->PopLocalFrame(ctx->jni, NULL);
    }
    free_heapdump(&h);
    if (rc != 0)
        cd_sink_abandon(out);
    else if (cd_sink_close(out, err) != 0)
        rc = -1;
    /* Disposing of the environment frees every tag, one entry per object,
     * while HotSpot holds the tag map's lock without checking for safepoints:
     * a safepoint asked for meanwhile (a GC) waits for the end, every Java
     * thread with it: on JDK 25 tens of seconds for 38 million objects
     * (bench/heapdump.sh). It is part of the dump's cost, so it happens
     * before the part returns and counts in its duration, not after the
     * result is reported, where the JVM's next GC would pay it unseen. */
    cd_walk_env_close(env);
    return rc == 0 ? 0 : cd_error_wrap(err, "heap dump (jvmti engine)");
}
