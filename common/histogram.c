/*
 * Class histograms in jmap -histo's text: see include/carbondump/histogram.h.
 */
#include "carbondump/histogram.h"
#include "carbondump/array.h"
#include <cjson/cJSON.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cd_class_name_from_signature(const char *signature, char *out, size_t outlen)
{
    if (outlen == 0)
        return -1;
    out[0] = '\0';
    if (!signature || !*signature)
        return -1;
    const char *from = signature;
    size_t len = strlen(signature);
    /* Arrays keep their descriptor form ("[I", "[[Ljava.lang.String;"); a plain
     * class loses the 'L' and ';' around its internal name. */
    if (signature[0] == 'L') {
        if (len < 3 || signature[len - 1] != ';')
            return -1;
        from++;
        len -= 2;
    } else if (signature[0] != '[') {
        return -1;
    }
    if (len >= outlen)
        return -1;
    /* Internal names use '/' between packages and, for a hidden class, '.'
     * before the address suffix; Class.getName() has them the other way round. */
    for (size_t i = 0; i < len; i++)
        out[i] = from[i] == '/' ? '.' : from[i] == '.' ? '/' : from[i];
    out[len] = '\0';
    return 0;
}

int cd_class_signature_is_hidden(const char *signature)
{
    return signature && strchr(signature, '.') != NULL;
}

int cd_class_is_heap_filler(const char *name)
{
    return name && (strcmp(name, "jdk.internal.vm.FillerObject") == 0 ||
                    strcmp(name, "[Ljdk.internal.vm.FillerElement;") == 0);
}

static int compare_rows(const void *a, const void *b)
{
    const cd_histo_row *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return strcmp(x->name, y->name);
}

void cd_histo_sort(cd_histo_row *rows, size_t count)
{
    if (count > 1)
        qsort(rows, count, sizeof *rows, compare_rows);
}

int cd_histo_write_text(cd_sink *sink, const cd_histo_row *rows, size_t count)
{
    cd_sink_puts(sink, " num     #instances         #bytes  class name (module)\n");
    cd_sink_puts(sink, "-------------------------------------------------------\n");
    unsigned long long total_instances = 0, total_bytes = 0;
    for (size_t i = 0; i < count; i++) {
        const cd_histo_row *r = &rows[i];
        cd_sink_printf(sink, "%4zu: %13llu %14llu  %s", i + 1, (unsigned long long)r->instances,
                       (unsigned long long)r->bytes, r->name);
        if (r->module && *r->module)
            cd_sink_printf(sink, " (%s)", r->module);
        cd_sink_puts(sink, "\n");
        total_instances += r->instances;
        total_bytes += r->bytes;
    }
    /* errors are sticky: the last write fails if any did */
    return cd_sink_printf(sink, "Total %13llu %14llu\n", total_instances, total_bytes);
}

/* "   12:     34     5678  name (module)": returns 1 and fills row, or 0. */
static int parse_row(char *line, cd_histo_row *row)
{
    unsigned long long num, instances, bytes;
    int name_at = 0;
    if (sscanf(line, " %llu: %llu %llu %n", &num, &instances, &bytes, &name_at) != 3 ||
        name_at == 0 || line[name_at] == '\0')
        return 0;
    char *name = line + name_at;
    char *end = name + strlen(name);
    while (end > name && (end[-1] == ' ' || end[-1] == '\r'))
        *--end = '\0';
    row->module = NULL;
    /* " (module)" ends the line; class names hold no spaces */
    char *space = strchr(name, ' ');
    if (space) {
        if (space[1] != '(' || end[-1] != ')')
            return 0;
        *space = '\0';
        end[-1] = '\0';
        row->module = space + 2;
    }
    row->name = name;
    row->instances = instances;
    row->bytes = bytes;
    return 1;
}

int cd_histo_parse_text(char *text, cd_histo_table *table)
{
    memset(table, 0, sizeof *table);
    size_t capacity = 0;
    int total_seen = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        unsigned long long instances, bytes;
        if (sscanf(line, "Total %llu %llu", &instances, &bytes) == 2) {
            table->total_instances = instances;
            table->total_bytes = bytes;
            total_seen = 1;
            continue;
        }
        cd_histo_row row;
        if (!parse_row(line, &row))
            continue; /* header, separator, blank */
        if (CD_ARRAY_ROOM_FOR_ONE(table->rows, capacity, table->count) != 0) {
            cd_histo_table_free(table);
            return -1;
        }
        table->rows[table->count++] = row;
    }
    if (!total_seen) {
        cd_histo_table_free(table);
        return -1;
    }
    return 0;
}

void cd_histo_table_free(cd_histo_table *table)
{
    free(table->rows);
    memset(table, 0, sizeof *table);
}

cJSON *cd_histo_rows_json(const cd_histo_row *rows, size_t count)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < count; i++) {
        cJSON *row = cJSON_CreateObject();
        if (!row || !cJSON_AddItemToArray(array, row)) {
            cJSON_Delete(row);
            cJSON_Delete(array);
            return NULL;
        }
        cJSON_AddNumberToObject(row, "num", (double)(i + 1));
        cJSON_AddNumberToObject(row, "instances", (double)rows[i].instances);
        cJSON_AddNumberToObject(row, "bytes", (double)rows[i].bytes);
        cJSON_AddStringToObject(row, "name", rows[i].name);
        if (rows[i].module)
            cJSON_AddStringToObject(row, "module", rows[i].module);
    }
    return array;
}
