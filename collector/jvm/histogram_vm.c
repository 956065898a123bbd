/*
 * The VM's class histogram over attach: see histogram_vm.h.
 */
#include "histogram_vm.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "carbondump/fsutil.h"
#include "carbondump/histogram.h"

static cJSON *histogram_json(const cd_histo_table *t, int live, uint64_t duration_ms)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "engine", "vm");
    cJSON_AddBoolToObject(root, "live", live);
    cJSON_AddNumberToObject(root, "inspection_ms", (double)duration_ms);
    cJSON_AddNumberToObject(root, "total_instances", (double)t->total_instances);
    cJSON_AddNumberToObject(root, "total_bytes", (double)t->total_bytes);
    cJSON *rows = cd_histo_rows_json(t->rows, t->count);
    if (!rows || !cJSON_AddItemToObject(root, "classes", rows)) {
        cJSON_Delete(rows);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

int cd_histogram_vm(cd_run *run, cd_error *err)
{
    const cd_cli *cli = run->cli;
    /* jmap's arguments: live or all, no file (answer on the socket), default
     * parallelism */
    const char *args[] = {cli->live ? "-live" : "-all", "", ""};
    cd_attach_reply reply = {0};
    cd_creds creds;
    if (cd_creds_enter(&run->target, &creds, err) != 0)
        return -1;
    uint64_t t0 = cd_monotonic_ms();
    int rc = cd_attach_execute(&run->target, "inspectheap", args, 3, cli->timeout_s * 1000,
                               &reply, err);
    uint64_t duration = cd_monotonic_ms() - t0;
    cd_creds_leave(&creds);
    if (rc != 0)
        return -1;
    if (reply.status != 0) {
        cd_fail(err, CD_ERR_PROTOCOL, "the VM refused the heap inspection: %.300s",
                reply.text ? reply.text : "");
        cd_attach_reply_free(&reply);
        return -1;
    }
    rc = cd_staging_write(run->host_staging, "memoryinfo/java_heap_histogram.txt", reply.text,
                          reply.len, err);
    cd_histo_table table;
    if (rc == 0 && cd_histo_parse_text(reply.text, &table) != 0)
        rc = cd_fail(err, CD_ERR_PROTOCOL, "the VM's histogram has no Total line");
    if (rc == 0) {
        cJSON *json = histogram_json(&table, cli->live, duration);
        char *text = json ? cJSON_Print(json) : NULL;
        rc = text ? cd_staging_write(run->host_staging, "memoryinfo/java_heap_histogram.json",
                                     text, strlen(text), err)
                  : cd_fail(err, CD_ERR_NOMEM, "out of memory formatting the histogram");
        free(text);
        cJSON_Delete(json);
        cd_histo_table_free(&table);
    }
    cd_attach_reply_free(&reply);
    return rc;
}
