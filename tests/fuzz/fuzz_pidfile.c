/*
 * Carbon's pid file parser (cd_pidfile_parse) on hostile bytes: the file sits
 * in CARBON_HOME, where anyone who can write there can plant anything.
 *
 * Invariants: a parsed pid is in 1..CD_PID_MAX and its digits are in the
 * input; a refusal says why.
 */
#include "fuzz.h"
#include "carbon/pidfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *bytes = fuzz_bytes(data, size);
    pid_t pid = 0;
    cd_error err = {0};
    if (cd_pidfile_parse(bytes, size, &pid, &err) == 0) {
        FUZZ_CHECK(pid >= 1 && pid <= CD_PID_MAX, "pid in 1..CD_PID_MAX");
        char digits[16];
        int n = snprintf(digits, sizeof digits, "%d", (int)pid);
        FUZZ_CHECK(memmem(bytes, size, digits, (size_t)n) != NULL,
                   "the pid's digits are in the file");
    } else {
        FUZZ_CHECK_MESSAGE(err);
        FUZZ_CHECK(err.message[0] != '\0', "a refused pid file says why");
    }
    free(bytes);
    return 0;
}
