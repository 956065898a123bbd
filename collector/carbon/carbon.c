/*
 * The carbon section: see carbon.h.
 *
 * Everything is read below CARBON_HOME with links refused (cd_walk_open) and
 * sizes bounded: a damaged or hostile installation yields "unknown" fields,
 * never a hang. The patch check hashes only the jars that patches touch (a
 * few dozen) and their plugins/ counterparts.
 */
#include "carbon.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/sha256.h"
#include "carbondump/array.h"
#include "carbondump/format.h"
#include "carbondump/fsutil.h"
#include "redact/toml_scan.h"
#include "redact/xml_scan.h"
#include "walk.h"

#define SMALL_FILE_BYTES (1u << 20)
#define PATCHES_DIR "repository/components/patches"
#define PLUGINS_DIR "repository/components/plugins"

/* ---------------------------------------------------------------- small files */

/* A small file below home, NUL-terminated, or NULL. */
static char *read_small(int home_fd, const char *relpath, size_t *len)
{
    int fd = cd_walk_open(home_fd, relpath, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *text = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= SMALL_FILE_BYTES &&
        (text = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t used = 0;
        ssize_t n;
        while (used < (size_t)st.st_size &&
               ((n = read(fd, text + used, (size_t)st.st_size - used)) > 0 ||
                (n < 0 && errno == EINTR)))
            used += n > 0 ? (size_t)n : 0;
        text[used] = '\0';
        if (len)
            *len = used;
    }
    close(fd);
    return text;
}

/* The first non-blank line of a small file, trimmed, or NULL. */
static char *first_line(int home_fd, const char *relpath)
{
    char *text = read_small(home_fd, relpath, NULL);
    if (!text)
        return NULL;
    char *line = text;
    while (*line && isspace((unsigned char)*line))
        line++;
    size_t n = strcspn(line, "\r\n");
    while (n > 0 && isspace((unsigned char)line[n - 1]))
        n--;
    char *result = n ? strndup(line, n) : NULL;
    free(text);
    return result;
}

static void add_string_or_null(cJSON *object, const char *key, const char *value)
{
    if (value && *value)
        cJSON_AddStringToObject(object, key, value);
    else
        cJSON_AddNullToObject(object, key);
}

/* A file name from CARBON_HOME as a JSON string: its bundle spelling
 * (cd_walk_bundle_path), so that a name with a line break or bytes that are
 * not UTF-8 keeps carbon_info.json valid and carbon_server_info.txt one line
 * per jar. */
static void add_file_name(cJSON *object, const char *key, const char *name)
{
    char spelled[PATH_MAX];
    if (cd_walk_bundle_path(name, spelled, sizeof spelled) < 0)
        snprintf(spelled, sizeof spelled, "(a name too long to show)");
    cJSON_AddStringToObject(object, key, spelled);
}

/* ---------------------------------------------------------------- carbon.xml */

typedef struct xml_reader {
    const char *text;
    cd_carbon_xml *out;
    int depth;
    int root_is_server;
    int in_ports; /* inside <Server><Ports> */
    char *field;  /* being read, or NULL */
    size_t field_size, used;
    int field_depth;
} xml_reader;

static int local_is(const cd_xml_token *t, const char *name)
{
    size_t len;
    const char *local = cd_xml_local_name(t->name, t->name_len, &len);
    return len == strlen(name) && memcmp(local, name, len) == 0;
}

static void field_append(xml_reader *r, const char *text, size_t len)
{
    size_t room = r->field_size - 1 - r->used;
    if (len > room)
        len = room;
    memcpy(r->field + r->used, text, len);
    r->used += len;
    r->field[r->used] = '\0';
}

/* Character data with the predefined and the ASCII numeric entities decoded. */
static void field_append_decoded(xml_reader *r, const char *text, size_t len)
{
    static const struct {
        const char *entity;
        char c;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    size_t i = 0;
    while (i < len) {
        size_t used = 0;
        for (size_t k = 0; text[i] == '&' && k < sizeof named / sizeof *named && !used; k++) {
            size_t n = strlen(named[k].entity);
            if (i + n <= len && memcmp(text + i, named[k].entity, n) == 0) {
                field_append(r, &named[k].c, 1);
                used = n;
            }
        }
        if (!used && text[i] == '&' && i + 3 < len && text[i + 1] == '#') {
            int hex = text[i + 2] == 'x' || text[i + 2] == 'X';
            size_t j = i + (hex ? 3 : 2);
            long code = 0;
            while (j < len && j < i + 10 && isxdigit((unsigned char)text[j]) &&
                   (hex || isdigit((unsigned char)text[j]))) {
                code = code * (hex ? 16 : 10) + (isdigit((unsigned char)text[j])
                                                     ? text[j] - '0'
                                                     : tolower((unsigned char)text[j]) - 'a' + 10);
                j++;
            }
            if (j < len && text[j] == ';' && code > 0 && code < 128) {
                char c = (char)code;
                field_append(r, &c, 1);
                used = j + 1 - i;
            }
        }
        if (!used) {
            field_append(r, text + i, 1);
            used = 1;
        }
        i += used;
    }
}

static void field_finish(xml_reader *r)
{
    char *f = r->field;
    size_t start = 0, end = strlen(f);
    while (start < end && isspace((unsigned char)f[start]))
        start++;
    while (end > start && isspace((unsigned char)f[end - 1]))
        end--;
    memmove(f, f + start, end - start);
    f[end - start] = '\0';
    r->field = NULL;
}

/* Starts reading a field when t opens one of the elements we want. */
static void maybe_start_field(xml_reader *r, const cd_xml_token *t)
{
    cd_carbon_xml *out = r->out;
    if (r->depth == 2) {
        struct {
            const char *name;
            char *field;
            size_t size;
        } fields[] = {{"Name", out->name, sizeof out->name},
                      {"ServerKey", out->server_key, sizeof out->server_key},
                      {"Version", out->version, sizeof out->version},
                      {"HostName", out->host_name, sizeof out->host_name}};
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            if (local_is(t, fields[i].name) && !fields[i].field[0]) {
                r->field = fields[i].field;
                r->field_size = fields[i].size;
            }
        r->in_ports = local_is(t, "Ports");
    } else if (r->depth == 3 && r->in_ports && local_is(t, "Offset") && !out->offset[0]) {
        r->field = out->offset;
        r->field_size = sizeof out->offset;
    }
    if (r->field) {
        r->field_depth = r->depth;
        r->used = 0;
        r->field[0] = '\0';
    }
}

static int on_xml_token(void *context, const cd_xml_token *t)
{
    xml_reader *r = context;
    switch (t->kind) {
    case CD_XML_START:
        if (t->self_closing || !t->terminated)
            break;
        r->depth++;
        if (r->depth == 1)
            r->root_is_server = local_is(t, "Server");
        if (r->root_is_server && !r->field)
            maybe_start_field(r, t);
        break;
    case CD_XML_END:
        if (r->field && r->depth == r->field_depth)
            field_finish(r);
        if (r->depth == 2)
            r->in_ports = 0;
        if (r->depth > 0)
            r->depth--;
        break;
    case CD_XML_TEXT:
        if (r->field && r->depth == r->field_depth)
            field_append_decoded(r, r->text + t->content_start, t->content_end - t->content_start);
        break;
    case CD_XML_CDATA:
        if (r->field && r->depth == r->field_depth)
            field_append(r, r->text + t->content_start, t->content_end - t->content_start);
        break;
    case CD_XML_COMMENT:
    case CD_XML_OTHER: break;
    }
    return 0;
}

void cd_carbon_xml_parse(const char *text, size_t len, cd_carbon_xml *out)
{
    memset(out, 0, sizeof *out);
    xml_reader r = {.text = text, .out = out};
    cd_xml_scan(text, 0, len, on_xml_token, &r);
    if (r.field) /* the input ended inside the element: what was read stands */
        field_finish(&r);
}

/* ---------------------------------------------------------------- deployment.toml */

typedef struct toml_server {
    const char *text;
    cJSON *server;
} toml_server;

static void on_toml_value(void *context, const cd_toml_value *v)
{
    toml_server *t = context;
    static const char *const keys[] = {"hostname", "node_ip", "offset", "base_path", "server_role"};
    if (v->table_len != 6 || memcmp(v->table, "server", 6) != 0 || v->in_array)
        return;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (v->key_len != strlen(keys[i]) || memcmp(v->key, keys[i], v->key_len) != 0 ||
            cJSON_GetObjectItemCaseSensitive(t->server, keys[i]))
            continue;
        size_t end = v->end;
        if (v->kind == CD_TOML_BARE) { /* a bare value runs to the line's end: drop a comment */
            const char *hash = memchr(t->text + v->start, '#', end - v->start);
            if (hash)
                end = (size_t)(hash - t->text);
            while (end > v->start && isspace((unsigned char)t->text[end - 1]))
                end--;
        }
        char *value = strndup(t->text + v->start, end - v->start);
        if (value)
            cJSON_AddStringToObject(t->server, keys[i], value);
        free(value);
    }
}

/* ---------------------------------------------------------------- product */

static cJSON *product_json(int home_fd, cJSON *root)
{
    cJSON *product = cJSON_AddObjectToObject(root, "product");
    cJSON *server = cJSON_CreateObject();
    char *version_txt = first_line(home_fd, "bin/version.txt");
    add_string_or_null(product, "version_txt", version_txt);
    free(version_txt);

    size_t len = 0;
    char *xml = read_small(home_fd, "repository/conf/carbon.xml", &len);
    cd_carbon_xml fields = {0};
    if (xml)
        cd_carbon_xml_parse(xml, len, &fields);
    free(xml);
    add_string_or_null(product, "name", fields.name);
    add_string_or_null(product, "key", fields.server_key);
    add_string_or_null(product, "version", fields.version);
    add_string_or_null(product, "source", xml ? "repository/conf/carbon.xml" : NULL);

    char *toml = read_small(home_fd, "repository/conf/deployment.toml", &len);
    if (toml) {
        toml_server t = {toml, server};
        static const cd_toml_handler handler = {on_toml_value, NULL};
        cd_toml_scan(toml, len, &handler, &t);
        cJSON_AddStringToObject(server, "source", "repository/conf/deployment.toml");
        free(toml);
    } else if (fields.host_name[0] || fields.offset[0]) {
        add_string_or_null(server, "hostname", fields.host_name);
        add_string_or_null(server, "offset", fields.offset);
        cJSON_AddStringToObject(server, "source", "repository/conf/carbon.xml");
    }
    cJSON_AddItemToObject(root, "server", server);

    char *framework = first_line(home_fd, "bin/wso2carbon-version.txt");
    add_string_or_null(root, "carbon_framework", framework);
    free(framework);
    return product;
}

/* ---------------------------------------------------------------- updates */

long long cd_carbon_wum_timestamp(const char *product_txt)
{
    if (!product_txt)
        return 0;
    const char *dot = strrchr(product_txt, '.');
    if (!dot)
        return 0;
    size_t digits = strspn(dot + 1, "0123456789");
    if (digits != 13 || dot[1 + digits] != '\0')
        return 0;
    return strtoll(dot + 1, NULL, 10);
}

static void add_time_ms(cJSON *array_or_object, const char *key, long long ms)
{
    char when[40];
    cd_format_iso8601((uint64_t)ms, when, sizeof when);
    if (key)
        cJSON_AddStringToObject(array_or_object, key, when);
    else
        cJSON_AddItemToArray(array_or_object, cJSON_CreateString(when));
}

typedef struct wum_scan {
    long long stamps[64];
    int count;
} wum_scan;

/* updates/wum/.../<13-digit timestamp>[.zip|.json|...]: one WUM update each. */
static cd_walk_action collect_wum(void *context, const cd_walk_entry *entry, cd_error *err)
{
    wum_scan *scan = context;
    size_t digits = strspn(entry->name, "0123456789");
    if (digits == 13 && (entry->name[13] == '\0' || entry->name[13] == '.') &&
        scan->count < (int)(sizeof scan->stamps / sizeof *scan->stamps)) {
        long long ms = strtoll(entry->name, NULL, 10);
        int seen = 0;
        for (int i = 0; i < scan->count; i++)
            seen |= scan->stamps[i] == ms;
        if (!seen)
            scan->stamps[scan->count++] = ms;
    }
    return CD_WALK_CONTINUE;
}

static int compare_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void updates_json(const char *home, int home_fd, cJSON *root)
{
    cJSON *updates = cJSON_AddObjectToObject(root, "updates");
    const char *system = "none";
    char *config = read_small(home_fd, "updates/config.json", NULL);
    cJSON *json = config ? cJSON_Parse(config) : NULL;
    free(config);
    const cJSON *level = cJSON_GetObjectItemCaseSensitive(json, "update-level");
    const cJSON *channel = cJSON_GetObjectItemCaseSensitive(json, "channel");
    const cJSON *applied = cJSON_GetObjectItemCaseSensitive(json, "applied-updates");
    if (json)
        system = "updates-2.0";
    if (cJSON_IsNumber(level))
        cJSON_AddNumberToObject(updates, "update_level", level->valuedouble);
    else if (cJSON_IsString(level) && strspn(level->valuestring, "0123456789") > 0)
        cJSON_AddNumberToObject(updates, "update_level", atof(level->valuestring));
    else
        cJSON_AddNullToObject(updates, "update_level");
    add_string_or_null(updates, "channel", cJSON_IsString(channel) ? channel->valuestring : NULL);
    if (cJSON_IsArray(applied))
        cJSON_AddNumberToObject(updates, "applied_updates", cJSON_GetArraySize(applied));
    else
        cJSON_AddNullToObject(updates, "applied_updates");
    cJSON_Delete(json); /* its auth tokens go no further */

    char *product_txt = first_line(home_fd, "updates/product.txt");
    add_string_or_null(updates, "product_txt", product_txt);
    wum_scan scan = {{0}, 0};
    long long stamp = cd_carbon_wum_timestamp(product_txt);
    if (stamp)
        scan.stamps[scan.count++] = stamp;
    free(product_txt);
    cd_walk_options options = {.subdir = "updates/wum"};
    cd_error ignored = {0};
    cd_walk(home, &options, collect_wum, &scan, NULL, &ignored);
    qsort(scan.stamps, (size_t)scan.count, sizeof *scan.stamps, compare_ll);
    cJSON *stamps = cJSON_AddArrayToObject(updates, "wum_timestamps");
    for (int i = 0; i < scan.count; i++)
        add_time_ms(stamps, NULL, scan.stamps[i]);
    if (scan.count > 0) {
        add_time_ms(updates, "latest_wum_update", scan.stamps[scan.count - 1]);
        if (!strcmp(system, "none"))
            system = "wum";
    } else {
        cJSON_AddNullToObject(updates, "latest_wum_update");
    }
    cJSON_AddStringToObject(updates, "system", system);
}

/* ---------------------------------------------------------------- patches */

long cd_carbon_patch_number(const char *name)
{
    if (strncmp(name, "patch", 5) != 0)
        return -1;
    size_t digits = strspn(name + 5, "0123456789");
    if (digits == 0 || digits > 9 || name[5 + digits] != '\0')
        return -1;
    return strtol(name + 5, NULL, 10);
}

typedef struct patch_jar {
    char *path;      /* below CARBON_HOME */
    const char *jar; /* its base name, inside path */
    long patch;
    const char *patch_dir; /* "patch0003", inside path */
    size_t patch_dir_len;
} patch_jar;

typedef struct patch_scan {
    patch_jar *jars;
    size_t count, capacity;
    long dirs[1024];
    int dir_jars[1024];
    int dir_count;
} patch_scan;

/* Jars anywhere below repository/components/patches/patchNNNN/. */
static cd_walk_action collect_patch(void *context, const cd_walk_entry *entry, cd_error *err)
{
    patch_scan *scan = context;
    const char *below = entry->path + strlen(PATCHES_DIR "/");
    const char *slash = strchr(below, '/');
    char dir[64];
    size_t dir_len = slash ? (size_t)(slash - below) : strlen(below);
    if (dir_len >= sizeof dir)
        return CD_WALK_PRUNE;
    memcpy(dir, below, dir_len);
    dir[dir_len] = '\0';
    long number = cd_carbon_patch_number(dir);
    if (number < 0)
        return CD_WALK_PRUNE; /* .metadata and anything else */
    if (!slash) {
        if (S_ISDIR(entry->st->st_mode) &&
            scan->dir_count < (int)(sizeof scan->dirs / sizeof *scan->dirs)) {
            scan->dirs[scan->dir_count] = number;
            scan->dir_jars[scan->dir_count++] = 0;
        }
        return CD_WALK_CONTINUE;
    }
    size_t name_len = strlen(entry->name);
    if (!S_ISREG(entry->st->st_mode) || name_len < 5 ||
        strcasecmp(entry->name + name_len - 4, ".jar") != 0)
        return CD_WALK_CONTINUE;
    if (CD_ARRAY_ROOM_FOR_ONE(scan->jars, scan->capacity, scan->count) != 0) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing patches");
        return CD_WALK_STOP;
    }
    patch_jar *j = &scan->jars[scan->count];
    if (!(j->path = strdup(entry->path))) {
        cd_fail(err, CD_ERR_NOMEM, "out of memory listing patches");
        return CD_WALK_STOP;
    }
    j->jar = j->path + strlen(j->path) - name_len;
    j->patch = number;
    j->patch_dir = j->path + (below - entry->path);
    j->patch_dir_len = dir_len;
    scan->count++;
    for (int i = 0; i < scan->dir_count; i++)
        scan->dir_jars[i] += scan->dirs[i] == number;
    return CD_WALK_CONTINUE;
}

