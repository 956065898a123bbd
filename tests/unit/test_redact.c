/*
 * The redactors (collector/redact*.c): what each format masks, what it keeps,
 * what it records, and that bad input never lets a value through; the
 * register's log, with what the agent and the manifest masked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bundle/bundle.h"
#include "carbondump/fsutil.h"
#include "carbondump/redaction_notes.h"
#include "carbondump/secrets.h"
#include "redact/redact.h"
#include "redact/finders.h"
#include "redact/redaction_log.h"

/* The notes of one redaction, "line:key" joined by '|'. */
typedef struct notes {
    char text[4096];
} notes;

static void collect_note(void *context, long line, const char *key)
{
    notes *n = context;
    size_t used = strlen(n->text);
    snprintf(n->text + used, sizeof n->text - used, "%s%ld:%s", used ? "|" : "", line, key);
}

/* Redacts input as format; returns the output (static buffer) and fills n. */
static const char *redact(cd_redact_format format, const char *input, notes *n)
{
    static char output[16384];
    cd_sink *sink = cd_sink_buffer();
    assert_non_null(sink);
    if (n)
        n->text[0] = '\0';
    cd_redact_text(format, input, strlen(input), 1, sink, n ? collect_note : NULL, n);
    size_t len = 0;
    char *text = cd_sink_buffer_take(sink, &len);
    assert_non_null(text);
    assert_true(len < sizeof output);
    memcpy(output, text, len + 1);
    free(text);
    return output;
}

/* ---------------------------------------------------------------- formats */

static void picks_the_format_from_the_file_name(void **state)
{
    assert_int_equal(cd_redact_format_for("repository/conf/carbon.xml"), CD_REDACT_XML);
    assert_int_equal(cd_redact_format_for("conf/templates/carbon.xml.j2"), CD_REDACT_XML);
    assert_int_equal(cd_redact_format_for("conf/axis2/service.WSDL"), CD_REDACT_XML);
    assert_int_equal(cd_redact_format_for("conf/identity/EndpointConfig.properties"),
                     CD_REDACT_PROPERTIES);
    assert_int_equal(cd_redact_format_for("repository/conf/security/cipher-text.properties"),
                     CD_REDACT_CIPHER_TEXT);
    assert_int_equal(cd_redact_format_for("repository/conf/deployment.toml"), CD_REDACT_TOML);
    assert_int_equal(cd_redact_format_for("updates/config.json"), CD_REDACT_JSON);
    assert_int_equal(cd_redact_format_for("repository/logs/wso2carbon.log"), CD_REDACT_LINES);
    assert_int_equal(cd_redact_format_for("repository/conf/identity/jaas.conf"), CD_REDACT_LINES);
}

static void names_switches_and_encryption_keys(void **state)
{
    assert_false(cd_secret_name("DisableTokenStore", 17));
    assert_false(cd_secret_name("enable_token_binding", 20));
    assert_true(cd_secret_name("encryption.key", 14));
    assert_true(cd_secret_name("EncryptionKey", 13));
    assert_false(cd_secret_name("encryptionKeyAlias", 18));
    assert_true(cd_redact_secret_key("encryption", 10, "key", 3));
    assert_false(cd_redact_secret_key("recaptcha", 9, "key", 3));
    assert_false(cd_redact_secret_key(NULL, 0, "value", 5));
}

/* Names that hold no secret stem at all, as most of a log's do, and names too
 * long to be normalised whole: only their end can tell. */
static void names_without_a_stem_and_names_past_the_word(void **state)
{
    assert_false(cd_secret_name("13", 2)); /* the hour of "13:47:01" */
    assert_false(cd_secret_name("Outcome", 7));
    assert_false(cd_secret_name("", 0));
    assert_true(cd_secret_name("pass", 4));
    assert_true(cd_secret_name("x-Credentials", 13));
    char name[200];
    memset(name, 'a', 150);
    memcpy(name + 150, "_keystorePass", 14); /* past the 127 letters normalised */
    assert_true(cd_secret_name(name, strlen(name)));
    memcpy(name + 150, "_compass", 9);
    assert_false(cd_secret_name(name, strlen(name)));
}

