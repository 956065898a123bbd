/*
 * Secret names: see include/carbondump/secrets.h.
 *
 * Names are normalised to lower-case letters and digits only, so that
 * "keystore.password", "KEYSTORE_PASSWORD" and "keystorePassword" are the same
 * word; then a few stems mark a secret and a few suffixes clear it again
 * (a "tokenEndpoint" is a URL, a "passwordPattern" a regular expression), and
 * so does a leading enable/disable/allow (a switch: "DisableTokenStore").
 */
#include "carbondump/secrets.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const secret_stems[] = {
    "password", "passwd", "passphrase", "secret",   "token",     "credential",
    "privatekey", "apikey", "appkey",   "keypass",  "storepass", "encryptionkey",
};

/* Settings about a secret rather than the secret itself. */
static const char *const harmless_suffixes[] = {
    "endpoint", "url",     "uri",     "path",   "file",    "location", "validity",
    "expiry",   "timeout", "ttl",     "type",   "policy",  "pattern",  "regex",
    "length",   "enabled", "enable",  "class",  "header",  "name",     "alias",
    "provider", "period",  "time",    "format", "size",    "count",    "algorithm",
    "handler",  "manager", "strategy", "encoding", "lifetime", "issuer", "generator",
    "digest",   "processor", "validator", "claim",  "claims",  "scope",  "scopes",
    "binding",  "dialect",  "mediator", "template",
};

static int ends_with(const char *word, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(word + len - n, suffix, n) == 0;
}

/* 1 if word holds "pass", "secret", "token", "credential" or "key": every
 * stem does, and so does "pass" alone. Most names (a log's timestamps,
 * "Outcome", "Target") hold none, and one pass over them tells. */
static int has_core(const char *word, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *core;
        switch (word[i]) {
        case 'p': core = "pass"; break;
        case 's': core = "secret"; break;
        case 't': core = "token"; break;
        case 'c': core = "credential"; break;
        case 'k': core = "key"; break;
        default: continue;
        }
        size_t m = strlen(core);
        if (n - i >= m && memcmp(word + i, core, m) == 0)
            return 1;
    }
    return 0;
}

int cd_secret_name(const char *name, size_t len)
{
    char word[128];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof word - 1; i++)
        if (isalnum((unsigned char)name[i]))
            word[n++] = (char)tolower((unsigned char)name[i]);
    word[n] = '\0';
    int ends_in_pass = len > 4 && strncasecmp(name + len - 4, "pass", 4) == 0;
    if (!has_core(word, n) && !ends_in_pass) /* word may be cut short */
        return 0;
    /* "pass" alone or as a word at the end of a name: keystorePass,
     * truststore.pass; not compass or bypass */
    int secret = strcmp(word, "pass") == 0;
    if (ends_in_pass) {
        char before = name[len - 5];
        secret = secret || !isalnum((unsigned char)before) || name[len - 4] == 'P';
    }
    for (size_t i = 0; !secret && i < sizeof secret_stems / sizeof *secret_stems; i++)
        if (strstr(word, secret_stems[i]))
            secret = 1;
    if (!secret)
        return 0;
    /* switches: EnableTokenBinding, disable_token_store, allow_credentials */
    static const char *const switch_prefixes[] = {"enable", "disable", "allow"};
    for (size_t i = 0; i < sizeof switch_prefixes / sizeof *switch_prefixes; i++) {
        size_t p = strlen(switch_prefixes[i]);
        if (n > p && strncmp(word, switch_prefixes[i], p) == 0)
            return 0;
    }
    for (size_t i = 0; i < sizeof harmless_suffixes / sizeof *harmless_suffixes; i++) {
        const char *suffix = harmless_suffixes[i];
        /* the suffix must follow a stem, not be part of it ("keypass" is no "...pass") */
        if (ends_with(word, n, suffix) && n > strlen(suffix))
            return 0;
    }
    return 1;
}

/* 1 if the last word of name[0..len) is word: after a separator or a
 * lower-to-upper case change (accessKey, API_KEY, license.key). */
static int last_word_is(const char *name, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len < n || strncasecmp(name + len - n, word, n) != 0)
        return 0;
    if (len == n)
        return 1;
    unsigned char before = (unsigned char)name[len - n - 1];
    unsigned char first = (unsigned char)name[len - n];
    return !isalnum(before) || (islower(before) && isupper(first));
}

int cd_secret_option_name(const char *name, size_t len)
{
    size_t dashes = 0;
    while (dashes < len && name[dashes] == '-')
        dashes++;
    if (dashes == 1 && len > 2 && name[1] == 'D')
        dashes = 2; /* -Dname */
    name += dashes;
    len -= dashes;
    /* an option may run "pass" into its name: redis-server --requirepass */
    int ends_in_pass = len >= 4 && strncasecmp(name + len - 4, "pass", 4) == 0 &&
                       !(len >= 6 && strncasecmp(name + len - 6, "bypass", 6) == 0) &&
                       !(len >= 7 && strncasecmp(name + len - 7, "compass", 7) == 0);
    return len > 0 && (cd_secret_name(name, len) || last_word_is(name, len, "key") || ends_in_pass);
}

int cd_secret_parameter_name(const char *name, size_t len)
{
    return cd_secret_option_name(name, len) || last_word_is(name, len, "pwd");
}

int cd_secret_reference(const char *value, size_t len)
{
    if (len < 3 || value[0] != '$' || value[len - 1] != '}')
        return 0;
    size_t i = 1;
    while (i < len && isalpha((unsigned char)value[i]))
        i++;
    if (i >= len || value[i] != '{')
        return 0;
    /* one reference, a name without blanks: "${a b}" or "${x\0 ... }" is a
     * value that merely looks like one at its ends */
    for (size_t j = i + 1; j < len - 1; j++) {
        unsigned char c = (unsigned char)value[j];
        if (c == '{' || c == '}' || c <= ' ' || c == 0x7f)
            return 0;
    }
    return 1;
}

int cd_secret_masked(const char *value, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (value[i] != '*')
            return 0;
    return 1;
}
