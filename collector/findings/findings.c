/*
 * Every analysis over the bundle's inputs, in one list (findings.h).
 */
#include "findings.h"

void cd_findings_analyze(const cd_report_inputs *in, cd_findings *out)
{
    cd_findings_threads(in, out);
    cd_findings_memory(in, out);
    cd_findings_host(in, out);
    cd_findings_carbon(in, out);
    cd_findings_logs(in, out);
    cd_findings_sort(out);
}

void cd_findings_drop_missing_evidence(cd_findings *list, const cd_report_inputs *in)
{
    for (size_t i = 0; i < list->count; i++) {
        cd_finding *f = &list->items[i];
        int kept = 0;
        for (int e = 0; e < f->evidence_count; e++)
            if (cd_report_inputs_has(in, f->evidence[e].path))
                f->evidence[kept++] = f->evidence[e];
        f->evidence_count = kept;
    }
}
