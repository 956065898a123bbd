/*
 * Start-up mode: the agent's options on -agentpath, and the control file.
 *
 *   -agentpath:/opt/carbondump/lib/carbondump/libcarbondump.so=output=/var/dumps,
 *       control=/opt/wso2am/carbondump.ctl,on-oom=bundle
 *
 * Options (key=value, separated by commas; values cannot hold commas):
 *   output=DIR            where bundles go (default $TMPDIR or /tmp, + /carbondump);
 *                         created 0700 if missing
 *   control=FILE          the control file to poll (default: none)
 *   poll=MS               how often to look at it (default 1000; 100..60000)
 *   on-oom=bundle|jvm-only|off   on OutOfMemoryError: full bundle, only the JVM parts
 *                         (no collector), or nothing (default bundle)
 *   gc-thrash=MS:WEIGHT|off      GC-thrashing trigger: a bucket that GC pause time
 *                         fills and run time times WEIGHT drains; fires above MS
 *                         (default 5000:0.2)
 *   deadlock-check=SECONDS|off   look for new deadlocks this often (default 10)
 *   max-bundles=N         at most N triggered bundles in this JVM's life (default 5)
 *   min-interval=SECONDS  at least this long between triggered bundles (default 60)
 *   carbon-home=DIR       CARBON_HOME for the collector (default: -Dcarbon.home)
 *   collector=PATH        the carbondump binary (default: installed beside the agent)
 *   parts=a+b+...         agent sections of a triggered bundle (default: all but heapdump)
 *
 * The control file is a small text file of key=value lines (blank lines and
 * lines starting with '#' ignored); an empty file asks for a full bundle with
 * the defaults. Keys: parts, live, heap-engine, heap-redact, thread-samples,
 * thread-interval-ms, id.
 *
 * Both parsers are pure functions; an unknown key or a bad value is an error
 * naming it.
 */
#ifndef CARBONDUMP_STARTUP_H
#define CARBONDUMP_STARTUP_H

#include <limits.h>

#include "carbondump/error.h"
#include "carbondump/request.h"
#include "carbondump/sections.h"

typedef enum cd_on_oom { CD_ON_OOM_BUNDLE, CD_ON_OOM_JVM_ONLY, CD_ON_OOM_OFF } cd_on_oom;

#define CD_STARTUP_POLL_MS_DEFAULT 1000
#define CD_STARTUP_DEFAULT_PARTS (CD_SECTIONS_AGENT & ~CD_SECTION_BIT(CD_SECTION_HEAPDUMP))

typedef struct cd_startup_options {
    char output[PATH_MAX];
    char control[PATH_MAX];
    int poll_ms;
    cd_on_oom on_oom;
    int gc_thrash_enabled;
    long gc_thrash_threshold_ms;
    double gc_thrash_weight;
    int deadlock_check_s; /* 0: off */
    int max_bundles;
    int min_interval_s;
    char carbon_home[PATH_MAX];
    char collector[PATH_MAX];
    cd_section_set parts;
} cd_startup_options;

/* Defaults; output is left empty for the caller to fill from the environment. */
void cd_startup_options_init(cd_startup_options *options);

/* Parses -agentpath options; 0, or -1 with err naming the bad option. */
int cd_startup_options_parse(const char *text, cd_startup_options *options, cd_error *err);

/* A control-file request: fills request (dir untouched) from the file's text,
 * starting from the defaults in base. */
int cd_control_parse(const char *text, const cd_request *base, cd_request *request,
                     cd_error *err);

/* "bundle", "jvm-only" or "off". */
const char *cd_on_oom_name(cd_on_oom on_oom);

#endif
