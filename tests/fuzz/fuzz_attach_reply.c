/*
 * The attach reply parsers on hostile bytes: whatever answers on the JVM's
 * attach socket (cd_attach_parse_reply), then the verdict on a "load" reply
 * (cd_attach_parse_load_reply) over the text it found, and over the raw bytes
 * with each status a JVM answers (0, -1, 100).
 *
 * Invariants: a parsed reply's text is exactly the bytes after the first line,
 * NUL-terminated; the verdict is 0 only with *agent_rc 0, and *agent_rc is
 * CD_ATTACH_AGENT_DID_NOT_RUN or the number the JVM reported.
 */
#include "jvm/attach.h"
#include "fuzz.h"

static void check_load_reply(int status, const char *text, size_t len)
{
    int agent_rc = 12345;
    cd_error err = {0};
    int rc = cd_attach_parse_load_reply(status, text, len, &agent_rc, &err);
    FUZZ_CHECK(agent_rc != 12345, "agent_rc is always set");
    if (rc == 0) {
        FUZZ_CHECK(agent_rc == 0, "success means Agent_OnAttach returned 0");
    } else {
        FUZZ_CHECK(agent_rc != 0, "failure never reports agent_rc 0");
        FUZZ_CHECK_MESSAGE(err);
        FUZZ_CHECK(err.message[0] != '\0', "a failed load says why");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *bytes = fuzz_bytes(data, size);

    cd_attach_reply reply;
    cd_error err = {0};
    if (cd_attach_parse_reply(bytes, size, &reply, &err) == 0) {
        const char *newline = memchr(bytes, '\n', size);
        FUZZ_CHECK(newline != NULL, "a reply has a first line");
        size_t after = (size_t)(newline + 1 - bytes);
        FUZZ_CHECK(reply.len == size - after, "the text is everything after the first line");
        FUZZ_CHECK(memcmp(reply.text, bytes + after, reply.len) == 0 && reply.text[reply.len] == 0,
                   "the text is a NUL-terminated copy");
        check_load_reply(reply.status, reply.text, reply.len);
        cd_attach_reply_free(&reply);
    } else {
        FUZZ_CHECK_MESSAGE(err);
        FUZZ_CHECK(reply.text == NULL, "a refused reply holds no text");
    }
    static const int statuses[] = {0, -1, 100};
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
        check_load_reply(statuses[i], bytes, size);
    free(bytes);
    return 0;
}