/* ---------------------------------------------------------------- XML */

static void redacts_password_attribute_in_catalina_server_xml(void **state)
{
    notes n;
    const char *in = "<Server port=\"8005\">\n"
                     "  <Service name=\"Catalina\">\n"
                     "    <Connector port=\"9443\"\n"
                     "               keystoreFile=\"${carbon.home}/wso2carbon.jks\"\n"
                     "               keystorePass=\"wso2carbon\"\n"
                     "               truststorePass='changeit'/>\n"
                     "  </Service>\n"
                     "</Server>\n";
    assert_string_equal(redact(CD_REDACT_XML, in, &n),
                        "<Server port=\"8005\">\n"
                        "  <Service name=\"Catalina\">\n"
                        "    <Connector port=\"9443\"\n"
                        "               keystoreFile=\"${carbon.home}/wso2carbon.jks\"\n"
                        "               keystorePass=\"********\"\n"
                        "               truststorePass='********'/>\n"
                        "  </Service>\n"
                        "</Server>\n");
    assert_string_equal(n.text, "5:Server/Service/Connector/@keystorePass|"
                                "6:Server/Service/Connector/@truststorePass");
}

static void keeps_comment_and_structure_in_master_datasources_xml(void **state)
{
    notes n;
    const char *in = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<datasources-configuration>\n"
                     "  <!-- the registry database -->\n"
                     "  <datasource>\n"
                     "    <name>WSO2_CARBON_DB</name>\n"
                     "    <definition type=\"RDBMS\">\n"
                     "      <configuration>\n"
                     "        <url>jdbc:h2:./repository/database/WSO2CARBON_DB</url>\n"
                     "        <username>wso2carbon</username>\n"
                     "        <password>s3cret</password>\n"
                     "      </configuration>\n"
                     "    </definition>\n"
                     "  </datasource>\n"
                     "</datasources-configuration>\n";
    assert_string_equal(redact(CD_REDACT_XML, in, &n),
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<datasources-configuration>\n"
                        "  <!-- the registry database -->\n"
                        "  <datasource>\n"
                        "    <name>WSO2_CARBON_DB</name>\n"
                        "    <definition type=\"RDBMS\">\n"
                        "      <configuration>\n"
                        "        <url>jdbc:h2:./repository/database/WSO2CARBON_DB</url>\n"
                        "        <username>wso2carbon</username>\n"
                        "        <password>********</password>\n"
                        "      </configuration>\n"
                        "    </definition>\n"
                        "  </datasource>\n"
                        "</datasources-configuration>\n");
    assert_string_equal(n.text, "10:datasources-configuration/datasource/definition/"
                                "configuration/password");
}

static void redacts_element_text_by_secret_name_attribute(void **state)
{
    notes n;
    const char *in = "<axisconfig>\n"
                     "  <parameter name=\"transport.jms.UserName\">admin</parameter>\n"
                     "  <parameter name=\"Password\" locked=\"false\">pw1</parameter>\n"
                     "  <Property name=\"password\" value=\"pw2\"/>\n"
                     "  <Property name=\"PasswordJavaRegEx\">^[\\S]{5,30}$</Property>\n"
                     "</axisconfig>\n";
    assert_string_equal(redact(CD_REDACT_XML, in, &n),
                        "<axisconfig>\n"
                        "  <parameter name=\"transport.jms.UserName\">admin</parameter>\n"
                        "  <parameter name=\"Password\" locked=\"false\">********</parameter>\n"
                        "  <Property name=\"password\" value=\"********\"/>\n"
                        "  <Property name=\"PasswordJavaRegEx\">^[\\S]{5,30}$</Property>\n"
                        "</axisconfig>\n");
    assert_string_equal(n.text, "3:axisconfig/parameter[@name='Password']|"
                                "4:axisconfig/Property[@name='password']/@value");
}

