/*
 * The XML configuration files a collector reads and redacts: carbon.xml (product name,
 * key and version, keystores), master-datasources.xml, user-mgt.xml, catalina-server.xml,
 * axis2.xml, identity.xml and api-manager.xml. Carbon 4.4 products are configured by
 * these files directly; 4.x products generate them from deployment.toml at start-up, so
 * they hold secrets in both worlds and are produced for every style.
 *
 * Each secret is a distinct canary from the CanaryBook, written the way Carbon writes it:
 * as element text (<Password>), as an attribute (keystorePass="..."), or as the value
 * of an element whose name attribute says what it is (<parameter name="...Password">).
 */
package org.carbondump.harness;

import java.util.Map;
import java.util.function.Supplier;

final class XmlConfigFiles {
    static final String CARBON_XML = "repository/conf/carbon.xml";
    static final String MASTER_DATASOURCES = "repository/conf/datasources/master-datasources.xml";
    static final String USER_MGT = "repository/conf/user-mgt.xml";
    static final String CATALINA_SERVER = "repository/conf/tomcat/catalina-server.xml";
    static final String AXIS2 = "repository/conf/axis2/axis2.xml";
    static final String IDENTITY = "repository/conf/identity/identity.xml";
    static final String API_MANAGER = "repository/conf/api-manager.xml";

    private static final String XML_DECLARATION = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>";
    private static final String LICENSE_HEADER = String.join("\n",
            "<!--",
            " ~ Copyright (c) 2005-2019, WSO2 Inc. (http://www.wso2.org) All Rights Reserved.",
            " ~",
            " ~ WSO2 Inc. licenses this file to you under the Apache License,",
            " ~ Version 2.0 (the \"License\"); you may not use this file except",
            " ~ in compliance with the License.",
            " -->");

    private final HomeContext home;

    private XmlConfigFiles(HomeContext home) {
        this.home = home;
    }

    /** Adds a generator for each of these files the fixture list holds. */
    static void register(Map<String, Supplier<String>> generators, HomeContext home) {
        XmlConfigFiles files = new XmlConfigFiles(home);
        generators.put(CARBON_XML, files::carbonXml);
        generators.put(MASTER_DATASOURCES, files::masterDatasources);
        generators.put(USER_MGT, files::userMgt);
        generators.put(CATALINA_SERVER, files::catalinaServer);
        generators.put(AXIS2, files::axis2);
        generators.put(IDENTITY, files::identity);
        generators.put(API_MANAGER, files::apiManager);
    }

    /** `indent<tag>canary</tag>`: the commonest way Carbon's XML holds a secret. */
    private static String secretElement(CanaryBook.FileScope secrets, String indent, String tag, String label) {
        return indent + "<" + tag + ">" + secrets.secret(label, "xml element <" + tag + ">") + "</" + tag + ">";
    }

    private String keystorePath() {
        return "${carbon.home}/" + HomeContext.SECURITY_DIR + home.keystoreFileName;
    }

    private String truststorePath() {
        return "${carbon.home}/" + HomeContext.SECURITY_DIR + home.truststoreFileName;
    }

