/*
 * The attach protocol without a JVM: the request bytes, the reply framing, the
 * verdict on "load" replies (test vectors are the exact bytes JDK 17.0.15 and
 * Temurin 25.0.3 sent, see the table at the top of collector/attach.c), and the
 * socket exchange against a fake JVM listening on a Unix socket in a temporary
 * directory (large replies, silence, hang-ups).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "jvm/attach.h"
#include "carbondump/fsutil.h"

/* ---------------------------------------------------------------- request encoding */

static void assert_encoded(const char *command, const char *const args[], int nargs,
                           const char *expected, size_t expected_len)
{
    char buf[4096];
    size_t len = 0;
    cd_error err = {0};
    assert_int_equal(cd_attach_encode_request(command, args, nargs, buf, sizeof buf, &len, &err),
                     0);
    assert_int_equal(len, expected_len);
    assert_memory_equal(buf, expected, expected_len);
}

static void assert_encoding_refused(const char *command, const char *const args[], int nargs,
                                    size_t cap, const char *message)
{
    char buf[4096];
    size_t len = 0;
    cd_error err = {0};
    assert_int_equal(cd_attach_encode_request(command, args, nargs, buf, cap, &len, &err), -1);
    assert_int_equal(err.code, CD_ERR_USAGE);
    assert_string_equal(err.message, message);
}

static void encodes_command_without_arguments_as_three_empty_ones(void **state)
{
    static const char expected[] = "1\0properties\0\0\0";
    assert_encoded("properties", NULL, 0, expected, sizeof expected);
}

static void encodes_load_request_with_its_three_arguments(void **state)
{
    static const char expected[] = "1\0load\0/opt/cd/libcarbondump.so\0true\0dir=/tmp/x";
    const char *args[] = {"/opt/cd/libcarbondump.so", "true", "dir=/tmp/x"};
    assert_encoded("load", args, 3, expected, sizeof expected);
}

static void encodes_missing_and_null_arguments_as_empty_strings(void **state)
{
    static const char expected[] = "1\0jcmd\0VM.version\0\0";
    const char *args[] = {"VM.version", NULL};
    assert_encoded("jcmd", args, 2, expected, sizeof expected);
}

static void accepts_command_of_exactly_16_bytes(void **state)
{
    static const char expected[] = "1\0abcdefghijklmnop\0\0\0";
    assert_encoded("abcdefghijklmnop", NULL, 0, expected, sizeof expected);
}

static void refuses_command_longer_than_16_bytes(void **state)
{
    assert_encoding_refused("abcdefghijklmnopq", NULL, 0, 4096,
                            "attach command 'abcdefghijklmnopq' is 17 bytes; the JVM accepts at "
                            "most 16");
}

static void refuses_empty_command(void **state)
{
    assert_encoding_refused("", NULL, 0, 4096, "empty attach command");
}

static void accepts_argument_of_exactly_1024_bytes(void **state)
{
    char arg[1025];
    memset(arg, 'a', 1024);
    arg[1024] = '\0';
    const char *args[] = {arg};
    char expected[2 + 5 + 1025 + 2];
    memcpy(expected, "1\0load\0", 7);
    memcpy(expected + 7, arg, 1025);
    memcpy(expected + 7 + 1025, "\0", 2);
    assert_encoded("load", args, 1, expected, sizeof expected);
}

static void refuses_argument_longer_than_1024_bytes(void **state)
{
    /* The JVM would close the connection without a word. */
    char arg[1026];
    memset(arg, 'a', 1025);
    arg[1025] = '\0';
    const char *args[] = {"/opt/cd/libcarbondump.so", "true", arg};
    assert_encoding_refused("load", args, 3, 4096,
                            "argument 3 of attach command 'load' is 1025 bytes; the JVM accepts "
                            "at most 1024");
}

static void refuses_more_than_three_arguments(void **state)
{
    const char *args[] = {"a", "b", "c", "d"};
    assert_encoding_refused("load", args, 4, 4096,
                            "attach command 'load' given 4 arguments; at most 3");
}

static void refuses_request_larger_than_the_buffer(void **state)
{
    assert_encoding_refused("properties", NULL, 0, 8,
                            "attach request 'properties' does not fit in 8 bytes");
}

