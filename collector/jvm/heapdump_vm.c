/*
 * The vm engine of the heap dump, and disk admission for both engines: see
 * heapdump_vm.h.
 *
 * The VM writes the dump itself, gzip-compressed as it goes, straight into the
 * staging area in the target's file system (a directory owned by the target's
 * user); the bundle then stores the file without compressing it again. So the
 * dump exists once on disk before the ZIP, never uncompressed. jcmd's
 * GC.heap_dump is asked for rather than the attach "dumpheap" operation: a JVM
 * too old to compress (before JDK 15) refuses "-gz=1" with a message, where
 * "dumpheap" would ignore the level and write an uncompressed dump.
 *
 * From JDK 21 the dumper writes part files next to the dump and merges them in
 * at the end, so the staging area briefly holds two copies; admission counts
 * them. From JDK 22 it can write them on several threads during the pause
 * (-parallel): it is asked for one per CPU the target may use, which halves
 * the dump's time on two CPUs. With --heap-redact the VM writes to a hidden
 * name and the redactor streams it into the final name, releasing the input
 * as it reads.
 */
#include "heapdump_vm.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "base/progress.h"
#include "carbondump/fsutil.h"
#include "carbondump/heapdump_space.h"
#include "redact/hprof_redact.h"

#define DUMP_PATH "memoryinfo/java_heap_memory_dump.hprof.gz"
#define RAW_PATH "memoryinfo/.java_heap_memory_dump.vm.hprof.gz"
#define HEAP_INFO_TIMEOUT_MS 10000
#define MIB (1024.0 * 1024.0)

/* ---------------------------------------------------------------- heap in use */

/* "12345K" -> bytes; p points at the digits. */
static int size_with_unit(const char *p, uint64_t *bytes)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(p, &end, 10);
    if (end == p || errno != 0)
        return -1;
    switch (*end) {
    case 'B': *bytes = n; return 0;
    case 'K': *bytes = n << 10; return 0;
    case 'M': *bytes = n << 20; return 0;
    case 'G': *bytes = n << 30; return 0;
    default: return -1;
    }
}

int cd_heap_info_used_bytes(const char *text, uint64_t *bytes)
{
    uint64_t total = 0;
    int found = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        const char *start = buf;
        while (isspace((unsigned char)*start))
            start++;
        uint64_t used;
        const char *at;
        if (strncmp(start, "Metaspace", 9) == 0 || strncmp(start, "class space", 11) == 0) {
            /* not the Java heap */
        } else if (strstr(start, "total ") && (at = strstr(start, ", used ")) &&
                   size_with_unit(at + 7, &used) == 0) {
            total += used; /* G1, Parallel, Serial: "... total NK, used NK [...]" */
            found = 1;
        } else if (strncmp(start, "ZHeap", 5) == 0 && (at = strstr(start, "used ")) &&
                   size_with_unit(at + 5, &used) == 0) {
            total += used; /* ZGC: "ZHeap used 24M, capacity ..." */
            found = 1;
        } else if (strstr(start, " committed, ") && (at = strstr(start, " used")) &&
                   at[5] == '\0') {
            /* Shenandoah: "256M max, 256M soft max, 256M committed, 19456K used" */
            const char *digits = at;
            while (digits > start && !isspace((unsigned char)digits[-1]))
                digits--;
            if (size_with_unit(digits, &used) == 0) {
                total += used;
                found = 1;
            }
        }
        line = end ? end + 1 : NULL;
    }
    if (!found)
        return -1;
    *bytes = total;
    return 0;
}

/* Heap in use of the target, and where the figure comes from. */
static int target_heap(cd_run *run, uint64_t *bytes, const char **source)
{
    const char *args[1] = {"GC.heap_info"};
    cd_attach_reply reply = {0};
    cd_error err = {0};
    if (cd_attach_execute(&run->target, "jcmd", args, 1, HEAP_INFO_TIMEOUT_MS, &reply, &err) == 0 &&
        reply.status == 0 && cd_heap_info_used_bytes(reply.text, bytes) == 0) {
        cd_attach_reply_free(&reply);
        *source = "heap in use";
        return 0;
    }
    cd_attach_reply_free(&reply);
    if (cd_hsperf_heap_committed(run->target.root, run->target.nspid, run->target.uid, bytes) ==
        0) {
        *source = "committed heap";
        return 0;
    }
    if (cd_process_resident_bytes(run->pid, bytes) == 0) {
        *source = "resident memory";
        return 0;
    }
    return -1;
}