static void redacts_commented_out_password_element(void **state)
{
    notes n;
    const char *in = "<KeyStore>\n"
                     "  <!-- <Password>old-one</Password> -->\n"
                     "  <Password>new-one</Password>\n"
                     "</KeyStore>\n";
    assert_string_equal(redact(CD_REDACT_XML, in, &n), "<KeyStore>\n"
                                                       "  <!-- <Password>********</Password> -->\n"
                                                       "  <Password>********</Password>\n"
                                                       "</KeyStore>\n");
    assert_string_equal(n.text, "2:(comment)/Password|3:KeyStore/Password");
}

static void redacts_cdata_and_generic_value_of_secret_element(void **state)
{
    const char *in =
        "<a><Secret><![CDATA[x<y]]></Secret><SecretKey><value>z</value></SecretKey></a>";
    assert_string_equal(redact(CD_REDACT_XML, in, NULL),
                        "<a><Secret><![CDATA[********]]></Secret>"
                        "<SecretKey><value>********</value></SecretKey></a>");
}

static void keeps_settings_inside_secret_sounding_containers(void **state)
{
    const char *in = "<APIKeyValidator><ServerURL>https://km:9443/</ServerURL>"
                     "<Password>p</Password></APIKeyValidator>";
    assert_string_equal(redact(CD_REDACT_XML, in, NULL),
                        "<APIKeyValidator><ServerURL>https://km:9443/</ServerURL>"
                        "<Password>********</Password></APIKeyValidator>");
}

static void keeps_references_to_secrets_elsewhere(void **state)
{
    notes n;
    const char *in = "<Password>${admin.password}</Password>"
                     "<KeyPassword>$secret{Carbon.Security.KeyPassword}</KeyPassword>";
    assert_string_equal(redact(CD_REDACT_XML, in, &n), in);
    assert_string_equal(n.text, "");
}

static void keeps_settings_about_passwords(void **state)
{
    const char *in =
        "<PasswordPolicy>strict</PasswordPolicy><TokenEndpoint>https://x</TokenEndpoint>"
        "<DisableTokenStore>false</DisableTokenStore><EnableTokenBinding>1</EnableTokenBinding>";
    assert_string_equal(redact(CD_REDACT_XML, in, NULL), in);
}

static void masks_to_the_end_after_unterminated_attribute_quote(void **state)
{
    const char *in = "<Connector keystorePass=\"abc def\n  <x>tail</x>\n";
    assert_string_equal(redact(CD_REDACT_XML, in, NULL),
                        "<Connector keystorePass=\"********\n  ********\n");
}

static void masks_text_of_unclosed_secret_element(void **state)
{
    const char *in = "<Server><Password>abc def\n  ghi";
    assert_string_equal(redact(CD_REDACT_XML, in, NULL), "<Server><Password>********\n  ********");
}

static void masks_unterminated_comment_content(void **state)
{
    const char *in = "<a/><!-- <Password>p1</Password> password=p2";
    assert_string_equal(redact(CD_REDACT_XML, in, NULL),
                        "<a/><!-- <Password>********</Password> password=********");
}

static void keeps_namespaced_elements_and_masks_prefixed_secret(void **state)
{
    const char *in = "<svns:Password xmlns:svns=\"x\">p</svns:Password><Name>AM</Name>";
    assert_string_equal(redact(CD_REDACT_XML, in, NULL),
                        "<svns:Password xmlns:svns=\"x\">********</svns:Password><Name>AM</Name>");
}

/* ---------------------------------------------------------------- properties */

static void redacts_secret_keys_in_properties(void **state)
{
    notes n;
    const char *in = "# comment\n"
                     "client.keyStore=./repository/resources/security/wso2carbon.jks\n"
                     "Carbon.Security.KeyStore.Password = wso2carbon\n"
                     "app.password:dashboard\n"
                     "recaptcha.secret.key=abc\n"
                     "recaptcha.site.key=public\n"
                     "username=admin\n";
    assert_string_equal(redact(CD_REDACT_PROPERTIES, in, &n),
                        "# comment\n"
                        "client.keyStore=./repository/resources/security/wso2carbon.jks\n"
                        "Carbon.Security.KeyStore.Password = ********\n"
                        "app.password:********\n"
                        "recaptcha.secret.key=********\n"
                        "recaptcha.site.key=public\n"
                        "username=admin\n");
    assert_string_equal(n.text, "3:Carbon.Security.KeyStore.Password|4:app.password|"
                                "5:recaptcha.secret.key");
}

