/*
 * The VM's management interfaces through JNI: see mxbeans.h.
 *
 * Beans are reached the way a Java program would (ManagementFactory, then
 * interface methods resolved on the implementation class), so no field layout
 * is assumed. The one exception is the full flag list, which no public API
 * offers: it comes from the JDK class that backs HotSpotDiagnosticMXBean.
 */
#include "mxbeans.h"

#include <stdlib.h>
#include <string.h>

#include "jni_util.h"
#include "carbondump/array.h"

#define FRAME_CAPACITY 64

/* ---------------------------------------------------------------- helpers */

/* The elements of a String[] joined by ", " (malloc'd; "" for an empty or
 * null array). */
static char *join_strings(JNIEnv *jni, jobjectArray array)
{
    size_t len = 0, cap = 64;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    jsize n = array ? (*jni)->GetArrayLength(jni, array) : 0;
    for (jsize i = 0; i < n; i++) {
        jstring s = (jstring)(*jni)->GetObjectArrayElement(jni, array, i);
        char *text = cd_jni_utf(jni, s);
        if (s)
            (*jni)->DeleteLocalRef(jni, s);
        if (!text)
            continue;
        if (cd_array_reserve(&out, &cap, len + strlen(text) + 3, 1) != 0) {
            free(text);
            break;
        }
        len += (size_t)sprintf(out + len, "%s%s", len ? ", " : "", text);
        free(text);
    }
    return out;
}

/* Calls a no-argument method returning String[] and joins the result. */
static char *joined_call(JNIEnv *jni, jobject target, const char *method, cd_error *err)
{
    jobjectArray array =
        (jobjectArray)cd_jni_object(jni, target, method, "()[Ljava/lang/String;", err);
    char *text = join_strings(jni, array);
    if (array)
        (*jni)->DeleteLocalRef(jni, array);
    return text;
}

/* Reads a MemoryUsage object; all -1 for null. */
static void read_usage(JNIEnv *jni, jobject usage, cd_mx_usage *out, cd_error *err)
{
    out->init = out->used = out->committed = out->max = -1;
    if (!usage)
        return;
    out->init = cd_jni_long(jni, usage, "getInit", "()J", err);
    out->used = cd_jni_long(jni, usage, "getUsed", "()J", err);
    out->committed = cd_jni_long(jni, usage, "getCommitted", "()J", err);
    out->max = cd_jni_long(jni, usage, "getMax", "()J", err);
}

/* A ManagementFactory list (getMemoryPoolMXBeans ...) and its size. */
static jobject factory_list(JNIEnv *jni, const char *method, jint *size, cd_error *err)
{
    jobject list = cd_jni_static_object(jni, "java/lang/management/ManagementFactory", method,
                                        "()Ljava/util/List;", err);
    *size = list ? cd_jni_int(jni, list, "size", "()I", err) : 0;
    return err->code == CD_OK ? list : NULL;
}

static jobject list_get(JNIEnv *jni, jobject list, jint index, cd_error *err)
{
    return cd_jni_object(jni, list, "get", "(I)Ljava/lang/Object;", err, index);
}

/* ---------------------------------------------------------------- memory */

/* Reads one bean into item; local references it makes are freed by the
 * caller's frame. */
typedef void (*bean_reader)(JNIEnv *jni, jobject bean, void *item, cd_error *err);

/* Reads every bean of a ManagementFactory list (e.g. "getMemoryPoolMXBeans")
 * into a calloc'd array of item_size items. On failure the items read so far
 * are left in *items for the caller's _free function, and -1 is returned. */
