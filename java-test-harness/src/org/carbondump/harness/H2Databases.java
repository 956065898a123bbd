/*
 * The embedded H2 databases of a generated home, created by the real H2 engine so that
 * repository/database/*.mv.db files are genuine: a collector copies them, and support
 * engineers open them with H2's own tools.
 *
 * H2 is reached through java.sql.Driver only; the driver class is loaded by reflection
 * (from the jar named by $H2_JAR, else from the class path, else from Debian's
 * /usr/share/java/h2.jar), so the harness compiles without H2. Carbon 4.4 lists H2 1.3
 * files (*.h2.db), a format H2 2.x cannot write: those become *.mv.db files with the
 * same base names. The running server keeps every database open, as Carbon does.
 */
package org.carbondump.harness;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.IntFunction;

final class H2Databases {
    static final String DEFAULT_JAR = "/usr/share/java/h2.jar";
    private static final LocalDateTime CREATED = LocalDateTime.of(2019, 5, 23, 9, 30);
    private static final List<Connection> OPEN_CONNECTIONS = new ArrayList<>();

    /** One table: its DDL, an INSERT with placeholders, how many rows and what they hold. */
    private static final class Table {
        final String create;
        final String insert;
        final int rows;
        final IntFunction<Object[]> row;

        Table(String create, String insert, int rows, IntFunction<Object[]> row) {
            this.create = create;
            this.insert = insert;
            this.rows = rows;
            this.row = row;
        }
    }

    private final Driver driver;

    private H2Databases(Driver driver) {
        this.driver = driver;
    }

    /** Loads the H2 driver, or fails with what to install. */
    static H2Databases load() {
        String configuredJar = System.getenv("H2_JAR");
        if (configuredJar == null || configuredJar.isEmpty()) {
            Driver fromClassPath = driverFrom(H2Databases.class.getClassLoader());
            if (fromClassPath != null) {
                return new H2Databases(fromClassPath);
            }
        }
        Path jar = Paths.get(configuredJar == null || configuredJar.isEmpty() ? DEFAULT_JAR : configuredJar);
        if (!Files.isRegularFile(jar)) {
            throw new HarnessException("H2 database engine not found: " + jar + " does not exist"
                    + " (install the Debian package libh2-java, or set H2_JAR to an H2 2.x jar)");
        }
        try {
            URL[] urls = {jar.toUri().toURL()};
            ClassLoader loader = new URLClassLoader(urls, H2Databases.class.getClassLoader());
            Driver driver = driverFrom(loader);
            if (driver == null) {
                throw new HarnessException(jar + " holds no org.h2.Driver; set H2_JAR to an H2 2.x jar");
            }
            return new H2Databases(driver);
        } catch (MalformedURLException e) {
            throw new HarnessException("cannot use H2 jar " + jar, e);
        }
    }

    private static Driver driverFrom(ClassLoader loader) {
        try {
            return (Driver) Class.forName("org.h2.Driver", true, loader).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new HarnessException("cannot load the H2 driver", e);
        }
    }

    /** "repository/database/X.h2.db" or ".mv.db" -> the .mv.db file H2 2.x really creates. */
    static String dataFileFor(String relativePath) {
        return HomeContext.DATABASE_DIR + HomeContext.databaseName(relativePath) + ".mv.db";
    }

