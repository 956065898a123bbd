/*
 * manifest.json's command_line: carbondump's own argv, masked like every other
 * command line in the bundle (carbondump/command_line_mask.h) unless
 * --no-redact. The manifest is written after redaction_log.txt, so what it
 * masks is noted beforehand by cd_manifest_note_masked, with the same masking.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "carbondump/command_line_mask.h"
#include "carbondump/secrets.h"
#include "redact/redaction_log.h"

static void note_masked_argument(void *run, const char *key)
{
    char text[CD_MASK_KEY_MAX + 16];
    snprintf(text, sizeof text, "command_line: %s", key);
    cd_redaction_note(run, "manifest.json", 0, text);
}

cJSON *cd_manifest_command_line_json(const cd_run *run, cd_run *noting)
{
    cJSON *argv = cJSON_CreateArray();
    cd_argv_mask state = {0};
    for (int i = 0; argv && i < run->argc; i++) {
        const char *arg = run->argv[i];
        if (!run->cli->redact) {
            cJSON_AddItemToArray(argv, cJSON_CreateString(arg));
            continue;
        }
        char *masked = cd_masked_argument(&state, arg, strlen(arg),
                                          noting ? note_masked_argument : NULL, noting, NULL);
        /* out of memory: the argument is left out rather than shown unmasked */
        cJSON_AddItemToArray(argv, cJSON_CreateString(masked ? masked : CD_SECRET_MASK));
        free(masked);
    }
    return argv;
}

void cd_manifest_note_masked(cd_run *run)
{
    cJSON_Delete(cd_manifest_command_line_json(run, run));
}