static void masks_every_line_of_a_continued_properties_value(void **state)
{
    const char *in = "db.password=first\\\n    second\\\n    third\nnext=1\r\n";
    assert_string_equal(redact(CD_REDACT_PROPERTIES, in, NULL),
                        "db.password=********\n    ********\n    ********\nnext=1\r\n");
}

static void masks_commented_out_properties_assignment(void **state)
{
    const char *in = "#password=old\n! secret.key = older\n";
    assert_string_equal(redact(CD_REDACT_PROPERTIES, in, NULL),
                        "#password=********\n! secret.key = ********\n");
}

static void masks_plaintext_values_in_cipher_text_properties(void **state)
{
    notes n;
    const char *in = "Carbon.Security.KeyStore.Password=[wso2carbon]\n"
                     "Analytics.Publisher.Credential=[admin123]\n"
                     "Some.Alias=[unterminated\n"
                     "Already.Encrypted=kXt1c2VyOnBhc3M=\n";
    assert_string_equal(redact(CD_REDACT_CIPHER_TEXT, in, &n),
                        "Carbon.Security.KeyStore.Password=[********]\n"
                        "Analytics.Publisher.Credential=[********]\n"
                        "Some.Alias=[********\n"
                        "Already.Encrypted=kXt1c2VyOnBhc3M=\n");
    assert_string_equal(n.text, "1:Carbon.Security.KeyStore.Password|"
                                "2:Analytics.Publisher.Credential|3:Some.Alias");
}

static void handles_escaped_separators_in_properties_keys(void **state)
{
    const char *in = "my\\ password=x y\nother\\=password=z\n";
    assert_string_equal(redact(CD_REDACT_PROPERTIES, in, NULL),
                        "my\\ password=********\nother\\=password=********\n");
}

/* ---------------------------------------------------------------- TOML */

static void redacts_toml_keys_in_tables_and_arrays_of_tables(void **state)
{
    notes n;
    const char *in = "[server]\n"
                     "hostname = \"localhost\"\n"
                     "\n"
                     "[super_admin]\n"
                     "username = \"admin\"\n"
                     "password = \"adminpw\"\n"
                     "\n"
                     "[database.apim_db]\n"
                     "password = 'literal-pw'\n"
                     "\n"
                     "[[apim.gateway.environment]]\n"
                     "name = \"Default\"\n"
                     "password= \"gwpw\" # trailing comment\n"
                     "\n"
                     "[keystore.tls]\n"
                     "key_password = \"kp\"\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, &n),
                        "[server]\n"
                        "hostname = \"localhost\"\n"
                        "\n"
                        "[super_admin]\n"
                        "username = \"admin\"\n"
                        "password = \"********\"\n"
                        "\n"
                        "[database.apim_db]\n"
                        "password = '********'\n"
                        "\n"
                        "[[apim.gateway.environment]]\n"
                        "name = \"Default\"\n"
                        "password= \"********\" # trailing comment\n"
                        "\n"
                        "[keystore.tls]\n"
                        "key_password = \"********\"\n");
    assert_string_equal(n.text, "6:super_admin.password|9:database.apim_db.password|"
                                "13:apim.gateway.environment.password|"
                                "16:keystore.tls.key_password");
}

static void redacts_toml_multi_line_strings_line_by_line(void **state)
{
    notes n;
    const char *in = "[a]\n"
                     "token = \"\"\"\n"
                     "line-one\n"
                     "line-two\"\"\"\n"
                     "secret = '''x\n"
                     "y'''\n"
                     "after = 1\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, &n), "[a]\n"
                                                        "token = \"\"\"\n"
                                                        "********\n"
                                                        "********\"\"\"\n"
                                                        "secret = '''********\n"
                                                        "********'''\n"
                                                        "after = 1\n");
    assert_string_equal(n.text, "2:a.token|5:a.secret");
}

