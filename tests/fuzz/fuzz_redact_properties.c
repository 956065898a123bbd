/*
 * The properties redactor on hostile input, both ways it runs: ordinary
 * .properties files (keys, also commented-out ones) and cipher-text.properties
 * (every [plaintext] value too). Configuration files come from the server's
 * CARBON_HOME, so they are not trusted. The checks are in redact_check.h (line
 * breaks kept, notes counted, no reported secret left).
 */
#include "redact_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redact_check(CD_REDACT_PROPERTIES, data, size);
    redact_check(CD_REDACT_CIPHER_TEXT, data, size);
    return 0;
}