/* By jar name, newest patch first. */
static int compare_jars(const void *a, const void *b)
{
    const patch_jar *x = a, *y = b;
    int by_name = strcmp(x->jar, y->jar);
    if (by_name)
        return by_name;
    return x->patch > y->patch ? -1 : x->patch < y->patch;
}

/* SHA-256 of a file below home, or -1 (errno-style reason in *why). */
static int hash_below(int home_fd, const char *relpath, char hex[CD_SHA256_HEX_LEN + 1],
                      const char **why)
{
    int fd = cd_walk_open(home_fd, relpath, O_RDONLY);
    if (fd < 0) {
        *why = errno == ENOENT ? "missing from plugins" : "unreadable";
        return -1;
    }
    struct stat st;
    cd_error err = {0};
    int rc = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                     cd_sha256_fd(fd, relpath, hex, NULL, &err) == 0
                 ? 0
                 : -1;
    close(fd);
    if (rc != 0)
        *why = "unreadable";
    return rc;
}

static void check_patches(const char *home, int home_fd, cJSON *root)
{
    cJSON *patches = cJSON_AddObjectToObject(root, "patches");
    cJSON *consistency = cJSON_AddObjectToObject(root, "patch_consistency");
    patch_scan scan = {0};
    cd_walk_options options = {.subdir = PATCHES_DIR};
    cd_error err = {0};
    int walked = cd_walk(home, &options, collect_patch, &scan, NULL, &err);
    cJSON_AddBoolToObject(patches, "checked", walked == 0);
    if (walked != 0 && err.code != CD_ERR_NOENT) {
        cJSON_AddStringToObject(patches, "reason", err.message);
        cJSON_AddStringToObject(consistency, "status", "not checked");
    }
    /* the directories, in number order */
    for (int i = 1; i < scan.dir_count; i++)
        for (int k = i; k > 0 && scan.dirs[k - 1] > scan.dirs[k]; k--) {
            long d = scan.dirs[k];
            scan.dirs[k] = scan.dirs[k - 1];
            scan.dirs[k - 1] = d;
            int n = scan.dir_jars[k];
            scan.dir_jars[k] = scan.dir_jars[k - 1];
            scan.dir_jars[k - 1] = n;
        }
    cJSON *dirs = cJSON_AddArrayToObject(patches, "directories");
    for (int i = 0; i < scan.dir_count; i++) {
        cJSON *dir = cJSON_CreateObject();
        char name[32];
        /* the name as on disk: the jars carry it; fall back to patchNNNN */
        snprintf(name, sizeof name, "patch%04ld", scan.dirs[i]);
        for (size_t j = 0; j < scan.count; j++)
            if (scan.jars[j].patch == scan.dirs[i] && scan.jars[j].patch_dir_len < sizeof name) {
                memcpy(name, scan.jars[j].patch_dir, scan.jars[j].patch_dir_len);
                name[scan.jars[j].patch_dir_len] = '\0';
                break;
            }
        add_file_name(dir, "name", name);
        cJSON_AddNumberToObject(dir, "jars", scan.dir_jars[i]);
        cJSON_AddItemToArray(dirs, dir);
    }
    cJSON_AddNumberToObject(patches, "jar_count", (double)scan.count);

    if (walked == 0 || err.code == CD_ERR_NOENT) {
        if (scan.count > 1)
            qsort(scan.jars, scan.count, sizeof *scan.jars, compare_jars);
        cJSON *problems = cJSON_CreateArray();
        int checked = 0;
        for (size_t i = 0; i < scan.count; i++) {
            const patch_jar *j = &scan.jars[i];
            if (i > 0 && strcmp(j->jar, scan.jars[i - 1].jar) == 0)
                continue; /* an older patch's copy: the newest one counts */
            checked++;
            char plugin[PATH_MAX];
            snprintf(plugin, sizeof plugin, PLUGINS_DIR "/%s", j->jar);
            char patch_hex[CD_SHA256_HEX_LEN + 1] = "", plugin_hex[CD_SHA256_HEX_LEN + 1] = "";
            const char *why = NULL, *ignored = NULL;
            if (hash_below(home_fd, j->path, patch_hex, &ignored) != 0)
                why = "unreadable";
            else if (hash_below(home_fd, plugin, plugin_hex, &why) == 0 &&
                     strcmp(patch_hex, plugin_hex) != 0)
                why = "differs";
            if (!why)
                continue;
            cJSON *problem = cJSON_CreateObject();
            add_file_name(problem, "jar", j->jar);
            char dir[64];
            snprintf(dir, sizeof dir, "%.*s", (int)j->patch_dir_len, j->patch_dir);
            add_file_name(problem, "patch_dir", dir);
            cJSON_AddStringToObject(problem, "problem", why);
            add_string_or_null(problem, "patch_sha256", patch_hex);
            add_string_or_null(problem, "plugins_sha256", plugin_hex);
            cJSON_AddItemToArray(problems, problem);
        }
        int bad = cJSON_GetArraySize(problems);
        cJSON_AddStringToObject(consistency, "status",
                                scan.count == 0 ? "no patches"
                                : bad           ? "inconsistent"
                                                : "consistent");
        cJSON_AddNumberToObject(consistency, "checked_jars", checked);
        cJSON_AddItemToObject(consistency, "problems", problems);
        if (bad)
            cd_progress("patch check: %d of %d patched jars differ from %s (see "
                        "carbon_server_info.txt)",
                        bad, checked, PLUGINS_DIR);
    }
    for (size_t i = 0; i < scan.count; i++)
        free(scan.jars[i].path);
    free(scan.jars);
}

