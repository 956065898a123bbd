/*
 * The agent's masking notes and their file: see
 * include/carbondump/redaction_notes.h.
 */
#include "carbondump/redaction_notes.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbondump/array.h"
#include "carbondump/command_line_mask.h"
#include "carbondump/fsutil.h"

/* Bounds on what the collector accepts from the target's staging directory. */
#define NOTES_FILE_MAX_BYTES (8u << 20)
#define NOTES_MAX_ENTRIES 100000
#define NOTE_TEXT_MAX_BYTES 512

void cd_redaction_notes_add(cd_redaction_notes *notes, const char *file, long line, const char *key)
{
    if (CD_ARRAY_ROOM_FOR_ONE(notes->items, notes->capacity, notes->count) != 0)
        return;
    cd_redaction_note_entry *entry = &notes->items[notes->count];
    entry->file = strdup(file);
    entry->key = strdup(key);
    entry->line = line;
    if (!entry->file || !entry->key) {
        free(entry->file);
        free(entry->key);
        return;
    }
    notes->count++;
}

void cd_redaction_notes_free(cd_redaction_notes *notes)
{
    for (size_t i = 0; i < notes->count; i++) {
        free(notes->items[i].file);
        free(notes->items[i].key);
    }
    free(notes->items);
    *notes = (cd_redaction_notes){0};
}

int cd_redaction_notes_write(const cd_redaction_notes *notes, const char *dir, cd_error *err)
{
    if (notes->count == 0)
        return 0;
    cJSON *root = cJSON_CreateObject();
    cJSON *masked = root ? cJSON_AddArrayToObject(root, "masked") : NULL;
    for (size_t i = 0; masked && i < notes->count; i++) {
        cJSON *entry = cJSON_CreateObject();
        if (!entry)
            break;
        cJSON_AddStringToObject(entry, "file", notes->items[i].file);
        cJSON_AddNumberToObject(entry, "line", (double)notes->items[i].line);
        cJSON_AddStringToObject(entry, "key", notes->items[i].key);
        cJSON_AddItemToArray(masked, entry);
    }
    char *text = masked ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory writing %s", CD_AGENT_REDACTIONS_FILE);
    int rc = cd_staging_write(dir, CD_AGENT_REDACTIONS_FILE, text, strlen(text), err);
    free(text);
    return rc;
}

/* Plain one-line text of sane length: what redaction_log.txt can show as is. */
static int is_plain_text(const cJSON *item)
{
    if (!cJSON_IsString(item))
        return 0;
    const unsigned char *text = (const unsigned char *)item->valuestring;
    size_t len = strlen(item->valuestring);
    if (len == 0 || len > NOTE_TEXT_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] < 0x20 || text[i] == 0x7f)
            return 0;
    return 1;
}

long cd_redaction_notes_read(const char *dir, cd_redaction_notes_fn fn, void *context,
                             cd_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, CD_AGENT_REDACTIONS_FILE);
    char *text = NULL;
    cd_error read_err = {0};
    if (cd_read_file(path, NOTES_FILE_MAX_BYTES, 0, &text, NULL, &read_err) != 0) {
        if (read_err.code == CD_ERR_NOENT)
            return 0;
        *err = read_err;
        return -1;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *masked = cJSON_GetObjectItemCaseSensitive(root, "masked");
    if (!cJSON_IsArray(masked)) {
        cJSON_Delete(root);
        return cd_fail(err, CD_ERR_PROTOCOL, "%s is not the agent's list of masked values", path);
    }
    long passed = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, masked)
    {
        if (passed == NOTES_MAX_ENTRIES)
            break;
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(entry, "file");
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(entry, "line");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(entry, "key");
        if (!is_plain_text(file) || !is_plain_text(key) || !cJSON_IsNumber(line) ||
            line->valuedouble < 0 || line->valuedouble > 1e12)
            continue;
        fn(context, file->valuestring, (long)line->valuedouble, key->valuestring);
        passed++;
    }
    cJSON_Delete(root);
    return passed;
}

void cd_redaction_place_note(void *context, const char *key)
{
    const cd_redaction_place *place = context;
    if (!place->notes)
        return;
    if (!place->prefix) {
        cd_redaction_notes_add(place->notes, place->file, place->line, key);
        return;
    }
    char text[CD_MASK_KEY_MAX + 64];
    snprintf(text, sizeof text, "%s: %s", place->prefix, key);
    cd_redaction_notes_add(place->notes, place->file, place->line, text);
}
