/*
 * How a Carbon server's logs look, line for line: the wso2carbon.log pattern (log4j 1
 * on Carbon 4.4 repeats the category at the end; log4j2 on 4.5+ does not), ERROR entries
 * followed by Java stack traces, the start-up banner, Tomcat's combined access log, the
 * audit log and the correlation log. Used for the historical logs the generator writes
 * and for the lines the running server appends.
 */
package org.carbondump.harness;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;

final class CarbonLogFormat {
    private static final DateTimeFormatter CARBON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final DateTimeFormatter ACCESS_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss", Locale.US);

    /** An error Carbon products really log, with the stack trace that follows it. */
    private static final class ErrorCase {
        final String category;
        final String message;
        final String exception;
        final String[] frames;

        ErrorCase(String category, String message, String exception, String... frames) {
            this.category = category;
            this.message = message;
            this.exception = exception;
            this.frames = frames;
        }
    }

    private static final String[] WORKER_FRAMES = {
        "org.apache.axis2.transport.base.threads.NativeWorkerPool$1.run(NativeWorkerPool.java:172)",
        "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
        "java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
        "java.lang.Thread.run(Thread.java:748)"};

    private static final ErrorCase[] ERRORS = {
        new ErrorCase("org.wso2.carbon.apimgt.gateway.handlers.throttling.ThrottleHandler",
                "Error while throttling the request. java.lang.NullPointerException",
                "java.lang.NullPointerException",
                "org.wso2.carbon.apimgt.gateway.handlers.throttling.ThrottleHandler.doThrottle(ThrottleHandler.java:482)",
                "org.wso2.carbon.apimgt.gateway.handlers.throttling.ThrottleHandler.handleRequest(ThrottleHandler.java:457)",
                "org.apache.synapse.rest.API.process(API.java:325)",
                "org.apache.synapse.rest.RESTRequestHandler.dispatchToAPI(RESTRequestHandler.java:90)",
                "org.apache.synapse.core.axis2.Axis2SynapseEnvironment.injectMessage(Axis2SynapseEnvironment.java:333)",
                "org.apache.synapse.transport.passthru.ServerWorker.run(ServerWorker.java:158)"),
        new ErrorCase("org.wso2.carbon.user.core.common.AbstractUserStoreManager",
                "Error occurred while authenticating user: admin",
                "org.wso2.carbon.user.core.UserStoreException: Timeout waiting for idle object",
                "org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager.getDBConnection(JDBCUserStoreManager.java:1034)",
                "org.wso2.carbon.user.core.jdbc.UniqueIDJDBCUserStoreManager.doAuthenticateWithID(UniqueIDJDBCUserStoreManager.java:1105)",
                "org.wso2.carbon.user.core.common.AbstractUserStoreManager.authenticateInternal(AbstractUserStoreManager.java:1289)",
                "org.wso2.carbon.user.core.common.AbstractUserStoreManager.authenticate(AbstractUserStoreManager.java:742)",
                "org.wso2.carbon.core.services.authentication.AuthenticationAdmin.login(AuthenticationAdmin.java:93)"),
        new ErrorCase("org.wso2.carbon.identity.oauth2.token.AccessTokenIssuer",
                "Error occurred while issuing the access token. java.lang.IllegalStateException: Connection pool shut down",
                "java.lang.IllegalStateException: Connection pool shut down",
                "org.apache.http.util.Asserts.check(Asserts.java:34)",
                "org.apache.http.impl.conn.PoolingHttpClientConnectionManager.requestConnection(PoolingHttpClientConnectionManager.java:269)",
                "org.wso2.carbon.identity.oauth2.token.AccessTokenIssuer.issue(AccessTokenIssuer.java:211)",
                "org.wso2.carbon.identity.oauth2.OAuth2Service.issueAccessToken(OAuth2Service.java:269)"),
        new ErrorCase("org.apache.synapse.transport.passthru.TargetHandler",
                "I/O error: Connection reset by peer",
                "java.io.IOException: Connection reset by peer",
                "sun.nio.ch.FileDispatcherImpl.read0(Native Method)",
                "sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:39)",
                "sun.nio.ch.IOUtil.readIntoNativeBuffer(IOUtil.java:223)",
                "sun.nio.ch.SocketChannelImpl.read(SocketChannelImpl.java:380)",
                "org.apache.http.impl.nio.reactor.SessionInputBufferImpl.fill(SessionInputBufferImpl.java:204)",
                "org.apache.synapse.transport.passthru.TargetHandler.inputReady(TargetHandler.java:467)"),
    };

