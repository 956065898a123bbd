/*
 * Progress on stderr: plain lines "carbondump: ..." (nothing with --quiet,
 * more with --verbose). stdout is kept for the result: the path of the ZIP.
 */
#ifndef CARBONDUMP_PROGRESS_H
#define CARBONDUMP_PROGRESS_H

/* Sets how much progress to show: nothing when quiet, details when verbose. */
void cd_progress_init(int quiet, int verbose);

/* A line of progress. */
void cd_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A line shown only with --verbose. */
void cd_progress_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A warning: shown even with --quiet. */
void cd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