static int read_beans(JNIEnv *jni, const char *factory_method, size_t item_size, bean_reader read,
                      void **items, size_t *count, cd_error *err)
{
    *items = NULL;
    *count = 0;
    if (cd_jni_frame_push(jni, FRAME_CAPACITY, err) != 0)
        return -1;
    jint n = 0;
    jobject list = factory_list(jni, factory_method, &n, err);
    char *out = list ? calloc(n > 0 ? (size_t)n : 1, item_size) : NULL;
    if (list && !out)
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
    *items = out;
    for (jint i = 0; out && i < n && err->code == CD_OK; i++) {
        /* a frame per bean: a VM with hundreds of pools cannot run out of refs */
        if (cd_jni_frame_push(jni, 16, err) != 0)
            break;
        jobject bean = list_get(jni, list, i, err);
        if (bean)
            read(jni, bean, out + (*count)++ * item_size, err);
        cd_jni_frame_pop(jni);
    }
    cd_jni_frame_pop(jni);
    return err->code == CD_OK ? 0 : -1;
}

static void read_pool(JNIEnv *jni, jobject bean, void *item, cd_error *err)
{
    cd_mx_pool *p = item;
    p->name = cd_jni_string_call(jni, bean, "getName", "()Ljava/lang/String;", err);
    jobject type = cd_jni_object(jni, bean, "getType", "()Ljava/lang/management/MemoryType;", err);
    char *type_name =
        type ? cd_jni_string_call(jni, type, "name", "()Ljava/lang/String;", err) : NULL;
    p->heap = type_name && strcmp(type_name, "HEAP") == 0;
    free(type_name);
    jobject usage =
        cd_jni_object(jni, bean, "getUsage", "()Ljava/lang/management/MemoryUsage;", err);
    read_usage(jni, usage, &p->usage, err);
    p->managers = joined_call(jni, bean, "getMemoryManagerNames", err);
}

int cd_mx_pools(JNIEnv *jni, cd_mx_pool **pools, size_t *count, cd_error *err)
{
    void *items = NULL;
    if (read_beans(jni, "getMemoryPoolMXBeans", sizeof **pools, read_pool, &items, count, err) !=
        0) {
        cd_mx_pools_free(items, *count);
        *pools = NULL;
        *count = 0;
        return -1;
    }
    *pools = items;
    return 0;
}

void cd_mx_pools_free(cd_mx_pool *pools, size_t count)
{
    for (size_t i = 0; pools && i < count; i++) {
        free(pools[i].name);
        free(pools[i].managers);
    }
    free(pools);
}

int cd_mx_memory(JNIEnv *jni, cd_mx_usage *heap, cd_mx_usage *non_heap, cd_error *err)
{
    if (cd_jni_frame_push(jni, FRAME_CAPACITY, err) != 0)
        return -1;
    jobject bean =
        cd_jni_static_object(jni, "java/lang/management/ManagementFactory", "getMemoryMXBean",
                             "()Ljava/lang/management/MemoryMXBean;", err);
    jobject usage = bean ? cd_jni_object(jni, bean, "getHeapMemoryUsage",
                                         "()Ljava/lang/management/MemoryUsage;", err)
                         : NULL;
    read_usage(jni, usage, heap, err);
    usage = bean ? cd_jni_object(jni, bean, "getNonHeapMemoryUsage",
                                 "()Ljava/lang/management/MemoryUsage;", err)
                 : NULL;
    read_usage(jni, usage, non_heap, err);
    cd_jni_frame_pop(jni);
    return err->code == CD_OK ? 0 : -1;
}

/* ---------------------------------------------------------------- collectors */

static void read_collector(JNIEnv *jni, jobject bean, void *item, cd_error *err)
{
    cd_mx_collector *c = item;
    c->name = cd_jni_string_call(jni, bean, "getName", "()Ljava/lang/String;", err);
    c->count = cd_jni_long(jni, bean, "getCollectionCount", "()J", err);
    c->time_ms = cd_jni_long(jni, bean, "getCollectionTime", "()J", err);
    c->pools = joined_call(jni, bean, "getMemoryPoolNames", err);
}