    private static final String[][] ROUTINE = {
        {"INFO", "org.wso2.carbon.apimgt.impl.notifier.ApisNotifier", "Event published: API_UPDATE for API PizzaShackAPI:1.0.0"},
        {"INFO", "org.wso2.carbon.core.services.util.CarbonAuthenticationUtil", "'admin@carbon.super [-1234]' logged in at [%s]"},
        {"INFO", "org.wso2.carbon.core.services.util.CarbonAuthenticationUtil", "'admin@carbon.super [-1234]' logged out at [%s]"},
        {"INFO", "org.wso2.carbon.registry.core.jdbc.EmbeddedRegistryService", "Configured Registry in 42ms"},
        {"INFO", "org.wso2.carbon.apimgt.gateway.internal.DataHolder", "Synchronizing API artifacts of tenant carbon.super"},
        {"INFO", "org.wso2.carbon.databridge.core.internal.utils.DataBridgeCoreBuilder", "Loading data publisher configuration"},
        {"WARN", "org.apache.synapse.transport.passthru.SourceHandler", "Connection time out after request is read: http-incoming-42 Socket Timeout : 180000 Remote Address : /10.20.0.12:51522"},
        {"WARN", "org.wso2.carbon.apimgt.keymgt.service.APIKeyValidationService", "Invalid access token received for API /pizzashack/1.0.0"},
        {"INFO", "org.wso2.carbon.event.processor.manager.core.internal.CarbonEventManagementService", "Starting polling event receivers"},
        {"INFO", "org.wso2.carbon.identity.oauth2.OAuth2Service", "Token cleanup task completed, 14 tokens removed"},
    };

    private static final String[] REQUESTS = {
        "GET /carbon/admin/login.jsp HTTP/1.1", "POST /oauth2/token HTTP/1.1",
        "GET /api/am/devportal/v3/apis?limit=25 HTTP/1.1", "GET /pizzashack/1.0.0/menu HTTP/1.1",
        "POST /services/AuthenticationAdmin HTTP/1.1", "GET /publisher/services/settings/settings.json HTTP/1.1"};

    private final ProductStyle style;
    private final String[][] routine;

    CarbonLogFormat(ProductStyle style) {
        this.style = style;
        // Identity Server has no API gateway: leave API Manager's lines out of its logs.
        this.routine = style == ProductStyle.IS_7
                ? Arrays.stream(ROUTINE).filter(entry -> !entry[1].contains(".apimgt.")).toArray(String[][]::new)
                : ROUTINE;
    }

    /** One wso2carbon.log line (with its newline) in the product's pattern. */
    String line(LocalDateTime time, String level, String category, String message) {
        String head = "TID: [-1234] [] [" + CARBON_TIME.format(time) + "] " + padLevel(level)
                + " {" + category + "} - ";
        return style.usesLog4j2()
                ? head + message + "\n"
                : head + " " + message + " {" + category + "}\n";
    }

    private static String padLevel(String level) {
        return level.length() >= 5 ? level : " " + level;
    }

    /** The error case `index` (modulo their number): ERROR line plus stack trace. */
    String error(LocalDateTime time, int index) {
        ErrorCase error = ERRORS[Math.floorMod(index, ERRORS.length)];
        StringBuilder entry = new StringBuilder(line(time, "ERROR", error.category, error.message));
        entry.append(error.exception).append('\n');
        for (String frame : error.frames) {
            entry.append("\tat ").append(frame).append('\n');
        }
        for (String frame : WORKER_FRAMES) {
            entry.append("\tat ").append(frame).append('\n');
        }
        return entry.toString();
    }

    /** A routine INFO/WARN line, or now and then an ERROR with its trace. */
    String routine(LocalDateTime time, SplitMix64 random) {
        if (random.nextInt(12) == 0) {
            return error(time, random.nextInt(ERRORS.length));
        }
        String[] entry = random.pick(routine);
        return line(time, entry[0], entry[1], String.format(entry[2], CARBON_TIME.format(time)));
    }

