/*
 * A forgiving XML tokenizer for configuration files: it reports start tags
 * (with their attributes), end tags, text, CDATA sections, comments and the
 * rest (processing instructions, DOCTYPE) as byte ranges of the input, in
 * order, and never fails: malformed input ends up as text, and a token the
 * input ends inside of (an unterminated tag, quote, comment or CDATA section)
 * runs to the end of the input with `terminated` 0.
 *
 * It does not check well-formedness, resolve entities or namespaces: the
 * redactor needs exact byte ranges, and carbon.xml's product fields need only
 * the element structure. Used by redact_xml.c and carbon.c.
 */
#ifndef CARBONDUMP_XML_SCAN_H
#define CARBONDUMP_XML_SCAN_H

#include <stddef.h>

typedef enum cd_xml_kind {
    CD_XML_START,   /* <name attr="v" ...> or <name .../> */
    CD_XML_END,     /* </name> */
    CD_XML_TEXT,    /* character data between tags */
    CD_XML_CDATA,   /* <![CDATA[ ... ]]> */
    CD_XML_COMMENT, /* <!-- ... --> */
    CD_XML_OTHER,   /* <? ... ?>, <!DOCTYPE ...> */
} cd_xml_kind;

typedef struct cd_xml_attr {
    const char *name;
    size_t name_len;
    size_t value_start, value_end; /* inside the quotes; equal when there is no value */
    int terminated;                /* 0: the input ended inside the value */
} cd_xml_attr;

typedef struct cd_xml_token {
    cd_xml_kind kind;
    size_t start, end;                 /* the whole token */
    size_t content_start, content_end; /* TEXT, CDATA, COMMENT: the content */
    const char *name;                  /* START, END: the element name, with any prefix */
    size_t name_len;
    int self_closing;
    int terminated; /* 0: the input ended inside this token */
    const cd_xml_attr *attrs;
    size_t attr_count;
} cd_xml_token;

/* Called for each token in order; a non-zero return ends the scan. */
typedef int (*cd_xml_fn)(void *context, const cd_xml_token *token);

/* Scans text[start..end) (positions are offsets in text). Returns 0, or -1 if
 * out of memory for attributes (the scan then ends early). */
int cd_xml_scan(const char *text, size_t start, size_t end, cd_xml_fn fn, void *context);

/* The name without its namespace prefix ("svns:Password" -> "Password"). */
const char *cd_xml_local_name(const char *name, size_t len, size_t *local_len);

#endif
