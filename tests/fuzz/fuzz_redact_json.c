/*
 * The JSON redactor (cd_redact_text, CD_REDACT_JSON) on hostile input: JSON
 * configuration comes from the server's CARBON_HOME, which is not trusted.
 * Nested keys (a secret key masks everything below it), comments, broken
 * strings and deep nesting. The checks are in redact_check.h.
 */
#include "redact_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redact_check(CD_REDACT_JSON, data, size);
    return 0;
}
