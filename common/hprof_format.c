/*
 * Facts of the HPROF format and the redaction rules every writer and rewriter
 * of a heap dump applies: see include/carbondump/hprof.h.
 */
#include "carbondump/hprof.h"

unsigned cd_hprof_type_size(uint8_t type, unsigned id_size)
{
    switch (type) {
    case CD_HPROF_OBJECT: return id_size;
    case CD_HPROF_BOOLEAN:
    case CD_HPROF_BYTE: return 1;
    case CD_HPROF_CHAR:
    case CD_HPROF_SHORT: return 2;
    case CD_HPROF_FLOAT:
    case CD_HPROF_INT: return 4;
    case CD_HPROF_DOUBLE:
    case CD_HPROF_LONG: return 8;
    default: return 0;
    }
}

uint8_t cd_hprof_type_of_descriptor(char descriptor)
{
    switch (descriptor) {
    case 'L':
    case '[': return CD_HPROF_OBJECT;
    case 'Z': return CD_HPROF_BOOLEAN;
    case 'C': return CD_HPROF_CHAR;
    case 'F': return CD_HPROF_FLOAT;
    case 'D': return CD_HPROF_DOUBLE;
    case 'B': return CD_HPROF_BYTE;
    case 'S': return CD_HPROF_SHORT;
    case 'I': return CD_HPROF_INT;
    case 'J': return CD_HPROF_LONG;
    default: return 0;
    }
}

int cd_hprof_redacts_array(cd_heap_redact level, uint8_t element_type)
{
    if (element_type == CD_HPROF_OBJECT)
        return 0;
    if (level == CD_HEAP_REDACT_FULL)
        return 1;
    return level == CD_HEAP_REDACT_BASIC &&
           (element_type == CD_HPROF_CHAR || element_type == CD_HPROF_BYTE);
}

int cd_hprof_redacts_value(cd_heap_redact level, uint8_t type)
{
    return level == CD_HEAP_REDACT_FULL && type != CD_HPROF_OBJECT;
}

int cd_hprof_redacts_unnamed_utf8(cd_heap_redact level)
{
    return level != CD_HEAP_REDACT_NONE;
}
