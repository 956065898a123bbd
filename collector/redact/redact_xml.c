/*
 * Secrets in XML configuration (carbon.xml, master-datasources.xml, user-mgt.xml,
 * catalina-server.xml, axis2.xml, ...): see redact.h.
 *
 * Walking the tokens with a stack of open elements, a value is masked when
 *  - it is the text (or CDATA) of an element whose name is a secret
 *    (<Password>, <KeyPassword>, <ProxyPassword>), or a generic <key>/<value>
 *    under one (<SecretKey><value>); child elements of a secret-sounding
 *    container are judged by their own names (<APIKeyValidator><ServerURL>);
 *  - it is the text of an element whose name attribute is a secret name
 *    (<parameter name="Password">, <Property name="password">), and the value
 *    attribute of such an element (<Property name="password" value="..."/>);
 *  - it is the value of an attribute whose name is a secret (keystorePass="...").
 * Comments are scanned the same way (a commented-out <Password> is still a
 * password), and also as text lines (password=... in prose). An element left
 * open at the end of the input masks everything after it.
 */
#include <stdio.h>
#include <string.h>

#include "carbondump/secrets.h"
#include "finders.h"
#include "xml_scan.h"

#define MAX_DEPTH 256
#define KEY_MAX 512

typedef struct open_element {
    const char *name; /* as written, with any prefix */
    size_t name_len;
    int secret;
    size_t path_len; /* length of the key path including this element */
} open_element;

typedef struct xml_redactor {
    cd_redact_masks *masks;
    open_element stack[MAX_DEPTH];
    int depth;       /* elements open; may exceed MAX_DEPTH (not tracked then) */
    int deep_secret; /* a secret element was opened beyond MAX_DEPTH and may be open */
    int in_comment;  /* scanning the inside of a comment */
    char path[KEY_MAX];
    size_t path_len;
} xml_redactor;

static int top_is_secret(const xml_redactor *r)
{
    /* beyond the stack the open elements are not known: text is masked from a
     * secret element's start until the walk is back within the stack */
    if (r->depth > MAX_DEPTH && r->deep_secret)
        return 1;
    int tracked = r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH;
    return tracked > 0 && r->stack[tracked - 1].secret;
}

/* Appends text[0..len) to key (KEY_MAX bytes, *n used), cutting at the end. */
static void key_append(char key[KEY_MAX], size_t *n, const char *text, size_t len)
{
    if (*n + len >= KEY_MAX)
        len = KEY_MAX - 1 - *n;
    memcpy(key + *n, text, len);
    *n += len;
    key[*n] = '\0';
}

static const cd_xml_attr *attribute(const cd_xml_token *t, const char *name)
{
    for (size_t i = 0; i < t->attr_count; i++)
        if (t->attrs[i].name_len == strlen(name) &&
            memcmp(t->attrs[i].name, name, t->attrs[i].name_len) == 0)
            return &t->attrs[i];
    return NULL;
}

static void start_element(xml_redactor *r, const cd_xml_token *t)
{
    const char *text = r->masks->text;
    size_t local_len;
    const char *local = cd_xml_local_name(t->name, t->name_len, &local_len);
    /* an element's own name decides, or "key"/"value" under a parent that
     * makes it one (<SecretKey><value>); a secret name does not spill over to
     * child elements, which are often settings (<APIKeyValidator><ServerURL>) */
    size_t parent_len = 0;
    const char *parent = NULL;
    int tracked = r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH;
    if (tracked > 0)
        parent = cd_xml_local_name(r->stack[tracked - 1].name, r->stack[tracked - 1].name_len,
                                   &parent_len);
    int secret = cd_redact_secret_key(parent, parent_len, local, local_len);

    /* <parameter name="Password">: the name attribute names the value */
    const cd_xml_attr *name_attr = attribute(t, "name");
    int named_secret = name_attr && cd_secret_name(text + name_attr->value_start,
                                                   name_attr->value_end - name_attr->value_start);
    /* the element's own path "Server/Security/KeyStore/Password" names its keys */
    size_t element_path = r->path_len;
    if (r->path_len)
        key_append(r->path, &r->path_len, "/", 1);
    key_append(r->path, &r->path_len, local, local_len);
    if (named_secret) {
        key_append(r->path, &r->path_len, "[@name='", 8);
        key_append(r->path, &r->path_len, text + name_attr->value_start,
                   name_attr->value_end - name_attr->value_start);
        key_append(r->path, &r->path_len, "']", 2);
        secret = 1;
    }
    for (size_t i = 0; i < t->attr_count; i++) {
        const cd_xml_attr *a = &t->attrs[i];
        int value_of_named = named_secret && a->name_len == 5 && memcmp(a->name, "value", 5) == 0;
        if (!value_of_named && !cd_secret_name(a->name, a->name_len))
            continue;
        char key[KEY_MAX];
        size_t n = 0;
        key_append(key, &n, r->path, r->path_len);
        key_append(key, &n, "/@", 2);
        key_append(key, &n, a->name, a->name_len);
        cd_redact_masks_add(r->masks, a->value_start, a->terminated ? a->value_end : r->masks->len,
                            key, n);
    }
    if (t->self_closing || !t->terminated) {
        r->path_len = element_path;
        return;
    }
    if (r->depth < MAX_DEPTH)
        r->stack[r->depth] = (open_element){t->name, t->name_len, secret, r->path_len};
    r->depth++;
    if (r->depth > MAX_DEPTH) {
        r->path_len = element_path;
        r->deep_secret |= secret;
    }
}

static void end_element(xml_redactor *r, const cd_xml_token *t)
{
    int tracked = r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH;
    if (r->depth > MAX_DEPTH) {
        r->depth--;
        if (r->depth == MAX_DEPTH)
            r->deep_secret = 0;
        return;
    }
    /* close the nearest open element of that name; a stray end tag closes nothing */
    for (int i = tracked - 1; i >= 0; i--) {
        if (r->stack[i].name_len == t->name_len &&
            memcmp(r->stack[i].name, t->name, t->name_len) == 0) {
            r->depth = i;
            break;
        }
    }
    r->path_len = r->depth > 0 ? r->stack[r->depth - 1].path_len : 0;
    if (r->in_comment && r->depth == 0)
        r->path_len = strlen("(comment)");
}

static void scan_region(xml_redactor *r, size_t start, size_t end);

static int on_token(void *context, const cd_xml_token *t)
{
    xml_redactor *r = context;
    switch (t->kind) {
    case CD_XML_START: start_element(r, t); break;
    case CD_XML_END: end_element(r, t); break;
    case CD_XML_TEXT:
    case CD_XML_CDATA:
        if (top_is_secret(r))
            cd_redact_masks_add(r->masks, t->content_start, t->content_end, r->path, r->path_len);
        break;
    case CD_XML_COMMENT:
        if (!r->in_comment) {
            xml_redactor inner = {.masks = r->masks, .in_comment = 1};
            inner.path_len = (size_t)snprintf(inner.path, sizeof inner.path, "(comment)");
            scan_region(&inner, t->content_start, t->content_end);
            cd_redact_find_lines(r->masks, t->content_start, t->content_end);
        }
        break;
    case CD_XML_OTHER: break;
    }
    return 0;
}

static void scan_region(xml_redactor *r, size_t start, size_t end)
{
    if (cd_xml_scan(r->masks->text, start, end, on_token, r) != 0)
        cd_redact_masks_add(r->masks, start, end, "(unparsed: out of memory)", 25);
}

void cd_redact_find_xml(cd_redact_masks *masks)
{
    xml_redactor r = {.masks = masks};
    scan_region(&r, 0, masks->len);
}
