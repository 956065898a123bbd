/*
 * The log and text-line redactor (cd_redact_text, CD_REDACT_LINES) on hostile
 * input: logs hold whatever the server logged, environment listings whatever
 * was set. name=value, name: value, -Dname=value, user:pass@ in URLs,
 * Authorization headers. The checks are in redact_check.h.
 */
#include "redact_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redact_check(CD_REDACT_LINES, data, size);
    return 0;
}
