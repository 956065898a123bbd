/*
 * The .properties files that carry secrets in real installations: cipher-text.properties
 * (secure-vault aliases with [plaintext] values), the EndpointConfig files of the login
 * and recovery web apps (keystore and app passwords), captcha-config.properties
 * (recaptcha.secret.key), secret-conf.properties (IS), and datasources.properties.
 * Each secret is a canary; every other line is the stock content.
 */
package org.carbondump.harness;

import java.util.Map;
import java.util.function.Supplier;

final class PropertiesConfigFiles {
    static final String CIPHER_TEXT = "repository/conf/security/cipher-text.properties";
    static final String ENDPOINT_CONFIG = "repository/conf/identity/EndpointConfig.properties";
    static final String RECOVERY_ENDPOINT_CONFIG = "repository/conf/identity/RecoveryEndpointConfig.properties";
    static final String CAPTCHA_CONFIG = "repository/conf/identity/captcha-config.properties";
    static final String SECRET_CONF = "repository/conf/security/secret-conf.properties";
    static final String DATASOURCES = "repository/conf/datasources.properties";

    private static final String LICENSE = String.join("\n",
            "#",
            "# Copyright (c) 2019, WSO2 Inc. (http://www.wso2.org) All Rights Reserved.",
            "#",
            "# WSO2 Inc. licenses this file to you under the Apache License, Version 2.0.",
            "#");

    private final HomeContext home;

    private PropertiesConfigFiles(HomeContext home) {
        this.home = home;
    }

    static void register(Map<String, Supplier<String>> generators, HomeContext home) {
        PropertiesConfigFiles files = new PropertiesConfigFiles(home);
        generators.put(CIPHER_TEXT, files::cipherText);
        generators.put(ENDPOINT_CONFIG, () -> files.endpointConfig(ENDPOINT_CONFIG, "endpointconfig"));
        generators.put(RECOVERY_ENDPOINT_CONFIG,
                () -> files.endpointConfig(RECOVERY_ENDPOINT_CONFIG, "recoveryendpointconfig"));
        generators.put(CAPTCHA_CONFIG, files::captchaConfig);
        generators.put(SECRET_CONF, files::secretConf);
        generators.put(DATASOURCES, files::datasources);
    }

    /** `key=canary`, the canary registered under the key's name. */
    private static String secretProperty(CanaryBook.FileScope secrets, String key, String label) {
        return key + "=" + secrets.secret(label, "properties key " + key);
    }

    /** `alias=[canary]`, a secure-vault value still waiting to be encrypted. */
    private static String plaintextProperty(CanaryBook.FileScope secrets, String alias, String label) {
        return alias + "=[" + secrets.secret(label, "properties [plaintext] value") + "]";
    }

    // Secure vault: the alias on the left, the value to encrypt in [brackets] on the right.
    // Some aliases do not say "password", so only the [plaintext] rule can mask them.
    private String cipherText() {
        CanaryBook.FileScope secrets = home.book.forFile(CIPHER_TEXT);
        return new TextLines().add(LICENSE,
                "# This file contains the secrets that need to be encrypted with the cipher tool.",
                "# Values within [square brackets] are encrypted when ciphertool.sh -Dconfigure runs.",
                "",
                plaintextProperty(secrets, "Carbon.Security.KeyStore.Password", "ciphertext-keystore-password"),
                plaintextProperty(secrets, "Carbon.Security.KeyStore.KeyPassword", "ciphertext-keystore-keypassword"),
                plaintextProperty(secrets, "Carbon.Security.TrustStore.Password", "ciphertext-truststore-password"),
                plaintextProperty(secrets, "UserManager.AdminUser.Password", "ciphertext-adminuser-password"),
                plaintextProperty(secrets, "Datasources.WSO2_CARBON_DB.Configuration.Password", "ciphertext-carbondb-password"),
                plaintextProperty(secrets, "Server.Service.Connector.keystorePass", "ciphertext-connector-keystorepass"),
                plaintextProperty(secrets, "Analytics.Publisher.Credential", "ciphertext-analytics-credential"))
                .toString();
    }

    private String endpointConfig(String path, String label) {
        CanaryBook.FileScope secrets = home.book.forFile(path);
        return new TextLines().add(LICENSE,
                "identity.server.serviceURL=https://localhost:9443/services/",
                "client.keyStore=./repository/resources/security/" + home.keystoreFileName,
                secretProperty(secrets, "Carbon.Security.KeyStore.Password", label + "-keystore-password"),
                "client.trustStore=./repository/resources/security/" + home.truststoreFileName,
                secretProperty(secrets, "Carbon.Security.TrustStore.Password", label + "-truststore-password"),
                "mutual.ssl.username=admin",
                "username.header=UserName",
                "app.name=dashboard",
                secretProperty(secrets, "app.password", label + "-app-password"),
                "identity.server.origin=${carbon.protocol}://${carbon.host}:${carbon.management.port}")
                .toString();
    }

    private String captchaConfig() {
        CanaryBook.FileScope secrets = home.book.forFile(CAPTCHA_CONFIG);
        return new TextLines().add(LICENSE,
                "recaptcha.enabled=false",
                "recaptcha.api.url=https://www.google.com/recaptcha/api.js",
                "recaptcha.verify.url=https://www.google.com/recaptcha/api/siteverify",
                "recaptcha.site.key=6LcP8j0UAAAAAPc5mCzWmUuu9EAcB0s8DQX3Yu5d",
                secretProperty(secrets, "recaptcha.secret.key", "captcha-recaptcha-secret-key"),
                "recaptcha.failed.redirect.urls=")
                .toString();
    }

    private String secretConf() {
        CanaryBook.FileScope secrets = home.book.forFile(SECRET_CONF);
        return new TextLines().add(LICENSE,
                "carbon.secretProvider=org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler",
                "secretRepositories=file",
                "secretRepositories.file.provider=org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider",
                "secretRepositories.file.location=repository/conf/security/cipher-text.properties",
                "keystore.identity.location=repository/resources/security/" + home.keystoreFileName,
                "keystore.identity.type=" + home.style.keystoreType(),
                "keystore.identity.alias=wso2carbon",
                secretProperty(secrets, "keystore.identity.store.password", "secretconf-identity-store-password"),
                secretProperty(secrets, "keystore.identity.key.password", "secretconf-identity-key-password"))
                .toString();
    }

    private String datasources() {
        CanaryBook.FileScope secrets = home.book.forFile(DATASOURCES);
        return new TextLines().add(LICENSE,
                "# Data source of the analytics event publisher",
                "driver=org.h2.Driver",
                "url=jdbc:h2:./repository/database/WSO2AM_STATS_DB;DB_CLOSE_ON_EXIT=FALSE",
                "username=wso2carbon",
                secretProperty(secrets, "password", "datasourcesproperties-password"),
                secretProperty(secrets, "secret.key", "datasourcesproperties-secret-key"),
                "maxActive=50",
                "maxWait=60000")
                .toString();
    }
}