/* ---------------------------------------------------------------- reply framing */

static void splits_status_and_text_of_a_reply(void **state)
{
    static const char raw[] =
        "0\nOpenJDK 64-Bit Server VM version 17.0.15+6-Debian-1deb12u1\nJDK 17.0.15\n";
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_reply(raw, sizeof raw - 1, &reply, &err), 0);
    assert_int_equal(reply.status, 0);
    assert_string_equal(
        reply.text, "OpenJDK 64-Bit Server VM version 17.0.15+6-Debian-1deb12u1\nJDK 17.0.15\n");
    assert_int_equal(reply.len, sizeof raw - 1 - 2);
    cd_attach_reply_free(&reply);
}

static void parses_negative_status_of_unknown_operation_without_final_newline(void **state)
{
    static const char raw[] = "-1\nOperation bogus not recognized!";
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_reply(raw, sizeof raw - 1, &reply, &err), 0);
    assert_int_equal(reply.status, -1);
    assert_string_equal(reply.text, "Operation bogus not recognized!");
    cd_attach_reply_free(&reply);
}

static void parses_status_line_with_no_text(void **state)
{
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_reply("0\n", 2, &reply, &err), 0);
    assert_int_equal(reply.status, 0);
    assert_string_equal(reply.text, "");
    assert_int_equal(reply.len, 0);
    cd_attach_reply_free(&reply);
}

static void keeps_nul_bytes_inside_reply_text(void **state)
{
    static const char raw[] = "0\na\0b";
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_reply(raw, sizeof raw - 1, &reply, &err), 0);
    assert_int_equal(reply.len, 3);
    assert_memory_equal(reply.text, "a\0b", 3);
    cd_attach_reply_free(&reply);
}

static void assert_framing_refused(const char *raw, const char *message)
{
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_reply(raw, strlen(raw), &reply, &err), -1);
    assert_int_equal(err.code, CD_ERR_PROTOCOL);
    assert_string_equal(err.message, message);
    assert_null(reply.text);
}

static void refuses_reply_without_status_line(void **state)
{
    assert_framing_refused("garbage", "not an attach reply: \"garbage\"");
}

static void refuses_non_numeric_status(void **state)
{
    assert_framing_refused("HTTP/1.1 400 Bad Request\r\n\r\n",
                           "not an attach reply: \"HTTP/1.1 400 Bad Request\"");
}

static void refuses_status_followed_by_words_on_its_line(void **state)
{
    assert_framing_refused("0 ok\nreturn code: 0\n",
                           "not an attach reply: \"0 ok; return code: 0\"");
}

static void refuses_status_that_overflows_int(void **state)
{
    assert_framing_refused("99999999999\n", "not an attach reply: \"99999999999\"");
}

static void freeing_an_empty_reply_is_harmless(void **state)
{
    cd_attach_reply reply = {0};
    cd_attach_reply_free(&reply);
    cd_attach_reply_free(&reply);
    cd_attach_reply_free(NULL);
}

/* ---------------------------------------------------------------- load verdicts */

static void assert_load_ok(int status, const char *text)
{
    int agent_rc = 12345;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_load_reply(status, text, strlen(text), &agent_rc, &err), 0);
    assert_int_equal(agent_rc, 0);
}

static void assert_load_failed(int status, const char *text, cd_code code, int expected_rc,
                               const char *message)
{
    int agent_rc = 12345;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_load_reply(status, text, strlen(text), &agent_rc, &err), -1);
    assert_int_equal(err.code, code);
    assert_int_equal(agent_rc, expected_rc);
    assert_string_equal(err.message, message);
}

static void jdk17_and_25_load_of_agent_returning_0_succeeds(void **state)
{
    assert_load_ok(0, "return code: 0\n");
}

static void jdk8_load_of_agent_returning_0_succeeds(void **state)
{
    assert_load_ok(0, "0\n");
}

static void jdk17_and_25_report_agent_onattach_failure_with_its_code(void **state)
{
    assert_load_failed(0, "return code: 7\n", CD_ERR_INTERNAL, 7,
                       "the library was loaded but Agent_OnAttach failed (returned 7)");
}