static void redacts_toml_inline_tables_dotted_and_quoted_keys(void **state)
{
    const char *in = "db = { user = \"u\", password = \"p1\" }\n"
                     "keystore.primary.password = \"p2\"\n"
                     "\"client_secret\" = \"p3\"\n"
                     "users = [ { name = \"a\", passwd = \"p4\" } ]\n"
                     "'header.X-WSO2-KEY-MANAGER' = \"default\"\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, NULL),
                        "db = { user = \"u\", password = \"********\" }\n"
                        "keystore.primary.password = \"********\"\n"
                        "\"client_secret\" = \"********\"\n"
                        "users = [ { name = \"a\", passwd = \"********\" } ]\n"
                        "'header.X-WSO2-KEY-MANAGER' = \"default\"\n");
}

static void redacts_generic_key_under_encryption_table(void **state)
{
    const char *in = "[encryption]\nkey = \"0123abcd\"\n[recaptcha]\nsite_key = \"pub\"\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, NULL),
                        "[encryption]\nkey = \"********\"\n[recaptcha]\nsite_key = \"pub\"\n");
}

static void redacts_toml_arrays_and_bare_values_under_secret_keys(void **state)
{
    const char *in = "passwords = [\"a\", 'b']\npin_password = 1234\nport = 9443\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, NULL),
                        "passwords = [\"********\", '********']\npin_password = ********\n"
                        "port = 9443\n");
}

static void masks_unterminated_toml_strings(void **state)
{
    const char *in = "password = \"abc def\nnext = 1\ntoken = \"\"\"open\nstill\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, NULL),
                        "password = \"********\nnext = 1\ntoken = \"\"\"********\n********\n");
}

static void masks_commented_out_toml_assignment(void **state)
{
    const char *in = "#password = \"old\"\n[a] # token: xyz\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, NULL),
                        "#password = \"********\"\n[a] # token: ********\n");
}

static void keeps_toml_references(void **state)
{
    const char *in = "[apim.key_manager]\npassword = \"$ref{super_admin.password}\"\n"
                     "[event_listener.properties]\npassword = \"${admin.password}\"\n";
    assert_string_equal(redact(CD_REDACT_TOML, in, NULL), in);
}

/* ---------------------------------------------------------------- JSON */

static void redacts_nested_json_tokens(void **state)
{
    notes n;
    const char *in = "{\n"
                     "  \"update-level\": 8,\n"
                     "  \"auth\": {\n"
                     "    \"username\": \"ops@example.com\",\n"
                     "    \"access-token\": \"tok1\",\n"
                     "    \"refresh-token\": \"tok\\\"2\"\n"
                     "  }\n"
                     "}\n";
    assert_string_equal(redact(CD_REDACT_JSON, in, &n), "{\n"
                                                        "  \"update-level\": 8,\n"
                                                        "  \"auth\": {\n"
                                                        "    \"username\": \"ops@example.com\",\n"
                                                        "    \"access-token\": \"********\",\n"
                                                        "    \"refresh-token\": \"********\"\n"
                                                        "  }\n"
                                                        "}\n");
    assert_string_equal(n.text, "5:auth.access-token|6:auth.refresh-token");
}

static void masks_everything_below_a_secret_json_key(void **state)
{
    const char *in = "{\"credentials\": {\"user\": \"u\", \"pin\": 42, \"none\": null},"
                     " \"secrets\": [\"a\", {\"b\": true}], \"port\": 9443}";
    assert_string_equal(
        redact(CD_REDACT_JSON, in, NULL),
        "{\"credentials\": {\"user\": \"********\", \"pin\": ********, \"none\": null},"
        " \"secrets\": [\"********\", {\"b\": ********}], \"port\": 9443}");
}

static void masks_unterminated_json_secret_to_the_end(void **state)
{
    const char *in = "{\"password\": \"abc\n  \"next\": 1}";
    assert_string_equal(redact(CD_REDACT_JSON, in, NULL), "{\"password\": \"********\n  ********");
}

static void keeps_json_keys_that_only_mention_tokens(void **state)
{
    const char *in = "{\"tokenEndpoint\": \"https://x/token\", \"token_validity\": 3600}";
    assert_string_equal(redact(CD_REDACT_JSON, in, NULL), in);
}

/* ---------------------------------------------------------------- lines */