    private String carbonXml() {
        CanaryBook.FileScope secrets = home.book.forFile(CARBON_XML);
        ProductStyle style = home.style;
        String type = style.keystoreType();
        return new TextLines().add(XML_DECLARATION, LICENSE_HEADER,
                "<!--",
                "    This is the main server configuration file",
                "    ${carbon.home} represents the carbon.home system property.",
                "-->",
                "<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">",
                "",
                "    <!-- Product Name -->",
                "    <Name>" + style.productName + "</Name>",
                "",
                "    <!-- machine readable unique key to identify each product -->",
                "    <ServerKey>" + style.serverKey + "</ServerKey>",
                "",
                "    <!-- Product Version -->",
                "    <Version>" + style.version + "</Version>",
                "",
                "    <HostName>localhost</HostName>",
                "    <MgtHostName>localhost</MgtHostName>",
                "    <ServerURL>local:/${carbon.context}/services/</ServerURL>",
                "    <ServerRoles>",
                "        <Role>" + (style == ProductStyle.IS_7 ? "IdentityServer" : "APIManager") + "</Role>",
                "    </ServerRoles>",
                "    <Package>org.wso2.carbon</Package>",
                "    <WebContextRoot>/</WebContextRoot>",
                "    <ItemsPerPage>15</ItemsPerPage>",
                "",
                "    <Ports>",
                "        <Offset>0</Offset>",
                "        <JMX>",
                "            <RMIRegistryPort>9999</RMIRegistryPort>",
                "            <RMIServerPort>11111</RMIServerPort>",
                "        </JMX>",
                "        <EmbeddedLDAP>",
                "            <LDAPServerPort>10389</LDAPServerPort>",
                "            <KDCServerPort>8000</KDCServerPort>",
                "        </EmbeddedLDAP>",
                "        <ThriftEntitlementReceivePort>10500</ThriftEntitlementReceivePort>",
                "    </Ports>",
                "",
                "    <JNDI>",
                "        <DefaultInitialContextFactory>org.wso2.carbon.tomcat.jndi.CarbonJavaURLContextFactory</DefaultInitialContextFactory>",
                "        <Restrictions>",
                "            <AllTenants>",
                "                <UrlContexts>",
                "                    <UrlContext><Scheme>java</Scheme></UrlContext>",
                "                </UrlContexts>",
                "            </AllTenants>",
                "        </Restrictions>",
                "    </JNDI>",
                "",
                "    <IsCloudDeployment>false</IsCloudDeployment>",
                "    <EnableMetering>false</EnableMetering>",
                "    <MaxThreadExecutionTime>600</MaxThreadExecutionTime>",
                "    <GhostDeployment><Enabled>false</Enabled></GhostDeployment>",
                "",
                "    <Security>",
                "        <!-- KeyStore which will be used for encrypting/decrypting passwords and other sensitive information. -->",
                "        <KeyStore>",
                "            <Location>" + keystorePath() + "</Location>",
                "            <Type>" + type + "</Type>",
                secretElement(secrets, "            ", "Password", "carbonxml-keystore-password"),
                "            <KeyAlias>wso2carbon</KeyAlias>",
                secretElement(secrets, "            ", "KeyPassword", "carbonxml-keystore-keypassword"),
                "        </KeyStore>",
                "",
                "        <!-- The KeyStore which is used for encrypting/decrypting internal data. -->",
                "        <InternalKeyStore>",
                "            <Location>" + keystorePath() + "</Location>",
                "            <Type>" + type + "</Type>",
                secretElement(secrets, "            ", "Password", "carbonxml-internalkeystore-password"),
                "            <KeyAlias>wso2carbon</KeyAlias>",
                secretElement(secrets, "            ", "KeyPassword", "carbonxml-internalkeystore-keypassword"),
                "        </InternalKeyStore>",
                "",
                "        <!-- System wide trust-store which is used to maintain the certificates of all the trusted parties. -->",
                "        <TrustStore>",
                "            <Location>" + truststorePath() + "</Location>",
                "            <Type>" + type + "</Type>",
                secretElement(secrets, "            ", "Password", "carbonxml-truststore-password"),
                "        </TrustStore>",
                "",
                "        <NetworkAuthenticatorConfig/>",
                "        <TomcatRealm>UserManager</TomcatRealm>",
                "        <DisableTokenStore>false</DisableTokenStore>",
                "        <XSSPreventionConfig>",
                "            <Enabled>true</Enabled>",
                "            <Rule>allow</Rule>",
                "            <Patterns/>",
                "        </XSSPreventionConfig>",
                "    </Security>",
                "",
                "    <WorkDirectory>${carbon.home}/tmp/work</WorkDirectory>",
                "    <HouseKeeping>",
                "        <AutoStart>true</AutoStart>",
                "        <Interval>10</Interval>",
                "        <MaxTempFileLifetime>30</MaxTempFileLifetime>",
                "    </HouseKeeping>",
                "    <FileUploadConfig>",
                "        <TotalFileSizeLimit>100</TotalFileSizeLimit>",
                "    </FileUploadConfig>",
                "    <HideAdminServiceWSDLs>true</HideAdminServiceWSDLs>",
                "    <ServerInitializers/>",
                "    <RequireCarbonServlet>${require.carbon.servlet}</RequireCarbonServlet>",
                "    <StatisticsReporterDisabled>true</StatisticsReporterDisabled>",
                "    <FeatureRepository>",
                "        <RepositoryName>default repository</RepositoryName>",
                "        <RepositoryURL>http://product-dist.wso2.com/p2/carbon/releases/wilkes/</RepositoryURL>",
                "    </FeatureRepository>",
                "</Server>").toString();
    }

