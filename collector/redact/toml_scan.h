/*
 * A forgiving TOML reader for deployment.toml: it reports every scalar value
 * (strings of the four kinds, and bare values: numbers, booleans, dates) with
 * the table it is in, its key and the byte range of its content, and every
 * comment. Arrays report each element under the array's key; inline tables
 * report their keys below the table's key ("db.password"). It never fails:
 * what it cannot read it skips to the end of the line, and a string the input
 * never closes runs to the end of its line (basic, literal) or of the input
 * (multi-line), with `terminated` 0. A bare value that is a key's whole value
 * runs to the end of its line (a trailing comment included): broken TOML such
 * as `password = two words` must not leave half a value unmasked.
 *
 * Used by redact_toml.c (which masks) and carbon.c (which reads [server]).
 */
#ifndef CARBONDUMP_TOML_SCAN_H
#define CARBONDUMP_TOML_SCAN_H

#include <stddef.h>

#define CD_TOML_NAME_MAX 512

typedef enum cd_toml_kind {
    CD_TOML_BASIC,     /* "..." */
    CD_TOML_LITERAL,   /* '...' */
    CD_TOML_MULTILINE, /* """...""" or '''...''' */
    CD_TOML_BARE,      /* 8080, true, 1979-05-27 */
} cd_toml_kind;

typedef struct cd_toml_value {
    const char *table; /* "database.apim_db", "apim.gateway.environment"; "" at the top */
    size_t table_len;
    const char *key; /* below the table: "password", "db.password" */
    size_t key_len;
    const char *last; /* the key's last part: "password" */
    size_t last_len;
    const char *parent; /* the part before it, from the key or the table; "" if none */
    size_t parent_len;
    cd_toml_kind kind;
    size_t start, end; /* the content, inside any quotes */
    int terminated;
    int in_array;
} cd_toml_value;

typedef struct cd_toml_handler {
    void (*value)(void *context, const cd_toml_value *value);
    void (*comment)(void *context, size_t start, size_t end); /* after the '#' */
} cd_toml_handler;

/* Scans text[0..len) once, calling handler's functions in order of appearance. */
void cd_toml_scan(const char *text, size_t len, const cd_toml_handler *handler, void *context);

#endif
