/*
 * repository/conf/deployment.toml, the single configuration file of Carbon 4.5+ products
 * (API Manager 4.x, Identity Server 7): one variant per product, with the secrets real
 * installations keep there (super admin, databases, keystores, the key manager's client
 * secret, the [apim.ai] token, SMTP, IS's symmetric encryption key) replaced by canaries.
 *
 * Both TOML string forms appear ("basic" and 'literal'), as do tables, arrays of tables
 * and keys that only contain a secret-sounding word (key_password, client_secret).
 */
package org.carbondump.harness;

import java.util.Map;
import java.util.function.Supplier;

final class TomlConfigFile {
    static final String PATH = "repository/conf/deployment.toml";

    private final HomeContext home;
    private final CanaryBook.FileScope secrets;

    private TomlConfigFile(HomeContext home) {
        this.home = home;
        this.secrets = home.book.forFile(PATH);
    }

    static void register(Map<String, Supplier<String>> generators, HomeContext home) {
        if (home.style.usesDeploymentToml) {
            generators.put(PATH, () -> new TomlConfigFile(home).render());
        }
    }

    private String render() {
        TextLines toml = new TextLines();
        server(toml);
        databases(toml);
        keystores(toml);
        if (home.style == ProductStyle.IS_7) {
            identityServer(toml);
        } else {
            apiManager(toml);
        }
        return toml.toString();
    }

    private String quoted(String label, String context) {
        return "\"" + secrets.secret(label, context) + "\"";
    }

    private void server(TextLines toml) {
        toml.add("[server]",
                "hostname = \"localhost\"",
                "node_ip = \"127.0.0.1\"",
                "#offset=0",
                "base_path = \"${carbon.protocol}://${carbon.host}:${carbon.management.port}\"");
        if (home.style != ProductStyle.IS_7) {
            toml.add("server_role = \"default\"");
        }
        toml.add("",
                "[super_admin]",
                "username = \"admin\"",
                "password = " + quoted("toml-super-admin-password", "toml [super_admin] password"),
                "create_admin_account = true",
                "",
                "[user_store]",
                "type = \"database_unique_id\"",
                "");
    }

    private void databases(TextLines toml) {
        boolean literal = false;
        for (String database : home.databaseNames) {
            String table = tomlDatabaseTable(database);
            String secret = secrets.secret("toml-" + table + "-password", "toml [database." + table + "] password");
            // Alternate the two TOML string forms: real files mix them after hand edits.
            String value = literal ? "'" + secret + "'" : "\"" + secret + "\"";
            literal = !literal;
            toml.add("[database." + table + "]",
                    "type = \"h2\"",
                    "url = \"jdbc:h2:./repository/database/" + database + ";AUTO_SERVER=TRUE;DB_CLOSE_ON_EXIT=FALSE\"",
                    "username = \"wso2carbon\"",
                    "password = " + value,
                    "");
        }
    }

    /** WSO2AM_DB -> apim_db, WSO2SHARED_DB -> shared_db, as deployment.toml names them. */
    private static String tomlDatabaseTable(String database) {
        String name = database.startsWith("WSO2") ? database.substring(4) : database;
        name = name.toLowerCase().replace("_db", "");
        return (name.equals("am") ? "apim" : name) + "_db";
    }

    private void keystores(TextLines toml) {
        String type = home.style.keystoreType();
        toml.add("[keystore.tls]",
                "file_name = \"" + home.keystoreFileName + "\"",
                "type = \"" + type + "\"",
                "password = " + quoted("toml-keystore-tls-password", "toml [keystore.tls] password"),
                "alias = \"wso2carbon\"",
                "key_password = " + quoted("toml-keystore-tls-key-password", "toml [keystore.tls] key_password"),
                "",
                "[keystore.primary]",
                "file_name = \"" + home.keystoreFileName + "\"",
                "type = \"" + type + "\"",
                "password = " + quoted("toml-keystore-primary-password", "toml [keystore.primary] password"),
                "alias = \"wso2carbon\"",
                "key_password = " + quoted("toml-keystore-primary-key-password", "toml [keystore.primary] key_password"),
                "",
                "[truststore]",
                "file_name = \"" + home.truststoreFileName + "\"",
                "type = \"" + type + "\"",
                "password = " + quoted("toml-truststore-password", "toml [truststore] password"),
                "");
    }

