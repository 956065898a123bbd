/*
 * Secrets in TOML (deployment.toml of Carbon 4.5+ products): see redact.h.
 *
 * A value is masked when its key's last part is a secret name (password,
 * key_password, client_secret, token), or is the generic "key"/"value" under a
 * parent that makes it one ([encryption] key). The key may be dotted or
 * quoted, in a [table], an [[array.of.tables]] or an inline table; every
 * string form is handled, and a multi-line string keeps its lines. Comments
 * are read as text lines, so "# password = old" is masked too.
 */
#include <stdio.h>

#include "finders.h"
#include "toml_scan.h"

static void on_value(void *context, const cd_toml_value *v)
{
    cd_redact_masks *masks = context;
    /* a key or table too long or with too many parts for the scanner to keep
     * whole has lost its last part or its parent: its value cannot be judged */
    int cut = v->last_len == 0 || v->key_len + 1 >= CD_TOML_NAME_MAX ||
              v->table_len + 1 >= CD_TOML_NAME_MAX ||
              (v->parent_len == 0 && (v->table_len > 0 || v->key_len > v->last_len));
    if (!cut && !cd_redact_secret_key(v->parent, v->parent_len, v->last, v->last_len))
        return;
    char key[2 * CD_TOML_NAME_MAX + 2];
    int n = snprintf(key, sizeof key, "%.*s%s%.*s", (int)v->table_len, v->table,
                     v->table_len ? "." : "", (int)v->key_len, v->key);
    size_t key_len = n < 0 ? 0 : (size_t)n >= sizeof key ? sizeof key - 1 : (size_t)n;
    cd_redact_masks_add(masks, v->start, v->end, key, key_len);
}

static void on_comment(void *context, size_t start, size_t end)
{
    cd_redact_find_lines(context, start, end);
}

void cd_redact_find_toml(cd_redact_masks *masks)
{
    static const cd_toml_handler handler = {on_value, on_comment};
    cd_toml_scan(masks->text, masks->len, &handler, masks);
}