    /**
     * The start-up banner Carbon logs between `start` (the JVM starting) and `end` (the
     * server ready), with the home, Java and OS values of `facts`.
     */
    String startup(LocalDateTime start, LocalDateTime end, StartupFacts facts) {
        String core = "org.wso2.carbon.core.internal.CarbonCoreActivator";
        String finalizer = "org.wso2.carbon.core.internal.StartupFinalizerServiceComponent";
        Duration took = Duration.between(start, end);
        return line(start, "INFO", core, "Starting WSO2 Carbon...")
                + line(start, "INFO", core, "Operating System : " + facts.operatingSystem)
                + line(start, "INFO", core, "Java Home        : " + facts.javaHome)
                + line(start, "INFO", core, "Java Version     : " + facts.javaVersion)
                + line(start, "INFO", core, "Java VM          : " + facts.javaVm)
                + line(start, "INFO", core, "Carbon Home      : " + facts.carbonHome)
                + line(start, "INFO", core, "Java Temp Dir    : " + facts.carbonHome + "/tmp")
                + line(start, "INFO", core, "User             : " + facts.user)
                + line(between(start, took, 0.3), "INFO", "org.wso2.carbon.user.core.internal.UserStoreMgtDSComponent",
                        "Carbon UserStoreMgtDSComponent activated successfully.")
                + line(between(start, took, 0.5), "INFO", "org.wso2.carbon.core.init.CarbonServerManager",
                        "Repository       : " + facts.carbonHome + "/repository/deployment/server/")
                + line(between(start, took, 0.8), "INFO", "org.wso2.carbon.core.transports.http.HttpsTransportListener",
                        "HTTPS port       : 9443")
                + line(between(start, took, 0.8), "INFO", "org.wso2.carbon.core.transports.http.HttpTransportListener",
                        "HTTP port        : 9763")
                + line(end, "INFO", finalizer, "Server           :  " + style.productName + "-" + style.version)
                + line(end, "INFO", finalizer, "WSO2 Carbon started in " + Math.max(1, took.getSeconds()) + " sec")
                + line(end, "INFO", "org.wso2.carbon.ui.internal.CarbonUIServiceComponent",
                        "Mgt Console URL  : https://localhost:9443/carbon/");
    }

    private static LocalDateTime between(LocalDateTime start, Duration took, double fraction) {
        return start.plusNanos((long) (took.toNanos() * fraction));
    }

    /** Tomcat's combined access log line. */
    static String accessLine(LocalDateTime time, SplitMix64 random) {
        int status = random.nextInt(10) == 0 ? 401 : 200;
        return "10.20.0." + (10 + random.nextInt(40)) + " - - [" + ACCESS_TIME.format(time) + " +0000] \""
                + random.pick(REQUESTS) + "\" " + status + " " + (200 + random.nextInt(9000))
                + " \"-\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\"\n";
    }

    static String auditLine(LocalDateTime time, SplitMix64 random) {
        String[] actions = {"Login", "Logout", "Add User", "Change Password by Administrator", "Update API"};
        return "[" + CARBON_TIME.format(time) + "]  INFO -  Initiator : admin | Action : " + random.pick(actions)
                + " | Target : user" + random.nextInt(50) + " | Data : null | Outcome : Success\n";
    }

    static String correlationLine(LocalDateTime time, SplitMix64 random) {
        return CARBON_TIME.format(time) + "|" + Long.toHexString(random.nextLong()) + "|http-nio-9443-exec-"
                + (1 + random.nextInt(25)) + "|HTTP-In-Request|" + (1 + random.nextInt(900))
                + "|GET|/api/am/devportal/v3/apis\n";
    }

    /** The values the start-up banner shows. */
    static final class StartupFacts {
        final String operatingSystem;
        final String javaHome;
        final String javaVersion;
        final String javaVm;
        final String carbonHome;
        final String user;

        StartupFacts(String operatingSystem, String javaHome, String javaVersion, String javaVm,
                     String carbonHome, String user) {
            this.operatingSystem = operatingSystem;
            this.javaHome = javaHome;
            this.javaVersion = javaVersion;
            this.javaVm = javaVm;
            this.carbonHome = carbonHome;
            this.user = user;
        }

        /** What this JVM really is, for the lines the running server logs. */
        static StartupFacts ofThisJvm(String carbonHome) {
            return new StartupFacts(
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + ", "
                            + System.getProperty("os.arch"),
                    System.getProperty("java.home"),
                    System.getProperty("java.version"),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + ","
                            + System.getProperty("java.vm.vendor"),
                    carbonHome,
                    System.getProperty("user.name") + ", " + Locale.getDefault().toLanguageTag() + ", "
                            + System.getProperty("user.timezone"));
        }
    }
}