    private String masterDatasources() {
        CanaryBook.FileScope secrets = home.book.forFile(MASTER_DATASOURCES);
        TextLines xml = new TextLines().add(XML_DECLARATION,
                "<datasources-configuration xmlns:svns=\"http://org.wso2.securevault/configuration\">",
                "    <providers>",
                "        <provider>org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader</provider>",
                "    </providers>",
                "",
                "    <datasources>");
        for (String database : home.databaseNames) {
            String dataSource = HomeContext.dataSourceName(database);
            xml.add("        <datasource>",
                    "            <name>" + dataSource + "</name>",
                    "            <description>The datasource used for " + database + "</description>",
                    "            <jndiConfig>",
                    "                <name>jdbc/" + dataSource + "</name>",
                    "            </jndiConfig>",
                    "            <definition type=\"RDBMS\">",
                    "                <configuration>",
                    "                    <url>jdbc:h2:./repository/database/" + database
                            + ";DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000</url>",
                    "                    <username>wso2carbon</username>",
                    "                    <password>" + secrets.secret("datasource-" + database.toLowerCase() + "-password",
                            "xml element <password> of datasource " + dataSource) + "</password>",
                    "                    <driverClassName>org.h2.Driver</driverClassName>",
                    "                    <maxActive>50</maxActive>",
                    "                    <maxWait>60000</maxWait>",
                    "                    <testOnBorrow>true</testOnBorrow>",
                    "                    <validationQuery>SELECT 1</validationQuery>",
                    "                    <validationInterval>30000</validationInterval>",
                    "                    <defaultAutoCommit>false</defaultAutoCommit>",
                    "                </configuration>",
                    "            </definition>",
                    "        </datasource>",
                    "");
        }
        return xml.add("    </datasources>", "</datasources-configuration>").toString();
    }

    private String userMgt() {
        CanaryBook.FileScope secrets = home.book.forFile(USER_MGT);
        return new TextLines().add(XML_DECLARATION, LICENSE_HEADER,
                "<UserManager>",
                "    <Realm>",
                "        <Configuration>",
                "            <AddAdmin>true</AddAdmin>",
                "            <AdminRole>admin</AdminRole>",
                "            <AdminUser>",
                "                <UserName>admin</UserName>",
                secretElement(secrets, "                ", "Password", "usermgt-admin-password"),
                "            </AdminUser>",
                "            <EveryOneRoleName>everyone</EveryOneRoleName>",
                "            <Property name=\"isCascadeDeleteEnabled\">true</Property>",
                "            <Property name=\"initializeNewClaimManager\">true</Property>",
                "            <Property name=\"dataSource\">jdbc/WSO2_CARBON_DB</Property>",
                "        </Configuration>",
                "",
                "        <UserStoreManager class=\"org.wso2.carbon.user.core.jdbc.UniqueIDJDBCUserStoreManager\">",
                "            <Property name=\"TenantManager\">org.wso2.carbon.user.core.tenant.JDBCTenantManager</Property>",
                "            <Property name=\"ReadOnly\">false</Property>",
                "            <Property name=\"ReadGroups\">true</Property>",
                "            <Property name=\"WriteGroups\">true</Property>",
                "            <Property name=\"UsernameJavaRegEx\">^[\\S]{3,30}$</Property>",
                "            <Property name=\"PasswordJavaRegEx\">^[\\S]{5,30}$</Property>",
                "            <Property name=\"RolenameJavaRegEx\">^[\\S]{3,30}$</Property>",
                "            <Property name=\"PasswordDigest\">SHA-256</Property>",
                "            <Property name=\"StoreSaltedPassword\">true</Property>",
                "            <Property name=\"SCIMEnabled\">false</Property>",
                "            <Property name=\"MaxUserNameListLength\">100</Property>",
                "            <Property name=\"UserRolesCacheEnabled\">true</Property>",
                "        </UserStoreManager>",
                "",
                "        <AuthorizationManager class=\"org.wso2.carbon.user.core.authorization.JDBCAuthorizationManager\">",
                "            <Property name=\"AdminRoleManagementPermissions\">/permission</Property>",
                "            <Property name=\"AuthorizationCacheEnabled\">true</Property>",
                "            <Property name=\"GetAllRolesOfUserEnabled\">false</Property>",
                "        </AuthorizationManager>",
                "    </Realm>",
                "</UserManager>").toString();
    }