/* ---------------------------------------------------------------- section */

cJSON *cd_carbon_describe(const char *home, int check_patch_dirs)
{
    int home_fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        if (home_fd >= 0)
            close(home_fd);
        return NULL;
    }
    cJSON_AddStringToObject(root, "carbon_home", home);
    if (home_fd < 0) {
        cJSON_AddStringToObject(root, "problem", strerror(errno));
        return root;
    }
    product_json(home_fd, root);
    updates_json(home, home_fd, root);
    if (check_patch_dirs) {
        check_patches(home, home_fd, root);
    } else {
        cJSON *patches = cJSON_AddObjectToObject(root, "patches");
        cJSON_AddBoolToObject(patches, "checked", 0);
        cJSON_AddStringToObject(patches, "reason", "the carbon section was not selected");
        cJSON *consistency = cJSON_AddObjectToObject(root, "patch_consistency");
        cJSON_AddStringToObject(consistency, "status", "not checked");
    }
    close(home_fd);
    return root;
}

int cd_carbon_section(cd_run *run, cd_error *err)
{
    cJSON *info = cd_carbon_describe(run->carbon_home, 1);
    char *text = info ? cJSON_Print(info) : NULL;
    cJSON_Delete(info);
    if (!text)
        return cd_fail(err, CD_ERR_NOMEM, "out of memory describing %s", run->carbon_home);
    int rc = cd_staging_write(run->host_staging, "carbon_info.json", text, strlen(text), err);
    free(text);
    return rc;
}
