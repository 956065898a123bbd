/*
 * One finder per format, each in its own file: it reads masks->text and adds
 * the ranges holding secrets (masks.h). redact.c picks the finder by format.
 *
 *   cd_redact_find_xml         redact_xml.c
 *   cd_redact_find_properties  redact_properties.c
 *   cd_redact_find_toml        redact_toml.c
 *   cd_redact_find_json        redact_json.c
 *   cd_redact_find_lines       redact_lines.c (also the other formats' comments)
 */
#ifndef CARBONDUMP_REDACT_FINDERS_H
#define CARBONDUMP_REDACT_FINDERS_H

#include <stddef.h>

#include "masks.h"

/* XML: elements and attributes named as secrets, Password parameters and properties. */
void cd_redact_find_xml(cd_redact_masks *masks);
/* .properties keys; with cipher_text, every [plaintext] value too. */
void cd_redact_find_properties(cd_redact_masks *masks, int cipher_text);
/* TOML keys in tables, arrays of tables and inline tables. */
void cd_redact_find_toml(cd_redact_masks *masks);
/* JSON keys; a secret key masks everything below it. */
void cd_redact_find_json(cd_redact_masks *masks);
/* Lines finder over text[start..end) only (comments of the other formats). */
void cd_redact_find_lines(cd_redact_masks *masks, size_t start, size_t end);

#endif
