/*
 * The control file's parser (cd_control_parse) on hostile text: the file is
 * written by whoever can write the directory the agent polls, so its contents
 * are not trusted.
 *
 * Invariants: a refusal leaves the request untouched and says why; a request
 * that parses keeps base's dir and holds only values in their ranges.
 */
#include "carbondump/startup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    cd_request base;
    cd_request_init(&base);
    strcpy(base.dir, "/var/dumps/carbondump/staging");
    base.parts = CD_STARTUP_DEFAULT_PARTS;
    cd_request request = base;
    strcpy(request.id, "untouched");
    cd_error err = {0};
    if (cd_control_parse(text, &base, &request, &err) != 0) {
        FUZZ_CHECK_MESSAGE(err);
        FUZZ_CHECK(err.message[0] != '\0', "a refused control file says why");
        FUZZ_CHECK(strcmp(request.id, "untouched") == 0, "a refusal leaves the request alone");
    } else {
        FUZZ_CHECK(strcmp(request.dir, base.dir) == 0, "dir comes from base");
        FUZZ_CHECK(memchr(request.id, '\0', sizeof request.id) != NULL, "id is NUL-terminated");
        FUZZ_CHECK((request.parts & ~CD_SECTIONS_AGENT) == 0, "parts are agent parts");
        FUZZ_CHECK(request.thread_samples >= 1 && request.thread_samples <= CD_THREAD_SAMPLES_MAX,
                   "thread-samples in range");
        FUZZ_CHECK(request.thread_interval_ms >= 0 &&
                       request.thread_interval_ms <= CD_THREAD_INTERVAL_MS_MAX,
                   "thread-interval-ms in range");
        FUZZ_CHECK(request.live == 0 || request.live == 1, "live is 0 or 1");
        (void)cd_heap_engine_name(request.heap_engine);
        (void)cd_heap_redact_name(request.heap_redact);
    }
    free(text);
    return 0;
}