    private String catalinaServer() {
        CanaryBook.FileScope secrets = home.book.forFile(CATALINA_SERVER);
        return new TextLines().add(XML_DECLARATION, LICENSE_HEADER,
                "<Server port=\"8005\" shutdown=\"SHUTDOWN\">",
                "    <Service className=\"org.wso2.carbon.tomcat.ext.service.ExtendedStandardService\" name=\"Catalina\">",
                "        <Connector protocol=\"org.apache.coyote.http11.Http11NioProtocol\"",
                "                   port=\"9763\"",
                "                   redirectPort=\"9443\"",
                "                   bindOnInit=\"false\"",
                "                   maxHttpHeaderSize=\"8192\"",
                "                   acceptorThreadCount=\"2\"",
                "                   maxThreads=\"250\"",
                "                   minSpareThreads=\"50\"",
                "                   disableUploadTimeout=\"false\"",
                "                   connectionUploadTimeout=\"120000\"",
                "                   maxKeepAliveRequests=\"200\"",
                "                   acceptCount=\"200\"",
                "                   server=\"WSO2 Carbon Server\"",
                "                   compression=\"on\"",
                "                   compressionMinSize=\"2048\"",
                "                   URIEncoding=\"UTF-8\"/>",
                "",
                "        <Connector protocol=\"org.apache.coyote.http11.Http11NioProtocol\"",
                "                   port=\"9443\"",
                "                   bindOnInit=\"false\"",
                "                   sslProtocol=\"TLS\"",
                "                   sslEnabledProtocols=\"TLSv1.2,TLSv1.3\"",
                "                   maxHttpHeaderSize=\"8192\"",
                "                   acceptorThreadCount=\"2\"",
                "                   maxThreads=\"250\"",
                "                   minSpareThreads=\"50\"",
                "                   disableUploadTimeout=\"false\"",
                "                   enableLookups=\"false\"",
                "                   connectionUploadTimeout=\"120000\"",
                "                   maxKeepAliveRequests=\"200\"",
                "                   acceptCount=\"200\"",
                "                   server=\"WSO2 Carbon Server\"",
                "                   clientAuth=\"want\"",
                "                   compression=\"on\"",
                "                   scheme=\"https\"",
                "                   secure=\"true\"",
                "                   SSLEnabled=\"true\"",
                "                   compressionMinSize=\"2048\"",
                "                   keystoreFile=\"" + keystorePath() + "\"",
                "                   keystorePass=\"" + secrets.secret("catalina-keystorepass", "xml attribute keystorePass") + "\"",
                "                   truststoreFile=\"" + truststorePath() + "\"",
                "                   truststorePass=\"" + secrets.secret("catalina-truststorepass", "xml attribute truststorePass") + "\"",
                "                   URIEncoding=\"UTF-8\"/>",
                "",
                "        <Engine name=\"Catalina\" defaultHost=\"localhost\">",
                "            <Realm className=\"org.wso2.carbon.tomcat.ext.realms.CarbonTomcatRealm\"/>",
                "            <Host name=\"localhost\" unpackWARs=\"true\" deployOnStartup=\"false\" autoDeploy=\"false\"",
                "                  appBase=\"${carbon.home}/repository/deployment/server/webapps/\">",
                "                <Valve className=\"org.wso2.carbon.tomcat.ext.valves.CarbonContextCreatorValve\"/>",
                "                <Valve className=\"org.apache.catalina.valves.AccessLogValve\" directory=\"${carbon.home}/repository/logs\"",
                "                       prefix=\"http_access_\" suffix=\".log\" pattern=\"combined\"/>",
                "                <Valve className=\"org.wso2.carbon.tomcat.ext.valves.CarbonStuckThreadDetectionValve\" threshold=\"600\"/>",
                "                <Valve className=\"org.wso2.carbon.tomcat.ext.valves.CompositeValve\"/>",
                "            </Host>",
                "        </Engine>",
                "    </Service>",
                "</Server>").toString();
    }

