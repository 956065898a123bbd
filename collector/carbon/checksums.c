/*
 * checksum_values.txt: see checksums.h.
 *
 * The walk only collects the regular files (path and size); a pool of threads,
 * one per CPU we may run on, then hashes them, largest first: SHA-256 of one
 * file is sequential, so a big file started last would leave the other cores
 * idle at the end. Each worker opens its file below CARBON_HOME without
 * following any symbolic link and checks with fstat that it is still a
 * regular file, so a file swapped for a FIFO or a link since the walk is
 * neither blocked on nor followed. The lines are written sorted by path.
 *
 * Hashing is the bulk of carbondump's own CPU, and nothing waits for it but
 * the bundle: its threads run at nice 10. The server keeps its CPUs, and so
 * does what the run does wait for: the JVM side (agent, histogram), then the
 * findings and the ZIP. On two CPUs a bundle without heap dump came out 4-8%
 * sooner in alternating runs on bench/full_bundle.sh's demo server.
 */
#include "checksums.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "carbondump/array.h"
#include "carbondump/fsutil.h"
#include "carbondump/sha256sum_format.h"
#include "walk.h"

const char *const cd_checksum_excluded_top_dirs[] = {"samples", "docs", NULL};

#define MAX_THREADS 16
/* The hashing threads' nice value: see the top of the file. */
#define HASH_NICE 10

/* ---------------------------------------------------------------- collecting */

typedef struct file_item {
    char *path;
    off_t size;
    int hashed;
    char hex[CD_SHA256_HEX_LEN + 1];
} file_item;

typedef struct file_list {
    file_item *items;
    size_t count, capacity;
} file_list;

static cd_walk_action collect_regular(void *context, const cd_walk_entry *entry, cd_error *err)
{
    file_list *list = context;
    if (!S_ISREG(entry->st->st_mode))
        return CD_WALK_CONTINUE;
    if (CD_ARRAY_ROOM_FOR_ONE(list->items, list->capacity, list->count) != 0) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing CARBON_HOME");
        return CD_WALK_STOP;
    }
    file_item *item = &list->items[list->count];
    memset(item, 0, sizeof *item);
    if (!(item->path = strdup(entry->path))) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing CARBON_HOME");
        return CD_WALK_STOP;
    }
    item->size = entry->st->st_size;
    list->count++;
    return CD_WALK_CONTINUE;
}

static void file_list_free(file_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].path);
    free(list->items);
}

/* ---------------------------------------------------------------- hashing */

typedef struct hash_pool {
    int root_fd;
    file_item **order; /* largest first */
    size_t count;
    atomic_size_t next;
    cd_walk_problems *problems;
} hash_pool;

static void hash_one(hash_pool *pool, cd_sha256_hasher *hasher, file_item *item)
{
    int fd = cd_walk_open(pool->root_fd, item->path, O_RDONLY);
    if (fd < 0) {
        cd_walk_problems_add(pool->problems, item->path, errno,
                             errno == ENOENT ? "vanished before it was hashed" : "cannot open");
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cd_walk_problems_add(pool->problems, item->path, 0, "no longer a regular file, not hashed");
        close(fd);
        return;
    }
    cd_error err = {0};
    if (cd_sha256_hasher_fd(hasher, fd, item->path, item->hex, NULL, &err) == 0)
        item->hashed = 1;
    else
        cd_walk_problems_add(pool->problems, item->path, 0, err.message);
    close(fd);
}

static void *hash_worker(void *arg)
{
    hash_pool *pool = arg;
    setpriority(PRIO_PROCESS, (id_t)gettid(), HASH_NICE); /* this thread only */
    cd_sha256_hasher *hasher = cd_sha256_hasher_new();
    for (;;) {
        size_t i = atomic_fetch_add(&pool->next, 1);
        if (i >= pool->count)
            break;
        file_item *item = pool->order[i];
        if (hasher)
            hash_one(pool, hasher, item);
        else
            cd_walk_problems_add(pool->problems, item->path, ENOMEM, "cannot hash");
    }
    cd_sha256_hasher_free(hasher);
    return NULL;
}

static int compare_size_descending(const void *a, const void *b)
{
    off_t x = (*(file_item *const *)a)->size, y = (*(file_item *const *)b)->size;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int compare_path(const void *a, const void *b)
{
    return strcmp(((const file_item *)a)->path, ((const file_item *)b)->path);
}

/* The CPUs this process may run on (a container's cpuset, taskset). */
static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Hashes every item with a pool of threads; problems go to problems. */
static int hash_all(const char *home, file_list *list, cd_walk_problems *problems, cd_error *err)
{
    hash_pool pool = {.problems = problems, .count = list->count};
    atomic_init(&pool.next, 0);
    pool.root_fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pool.root_fd < 0)
        return cd_fail_errno(err, CD_ERR_IO, errno, "cannot open %s", home);
    pool.order = malloc((list->count ? list->count : 1) * sizeof *pool.order);
    if (!pool.order) {
        close(pool.root_fd);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory hashing CARBON_HOME");
    }
    for (size_t i = 0; i < list->count; i++)
        pool.order[i] = &list->items[i];
    qsort(pool.order, list->count, sizeof *pool.order, compare_size_descending);

    int threads = usable_cpus();
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    if ((size_t)threads > list->count)
        threads = list->count ? (int)list->count : 1;
    pthread_t ids[MAX_THREADS];
    int started = 0;
    for (; started < threads; started++)
        if (pthread_create(&ids[started], NULL, hash_worker, &pool) != 0)
            break;
    if (started == 0)
        hash_worker(&pool); /* no thread to be had: this one hashes, niced from now on */
    for (int i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    free(pool.order);
    close(pool.root_fd);
    return 0;
}

/* ---------------------------------------------------------------- section */

int cd_checksums_section(cd_run *run, cd_error *err)
{
    file_list list = {0};
    cd_walk_problems problems;
    cd_walk_problems_init(&problems);
    cd_walk_options options = {.excluded_top_dirs = cd_checksum_excluded_top_dirs};
    int rc = cd_walk(run->carbon_home, &options, collect_regular, &list, &problems, err);
    if (rc == 0)
        rc = hash_all(run->carbon_home, &list, &problems, err);
    if (rc == 0) {
        if (list.count)
            qsort(list.items, list.count, sizeof *list.items, compare_path);
        cd_sink *sink = cd_staging_open(run->host_staging, "checksum_values.txt", err);
        if (!sink) {
            rc = -1;
        } else {
            for (size_t i = 0; i < list.count; i++)
                if (list.items[i].hashed)
                    cd_sha256sum_write_line(sink, list.items[i].hex, list.items[i].path);
            rc = cd_sink_close(sink, err);
        }
    }
    if (rc == 0 && problems.count > 0) {
        cd_sink *sink = cd_staging_open(run->host_staging, "checksum_problems.txt", err);
        if (!sink) {
            rc = -1;
        } else {
            cd_sink_puts(sink, "# What under CARBON_HOME could not be checksummed, and why\n");
            cd_walk_problems_write(&problems, sink, "");
            rc = cd_sink_close(sink, err);
        }
    }
    file_list_free(&list);
    cd_walk_problems_free(&problems);
    return rc;
}