int cd_mx_collectors(JNIEnv *jni, cd_mx_collector **collectors, size_t *count, cd_error *err)
{
    void *items = NULL;
    if (read_beans(jni, "getGarbageCollectorMXBeans", sizeof **collectors, read_collector, &items,
                   count, err) != 0) {
        cd_mx_collectors_free(items, *count);
        *collectors = NULL;
        *count = 0;
        return -1;
    }
    *collectors = items;
    return 0;
}

void cd_mx_collectors_free(cd_mx_collector *collectors, size_t count)
{
    for (size_t i = 0; collectors && i < count; i++) {
        free(collectors[i].name);
        free(collectors[i].pools);
    }
    free(collectors);
}

/* ---------------------------------------------------------------- flags */

/* jcmd's word for a com.sun.management.VMOption.Origin constant. */
static const char *origin_word(const char *origin)
{
    static const struct {
        const char *constant, *word;
    } words[] = {{"DEFAULT", "default"},         {"VM_CREATION", "command line"},
                 {"ENVIRON_VAR", "environment"}, {"CONFIG_FILE", "config file"},
                 {"MANAGEMENT", "management"},   {"ERGONOMIC", "ergonomic"},
                 {"ATTACH_ON_DEMAND", "attach"}, {"OTHER", "other"}};
    for (size_t i = 0; origin && i < sizeof words / sizeof *words; i++)
        if (strcmp(origin, words[i].constant) == 0)
            return words[i].word;
    return origin ? origin : "unknown";
}

/* Fills flag from a com.sun.management.VMOption. */
static int read_vm_option(JNIEnv *jni, jobject option, cd_mx_flag *flag, cd_error *err)
{
    flag->name = cd_jni_string_call(jni, option, "getName", "()Ljava/lang/String;", err);
    flag->value = cd_jni_string_call(jni, option, "getValue", "()Ljava/lang/String;", err);
    flag->writeable = cd_jni_boolean(jni, option, "isWriteable", "()Z", err) == JNI_TRUE;
    jobject origin =
        cd_jni_object(jni, option, "getOrigin", "()Lcom/sun/management/VMOption$Origin;", err);
    char *constant =
        origin ? cd_jni_string_call(jni, origin, "name", "()Ljava/lang/String;", err) : NULL;
    flag->origin = strdup(origin_word(constant));
    free(constant);
    if (origin)
        (*jni)->DeleteLocalRef(jni, origin);
    if (err->code == CD_OK && (!flag->name || !flag->value || !flag->origin))
        cd_fail(err, CD_ERR_NOMEM, "out of memory reading a VM option");
    return err->code == CD_OK ? 0 : -1;
}

int cd_mx_vm_flag(JNIEnv *jni, const char *name, cd_mx_flag *flag, cd_error *err)
{
    memset(flag, 0, sizeof *flag);
    if (cd_jni_frame_push(jni, FRAME_CAPACITY, err) != 0)
        return -1;
    int rc = -1;
    jclass bean_class = (*jni)->FindClass(jni, "com/sun/management/HotSpotDiagnosticMXBean");
    if (!bean_class) {
        cd_jni_check(jni, "com.sun.management.HotSpotDiagnosticMXBean", err);
        goto out;
    }
    jobject bean = cd_jni_static_object(
        jni, "java/lang/management/ManagementFactory", "getPlatformMXBean",
        "(Ljava/lang/Class;)Ljava/lang/management/PlatformManagedObject;", err, bean_class);
    jstring jname = bean ? (*jni)->NewStringUTF(jni, name) : NULL;
    if (bean && !jname) {
        cd_jni_check(jni, "NewStringUTF", err);
        goto out;
    }
    cd_error lookup = {0};
    jobject option =
        jname ? cd_jni_object(jni, bean, "getVMOption",
                              "(Ljava/lang/String;)Lcom/sun/management/VMOption;", &lookup, jname)
              : NULL;
    if (lookup.code != CD_OK) {
        /* IllegalArgumentException: this VM has no such flag */
        cd_fail(err, lookup.code == CD_ERR_NOMEM ? CD_ERR_NOMEM : CD_ERR_NOENT, "%s",
                lookup.message);
        goto out;
    }
    if (option)
        rc = read_vm_option(jni, option, flag, err);
out:
    cd_jni_frame_pop(jni);
    if (rc != 0)
        cd_mx_flag_clear(flag);
    return rc;
}