    private String axis2() {
        CanaryBook.FileScope secrets = home.book.forFile(AXIS2);
        String type = home.style.keystoreType();
        return new TextLines().add(XML_DECLARATION, LICENSE_HEADER,
                "<axisconfig name=\"AxisJava2.0\">",
                "    <parameter name=\"hotdeployment\" locked=\"false\">true</parameter>",
                "    <parameter name=\"hotupdate\" locked=\"false\">false</parameter>",
                "    <parameter name=\"enableMTOM\" locked=\"false\">false</parameter>",
                "    <parameter name=\"enableSwA\" locked=\"false\">false</parameter>",
                "    <parameter name=\"cacheAttachments\" locked=\"false\">false</parameter>",
                "    <parameter name=\"attachmentDIR\" locked=\"false\">work/mtom</parameter>",
                "    <parameter name=\"sizeThreshold\" locked=\"false\">4000</parameter>",
                "    <parameter name=\"Proxy\">",
                "        <Configuration>",
                "            <ProxyHost>proxy.example.com</ProxyHost>",
                "            <ProxyPort>3128</ProxyPort>",
                "            <ProxyUser>svc-carbon</ProxyUser>",
                secretElement(secrets, "            ", "ProxyPassword", "axis2-proxypassword"),
                "        </Configuration>",
                "    </parameter>",
                "",
                "    <transportReceiver name=\"jms\" class=\"org.apache.axis2.transport.jms.JMSListener\">",
                "        <parameter name=\"myTopicConnectionFactory\" locked=\"false\">",
                "            <parameter name=\"java.naming.factory.initial\" locked=\"false\">org.wso2.andes.jndi.PropertiesFileInitialContextFactory</parameter>",
                "            <parameter name=\"java.naming.provider.url\" locked=\"false\">repository/conf/jndi.properties</parameter>",
                "            <parameter name=\"transport.jms.ConnectionFactoryJNDIName\" locked=\"false\">TopicConnectionFactory</parameter>",
                "            <parameter name=\"transport.jms.ConnectionFactoryType\" locked=\"false\">topic</parameter>",
                "            <parameter name=\"transport.jms.UserName\" locked=\"false\">admin</parameter>",
                "            <parameter name=\"Password\" locked=\"false\">" + secrets.secret("axis2-jms-parameter-password", "xml <parameter name=\"Password\">") + "</parameter>",
                "        </parameter>",
                "    </transportReceiver>",
                "",
                "    <transportSender name=\"https\" class=\"org.apache.synapse.transport.passthru.PassThroughHttpSSLSender\">",
                "        <parameter name=\"non-blocking\" locked=\"false\">true</parameter>",
                "        <parameter name=\"keystore\" locked=\"false\">",
                "            <KeyStore>",
                "                <Location>repository/resources/security/" + home.keystoreFileName + "</Location>",
                "                <Type>" + type + "</Type>",
                secretElement(secrets, "                ", "Password", "axis2-https-keystore-password"),
                secretElement(secrets, "                ", "KeyPassword", "axis2-https-keystore-keypassword"),
                "            </KeyStore>",
                "        </parameter>",
                "        <parameter name=\"truststore\" locked=\"false\">",
                "            <TrustStore>",
                "                <Location>repository/resources/security/" + home.truststoreFileName + "</Location>",
                "                <Type>" + type + "</Type>",
                secretElement(secrets, "                ", "Password", "axis2-https-truststore-password"),
                "            </TrustStore>",
                "        </parameter>",
                "        <parameter name=\"HostnameVerifier\">AllowAll</parameter>",
                "    </transportSender>",
                "",
                "    <transportSender name=\"mailto\" class=\"org.apache.axis2.transport.mail.MailTransportSender\">",
                "        <parameter name=\"mail.smtp.host\">smtp.example.com</parameter>",
                "        <parameter name=\"mail.smtp.port\">587</parameter>",
                "        <parameter name=\"mail.smtp.starttls.enable\">true</parameter>",
                "        <parameter name=\"mail.smtp.auth\">true</parameter>",
                "        <parameter name=\"mail.smtp.user\">carbon-notifications</parameter>",
                "        <parameter name=\"mail.smtp.password\">" + secrets.secret("axis2-mail-smtp-password", "xml <parameter name=\"mail.smtp.password\">") + "</parameter>",
                "        <parameter name=\"mail.smtp.from\">carbon-notifications@example.com</parameter>",
                "    </transportSender>",
                "",
                "    <phaseOrder type=\"InFlow\">",
                "        <phase name=\"Transport\"/>",
                "        <phase name=\"Addressing\"/>",
                "        <phase name=\"Security\"/>",
                "        <phase name=\"PreDispatch\"/>",
                "        <phase name=\"Dispatch\" class=\"org.apache.axis2.engine.DispatchPhase\"/>",
                "        <phase name=\"OperationInPhase\"/>",
                "    </phaseOrder>",
                "</axisconfig>").toString();
    }

