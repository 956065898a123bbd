/*
 * Deflating a bundle's big files ahead of the ZIP: see deflate_ahead.h.
 *
 * The jobs sit in two orders: by file name, for the bundle to find its file,
 * and by size, largest first, for the workers to take (the last file to
 * finish is then a small one). A job moves from WAITING to RUNNING under the
 * lock, by whichever thread takes it first, the bundle's own included, then
 * to DONE or FAILED; once it has left RUNNING only the bundle touches it.
 */
#include "deflate_ahead.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "carbondump/fsutil.h"

#define WORKERS_MAX 4
#define READ_BYTES (256u << 10)

typedef enum job_state { JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;

typedef struct job {
    char *file;
    uint64_t listed_bytes;
    int level;
    job_state state;
    int given; /* its source was made: the bytes belong to it */
    /* set when DONE */
    unsigned char *deflated;
    size_t deflated_bytes;
    uint64_t bytes;
    uint32_t crc;
    time_t mtime;
    char sha256[CD_SHA256_HEX_LEN + 1];
} job;

struct cd_deflate_ahead {
    job *jobs;     /* by file name */
    job **by_size; /* the order workers take them in */
    size_t count, next;
    int stopping;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t workers[WORKERS_MAX];
    int worker_count;
};

/* ---------------------------------------------------------------- deflating */

/* Deflates j->file into memory with its CRC-32 and SHA-256. Returns 0, or -1
 * when it cannot be read, is no longer a regular file, or grew past what it
 * held when listed (the output has room for that much only). */
static int deflate_file(job *j, unsigned char *buffer, cd_sha256_hasher *hasher)
{
    int fd = open(j->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    z_stream z;
    memset(&z, 0, sizeof z);
    int rc = -1, z_ready = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > j->listed_bytes)
        goto out;
    /* raw deflate: the ZIP entry's own header replaces zlib's */
    if (deflateInit2(&z, j->level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        goto out;
    z_ready = 1;
    size_t room = (size_t)deflateBound(&z, (uLong)j->listed_bytes) + 64;
    if (!(j->deflated = malloc(room)) || cd_sha256_hasher_begin(hasher) != 0)
        goto out;
    z.next_out = j->deflated;
    z.avail_out = (uInt)room;
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    uint64_t bytes = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, READ_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto out;
        bytes += (uint64_t)n;
        if (bytes > j->listed_bytes)
            goto out;
        crc = (uint32_t)crc32(crc, buffer, (uInt)n);
        cd_sha256_hasher_update(hasher, buffer, (size_t)n);
        z.next_in = buffer;
        z.avail_in = (uInt)n;
        int z_rc = deflate(&z, n == 0 ? Z_FINISH : Z_NO_FLUSH);
        if (n == 0) {
            if (z_rc != Z_STREAM_END)
                goto out;
            break;
        }
        if (z_rc != Z_OK || z.avail_in != 0)
            goto out;
    }
    if (cd_sha256_hasher_end(hasher, j->sha256) != 0)
        goto out;
    j->deflated_bytes = room - z.avail_out;
    j->bytes = bytes;
    j->crc = crc;
    j->mtime = st.st_mtime;
    rc = 0;
out:
    if (z_ready)
        deflateEnd(&z);
    close(fd);
    if (rc != 0) {
        free(j->deflated);
        j->deflated = NULL;
    }
    return rc;
}

/* Runs a job the caller has moved to RUNNING and publishes how it ended. */
static void run_job(cd_deflate_ahead *a, job *j, unsigned char *buffer, cd_sha256_hasher *hasher)
{
    int rc = buffer && hasher ? deflate_file(j, buffer, hasher) : -1;
    pthread_mutex_lock(&a->lock);
    j->state = rc == 0 ? JOB_DONE : JOB_FAILED;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
}

static void *worker(void *arg)
{
    cd_deflate_ahead *a = arg;
    unsigned char *buffer = cd_read_buffer(READ_BYTES);
    cd_sha256_hasher *hasher = cd_sha256_hasher_new();
    for (;;) {
        job *j = NULL;
        pthread_mutex_lock(&a->lock);
        while (!a->stopping && a->next < a->count && !j) {
            job *candidate = a->by_size[a->next++];
            if (candidate->state == JOB_WAITING) {
                candidate->state = JOB_RUNNING;
                j = candidate;
            }
        }
        pthread_mutex_unlock(&a->lock);
        if (!j)
            break;
        run_job(a, j, buffer, hasher);
    }
    cd_sha256_hasher_free(hasher);
    free(buffer);
    return NULL;
}

/* ---------------------------------------------------------------- the pool */

static int compare_files(const void *a, const void *b)
{
    return strcmp(((const job *)a)->file, ((const job *)b)->file);
}

static int compare_sizes(const void *a, const void *b)
{
    uint64_t x = (*(job *const *)a)->listed_bytes, y = (*(job *const *)b)->listed_bytes;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int worker_count_for(size_t jobs)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus < 1 ? 1 : cpus > WORKERS_MAX ? WORKERS_MAX : (size_t)cpus;
    return (int)(n < jobs ? n : jobs);
}

cd_deflate_ahead *cd_deflate_ahead_start(const char *const files[], const uint64_t sizes[],
                                         const int levels[], size_t count)
{
    cd_deflate_ahead *a = calloc(1, sizeof *a);
    if (!a || !(a->jobs = calloc(count ? count : 1, sizeof *a->jobs)) ||
        !(a->by_size = calloc(count ? count : 1, sizeof *a->by_size))) {
        if (a)
            free(a->jobs);
        free(a);
        return NULL;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (sizes[i] > CD_DEFLATE_AHEAD_FILE_MAX || total + sizes[i] > CD_DEFLATE_AHEAD_TOTAL_MAX)
            continue;
        job *j = &a->jobs[a->count];
        if (!(j->file = strdup(files[i])))
            break;
        j->listed_bytes = sizes[i];
        j->level = levels[i];
        total += sizes[i];
        a->count++;
    }
    qsort(a->jobs, a->count, sizeof *a->jobs, compare_files);
    for (size_t i = 0; i < a->count; i++)
        a->by_size[i] = &a->jobs[i];
    qsort(a->by_size, a->count, sizeof *a->by_size, compare_sizes);

    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->changed, NULL);
    int wanted = worker_count_for(a->count);
    while (a->worker_count < wanted &&
           pthread_create(&a->workers[a->worker_count], NULL, worker, a) == 0)
        a->worker_count++;
    if (a->worker_count == 0) {
        cd_deflate_ahead_free(a);
        return NULL;
    }
    return a;
}

void cd_deflate_ahead_free(cd_deflate_ahead *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stopping = 1;
    pthread_mutex_unlock(&a->lock);
    for (int i = 0; i < a->worker_count; i++)
        pthread_join(a->workers[i], NULL);
    for (size_t i = 0; i < a->count; i++) {
        free(a->jobs[i].file);
        free(a->jobs[i].deflated);
    }
    pthread_cond_destroy(&a->changed);
    pthread_mutex_destroy(&a->lock);
    free(a->by_size);
    free(a->jobs);
    free(a);
}

/* ---------------------------------------------------------------- the source */

/* One job's deflated bytes, read once from the start. */
typedef struct deflated_source {
    job *job;
    size_t offset;
    zip_error_t error;
} deflated_source;

static zip_int64_t deflated_source_callback(void *user, void *data, zip_uint64_t len,
                                            zip_source_cmd_t cmd)
{
    deflated_source *s = user;
    job *j = s->job;
    switch (cmd) {
    case ZIP_SOURCE_OPEN: s->offset = 0; return 0;
    case ZIP_SOURCE_READ: {
        size_t left = j->deflated_bytes - s->offset;
        size_t n = left < len ? left : (size_t)len;
        memcpy(data, j->deflated + s->offset, n);
        s->offset += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE: return 0;
    case ZIP_SOURCE_STAT: {
        if (len < sizeof(zip_stat_t)) {
            zip_error_set(&s->error, ZIP_ER_INVAL, 0);
            return -1;
        }
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = j->bytes;
        st->comp_size = j->deflated_bytes;
        st->crc = j->crc;
        st->mtime = j->mtime;
        st->comp_method = ZIP_CM_DEFLATE;
        st->encryption_method = ZIP_EM_NONE;
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC | ZIP_STAT_MTIME |
                    ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR: return zip_error_to_data(&s->error, data, len);
    case ZIP_SOURCE_FREE:
        free(j->deflated);
        j->deflated = NULL;
        free(s);
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
    default: zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0); return -1;
    }
}

zip_source_t *cd_deflate_ahead_source(cd_deflate_ahead *a, zip_t *zip, const char *file,
                                      char sha256[CD_SHA256_HEX_LEN + 1], uint64_t *bytes)
{
    if (!a)
        return NULL;
    job key = {.file = (char *)file};
    job *j = bsearch(&key, a->jobs, a->count, sizeof *a->jobs, compare_files);
    if (!j)
        return NULL;
    pthread_mutex_lock(&a->lock);
    int mine = j->state == JOB_WAITING;
    if (mine)
        j->state = JOB_RUNNING;
    else
        while (j->state == JOB_RUNNING)
            pthread_cond_wait(&a->changed, &a->lock);
    pthread_mutex_unlock(&a->lock);
    if (mine) { /* no worker has come to it yet: this thread is as good as any */
        unsigned char *buffer = cd_read_buffer(READ_BYTES);
        cd_sha256_hasher *hasher = cd_sha256_hasher_new();
        run_job(a, j, buffer, hasher);
        cd_sha256_hasher_free(hasher);
        free(buffer);
    }
    if (j->state != JOB_DONE || j->given)
        return NULL;

    deflated_source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->job = j;
    zip_error_init(&s->error);
    zip_source_t *source = zip_source_function(zip, deflated_source_callback, s);
    if (!source) {
        free(s);
        return NULL;
    }
    j->given = 1;
    memcpy(sha256, j->sha256, sizeof j->sha256);
    *bytes = j->bytes;
    return source;
}
