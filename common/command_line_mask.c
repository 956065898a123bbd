/*
 * Secrets in command lines: see include/carbondump/command_line_mask.h.
 *
 * One left-to-right pass. An argument or a line is split at blanks into
 * tokens; a token is first checked against what the token before it left
 * pending (the value of "--password", of "Authorization:", of "-u"), then as a
 * flag, then inside: its chain of top-level assignments
 * ("JAVA_OPTS=-Dx.password=v": each name starting where the value before it
 * starts), parameters after ? & ; , ( and =, header-style "name:value", URL
 * userinfo and Oracle's thin URL. Every range reported ends before the scan
 * goes on, so ranges come in order, never overlap, and each byte is looked at
 * a bounded number of times: name runs are walked back once (they stop at the
 * '=' or ':' before them), a URL's authority is searched once (it ends at the
 * next '/', and every "://" holds one).
 */
#include "carbondump/command_line_mask.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "carbondump/secrets.h"
#include "carbondump/sink.h"

enum pending {
    PENDING_NONE,
    PENDING_VALUE,         /* the next token is the value of state->key */
    PENDING_AUTHORIZATION, /* an optional scheme word, then the credentials */
    PENDING_USER,          /* curl's user:password */
};

typedef struct scan {
    const char *text;
    size_t end;        /* of the argument or line */
    int argument;      /* text is one argument of an argv: its ends are exact */
    const char *outer; /* the name text is stored under, for keys; or NULL */
    size_t outer_len;
    cd_argv_mask *state; /* what the previous token left pending */
    cd_mask_found_fn found;
    void *context;
    size_t count;
} scan;

/* A name inside a token: where it starts and how long it is (len 0: none). */
typedef struct name_ref {
    size_t start, len;
} name_ref;

static const char *const authorization_schemes[] = {
    "Basic",
    "Bearer",
    "Digest",
    "Negotiate",
    "NTLM",
    "Token",
    "OAuth",
    "Hawk",
    "HOBA",
    "Mutual",
    "SSWS",
    "ApiKey",
    "AWS4-HMAC-SHA256",
    "SCRAM-SHA-256",
};

/* ---------------------------------------------------------------- characters */

/* Blanks end tokens; so does NUL, argv's own separator, wherever one is left
 * in a text (else a quoted value masked across blanks could join a token to
 * an '@' or '=' beyond NULs in a second scan of the masked copy). */