void cd_mx_flag_clear(cd_mx_flag *flag)
{
    free(flag->name);
    free(flag->value);
    free(flag->origin);
    memset(flag, 0, sizeof *flag);
}

void cd_mx_flags_free(cd_mx_flag *flags, size_t count)
{
    for (size_t i = 0; flags && i < count; i++)
        cd_mx_flag_clear(&flags[i]);
    free(flags);
}

/* The value's Java class as a flag type name. */
static const char *value_type(JNIEnv *jni, jobject value)
{
    static const struct {
        const char *class_name, *type;
    } types[] = {{"java/lang/Boolean", "bool"},
                 {"java/lang/Long", "integer"},
                 {"java/lang/Double", "double"},
                 {"java/lang/String", "string"}};
    if (!value)
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        jclass cls = (*jni)->FindClass(jni, types[i].class_name);
        if (!cls) {
            (*jni)->ExceptionClear(jni);
            continue;
        }
        int match = (*jni)->IsInstanceOf(jni, value, cls) == JNI_TRUE;
        (*jni)->DeleteLocalRef(jni, cls);
        if (match)
            return types[i].type;
    }
    return NULL;
}

static int compare_flags(const void *a, const void *b)
{
    const cd_mx_flag *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* The JDK's native Flag.getFlags makes a few local references per flag in
 * its own native frame without asking for room, so asking for all ~560 flags
 * in one call (what Flag.getAllFlags() does) overflows the 32 references a
 * native frame is granted and makes -Xcheck:jni print a warning every 16
 * flags into the target's output. Asked FLAGS_PER_CALL names at a time (at
 * most 4 references each) it stays within them. */
#define FLAGS_PER_CALL 6

/* The flag table's class and its two natives: String[] getAllFlagNames()
 * and int getFlags(String[] names, Flag[] flags, int count). */
typedef struct flag_table {
    jclass cls;
    jmethodID all_names, get_flags;
} flag_table;

static int find_flag_table(JNIEnv *jni, flag_table *t, cd_error *err)
{
    static const char *const classes[][2] = {
        {"com/sun/management/internal/Flag",
         "([Ljava/lang/String;[Lcom/sun/management/internal/Flag;I)I"},
        {"sun/management/Flag", "([Ljava/lang/String;[Lsun/management/Flag;I)I"}};
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
        t->cls = (*jni)->FindClass(jni, classes[i][0]);
        t->all_names = t->cls ? (*jni)->GetStaticMethodID(jni, t->cls, "getAllFlagNames",
                                                          "()[Ljava/lang/String;")
                              : NULL;
        t->get_flags =
            t->all_names ? (*jni)->GetStaticMethodID(jni, t->cls, "getFlags", classes[i][1]) : NULL;
        cd_error missing = {0}; /* NoClassDefFoundError, NoSuchMethodError: next candidate */
        cd_jni_check(jni, classes[i][0], &missing);
        if (t->get_flags)
            return 0;
        if (missing.code == CD_ERR_NOMEM)
            return cd_fail(err, CD_ERR_NOMEM, "%s", missing.message);
        if (t->cls)
            (*jni)->DeleteLocalRef(jni, t->cls);
    }
    return cd_fail(err, CD_ERR_UNSUPPORTED,
                   "this JDK has no flag table (com.sun.management.internal.Flag or "
                   "sun.management.Flag with getAllFlagNames and getFlags)");
}

/* Reads the flags names[start, start + count) into out; returns how many it
 * read. Allocates Java objects; its local references are gone when it
 * returns. */
