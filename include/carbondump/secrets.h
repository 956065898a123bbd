/*
 * What counts as a secret, decided in one place for every redactor: system
 * properties and environment in the agent and collector, and XML, properties,
 * TOML, JSON and log lines in the copied configuration (DESIGN section 8).
 */
#ifndef CARBONDUMP_SECRETS_H
#define CARBONDUMP_SECRETS_H

#include <stddef.h>

/* The replacement for a masked value. */
#define CD_SECRET_MASK "********"

/* 1 if a key, attribute or element called name[0..len) holds a secret: its name
 * says password, passwd, passphrase, secret, token, credential, private key,
 * key password, api/app key and the like (case-insensitive, any separator), but
 * not the names of settings about them (tokenEndpoint, passwordPolicy ...). */
int cd_secret_name(const char *name, size_t len);

/* 1 if value[0..len) is only a reference to a secret kept elsewhere:
 * ${name}, $secret{alias}, $ref{...}, $env{...}, the name without blanks or
 * control characters. Such a value stays. */
int cd_secret_reference(const char *value, size_t len);

/* 1 if value[0..len) is masked already: nothing but '*'. */
int cd_secret_masked(const char *value, size_t len);

/* 1 if an option, assignment or header called name[0..len) holds a secret on a
 * command line (leading dashes and -D are skipped): what cd_secret_name says,
 * and also a name whose last word is key (--api-key, accessKey, LICENSE_KEY)
 * or that ends in pass (--requirepass; not bypass or compass). */
int cd_secret_option_name(const char *name, size_t len);

/* 1 if a URL or connection-string parameter called name[0..len) holds a secret:
 * cd_secret_option_name, and the short pwd of ODBC and JDBC (";Pwd="). Not for
 * environment names: PWD is the working directory. */
int cd_secret_parameter_name(const char *name, size_t len);
#endif
