/*
 * The agent's option parsers on hostile text: the -agentpath options
 * (cd_startup_options_parse), the attach request (cd_request_parse) and the
 * key=value splitter beneath both (cd_kv_parse).
 *
 * Invariants: every error has a message; a request that parses formats back
 * (cd_request_format) into text that parses into the same request; parsed
 * options hold only values in their documented ranges.
 */
#include <limits.h>

#include "carbondump/request.h"
#include "carbondump/startup.h"
#include "fuzz.h"

static int count_pair(void *context, const char *key, const char *value, cd_error *err)
{
    FUZZ_CHECK(*key != '\0', "cd_kv_parse hands out an empty key");
    FUZZ_CHECK(strchr(key, '=') == NULL, "a key holds no '='");
    (void)value;
    (*(int *)context)++;
    return 0;
}

static int same_request(const cd_request *a, const cd_request *b)
{
    return strcmp(a->dir, b->dir) == 0 && strcmp(a->id, b->id) == 0 && a->parts == b->parts &&
           a->live == b->live && a->redact == b->redact && a->heap_engine == b->heap_engine &&
           a->heap_redact == b->heap_redact && a->thread_samples == b->thread_samples &&
           a->thread_interval_ms == b->thread_interval_ms;
}

static void check_request(const char *text)
{
    cd_request request;
    cd_error err = {0};
    if (cd_request_parse(text, &request, &err) != 0) {
        FUZZ_CHECK_MESSAGE(err);
        FUZZ_CHECK(err.message[0] != '\0', "a refused request says why");
        return;
    }
    FUZZ_CHECK(request.dir[0] == '/', "dir is absolute");
    FUZZ_CHECK(request.thread_samples >= 1 && request.thread_samples <= CD_THREAD_SAMPLES_MAX,
               "thread-samples in range");
    FUZZ_CHECK(request.thread_interval_ms >= 0 &&
                   request.thread_interval_ms <= CD_THREAD_INTERVAL_MS_MAX,
               "thread-interval-ms in range");
    char formatted[PATH_MAX + 1024];
    if (cd_request_format(&request, formatted, sizeof formatted, &err) != 0)
        return; /* e.g. parts= named no part: a request the collector never sends */
    cd_request again;
    FUZZ_CHECK(cd_request_parse(formatted, &again, &err) == 0, "a formatted request parses again");
    FUZZ_CHECK(same_request(&request, &again), "format and parse round-trip");
}

static void check_startup(const char *text)
{
    cd_startup_options options;
    cd_error err = {0};
    if (cd_startup_options_parse(text, &options, &err) != 0) {
        FUZZ_CHECK_MESSAGE(err);
        FUZZ_CHECK(err.message[0] != '\0', "refused options say why");
        return;
    }
    FUZZ_CHECK(options.poll_ms >= 100 && options.poll_ms <= 60000, "poll in range");
    FUZZ_CHECK(options.on_oom >= CD_ON_OOM_BUNDLE && options.on_oom <= CD_ON_OOM_OFF,
               "on-oom is one of the three");
    FUZZ_CHECK(!options.gc_thrash_enabled ||
                   (options.gc_thrash_threshold_ms >= 100 &&
                    options.gc_thrash_threshold_ms <= 3600000 && options.gc_thrash_weight > 0 &&
                    options.gc_thrash_weight <= 10),
               "gc-thrash in range");
    FUZZ_CHECK(options.deadlock_check_s >= 0 && options.deadlock_check_s <= 86400,
               "deadlock-check in range");
    FUZZ_CHECK(options.max_bundles >= 0 && options.max_bundles <= 1000, "max-bundles in range");
    FUZZ_CHECK(options.min_interval_s >= 0 && options.min_interval_s <= 86400,
               "min-interval in range");
    FUZZ_CHECK(memchr(options.output, '\0', sizeof options.output) &&
                   memchr(options.control, '\0', sizeof options.control) &&
                   memchr(options.carbon_home, '\0', sizeof options.carbon_home) &&
                   memchr(options.collector, '\0', sizeof options.collector),
               "paths are NUL-terminated");
    FUZZ_CHECK((options.parts & ~CD_SECTIONS_AGENT) == 0, "parts are agent parts");
    (void)cd_on_oom_name(options.on_oom);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    check_startup(text);
    check_request(text);
    int pairs = 0;
    cd_error err = {0};
    if (cd_kv_parse(text, '\n', count_pair, &pairs, &err) != 0)
        FUZZ_CHECK_MESSAGE(err);
    free(text);
    return 0;
}
