/*
 * A finding: what carbondump sees in the bundle, with a severity, a one-line
 * title, details, a recommendation and evidence (the bundle files, with line
 * numbers or a JSON pointer, that show it); and the list the analyses fill.
 *
 *   cd_findings_add       a new finding (the NULL-safe helpers below fill it in)
 *   cd_finding_detail     one more line of details
 *   cd_finding_recommend  the recommendation
 *   cd_finding_lines      evidence: a file and a line range
 *   cd_finding_pointer    evidence: a JSON pointer into a file
 *   cd_findings_sort      most severe first, stable
 *   cd_findings_count     how many of at least a severity
 *   cd_findings_free      release the list's findings
 *   cd_findings_json      the manifest's "findings" array
 *   cd_ratio_severity     how bad used/limit is
 */
#ifndef CARBONDUMP_FINDINGS_FINDING_H
#define CARBONDUMP_FINDINGS_FINDING_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;

/* Ordered: a higher value is more severe. */
typedef enum cd_severity {
    CD_SEVERITY_INFO,
    CD_SEVERITY_WARNING,
    CD_SEVERITY_CRITICAL,
} cd_severity;

/* "info", "warning", "critical". */
const char *cd_severity_name(cd_severity severity);

#define CD_EVIDENCE_MAX 4

/* Where the bundle shows it: a file, with a line range or a JSON pointer. */
typedef struct cd_evidence {
    char path[160]; /* relative to the bundle's root */
    int first_line; /* 1-based; 0 when not a line range */
    int last_line;
    char pointer[96]; /* RFC 6901 pointer into a JSON file, "" when none */
} cd_evidence;

typedef struct cd_finding {
    cd_severity severity;
    const char *kind;     /* stable id for tools and tests: "java-deadlock" ... (static) */
    char *title;          /* one line */
    char *detail;         /* lines separated by '\n', or NULL */
    char *recommendation; /* or NULL */
    cd_evidence evidence[CD_EVIDENCE_MAX];
    int evidence_count;
} cd_finding;

typedef struct cd_findings {
    cd_finding *items;
    size_t count, capacity;
    int incomplete; /* out of memory on the way: some findings or details are missing */
} cd_findings;

/* Appends a finding; NULL (and list->incomplete set) when out of memory. The
 * cd_finding_* helpers below accept NULL, so callers chain them unchecked. */
cd_finding *cd_findings_add(cd_findings *list, cd_severity severity, const char *kind,
                            const char *title_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Appends one line to the finding's details. */
void cd_finding_detail(cd_finding *finding, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets the finding's recommendation. */
void cd_finding_recommend(cd_finding *finding, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Evidence: lines first..last of path (last < first means first only). Lines
 * <= 0 make it a whole-file reference. Beyond CD_EVIDENCE_MAX, ignored. */
void cd_finding_lines(cd_finding *finding, const char *path, int first_line, int last_line);

/* Evidence: a JSON pointer into path. */
void cd_finding_pointer(cd_finding *finding, const char *path, const char *pointer_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Most severe first; the order of equal ones is kept. */
void cd_findings_sort(cd_findings *list);

/* Findings of severity at least minimum. */
size_t cd_findings_count(const cd_findings *list, cd_severity minimum);

/* Frees the list's findings; the list is empty again. */
void cd_findings_free(cd_findings *list);

/* The manifest's "findings" array (an empty one for NULL):
 * [{severity, kind, title, detail?, evidence: [{path, lines?: [first, last],
 * pointer?}], recommendation?}]. NULL when out of memory. */
struct cJSON *cd_findings_json(const cd_findings *list);

/* How bad used/limit is: -1 below warn_ratio, else WARNING, or CRITICAL from
 * critical_ratio on. A limit <= 0 (unknown, unlimited) is never bad. */
int cd_ratio_severity(double used, double limit, double warn_ratio, double critical_ratio);

#endif