    private String identity() {
        CanaryBook.FileScope secrets = home.book.forFile(IDENTITY);
        return new TextLines().add(XML_DECLARATION, LICENSE_HEADER,
                "<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">",
                "    <JDBCPersistenceManager>",
                "        <DataSource>",
                "            <Name>jdbc/WSO2_CARBON_DB</Name>",
                "        </DataSource>",
                "        <SkipDBSchemaCreation>false</SkipDBSchemaCreation>",
                "    </JDBCPersistenceManager>",
                "",
                "    <Identity>",
                "        <IssuerPolicy>SelfAndManaged</IssuerPolicy>",
                "        <TokenValidationPolicy>CertValidate</TokenValidationPolicy>",
                "        <BlackList></BlackList>",
                "        <System>",
                "            <KeyStore></KeyStore>",
                "            <StorePass></StorePass>",
                "        </System>",
                "    </Identity>",
                "",
                "    <OAuth>",
                "        <OAuth2AuthzEPUrl>${carbon.protocol}://${carbon.host}:${carbon.management.port}/oauth2/authorize</OAuth2AuthzEPUrl>",
                "        <OAuth2TokenEPUrl>${carbon.protocol}://${carbon.host}:${carbon.management.port}/oauth2/token</OAuth2TokenEPUrl>",
                "        <TokenPersistenceProcessor>org.wso2.carbon.identity.oauth.tokenprocessor.PlainTextPersistenceProcessor</TokenPersistenceProcessor>",
                "        <AccessTokenDefaultValidityPeriod>3600</AccessTokenDefaultValidityPeriod>",
                "        <UserAccessTokenDefaultValidityPeriod>3600</UserAccessTokenDefaultValidityPeriod>",
                "        <RefreshTokenValidityPeriod>86400</RefreshTokenValidityPeriod>",
                "    </OAuth>",
                "",
                "    <EntitlementSettings>",
                "        <ThirftBasedEntitlementConfig>",
                "            <EnableThriftService>false</EnableThriftService>",
                "            <ReceivePort>${Ports.ThriftEntitlementReceivePort}</ReceivePort>",
                "            <ClientTimeout>10000</ClientTimeout>",
                "            <KeyStore>",
                "                <Location>" + keystorePath() + "</Location>",
                secretElement(secrets, "                ", "Password", "identity-thrift-keystore-password"),
                "            </KeyStore>",
                "            <ThriftHostName>${carbon.host}</ThriftHostName>",
                "        </ThirftBasedEntitlementConfig>",
                "    </EntitlementSettings>",
                "</Server>").toString();
    }