/* The target's Java feature version from its release file, or 0. */
static int target_feature_version(const cd_run *run)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s/release", run->target.same_mount_ns ? "" : run->target.root,
             run->target.java_home);
    char *text = NULL;
    if (!run->target.java_home[0] || cd_read_file(path, 64 * 1024, 1, &text, NULL, NULL) != 0)
        return 0;
    const char *v = strstr(text, "JAVA_VERSION=\"");
    int major = v ? atoi(v + 14) : 0;
    if (major == 1 && v[15] == '.')
        major = atoi(v + 16); /* 1.8.0 */
    free(text);
    return major;
}

/* ---------------------------------------------------------------- admission */

int cd_heapdump_admit(cd_run *run, const char *staging_dir)
{
    uint64_t heap;
    const char *source;
    if (target_heap(run, &heap, &source) != 0) {
        cd_warn("heap dump: cannot tell how big the heap of pid %d is; dumping without a "
                "free-space check",
                (int)run->pid);
        return 0;
    }
    uint64_t estimate = cd_heapdump_estimate_bytes(heap);
    /* The staging area holds the dump, twice while JDK 21+ merges its part file
     * or the redactor copies it (when holes cannot be punched into the input). */
    int copies = 1;
    if (run->cli->heap_engine == CD_HEAP_ENGINE_VM) {
        int feature = target_feature_version(run);
        if (feature == 0 || feature >= 21 || run->cli->heap_redact != CD_HEAP_REDACT_NONE)
            copies = 2;
    }
    cd_space_need needs[2] = {{staging_dir, estimate * copies}, {run->output_dir, estimate}};
    cd_error err = {0};
    if (cd_space_check(needs, 2, &err) == 0)
        return 0;
    if (err.code != CD_ERR_NOSPACE) {
        cd_warn("heap dump: %s; dumping anyway", err.message);
        return 0;
    }
    size_t len = strlen(err.message);
    snprintf(err.message + len, sizeof err.message - len,
             " (dump estimated at %.0f MiB from %.0f MiB of %s)", (double)estimate / MIB,
             (double)heap / MIB, source);
    cd_warn("heap dump skipped: %s", err.message);
    cd_run_set_outcome(run, CD_SECTION_HEAPDUMP, CD_STATUS_SKIPPED, err.message, 0);
    return -1;
}

/* ---------------------------------------------------------------- the vm engine */

/* The first line of the JVM's answer, for a message. */
static void first_line(const char *text, char *out, size_t len)
{
    while (*text == '\n' || *text == '\r')
        text++;
    size_t n = strcspn(text, "\n");
    snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), text);
}

/* Removes what a failed dump left: the file and JDK 21+'s part files. */
static void remove_dump(const char *path)
{
    unlink(path);
    char pattern[PATH_MAX + 8];
    snprintf(pattern, sizeof pattern, "%s.p*", path);
    glob_t parts;
    if (glob(pattern, GLOB_NOSORT, NULL, &parts) == 0)
        for (size_t i = 0; i < parts.gl_pathc; i++)
            unlink(parts.gl_pathv[i]);
    globfree(&parts);
}

/* How many threads the VM's dumper may use: the CPUs the target may run on.
 * GC.heap_dump takes -parallel from JDK 22 (its default is one thread); the VM
 * uses at most its GC's worker threads, whatever is asked. 1 means: do not ask. */
static int dump_threads(const cd_run *run)
{
    if (target_feature_version(run) < 22)
        return 1;
    cpu_set_t cpus;
    if (sched_getaffinity(run->target.pid, sizeof cpus, &cpus) != 0)
        return 1;
    int n = CPU_COUNT(&cpus);
    return n > 1 ? n : 1;
}