static void redacts_password_assignments_in_log_lines(void **state)
{
    notes n;
    const char *in =
        "TID: [-1234] [] [2026-06-30 10:00:00,001]  INFO {Foo} - login user=admin password=pw1 ok\n"
        "ERROR - Invalid password for user admin\n"
        "DEBUG - props {\"client_secret\":\"cs2\", 'token' : 'tk3'}\n"
        "WARN - -Djavax.net.ssl.trustStorePassword=changeit -Xmx2g\n";
    assert_string_equal(redact(CD_REDACT_LINES, in, &n),
                        "TID: [-1234] [] [2026-06-30 10:00:00,001]  INFO {Foo} - login user=admin "
                        "password=******** ok\n"
                        "ERROR - Invalid password for user admin\n"
                        "DEBUG - props {\"client_secret\":\"********\", 'token' : '********'}\n"
                        "WARN - -Djavax.net.ssl.trustStorePassword=******** -Xmx2g\n");
    assert_string_equal(n.text, "1:password|3:client_secret|3:token|"
                                "4:-Djavax.net.ssl.trustStorePassword");
}

static void redacts_url_credentials_and_authorization_headers(void **state)
{
    const char *in = "url=jdbc:mysql://dbuser:dbpw@db:3306/x?user=a&password=b&ssl=1\n"
                     "Authorization: Basic YWRtaW46YWRtaW4=\n"
                     "header <password>xml-pw</password> done\n";
    assert_string_equal(
        redact(CD_REDACT_LINES, in, NULL),
        "url=jdbc:mysql://dbuser:********@db:3306/x?user=a&password=********&ssl=1\n"
        "Authorization: Basic ********\n"
        "header <password>********</password> done\n");
}

static void masks_unterminated_quoted_value_to_end_of_line(void **state)
{
    const char *in = "password=\"abc def\nnext line\n";
    assert_string_equal(redact(CD_REDACT_LINES, in, NULL), "password=\"********\nnext line\n");
}

static void counts_lines_from_the_given_first_line(void **state)
{
    notes n = {{0}};
    cd_sink *sink = cd_sink_buffer();
    const char *in = "a\nb\npassword=x\n";
    assert_int_equal(cd_redact_text(CD_REDACT_LINES, in, strlen(in), 1001, sink, collect_note, &n),
                     1);
    char *out = cd_sink_buffer_take(sink, NULL);
    assert_string_equal(out, "a\nb\npassword=********\n");
    assert_string_equal(n.text, "1003:password");
    free(out);
}

static void keeps_stack_trace_line_numbers(void **state)
{
    const char *in = "\tat org.wso2.carbon.TokenValidator.validate(TokenValidator.java:45)\n";
    assert_string_equal(redact(CD_REDACT_LINES, in, NULL), in);
}

static void keeps_yaml_style_and_plain_text(void **state)
{
    const char *in = "server:\n  password: yaml-pw\n  port: 9443\nsee https://example.com/x\n";
    assert_string_equal(redact(CD_REDACT_LINES, in, NULL),
                        "server:\n  password: ********\n  port: 9443\nsee https://example.com/x\n");
}

/* ---------------------------------------------------------------- the register */

/* A run with a staging directory, for the register's log. */
typedef struct fake_run {
    cd_cli cli;
    cd_run run;
} fake_run;

static fake_run *fake_run_new(int redact)
{
    fake_run *f = calloc(1, sizeof *f);
    f->cli.redact = redact;
    f->run.cli = &f->cli;
    snprintf(f->run.host_staging, sizeof f->run.host_staging, "/tmp/cd-test-redact.XXXXXX");
    assert_non_null(mkdtemp(f->run.host_staging));
    return f;
}

static char *read_log(fake_run *f)
{
    cd_error err = {0};
    assert_int_equal(cd_redaction_log_write(&f->run, &err), 0);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/redaction_log.txt", f->run.host_staging);
    char *text = NULL;
    assert_int_equal(cd_read_file(path, 1 << 20, 0, &text, NULL, &err), 0);
    cd_remove_tree(f->run.host_staging);
    return text;
}