    /** Creates the database `name` at `base` (the path without .mv.db) with its tables and rows. */
    void create(Path base, String name) {
        try (Connection connection = connect(base); Statement statement = connection.createStatement()) {
            for (Table table : tablesFor(name)) {
                statement.execute(table.create);
                try (PreparedStatement insert = connection.prepareStatement(table.insert)) {
                    for (int i = 0; i < table.rows; i++) {
                        Object[] values = table.row.apply(i);
                        for (int column = 0; column < values.length; column++) {
                            insert.setObject(column + 1, values[column]);
                        }
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
        } catch (SQLException e) {
            throw new HarnessException("cannot create H2 database " + base + ".mv.db", e);
        }
    }

    /** Opens every database and keeps the connections for the life of the server. */
    void openAll(List<Path> bases) {
        for (Path base : bases) {
            try {
                OPEN_CONNECTIONS.add(connect(base));
            } catch (SQLException e) {
                throw new HarnessException("cannot open H2 database " + base + ".mv.db"
                        + " (is another server still running on this home?)", e);
            }
        }
    }

    private Connection connect(Path base) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", "wso2carbon");
        credentials.setProperty("password", "wso2carbon");
        // As in Carbon's own data source URLs. With H2's default (TRUE) its shutdown hook
        // waits seconds for the sessions the server keeps open, so a SIGTERM took 20 s.
        Connection connection = driver.connect("jdbc:h2:" + base.toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE",
                credentials);
        if (connection == null) {
            throw new SQLException("the H2 driver refused the URL for " + base);
        }
        return connection;
    }

    private static List<Table> tablesFor(String name) {
        switch (name) {
            case "WSO2CARBON_DB":
            case "WSO2SHARED_DB":
                return Arrays.asList(userTable(), roleTable(), registryPathTable());
            case "WSO2AM_DB":
                return Arrays.asList(apiTable(), applicationTable());
            case "WSO2IDENTITY_DB":
                return Arrays.asList(userTable(), oauthAppTable());
            case "WSO2MB_DB":
                return Arrays.asList(queueTable());
            case "WSO2METRICS_DB":
                return Arrays.asList(gaugeTable());
            default:
                return Arrays.asList(new Table("CREATE TABLE CD_PROPERTIES (NAME VARCHAR(255) PRIMARY KEY, VAL VARCHAR(1024))",
                        "INSERT INTO CD_PROPERTIES VALUES (?, ?)", 10, i -> new Object[] {"property." + i, "value-" + i}));
        }
    }

    private static Timestamp created(int i) {
        return Timestamp.valueOf(CREATED.plusMinutes(17L * i));
    }

    /** A hex string that looks like a salted hash; deliberately not a canary, as databases are copied. */
    private static String hexDigest(String... parts) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; hex.length() < 64; i++) {
            hex.append(String.format("%016x", StableHash.of(String.join("/", parts), Integer.toString(i))));
        }
        return hex.substring(0, 64);
    }

    private static Table userTable() {
        return new Table("CREATE TABLE UM_USER (UM_ID INTEGER PRIMARY KEY, UM_USER_ID VARCHAR(255), UM_USER_NAME VARCHAR(255),"
                + " UM_USER_PASSWORD VARCHAR(255), UM_SALT_VALUE VARCHAR(31), UM_REQUIRE_CHANGE BOOLEAN,"
                + " UM_CHANGED_TIME TIMESTAMP, UM_TENANT_ID INTEGER)",
                "INSERT INTO UM_USER VALUES (?, ?, ?, ?, ?, ?, ?, ?)", 25,
                i -> new Object[] {i + 1, hexDigest("user-id", "" + i).substring(0, 32),
                    i == 0 ? "admin" : "user" + i, hexDigest("user", "" + i), hexDigest("salt", "" + i).substring(0, 24),
                    false, created(i), -1234});
    }

    private static Table roleTable() {
        String[] roles = {"admin", "Internal/everyone", "Internal/creator", "Internal/publisher", "Internal/subscriber"};
        return new Table("CREATE TABLE UM_ROLE (UM_ID INTEGER PRIMARY KEY, UM_ROLE_NAME VARCHAR(255), UM_TENANT_ID INTEGER,"
                + " UM_SHARED_ROLE BOOLEAN)",
                "INSERT INTO UM_ROLE VALUES (?, ?, ?, ?)", roles.length,
                i -> new Object[] {i + 1, roles[i], -1234, false});
    }