/* Asks the VM to write the dump to path_in_target; checks that it did. */
static int vm_dump(cd_run *run, const char *path_in_target, const char *path_here, cd_error *err)
{
    char command[CD_ATTACH_ARG_MAX_BYTES];
    char parallel[32] = "";
    int threads = dump_threads(run);
    if (threads > 1)
        snprintf(parallel, sizeof parallel, " -parallel=%d", threads);
    int n = snprintf(command, sizeof command, "GC.heap_dump -gz=1%s%s %s",
                     run->cli->live ? "" : " -all", parallel, path_in_target);
    if (n < 0 || (size_t)n >= sizeof command)
        return cd_fail(err, CD_ERR_USAGE, "the staging path %s is too long", path_in_target);
    const char *args[1] = {command};
    cd_attach_reply reply = {0};
    cd_progress("heap dump: the JVM is writing it%s", run->cli->live ? " (live objects)" : "");
    int rc =
        cd_attach_execute(&run->target, "jcmd", args, 1, run->cli->timeout_s * 1000, &reply, err);
    if (rc == 0 && (reply.status != 0 || !strstr(reply.text, "Heap dump file created"))) {
        char why[300];
        first_line(reply.text, why, sizeof why);
        /* "Dumping heap to ..." comes first; the reason follows it. */
        const char *second = strchr(reply.text, '\n');
        if (strncmp(why, "Dumping heap", 12) == 0 && second)
            first_line(second, why, sizeof why);
        rc = cd_fail(err, CD_ERR_UNSUPPORTED, "the JVM's heap dumper failed: %s",
                     why[0] ? why : "no reason given");
    }
    cd_attach_reply_free(&reply);
    struct stat st;
    if (rc == 0 && (stat(path_here, &st) != 0 || st.st_size == 0))
        rc = cd_fail(err, CD_ERR_IO, "the JVM reported a heap dump, but %s is missing or empty",
                     path_here);
    return rc;
}

int cd_heapdump_vm_run(cd_run *run, const char *staging, const char *staging_in_target)
{
    if (cd_heapdump_admit(run, staging) != 0)
        return -1;
    uint64_t t0 = cd_monotonic_ms();
    cd_error err = {0};
    int redact = run->cli->heap_redact != CD_HEAP_REDACT_NONE;
    const char *vm_path = redact ? RAW_PATH : DUMP_PATH;
    char dir[PATH_MAX], here[PATH_MAX], there[PATH_MAX], final_path[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/memoryinfo", staging);
    snprintf(here, sizeof here, "%s/%s", staging, vm_path);
    snprintf(there, sizeof there, "%s/%s", staging_in_target, vm_path);
    snprintf(final_path, sizeof final_path, "%s/%s", staging, DUMP_PATH);

    /* The JVM writes there as its own user. */
    cd_creds creds;
    int rc = cd_creds_enter(&run->target, &creds, &err);
    if (rc == 0) {
        rc = cd_mkdirs(dir, 0700, &err);
        cd_creds_leave(&creds);
    }
    if (rc == 0)
        rc = vm_dump(run, there, here, &err);
    if (rc == 0 && redact) {
        cd_hprof_redact_stats stats;
        cd_progress("heap dump: redacting (%s)", cd_heap_redact_name(run->cli->heap_redact));
        rc = cd_hprof_redact_file(here, final_path, run->cli->heap_redact, &stats, &err);
        if (rc == 0)
            cd_progress_detail(
                "heap dump: %llu arrays and %llu values zeroed, %llu symbols "
                "blanked, %llu thread names kept",
                (unsigned long long)stats.arrays_zeroed, (unsigned long long)stats.values_zeroed,
                (unsigned long long)stats.names_blanked, (unsigned long long)stats.threads_kept);
    }
    if (rc != 0) {
        remove_dump(here); /* a partial dump has no place in the bundle */
        cd_warn("heap dump: %s", err.message);
    }
    cd_run_set_outcome(run, CD_SECTION_HEAPDUMP, rc == 0 ? CD_STATUS_OK : CD_STATUS_FAILED,
                       rc == 0 ? NULL : err.message, cd_monotonic_ms() - t0);
    return rc;
}