static void redaction_log_lists_file_line_and_key_sorted(void **state)
{
    fake_run *f = fake_run_new(1);
    cd_redaction_note(&f->run, "repository/conf/b.xml", 7, "Server/Password");
    cd_redaction_note(&f->run, "osinfo/os_env_variables.txt", 3, "DB_PASSWORD");
    cd_redaction_note(&f->run, "repository/conf/b.xml", 2, "Server/@keystorePass");
    cd_redaction_withheld(&f->run, "repository/conf/security/x.jks", "key material, never copied");
    char *log = read_log(f);
    assert_non_null(strstr(log, "masking: on (secret values replaced by ********)\n"));
    assert_non_null(strstr(log, "# masked values (3 in 2 files): file:line: key (lines of the copy "
                                "in this bundle)\n"
                                "osinfo/os_env_variables.txt:3: DB_PASSWORD\n"
                                "repository/conf/b.xml:2: Server/@keystorePass\n"
                                "repository/conf/b.xml:7: Server/Password\n"
                                "\n# files withheld: file: why\n"
                                "repository/conf/security/x.jks: key material, never copied\n"));
    free(log);
    free(f);
}

static void redaction_log_says_when_masking_was_off(void **state)
{
    fake_run *f = fake_run_new(0);
    char *log = read_log(f);
    assert_non_null(strstr(log, "masking: OFF (--no-redact): nothing was masked"));
    assert_non_null(strstr(log, "# masked values (0 in 0 files)"));
    free(log);
    free(f);
}

static void redaction_log_counts_what_it_does_not_list(void **state)
{
    fake_run *f = fake_run_new(1);
    for (long line = 1; line <= 1003; line++)
        cd_redaction_note(&f->run, "repository/logs/wso2carbon.log", line, "password");
    char *log = read_log(f);
    assert_non_null(strstr(log, "# masked values (1003 in 1 files)"));
    assert_non_null(strstr(log, "repository/logs/wso2carbon.log:1000: password\n"
                                "repository/logs/wso2carbon.log: and 3 more masked values, not "
                                "listed one by one\n"));
    assert_null(strstr(log, ":1001: "));
    free(log);
    free(f);
}

static void redaction_log_lists_what_the_agent_masked(void **state)
{
    fake_run *f = fake_run_new(1);
    snprintf(f->run.agent_staging, sizeof f->run.agent_staging, "/tmp/cd-test-agent.XXXXXX");
    assert_non_null(mkdtemp(f->run.agent_staging));
    cd_redaction_notes notes = {0};
    cd_redaction_notes_add(&notes, "javainfo/system_properties.txt", 44,
                           "sun.java.command --password");
    cd_redaction_notes_add(&notes, "javainfo/jvm_info.json", 0, "input_arguments: -Dfoo.secret");
    cd_error err = {0};
    assert_int_equal(cd_redaction_notes_write(&notes, f->run.agent_staging, &err), 0);
    cd_redaction_notes_free(&notes);
    cd_redaction_merge_agent(&f->run);
    cd_remove_tree(f->run.agent_staging);
    char *log = read_log(f);
    assert_non_null(strstr(log,
                           "javainfo/jvm_info.json:0: input_arguments: -Dfoo.secret\n"
                           "javainfo/system_properties.txt:44: sun.java.command --password\n"));
    free(log);
    free(f);
}

static void manifest_masks_its_own_command_line_and_the_log_says_where(void **state)
{
    char *argv[] = {"carbondump", "--pid", "42", "https://ops:hunter2@proxy/", "--token", "t0k3n"};
    fake_run *f = fake_run_new(1);
    f->run.argc = 6;
    f->run.argv = argv;
    cd_bundle_entries entries = {0};
    char *manifest = cd_manifest_json(&f->run, &entries, NULL, 0);
    assert_non_null(manifest);
    assert_non_null(strstr(manifest, "\"https://ops:********@proxy/\", \"--token\", \"********\""));
    assert_null(strstr(manifest, "hunter2"));
    assert_null(strstr(manifest, "t0k3n"));
    free(manifest);
    cd_manifest_note_masked(&f->run);
    char *log = read_log(f);
    assert_non_null(strstr(log, "manifest.json:0: command_line: url-credentials\n"));
    assert_non_null(strstr(log, "manifest.json:0: command_line: --token\n"));
    free(log);
    free(f);
}