    private String apiManager() {
        CanaryBook.FileScope secrets = home.book.forFile(API_MANAGER);
        return new TextLines().add(
                "<APIManager>",
                "    <DataSourceName>jdbc/WSO2AM_DB</DataSourceName>",
                "    <GatewayType>Synapse</GatewayType>",
                "    <EnableSecureVault>false</EnableSecureVault>",
                "",
                "    <AuthManager>",
                "        <ServerURL>https://localhost:${mgt.transport.https.port}${carbon.context}services/</ServerURL>",
                "        <Username>${admin.username}</Username>",
                secretElement(secrets, "        ", "Password", "apimanager-authmanager-password"),
                "        <CheckPermissionsRemotely>false</CheckPermissionsRemotely>",
                "    </AuthManager>",
                "",
                "    <APIGateway>",
                "        <Environments>",
                "            <Environment type=\"hybrid\" api-console=\"true\">",
                "                <Name>Production and Sandbox</Name>",
                "                <Description>This is a hybrid gateway that handles both production and sandbox token traffic.</Description>",
                "                <ServerURL>https://localhost:${mgt.transport.https.port}${carbon.context}services/</ServerURL>",
                "                <Username>${admin.username}</Username>",
                secretElement(secrets, "                ", "Password", "apimanager-gateway-password"),
                "                <GatewayEndpoint>http://${carbon.local.ip}:${http.nio.port},https://${carbon.local.ip}:${https.nio.port}</GatewayEndpoint>",
                "            </Environment>",
                "        </Environments>",
                "    </APIGateway>",
                "",
                "    <APIKeyValidator>",
                "        <ServerURL>https://localhost:${mgt.transport.https.port}${carbon.context}services/</ServerURL>",
                "        <Username>${admin.username}</Username>",
                secretElement(secrets, "        ", "Password", "apimanager-keyvalidator-password"),
                "        <KeyValidatorClientType>WSClient</KeyValidatorClientType>",
                "        <EnableThriftServer>false</EnableThriftServer>",
                "    </APIKeyValidator>",
                "",
                "    <ThrottlingConfigurations>",
                "        <EnableAdvanceThrottling>true</EnableAdvanceThrottling>",
                "        <DataPublisher>",
                "            <Enabled>true</Enabled>",
                "            <Type>Binary</Type>",
                "            <ReceiverUrlGroup>tcp://${carbon.local.ip}:${receiver.url.port}</ReceiverUrlGroup>",
                "            <AuthUrlGroup>ssl://${carbon.local.ip}:${auth.url.port}</AuthUrlGroup>",
                "            <Username>${admin.username}</Username>",
                secretElement(secrets, "            ", "Password", "apimanager-throttling-publisher-password"),
                "        </DataPublisher>",
                "    </ThrottlingConfigurations>",
                "",
                "    <Analytics>",
                "        <Enabled>false</Enabled>",
                "        <DASServerURL>{tcp://localhost:7612}</DASServerURL>",
                "        <DASUsername>admin</DASUsername>",
                secretElement(secrets, "        ", "DASPassword", "apimanager-das-password"),
                "    </Analytics>",
                "</APIManager>").toString();
    }
}
