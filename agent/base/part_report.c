/*
 * A part's report pair: see report.h.
 */
#include "part_report.h"

#include <stdlib.h>
#include <string.h>

#include "carbondump/fsutil.h"

int cd_part_report_write(const cd_part_ctx *ctx, const char *text_path, cd_part_text_fn text,
                         const void *data, const char *json_path, cJSON *json, cd_error *err)
{
    const char *dir = ctx->request->dir;
    cd_sink *sink = cd_staging_open(dir, text_path, err);
    if (!sink) {
        cJSON_Delete(json);
        return -1;
    }
    text(sink, data);
    if (cd_sink_close(sink, err) != 0) {
        cJSON_Delete(json);
        return -1;
    }
    char *printed = json ? cJSON_Print(json) : NULL;
    cJSON_Delete(json);
    if (!printed)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory formatting %s", json_path);
    int rc = cd_staging_write(dir, json_path, printed, strlen(printed), err);
    free(printed);
    return rc;
}
