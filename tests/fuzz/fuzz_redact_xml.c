/*
 * The XML redactor (cd_redact_text, CD_REDACT_XML) on hostile input: carbon.xml,
 * master-datasources.xml, axis2.xml and the like come from the server's
 * CARBON_HOME, which is not trusted. Elements, attributes, <Property name=...>
 * forms, comments, CDATA, unterminated tokens and deep nesting. The checks are
 * in redact_check.h.
 */
#include "redact_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redact_check(CD_REDACT_XML, data, size);
    return 0;
}