    private static Table registryPathTable() {
        String[] paths = {"/", "/_system", "/_system/config", "/_system/governance", "/_system/local",
            "/_system/governance/apimgt", "/_system/config/repository", "/_system/governance/repository"};
        return new Table("CREATE TABLE REG_PATH (REG_PATH_ID INTEGER PRIMARY KEY, REG_PATH_VALUE VARCHAR(895),"
                + " REG_PATH_PARENT_ID INTEGER, REG_TENANT_ID INTEGER)",
                "INSERT INTO REG_PATH VALUES (?, ?, ?, ?)", paths.length,
                i -> new Object[] {i + 1, paths[i], i == 0 ? -1 : 1, -1234});
    }

    private static Table apiTable() {
        String[] names = {"PizzaShackAPI", "WeatherAPI", "OrdersAPI", "PaymentsAPI", "InventoryAPI", "CustomersAPI"};
        return new Table("CREATE TABLE AM_API (API_ID INTEGER PRIMARY KEY, API_UUID VARCHAR(256), API_PROVIDER VARCHAR(200),"
                + " API_NAME VARCHAR(200), API_VERSION VARCHAR(30), CONTEXT VARCHAR(256), API_TYPE VARCHAR(10),"
                + " STATUS VARCHAR(30), CREATED_TIME TIMESTAMP)",
                "INSERT INTO AM_API VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", names.length,
                i -> new Object[] {i + 1, hexDigest("api", names[i]).substring(0, 36), "admin", names[i], "1.0.0",
                    "/" + names[i].toLowerCase().replace("api", "") + "/1.0.0", "HTTP", "PUBLISHED", created(i)});
    }

    private static Table applicationTable() {
        return new Table("CREATE TABLE AM_APPLICATION (APPLICATION_ID INTEGER PRIMARY KEY, NAME VARCHAR(100),"
                + " SUBSCRIBER_ID INTEGER, APPLICATION_TIER VARCHAR(50), APPLICATION_STATUS VARCHAR(50), UUID VARCHAR(256))",
                "INSERT INTO AM_APPLICATION VALUES (?, ?, ?, ?, ?, ?)", 12,
                i -> new Object[] {i + 1, i == 0 ? "DefaultApplication" : "App" + i, 1 + i % 3, "Unlimited", "APPROVED",
                    hexDigest("application", "" + i).substring(0, 36)});
    }

    private static Table oauthAppTable() {
        return new Table("CREATE TABLE IDN_OAUTH_CONSUMER_APPS (ID INTEGER PRIMARY KEY, CONSUMER_KEY VARCHAR(255),"
                + " CONSUMER_SECRET VARCHAR(2048), USERNAME VARCHAR(255), TENANT_ID INTEGER, APP_NAME VARCHAR(255),"
                + " OAUTH_VERSION VARCHAR(128), CALLBACK_URL VARCHAR(2048), GRANT_TYPES VARCHAR(1024))",
                "INSERT INTO IDN_OAUTH_CONSUMER_APPS VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 8,
                i -> new Object[] {i + 1, hexDigest("consumer-key", "" + i).substring(0, 28),
                    hexDigest("consumer-secret", "" + i), "admin", -1234, i == 0 ? "CONSOLE" : "oauth-app-" + i,
                    "OAuth-2.0", "https://localhost:9443/console", "authorization_code refresh_token"});
    }

    private static Table queueTable() {
        return new Table("CREATE TABLE MB_QUEUE_MAPPING (QUEUE_ID INTEGER PRIMARY KEY, QUEUE_NAME VARCHAR(512))",
                "INSERT INTO MB_QUEUE_MAPPING VALUES (?, ?)", 6,
                i -> new Object[] {i + 1, i == 0 ? "DeadLetterChannel" : "carbon:throttleData" + i});
    }

    private static Table gaugeTable() {
        return new Table("CREATE TABLE METRIC_GAUGE (ID INTEGER PRIMARY KEY, SOURCE VARCHAR(255), TIMESTAMP BIGINT,"
                + " NAME VARCHAR(255), VAL VARCHAR(100))",
                "INSERT INTO METRIC_GAUGE VALUES (?, ?, ?, ?, ?)", 40,
                i -> new Object[] {i + 1, "localhost", 1558600000000L + i * 60000L,
                    "jvm.memory.heap.used", Long.toString(300_000_000L + i * 1_048_576L)});
    }
}