    private void apiManager(TextLines toml) {
        toml.add("[[apim.gateway.environment]]",
                "name = \"Default\"",
                "type = \"hybrid\"",
                "gateway_type = \"Regular\"",
                "provider = \"wso2\"",
                "display_in_api_console = true",
                "description = \"This is a hybrid gateway that handles both production and sandbox token traffic.\"",
                "show_as_token_endpoint_url = true",
                "service_url = \"https://localhost:${mgt.transport.https.port}/services/\"",
                "username= \"${admin.username}\"",
                "password= " + quoted("toml-gateway-environment-password", "toml [[apim.gateway.environment]] password"),
                "ws_endpoint = \"ws://localhost:9099\"",
                "wss_endpoint = \"wss://localhost:8099\"",
                "http_endpoint = \"http://localhost:${http.nio.port}\"",
                "https_endpoint = \"https://localhost:${https.nio.port}\"",
                "",
                "[apim.ai]",
                "enable = true",
                "token = " + quoted("toml-apim-ai-token", "toml [apim.ai] token"),
                "endpoint = \"https://dev-tools.wso2.com/apim-ai-service/v2\"",
                "",
                "[apim.key_manager]",
                "service_url = \"https://localhost:${mgt.transport.https.port}/services/\"",
                "username = \"$ref{super_admin.username}\"",
                "password = \"$ref{super_admin.password}\"",
                "client_id = \"zkAyT0MFkb1bQ9Cr4T1zEg5pfaoa\"",
                "client_secret = " + quoted("toml-key-manager-client-secret", "toml [apim.key_manager] client_secret"),
                "",
                "[apim.throttling]",
                "enable_data_publishing = true",
                "enable_policy_deploy = true",
                "enable_blacklist_condition = true",
                "username = \"$ref{super_admin.username}\"",
                "password = " + quoted("toml-throttling-password", "toml [apim.throttling] password"),
                "",
                "[apim.devportal]",
                "url = \"https://localhost:${mgt.transport.https.port}/devportal\"",
                "",
                "[apim.cors]",
                "allow_origins = \"*\"",
                "allow_methods = [\"GET\",\"PUT\",\"POST\",\"DELETE\",\"PATCH\",\"OPTIONS\"]",
                "allow_headers = [\"authorization\",\"Access-Control-Allow-Origin\",\"Content-Type\",\"SOAPAction\",\"apikey\",\"Internal-Key\"]",
                "allow_credentials = false",
                "",
                "[[event_listener]]",
                "id = \"token_revocation\"",
                "type = \"org.wso2.carbon.identity.core.handler.AbstractIdentityHandler\"",
                "name = \"org.wso2.is.notification.ApimOauthEventInterceptor\"",
                "order = 1",
                "[event_listener.properties]",
                "notification_endpoint = \"https://localhost:${mgt.transport.https.port}/internal/data/v1/notify\"",
                "username = \"${admin.username}\"",
                "password = \"${admin.password}\"",
                "'header.X-WSO2-KEY-MANAGER' = \"default\"");
    }

    private void identityServer(TextLines toml) {
        toml.add("[account_recovery.endpoint.auth]",
                "hash= \"66cd9688a2ae068244ea01e70f0e230f5623b7fa4cdecb65070a09ec06452262\"",
                "",
                "[identity.auth_framework.endpoint]",
                "app_password= " + quoted("toml-auth-framework-app-password", "toml [identity.auth_framework.endpoint] app_password"),
                "",
                "# The symmetric key used to encrypt internal data (tokens, secrets) in the databases.",
                "[encryption]",
                "key = " + quoted("toml-encryption-key", "toml [encryption] key (symmetric data-encryption key)"),
                "internal_crypto_provider = \"org.wso2.carbon.crypto.provider.SymmetricKeyInternalCryptoProvider\"",
                "",
                "[output_adapter.email]",
                "from_address = \"iam-notifications@example.com\"",
                "username = \"iam-notifications\"",
                "password = " + quoted("toml-email-adapter-password", "toml [output_adapter.email] password"),
                "hostname = \"smtp.example.com\"",
                "port = 587",
                "enable_start_tls = true",
                "enable_authentication = true",
                "",
                "[oauth.token_cleanup]",
                "enable = true",
                "clean_inactive_tokens = true",
                "",
                "[[resource.access_control]]",
                "context = \"(.*)/scim2/Me\"",
                "secure = true",
                "http_method = \"all\"",
                "cross_tenant = true",
                "permissions = []",
                "scopes = []");
    }
}