static void jdk8_reports_agent_onattach_failure_as_lone_number(void **state)
{
    assert_load_failed(0, "7\n", CD_ERR_INTERNAL, 7,
                       "the library was loaded but Agent_OnAttach failed (returned 7)");
}

static void reports_negative_agent_onattach_result(void **state)
{
    assert_load_failed(0, "return code: -1\n", CD_ERR_INTERNAL, -1,
                       "the library was loaded but Agent_OnAttach failed (returned -1)");
}

static void jdk17_missing_library_is_not_found_with_dlopen_text(void **state)
{
    assert_load_failed(-1,
                       "/tmp/cdexp/nonexist.so was not loaded.\n/tmp/cdexp/nonexist.so: cannot "
                       "open shared object file: No such file or directory\n",
                       CD_ERR_NOENT, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM could not load the library: /tmp/cdexp/nonexist.so: cannot open "
                       "shared object file: No such file or directory");
}

static void jdk25_missing_library_is_not_found_despite_status_0(void **state)
{
    assert_load_failed(0,
                       "/tmp/cdexp/nonexist.so was not loaded.\n/tmp/cdexp/nonexist.so: cannot "
                       "open shared object file: No such file or directory\n",
                       CD_ERR_NOENT, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM could not load the library: /tmp/cdexp/nonexist.so: cannot open "
                       "shared object file: No such file or directory");
}

static void unreadable_library_is_a_permission_problem(void **state)
{
    assert_load_failed(0,
                       "/opt/cd/libcarbondump.so was not loaded.\n/opt/cd/libcarbondump.so: "
                       "cannot open shared object file: Permission denied\n",
                       CD_ERR_PERM, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM could not load the library: /opt/cd/libcarbondump.so: cannot "
                       "open shared object file: Permission denied");
}

static void library_for_another_architecture_is_unsupported(void **state)
{
    assert_load_failed(0,
                       "/opt/cd/libcarbondump.so was not loaded.\n/opt/cd/libcarbondump.so: "
                       "wrong ELF class: ELFCLASS32\n",
                       CD_ERR_UNSUPPORTED, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM could not load the library: /opt/cd/libcarbondump.so: wrong ELF "
                       "class: ELFCLASS32");
}

static void jdk17_library_without_agent_onattach_is_not_an_agent(void **state)
{
    assert_load_failed(-1, "Agent_OnAttach is not available in /tmp/cdexp/libnotagent.so\n",
                       CD_ERR_UNSUPPORTED, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the library is not a JVMTI agent: Agent_OnAttach is not available in "
                       "/tmp/cdexp/libnotagent.so");
}

static void jdk25_library_without_agent_onattach_is_not_an_agent(void **state)
{
    assert_load_failed(0, "Agent_OnAttach is not available in /tmp/cdexp/libnotagent.so\n",
                       CD_ERR_UNSUPPORTED, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the library is not a JVMTI agent: Agent_OnAttach is not available in "
                       "/tmp/cdexp/libnotagent.so");
}

static const char disabled_message[] =
    "the JVM was started with -XX:-EnableDynamicAgentLoading and refuses to load agents at run "
    "time; restart it without that option, or load carbondump at start-up with -agentpath";

static void jdk17_dynamic_agent_loading_disabled_is_explained(void **state)
{
    assert_load_failed(-1,
                       "Dynamic agent loading is not enabled. Use -XX:+EnableDynamicAgentLoading "
                       "to launch target VM.",
                       CD_ERR_UNSUPPORTED, CD_ATTACH_AGENT_DID_NOT_RUN, disabled_message);
}

static void jdk25_dynamic_agent_loading_disabled_is_explained_despite_status_0(void **state)
{
    assert_load_failed(0,
                       "Dynamic agent loading is not enabled. Use -XX:+EnableDynamicAgentLoading "
                       "to launch target VM.\n",
                       CD_ERR_UNSUPPORTED, CD_ATTACH_AGENT_DID_NOT_RUN, disabled_message);
}