static void manifest_keeps_its_command_line_with_no_redact(void **state)
{
    char *argv[] = {"carbondump", "--no-redact", "--token", "t0k3n"};
    fake_run *f = fake_run_new(0);
    f->run.argc = 4;
    f->run.argv = argv;
    cd_bundle_entries entries = {0};
    char *manifest = cd_manifest_json(&f->run, &entries, NULL, 0);
    assert_non_null(strstr(manifest, "\"--token\", \"t0k3n\""));
    free(manifest);
    cd_remove_tree(f->run.host_staging);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(picks_the_format_from_the_file_name),
        cmocka_unit_test(names_switches_and_encryption_keys),
        cmocka_unit_test(names_without_a_stem_and_names_past_the_word),
        cmocka_unit_test(redacts_password_attribute_in_catalina_server_xml),
        cmocka_unit_test(keeps_comment_and_structure_in_master_datasources_xml),
        cmocka_unit_test(redacts_element_text_by_secret_name_attribute),
        cmocka_unit_test(redacts_commented_out_password_element),
        cmocka_unit_test(redacts_cdata_and_generic_value_of_secret_element),
        cmocka_unit_test(keeps_settings_inside_secret_sounding_containers),
        cmocka_unit_test(keeps_references_to_secrets_elsewhere),
        cmocka_unit_test(keeps_settings_about_passwords),
        cmocka_unit_test(masks_to_the_end_after_unterminated_attribute_quote),
        cmocka_unit_test(masks_text_of_unclosed_secret_element),
        cmocka_unit_test(masks_unterminated_comment_content),
        cmocka_unit_test(keeps_namespaced_elements_and_masks_prefixed_secret),
        cmocka_unit_test(redacts_secret_keys_in_properties),
        cmocka_unit_test(masks_every_line_of_a_continued_properties_value),
        cmocka_unit_test(masks_commented_out_properties_assignment),
        cmocka_unit_test(masks_plaintext_values_in_cipher_text_properties),
        cmocka_unit_test(handles_escaped_separators_in_properties_keys),
        cmocka_unit_test(redacts_toml_keys_in_tables_and_arrays_of_tables),
        cmocka_unit_test(redacts_toml_multi_line_strings_line_by_line),
        cmocka_unit_test(redacts_toml_inline_tables_dotted_and_quoted_keys),
        cmocka_unit_test(redacts_generic_key_under_encryption_table),
        cmocka_unit_test(redacts_toml_arrays_and_bare_values_under_secret_keys),
        cmocka_unit_test(masks_unterminated_toml_strings),
        cmocka_unit_test(masks_commented_out_toml_assignment),
        cmocka_unit_test(keeps_toml_references),
        cmocka_unit_test(redacts_nested_json_tokens),
        cmocka_unit_test(masks_everything_below_a_secret_json_key),
        cmocka_unit_test(masks_unterminated_json_secret_to_the_end),
        cmocka_unit_test(keeps_json_keys_that_only_mention_tokens),
        cmocka_unit_test(redacts_password_assignments_in_log_lines),
        cmocka_unit_test(redacts_url_credentials_and_authorization_headers),
        cmocka_unit_test(masks_unterminated_quoted_value_to_end_of_line),
        cmocka_unit_test(counts_lines_from_the_given_first_line),
        cmocka_unit_test(keeps_stack_trace_line_numbers),
        cmocka_unit_test(keeps_yaml_style_and_plain_text),
        cmocka_unit_test(redaction_log_lists_file_line_and_key_sorted),
        cmocka_unit_test(redaction_log_says_when_masking_was_off),
        cmocka_unit_test(redaction_log_counts_what_it_does_not_list),
        cmocka_unit_test(redaction_log_lists_what_the_agent_masked),
        cmocka_unit_test(manifest_masks_its_own_command_line_and_the_log_says_where),
        cmocka_unit_test(manifest_keeps_its_command_line_with_no_redact),
    };
    return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
