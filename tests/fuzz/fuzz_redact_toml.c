/*
 * The TOML redactor (cd_redact_text, CD_REDACT_TOML) on hostile input:
 * deployment.toml comes from the server's CARBON_HOME, which is not trusted.
 * Dotted and quoted keys, tables, arrays of tables, inline tables, the four
 * string forms, long and many-part names. The checks are in redact_check.h.
 */
#include "redact_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redact_check(CD_REDACT_TOML, data, size);
    return 0;
}
