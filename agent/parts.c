/*
 * Which function produces which section. A section without an entry is
 * reported by the runtime as skipped, "not implemented", never faked.
 */
#include "agent.h"

cd_part_fn cd_agent_part(cd_section section)
{
    switch (section) {
    case CD_SECTION_JVM:
        return cd_part_jvm;
    default:
        return NULL;
    }
}