static void status_0_without_result_is_not_success(void **state)
{
    assert_load_failed(0, "", CD_ERR_PROTOCOL, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM answered the load request with status 0 and no explanation");
}

static void failure_status_without_text_is_reported_with_the_status(void **state)
{
    assert_load_failed(-1, "\n", CD_ERR_PROTOCOL, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM answered the load request with status -1 and no explanation");
}

static void unknown_text_with_status_0_is_not_success(void **state)
{
    assert_load_failed(0, "Something new\non two lines\n", CD_ERR_PROTOCOL,
                       CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM did not confirm that the agent started: Something new; on two "
                       "lines");
}

static void unknown_text_with_failure_status_is_quoted(void **state)
{
    assert_load_failed(100, "Agent JAR not found\n", CD_ERR_PROTOCOL, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM refused to load the agent (status 100): Agent JAR not found");
}

static void return_code_0_with_failure_status_is_not_success(void **state)
{
    assert_load_failed(-1, "return code: 0\n", CD_ERR_PROTOCOL, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM refused to load the agent (status -1): return code: 0");
}

static void return_code_followed_by_junk_is_not_a_result(void **state)
{
    assert_load_failed(0, "return code: 0x10\n", CD_ERR_PROTOCOL, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM did not confirm that the agent started: return code: 0x10");
}

static void long_jvm_text_is_cut_to_300_bytes(void **state)
{
    char text[1001];
    memset(text, 'x', 1000);
    text[1000] = '\0';
    int agent_rc;
    cd_error err = {0};
    assert_int_equal(cd_attach_parse_load_reply(0, text, 1000, &agent_rc, &err), -1);
    const char *prefix = "the JVM did not confirm that the agent started: ";
    assert_int_equal(strncmp(err.message, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(err.message), strlen(prefix) + 300 + 3);
    assert_string_equal(err.message + strlen(err.message) - 4, "x...");
}

static void control_bytes_in_jvm_text_are_masked(void **state)
{
    assert_load_failed(0, "bad\x1b[31mred\x01\n", CD_ERR_PROTOCOL, CD_ATTACH_AGENT_DID_NOT_RUN,
                       "the JVM did not confirm that the agent started: bad?[31mred?");
}

/* ---------------------------------------------------------------- a fake JVM */

typedef enum fake_behaviour {
    FAKE_REPLY,   /* read the request, send the reply, close */
    FAKE_SILENT,  /* read the request, then say nothing until released */
    FAKE_HANG_UP, /* read the request, close without a word */
} fake_behaviour;

typedef struct fake_jvm {
    char root[64]; /* stands in for /proc/<pid>/root */
    char socket_path[128];
    int listen_fd;
    int release_fds[2]; /* FAKE_SILENT waits for this pipe to close */
    pthread_t thread;
    int joined;
    fake_behaviour behaviour;
    char *reply;
    size_t reply_len;
    char request[8192];
    size_t request_len;
    cd_target target;
} fake_jvm;

/* Reads a protocol-1 request: five NUL-terminated fields. */
static void fake_read_request(fake_jvm *fake, int fd)
{
    int fields = 0;
    while (fields < 5 && fake->request_len < sizeof fake->request) {
        ssize_t n = read(fd, fake->request + fake->request_len, 1);
        if (n <= 0)
            return;
        if (fake->request[fake->request_len++] == '\0')
            fields++;
    }
}

static void *fake_serve(void *arg)
{
    fake_jvm *fake = arg;
    int fd = accept(fake->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    fake_read_request(fake, fd);
    if (fake->behaviour == FAKE_REPLY) {
        /* The first byte alone, then large chunks: the reader must not assume one
         * read returns the whole status line. */
        size_t sent = 0;
        while (sent < fake->reply_len) {
            size_t chunk = sent == 0 ? 1 : fake->reply_len - sent;
            if (chunk > 65536)
                chunk = 65536;
            ssize_t n = send(fd, fake->reply + sent, chunk, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            sent += (size_t)n;
        }
    } else if (fake->behaviour == FAKE_SILENT) {
        char byte;
        while (read(fake->release_fds[0], &byte, 1) > 0)
            ;
    }
    close(fd);
    return NULL;
}

static fake_jvm *fake_start(fake_behaviour behaviour, const char *reply, size_t reply_len)
{
    fake_jvm *fake = calloc(1, sizeof *fake);
    assert_non_null(fake);
    strcpy(fake->root, "/tmp/cd-attach-XXXXXX");
    assert_non_null(mkdtemp(fake->root));
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%s/tmp", fake->root);
    assert_int_equal(mkdir(tmp, 0700), 0);
    snprintf(fake->socket_path, sizeof fake->socket_path, "%s/.java_pid4242", tmp);

    fake->target.pid = getpid(); /* alive for as long as the test runs */
    fake->target.nspid = 4242;
    fake->target.uid = geteuid();
    fake->target.gid = getegid();
    strcpy(fake->target.root, fake->root);
    fake->target.same_mount_ns = 1;

    fake->behaviour = behaviour;
    if (reply) {
        fake->reply = malloc(reply_len);
        memcpy(fake->reply, reply, reply_len);
        fake->reply_len = reply_len;
    }
    assert_int_equal(pipe(fake->release_fds), 0);
    fake->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fake->listen_fd >= 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strcpy(address.sun_path, fake->socket_path);
    assert_int_equal(bind(fake->listen_fd, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(listen(fake->listen_fd, 4), 0);
    assert_int_equal(pthread_create(&fake->thread, NULL, fake_serve, fake), 0);
    return fake;
}

/* Waits until the fake has served its one connection. */
static void fake_wait(fake_jvm *fake)
{
    if (!fake->joined)
        pthread_join(fake->thread, NULL);
    fake->joined = 1;
}

static void fake_stop(fake_jvm *fake)
{
    close(fake->release_fds[1]);
    shutdown(fake->listen_fd, SHUT_RDWR); /* wakes an accept that never got a client */
    fake_wait(fake);
    close(fake->listen_fd);
    close(fake->release_fds[0]);
    assert_int_equal(cd_remove_tree(fake->root), 0);
    free(fake->reply);
    free(fake);
}

/* Runs 'properties' against the fake and checks that it fails with code and the
 * message that format (printf-style) and its arguments make. */
static void assert_properties_fails(fake_jvm *fake, int timeout_ms, cd_code code,
                                    const char *format, ...) __attribute__((format(printf, 4, 5)));

static void assert_properties_fails(fake_jvm *fake, int timeout_ms, cd_code code,
                                    const char *format, ...)
{
    char expected[512];
    va_list ap;
    va_start(ap, format);
    vsnprintf(expected, sizeof expected, format, ap);
    va_end(ap);
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(
        cd_attach_execute(&fake->target, "properties", NULL, 0, timeout_ms, &reply, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, expected);
    assert_null(reply.text);
}

static void sends_protocol_1_request_to_the_listener(void **state)
{
    static const char raw[] = "0\nreturn code: 0\n";
    fake_jvm *fake = fake_start(FAKE_REPLY, raw, sizeof raw - 1);
    const char *args[] = {"VM.version"};
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_execute(&fake->target, "jcmd", args, 1, 5000, &reply, &err), 0);
    cd_attach_reply_free(&reply);
    fake_wait(fake);
    static const char expected[] = "1\0jcmd\0VM.version\0\0";
    assert_int_equal(fake->request_len, sizeof expected);
    assert_memory_equal(fake->request, expected, sizeof expected);
    fake_stop(fake);
}

static void reads_reply_far_larger_than_one_buffer(void **state)
{
    size_t text_len = 3u << 20;
    size_t raw_len = 2 + text_len;
    char *raw = malloc(raw_len);
    memcpy(raw, "0\n", 2);
    for (size_t i = 0; i < text_len; i++)
        raw[2 + i] = (char)('a' + i % 26);
    fake_jvm *fake = fake_start(FAKE_REPLY, raw, raw_len);
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_execute(&fake->target, "threaddump", NULL, 0, 10000, &reply, &err),
                     0);
    assert_int_equal(reply.status, 0);
    assert_int_equal(reply.len, text_len);
    assert_memory_equal(reply.text, raw + 2, text_len);
    assert_int_equal(reply.text[reply.len], '\0');
    cd_attach_reply_free(&reply);
    fake_stop(fake);
    free(raw);
}

static void gives_up_on_a_jvm_that_never_answers(void **state)
{
    fake_jvm *fake = fake_start(FAKE_SILENT, NULL, 0);
    assert_properties_fails(fake, 300, CD_ERR_TIMEOUT,
                            "pid %d did not finish answering 'properties' within 0.3 s",
                            (int)getpid());
    fake_stop(fake);
}

static void reports_a_jvm_that_hangs_up_without_answering(void **state)
{
    fake_jvm *fake = fake_start(FAKE_HANG_UP, NULL, 0);
    assert_properties_fails(fake, 5000, CD_ERR_PROTOCOL,
                            "pid %d closed the attach connection without answering 'properties' "
                            "(it refused the request or carbondump's credentials)",
                            (int)getpid());
    fake_stop(fake);
}

static void reports_a_reply_that_is_not_attach_protocol(void **state)
{
    static const char raw[] = "SSH-2.0-OpenSSH_9.2\r\n";
    fake_jvm *fake = fake_start(FAKE_REPLY, raw, sizeof raw - 1);
    assert_properties_fails(fake, 5000, CD_ERR_PROTOCOL,
                            "pid %d answered 'properties' with something else: not an attach "
                            "reply: \"SSH-2.0-OpenSSH_9.2\"",
                            (int)getpid());
    fake_stop(fake);
}

static void load_agent_succeeds_on_return_code_0(void **state)
{
    static const char raw[] = "0\nreturn code: 0\n";
    fake_jvm *fake = fake_start(FAKE_REPLY, raw, sizeof raw - 1);
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_load_agent(&fake->target, "/opt/cd/libcarbondump.so",
                                          "dir=/tmp/x,parts=threads", 5000, &reply, &err),
                     0);
    assert_int_equal(reply.status, 0);
    assert_string_equal(reply.text, "return code: 0\n");
    cd_attach_reply_free(&reply);
    fake_stop(fake);
}

static void load_agent_names_library_and_pid_when_agent_fails(void **state)
{
    static const char raw[] = "0\nreturn code: 7\n";
    fake_jvm *fake = fake_start(FAKE_REPLY, raw, sizeof raw - 1);
    cd_attach_reply reply;
    cd_error err = {0};
    char expected[256];
    snprintf(expected, sizeof expected,
             "cannot load /opt/cd/libcarbondump.so into pid %d: the library was loaded but "
             "Agent_OnAttach failed (returned 7)",
             (int)getpid());
    assert_int_equal(
        cd_attach_load_agent(&fake->target, "/opt/cd/libcarbondump.so", NULL, 5000, &reply, &err),
        -1);
    assert_int_equal(err.code, CD_ERR_INTERNAL);
    assert_string_equal(err.message, expected);
    assert_string_equal(reply.text, "return code: 7\n");
    cd_attach_reply_free(&reply);
    fake_stop(fake);
}

static void load_agent_refuses_relative_path(void **state)
{
    cd_target target = {.pid = getpid(), .nspid = 4242};
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_load_agent(&target, "libcarbondump.so", "", 5000, &reply, &err), -1);
    assert_int_equal(err.code, CD_ERR_USAGE);
    assert_string_equal(err.message, "the agent path must be absolute, not 'libcarbondump.so'");
}

static void refuses_non_socket_at_the_socket_path(void **state)
{
    fake_jvm *fake = fake_start(FAKE_HANG_UP, NULL, 0);
    unlink(fake->socket_path);
    FILE *f = fopen(fake->socket_path, "w");
    fclose(f);
    assert_properties_fails(fake, 1000, CD_ERR_PERM, "%s is not a socket; refusing to use it",
                            fake->socket_path);
    fake_stop(fake);
}

static void refuses_socket_owned_by_another_user(void **state)
{
    if (geteuid() != 0)
        skip(); /* only root can give the socket away */
    fake_jvm *fake = fake_start(FAKE_HANG_UP, NULL, 0);
    assert_int_equal(lchown(fake->socket_path, 12345, (gid_t)-1), 0);
    assert_properties_fails(fake, 1000, CD_ERR_PERM,
                            "%s is owned by uid 12345, not by uid 0 which runs pid %d; refusing "
                            "to use it",
                            fake->socket_path, (int)getpid());
    fake_stop(fake);
}

static void refuses_non_positive_timeout(void **state)
{
    cd_target target = {.pid = getpid(), .nspid = 4242};
    cd_attach_reply reply;
    cd_error err = {0};
    assert_int_equal(cd_attach_execute(&target, "properties", NULL, 0, 0, &reply, &err), -1);
    assert_int_equal(err.code, CD_ERR_USAGE);
    assert_string_equal(err.message, "attach timeout must be positive, not 0 ms");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_command_without_arguments_as_three_empty_ones),
        cmocka_unit_test(encodes_load_request_with_its_three_arguments),
        cmocka_unit_test(encodes_missing_and_null_arguments_as_empty_strings),
        cmocka_unit_test(accepts_command_of_exactly_16_bytes),
        cmocka_unit_test(refuses_command_longer_than_16_bytes),
        cmocka_unit_test(refuses_empty_command),
        cmocka_unit_test(accepts_argument_of_exactly_1024_bytes),
        cmocka_unit_test(refuses_argument_longer_than_1024_bytes),
        cmocka_unit_test(refuses_more_than_three_arguments),
        cmocka_unit_test(refuses_request_larger_than_the_buffer),
        cmocka_unit_test(splits_status_and_text_of_a_reply),
        cmocka_unit_test(parses_negative_status_of_unknown_operation_without_final_newline),
        cmocka_unit_test(parses_status_line_with_no_text),
        cmocka_unit_test(keeps_nul_bytes_inside_reply_text),
        cmocka_unit_test(refuses_reply_without_status_line),
        cmocka_unit_test(refuses_non_numeric_status),
        cmocka_unit_test(refuses_status_followed_by_words_on_its_line),
        cmocka_unit_test(refuses_status_that_overflows_int),
        cmocka_unit_test(freeing_an_empty_reply_is_harmless),
        cmocka_unit_test(jdk17_and_25_load_of_agent_returning_0_succeeds),
        cmocka_unit_test(jdk8_load_of_agent_returning_0_succeeds),
        cmocka_unit_test(jdk17_and_25_report_agent_onattach_failure_with_its_code),
        cmocka_unit_test(jdk8_reports_agent_onattach_failure_as_lone_number),
        cmocka_unit_test(reports_negative_agent_onattach_result),
        cmocka_unit_test(jdk17_missing_library_is_not_found_with_dlopen_text),
        cmocka_unit_test(jdk25_missing_library_is_not_found_despite_status_0),
        cmocka_unit_test(unreadable_library_is_a_permission_problem),
        cmocka_unit_test(library_for_another_architecture_is_unsupported),
        cmocka_unit_test(jdk17_library_without_agent_onattach_is_not_an_agent),
        cmocka_unit_test(jdk25_library_without_agent_onattach_is_not_an_agent),
        cmocka_unit_test(jdk17_dynamic_agent_loading_disabled_is_explained),
        cmocka_unit_test(jdk25_dynamic_agent_loading_disabled_is_explained_despite_status_0),
        cmocka_unit_test(status_0_without_result_is_not_success),
        cmocka_unit_test(failure_status_without_text_is_reported_with_the_status),
        cmocka_unit_test(unknown_text_with_status_0_is_not_success),
        cmocka_unit_test(unknown_text_with_failure_status_is_quoted),
        cmocka_unit_test(return_code_0_with_failure_status_is_not_success),
        cmocka_unit_test(return_code_followed_by_junk_is_not_a_result),
        cmocka_unit_test(long_jvm_text_is_cut_to_300_bytes),
        cmocka_unit_test(control_bytes_in_jvm_text_are_masked),
        cmocka_unit_test(sends_protocol_1_request_to_the_listener),
        cmocka_unit_test(reads_reply_far_larger_than_one_buffer),
        cmocka_unit_test(gives_up_on_a_jvm_that_never_answers),
        cmocka_unit_test(reports_a_jvm_that_hangs_up_without_answering),
        cmocka_unit_test(reports_a_reply_that_is_not_attach_protocol),
        cmocka_unit_test(load_agent_succeeds_on_return_code_0),
        cmocka_unit_test(load_agent_names_library_and_pid_when_agent_fails),
        cmocka_unit_test(load_agent_refuses_relative_path),
        cmocka_unit_test(refuses_non_socket_at_the_socket_path),
        cmocka_unit_test(refuses_socket_owned_by_another_user),
        cmocka_unit_test(refuses_non_positive_timeout),
    };
    return cmocka_run_group_tests_name("attach_reply", tests, NULL, NULL);
}