static size_t read_flag_batch(JNIEnv *jni, const flag_table *t, jobjectArray names, jsize start,
                              jsize count, cd_mx_flag *out, cd_error *err)
{
    size_t filled = 0;
    if (cd_jni_frame_push(jni, 16 + 4 * FLAGS_PER_CALL, err) != 0)
        return 0;
    jclass string_class = (*jni)->FindClass(jni, "java/lang/String");
    jobjectArray batch =
        string_class ? (*jni)->NewObjectArray(jni, count, string_class, NULL) : NULL;
    jobjectArray found = batch ? (*jni)->NewObjectArray(jni, count, t->cls, NULL) : NULL;
    for (jsize i = 0; found && i < count; i++) {
        jobject name = (*jni)->GetObjectArrayElement(jni, names, start + i);
        (*jni)->SetObjectArrayElement(jni, batch, i, name);
        (*jni)->DeleteLocalRef(jni, name);
    }
    if (cd_jni_check(jni, "allocating a flag batch", err) != 0 || !found) {
        if (err->code == CD_OK)
            cd_fail(err, CD_ERR_NOMEM, "out of memory reading the VM flags");
        cd_jni_frame_pop(jni);
        return 0;
    }
    jint n = (*jni)->CallStaticIntMethod(jni, t->cls, t->get_flags, batch, found, count);
    if (cd_jni_check(jni, "Flag.getFlags", err) != 0)
        n = 0;
    for (jint i = 0; i < n && i < count && err->code == CD_OK; i++) {
        jobject item = (*jni)->GetObjectArrayElement(jni, found, i);
        jobject option =
            item ? cd_jni_object(jni, item, "getVMOption", "()Lcom/sun/management/VMOption;", err)
                 : NULL;
        jobject value =
            item ? cd_jni_object(jni, item, "getValue", "()Ljava/lang/Object;", err) : NULL;
        if (option && read_vm_option(jni, option, &out[filled], err) == 0) {
            out[filled].type = value_type(jni, value);
            filled++;
        }
        if (value)
            (*jni)->DeleteLocalRef(jni, value);
        if (option)
            (*jni)->DeleteLocalRef(jni, option);
        if (item)
            (*jni)->DeleteLocalRef(jni, item);
    }
    cd_jni_frame_pop(jni);
    return filled;
}

int cd_mx_all_flags(JNIEnv *jni, cd_mx_flag **flags, size_t *count, cd_error *err)
{
    *flags = NULL;
    *count = 0;
    if (cd_jni_frame_push(jni, FRAME_CAPACITY, err) != 0)
        return -1;
    flag_table t = {0};
    jobjectArray names = NULL;
    if (find_flag_table(jni, &t, err) == 0) {
        names = (jobjectArray)(*jni)->CallStaticObjectMethod(jni, t.cls, t.all_names);
        if (cd_jni_check(jni, "Flag.getAllFlagNames", err) == 0 && !names)
            cd_fail(err, CD_ERR_INTERNAL, "Flag.getAllFlagNames returned null");
    }
    jsize n = names ? (*jni)->GetArrayLength(jni, names) : 0;
    cd_mx_flag *out = names ? calloc(n > 0 ? (size_t)n : 1, sizeof *out) : NULL;
    if (names && !out)
        cd_fail(err, CD_ERR_NOMEM, "out of memory");
    size_t filled = 0;
    for (jsize start = 0; out && start < n && err->code == CD_OK; start += FLAGS_PER_CALL) {
        jsize batch = n - start < FLAGS_PER_CALL ? n - start : FLAGS_PER_CALL;
        filled += read_flag_batch(jni, &t, names, start, batch, out + filled, err);
    }
    cd_jni_frame_pop(jni);
    if (err->code != CD_OK) {
        cd_mx_flags_free(out, out ? (size_t)n : 0); /* calloc'd: unused entries are empty */
        return -1;
    }
    qsort(out, filled, sizeof *out, compare_flags);
    *flags = out;
    *count = filled;
    return 0;
}