static int is_blank(char c)
{
    return c == '\0' || isspace((unsigned char)c);
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* 1 if c is one of set; never for NUL, which strchr would find in any set. */
static int is_one_of(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static int equals_word(const char *text, size_t len, const char *word)
{
    return len == strlen(word) && strncasecmp(text, word, len) == 0;
}

static int is_authorization(const char *name, size_t len)
{
    return equals_word(name, len, "Authorization") || equals_word(name, len, "Proxy-Authorization");
}

static int is_authorization_scheme(const char *word, size_t len)
{
    for (size_t i = 0; i < sizeof authorization_schemes / sizeof *authorization_schemes; i++)
        if (equals_word(word, len, authorization_schemes[i]))
            return 1;
    return 0;
}

/* "--name": the next option, never a value (a secret rarely starts so). */
static int is_long_option(const char *token, size_t len)
{
    return len >= 2 && token[0] == '-' && token[1] == '-';
}

/* -u and --user take curl's user:password. */
static int is_user_option(const char *token, size_t len)
{
    return equals_word(token, len, "-u") || equals_word(token, len, "--user") ||
           equals_word(token, len, "--proxy-user");
}

/* ---------------------------------------------------------------- reporting */

/* Appends part to key (used bytes so far), after a blank, with control
 * characters shown as '?': a key is one line of redaction_log.txt. */
static void key_append(char *key, size_t *used, const char *part, size_t len)
{
    if (len == 0)
        return;
    if (*used > 0 && *used < CD_MASK_KEY_MAX - 1)
        key[(*used)++] = ' ';
    for (size_t i = 0; i < len && *used < CD_MASK_KEY_MAX - 1; i++) {
        unsigned char c = (unsigned char)part[i];
        key[(*used)++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    key[*used] = '\0';
}

/* Reports text[start..end) as the value of name (in the token's outer name, in
 * the scan's outer name), unless it is empty, a reference or masked already. */
static void report(scan *s, size_t start, size_t end, name_ref outer, const char *name,
                   size_t name_len)
{
    const char *value = s->text + start;
    if (start >= end || cd_secret_reference(value, end - start) ||
        cd_secret_masked(value, end - start))
        return;
    char key[CD_MASK_KEY_MAX] = "";
    size_t used = 0;
    if (s->outer)
        key_append(key, &used, s->outer, s->outer_len);
    key_append(key, &used, s->text + outer.start, outer.len);
    key_append(key, &used, name, name_len);
    s->found(s->context, start, end, key);
    s->count++;
}

static void set_pending(scan *s, int pending, const char *key, size_t key_len)
{
    size_t used = 0;
    s->state->key[0] = '\0';
    key_append(s->state->key, &used, key, key_len);
    s->state->pending = pending;
}

/* ---------------------------------------------------------------- values */

/* The value starting at v in the token ending at token_end: to the end of the
 * argument when whole; to the closing quote when it opens with one, or when its
 * token did (quote); else to the token's end. Returns where the scan goes on. */
static size_t mask_value(scan *s, size_t v, size_t token_end, int whole, char quote, name_ref outer,
                         const char *name, size_t name_len)
{
    const char *text = s->text;
    if (whole) {
        report(s, v, s->end, outer, name, name_len);
        return s->end;
    }
    if (v < token_end && (text[v] == '"' || text[v] == '\'')) {
        quote = text[v];
        v++;
    }
    if (quote) {
        const char *close = v < s->end ? memchr(text + v, quote, s->end - v) : NULL;
        size_t value_end = close ? (size_t)(close - text) : s->end;
        report(s, v, value_end, outer, name, name_len);
        return close ? value_end + 1 : s->end;
    }
    report(s, v, token_end, outer, name, name_len);
    return token_end;
}

/* A parameter's value at v, after separator: to the next separator of its kind
 * (& in a query, ; in a JDBC or ODBC string, , or ) in a list) or the quote
 * around it, or inside braces ({a;b}, ODBC's quoting) or quotes. */
static size_t mask_parameter(scan *s, size_t v, size_t token_end, char separator, char quote,
                             name_ref outer, name_ref name)
{
    const char *text = s->text;
    const char *name_text = text + name.start;
    if (v < token_end && (text[v] == '"' || text[v] == '\''))
        return mask_value(s, v, token_end, 0, 0, outer, name_text, name.len);
    if (v < token_end && text[v] == '{') {
        const char *close = memchr(text + v, '}', token_end - v);
        size_t value_end = close ? (size_t)(close - text) : token_end;
        report(s, v + 1, value_end, outer, name_text, name.len);
        return close ? value_end + 1 : token_end;
    }
    const char *stops = separator == '?' || separator == '&' ? "&" : separator == ';' ? ";" : ",;)";
    size_t end = v;
    while (end < token_end && !is_one_of(text[end], stops) && (!quote || text[end] != quote))
        end++;
    report(s, v, end, outer, name_text, name.len);
    return end;
}

/* user<separator>password@ in text[p..end): masks the password, from the
 * first separator to the last '@' (an unencoded '@' in a password stays
 * inside). Returns where the scan goes on: after the '@', or p. */
static size_t credentials_before_at(scan *s, size_t p, size_t end, char separator, name_ref outer)
{
    const char *text = s->text;
    const char *at = end > p ? memrchr(text + p, '@', end - p) : NULL;
    const char *split = at ? memchr(text + p, separator, (size_t)(at - (text + p))) : NULL;
    if (!split)
        return p;
    report(s, (size_t)(split + 1 - text), (size_t)(at - text), outer, "url-credentials", 15);
    return (size_t)(at - text) + 1;
}

/* scheme://user:password@host: p is just after "://"; the authority ends at
 * the first / ? or #. */
static size_t url_userinfo(scan *s, size_t p, size_t token_end, name_ref outer)
{
    size_t authority_end = p;
    while (authority_end < token_end && !is_one_of(s->text[authority_end], "/?#"))
        authority_end++;
    return credentials_before_at(s, p, authority_end, ':', outer);
}

/* jdbc:oracle:thin:user/password@host: p is just after "thin:". */
static size_t oracle_credentials(scan *s, size_t p, size_t token_end, name_ref outer)
{
    if (p >= token_end || s->text[p] == '@')
        return p;
    return credentials_before_at(s, p, token_end, '/', outer);
}

/* curl's user:password, the token (or the whole argument) at t. Returns where
 * the scan goes on, or 0 when there is no colon: then the token is no
 * credentials, and is scanned as any other. */
static size_t user_credentials(scan *s, size_t t, size_t token_end, int whole)
{
    const char *text = s->text;
    size_t end = whole ? s->end : token_end;
    const char *colon = memchr(text + t, ':', end - t);
    if (!colon)
        return 0;
    size_t v = (size_t)(colon + 1 - text), digits = v;
    while (digits < end && isdigit((unsigned char)text[digits]))
        digits++;
    if (digits < end) /* uid:gid is no password */
        report(s, v, end, (name_ref){0, 0}, s->state->key, strlen(s->state->key));
    return end;
}

/* ---------------------------------------------------------------- tokens */

/* "name:value" at the top of a token (a header, openssl's pass:value), the
 * colon at i. Returns where the scan goes on, or 0 when name holds no secret. */
static size_t header_value(scan *s, size_t i, size_t token_end, char quote, name_ref outer,
                           name_ref name)
{
    const char *text = s->text;
    const char *name_text = text + name.start;
    int authorization = is_authorization(name_text, name.len);
    if (!authorization && !cd_secret_option_name(name_text, name.len))
        return 0;
    if (i + 1 == token_end) { /* "Authorization:" then the value in the next token */
        set_pending(s, authorization ? PENDING_AUTHORIZATION : PENDING_VALUE, name_text, name.len);
        return token_end;
    }
    if (authorization && is_authorization_scheme(text + i + 1, token_end - i - 1)) {
        set_pending(s, PENDING_VALUE, name_text, name.len); /* "Authorization:Bearer" */
        return token_end;
    }
    return mask_value(s, i + 1, token_end, 0, quote, outer, name_text, name.len);
}

/* The inside of the token text[t..e). Returns where the scan goes on. */
static size_t scan_inside(scan *s, size_t t, size_t e, int first_of_argument)
{
    const char *text = s->text;
    char quote = 0;
    size_t left = t;
    if (text[t] == '"' || text[t] == '\'') {
        quote = text[t];
        left = t + 1;
    }
    size_t chain = left; /* where a top-level name starts */
    name_ref outer = {0, 0};
    int oracle_seen = 0;
    for (size_t i = left; i < e; i++) {
        char c = text[i];
        if (c == ':' && e - i > 2 && text[i + 1] == '/' && text[i + 2] == '/') {
            i = url_userinfo(s, i + 3, e, outer) - 1;
            continue;
        }
        if (!oracle_seen && (c == 'j' || c == 'J') && e - i > 17 &&
            strncasecmp(text + i, "jdbc:oracle:thin:", 17) == 0) {
            oracle_seen = 1; /* once per token: the search for '@' runs to its end */
            size_t next = oracle_credentials(s, i + 17, e, outer);
            if (next > i + 17) {
                i = next - 1;
                continue;
            }
        }
        if (c != '=' && c != ':')
            continue;
        name_ref name = {i, 0};
        while (name.start > left && is_name_char(text[name.start - 1]))
            name.start--;
        name.len = i - name.start;
        if (name.len == 0)
            continue;
        int top = name.start == chain;
        if (c == ':') {
            if (!top || (i + 1 < e && text[i + 1] == ':'))
                continue;
            size_t next = header_value(s, i, e, quote, outer, name);
            if (next)
                return next;
            continue;
        }
        if (top) {
            /* the first name is an option's or a variable's (PWD is no password);
             * one inside a value may be a connection string's Pwd */
            int secret = name.start == left ? cd_secret_option_name(text + name.start, name.len)
                                            : cd_secret_parameter_name(text + name.start, name.len);
            if (secret) {
                int whole = s->argument && first_of_argument && name.start == t;
                return mask_value(s, i + 1, e, whole, quote, outer, text + name.start, name.len);
            }
            if (outer.len == 0)
                outer = name;
            chain = i + 1;
            if (chain < e && (text[chain] == '"' || text[chain] == '\'')) {
                quote = text[chain]; /* -Dx="...": the names inside start after it */
                chain++;
            }
            continue;
        }
        char separator = text[name.start - 1]; /* not top: name.start > left */
        if (is_one_of(separator, "?&;,(=") &&
            cd_secret_parameter_name(text + name.start, name.len)) {
            int quoted = i + 1 < e && (text[i + 1] == '"' || text[i + 1] == '\'');
            size_t next = mask_parameter(s, i + 1, e, separator, quote, outer, name);
            /* a quoted value may run past the token: what follows its closing
             * quote is scanned as a token of its own, wherever that is */
            if (quoted || next >= e)
                return next;
            i = next - 1;
        }
    }
    return e;
}

/* 1 if the token text[t..e) asks for the next token as its value, which it
 * then left pending: a secret flag (--password), curl's -u, a lone Bearer or
 * Basic, a header name (Authorization:, X-Auth-Token:). */
static int takes_next_token(scan *s, size_t t, size_t e)
{
    const char *text = s->text;
    size_t dashes = 0;
    while (dashes < 2 && t + dashes < e && text[t + dashes] == '-')
        dashes++;
    size_t name_end = t + dashes;
    while (name_end < e && is_name_char(text[name_end]))
        name_end++;
    int pending = PENDING_NONE;
    if (dashes > 0 && name_end == e && e > t + dashes)
        pending = cd_secret_option_name(text + t, e - t) ? PENDING_VALUE
                  : is_user_option(text + t, e - t)      ? PENDING_USER
                                                         : PENDING_NONE;
    else if (equals_word(text + t, e - t, "Bearer") || equals_word(text + t, e - t, "Basic"))
        pending = PENDING_VALUE;
    else if (dashes == 0 && name_end + 1 == e && name_end > t && text[name_end] == ':')
        pending = is_authorization(text + t, name_end - t)        ? PENDING_AUTHORIZATION
                  : cd_secret_option_name(text + t, name_end - t) ? PENDING_VALUE
                                                                  : PENDING_NONE;
    if (pending == PENDING_NONE)
        return 0;
    size_t key_len = text[e - 1] == ':' ? e - t - 1 : e - t; /* a header's name */
    set_pending(s, pending, text + t, key_len);
    return 1;
}

/* One token text[t..e). Returns where the scan goes on (past e when a quoted
 * value ran on). */
static size_t scan_token(scan *s, size_t t, size_t e, int first_of_argument)
{
    const char *text = s->text;
    cd_argv_mask *state = s->state;
    int whole = s->argument && first_of_argument;
    int pending = state->pending;
    state->pending = PENDING_NONE;
    if (pending != PENDING_NONE && !is_long_option(text + t, e - t)) {
        if (pending == PENDING_AUTHORIZATION && is_authorization_scheme(text + t, e - t)) {
            state->pending = PENDING_VALUE; /* the key stays "Authorization" */
            return e;
        }
        if (pending != PENDING_USER) {
            size_t next =
                mask_value(s, t, e, whole, 0, (name_ref){0, 0}, state->key, strlen(state->key));
            /* "--password --token x", "--secret Bearer x": the value looks like
             * a secret's name, so the token after it is taken as a secret too */
            if (next == e)
                takes_next_token(s, t, e);
            return next;
        }
        size_t next = user_credentials(s, t, e, whole);
        if (next)
            return next;
    }
    if (takes_next_token(s, t, e))
        return e;
    return scan_inside(s, t, e, first_of_argument);
}

static size_t scan_text(scan *s)
{
    int first = 1;
    if (s->argument && s->state->pending != PENDING_NONE) {
        size_t i = 0;
        while (i < s->end && is_blank(s->text[i]))
            i++;
        if (i == s->end) { /* an empty or blank argument is the value itself */
            s->state->pending = PENDING_NONE;
            report(s, 0, s->end, (name_ref){0, 0}, s->state->key, strlen(s->state->key));
            return s->count;
        }
    }
    for (size_t i = 0; i < s->end;) {
        if (is_blank(s->text[i])) {
            i++;
            continue;
        }
        size_t e = i;
        while (e < s->end && !is_blank(s->text[e]))
            e++;
        i = scan_token(s, i, e, first);
        first = 0;
    }
    return s->count;
}

/* ---------------------------------------------------------------- finders */

size_t cd_mask_find_in_argument(cd_argv_mask *state, const char *arg, size_t len,
                                cd_mask_found_fn found, void *context)
{
    scan s = {
        .text = arg, .end = len, .argument = 1, .state = state, .found = found, .context = context};
    return scan_text(&s);
}

size_t cd_mask_find_in_command_line(const char *line, size_t len, cd_mask_found_fn found,
                                    void *context)
{
    cd_argv_mask state = {0};
    scan s = {.text = line, .end = len, .state = &state, .found = found, .context = context};
    return scan_text(&s);
}

size_t cd_mask_find_in_named_value(const char *name, size_t name_len, const char *value,
                                   size_t value_len, cd_mask_found_fn found, void *context)
{
    cd_argv_mask state = {0};
    scan s = {.text = value,
              .end = value_len,
              .outer = name,
              .outer_len = name_len,
              .state = &state,
              .found = found,
              .context = context};
    if (cd_secret_option_name(name, name_len)) {
        report(&s, 0, value_len, (name_ref){0, 0}, NULL, 0);
        return s.count;
    }
    return scan_text(&s);
}

/* ---------------------------------------------------------------- masked copies */

void cd_mask_writer_range(void *writer, size_t start, size_t end, const char *key)
{
    cd_mask_writer *w = writer;
    if (w->write)
        w->write(w->out, w->text + w->written, start - w->written);
    else
        cd_sink_write(w->out, w->text + w->written, start - w->written);
    cd_sink_puts(w->out, CD_SECRET_MASK);
    w->written = end;
    if (w->note)
        w->note(w->context, key);
}

void cd_mask_writer_finish(cd_mask_writer *w, size_t len)
{
    if (w->write)
        w->write(w->out, w->text + w->written, len - w->written);
    else
        cd_sink_write(w->out, w->text + w->written, len - w->written);
    w->written = len;
}

static char *copy_finish(cd_mask_writer *w, size_t len, size_t count, size_t *masked_count)
{
    cd_mask_writer_finish(w, len);
    if (masked_count)
        *masked_count = count;
    return cd_sink_buffer_take(w->out, NULL);
}

char *cd_masked_argument(cd_argv_mask *state, const char *arg, size_t len, cd_mask_note_fn note,
                         void *context, size_t *masked_count)
{
    cd_mask_writer w = {cd_sink_buffer(), arg, 0, NULL, note, context};
    if (!w.out)
        return NULL;
    size_t count = cd_mask_find_in_argument(state, arg, len, cd_mask_writer_range, &w);
    return copy_finish(&w, len, count, masked_count);
}

char *cd_masked_named_value(const char *name, size_t name_len, const char *value, size_t value_len,
                            cd_mask_note_fn note, void *context, size_t *masked_count)
{
    cd_mask_writer w = {cd_sink_buffer(), value, 0, NULL, note, context};
    if (!w.out)
        return NULL;
    size_t count =
        cd_mask_find_in_named_value(name, name_len, value, value_len, cd_mask_writer_range, &w);
    return copy_finish(&w, value_len, count, masked_count);
}
