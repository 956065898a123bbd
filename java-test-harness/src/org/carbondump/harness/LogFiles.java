/*
 * The historical logs of a generated home: every file the fixture list has under
 * repository/logs/ and updates/logs/, in the format its name implies (wso2carbon and
 * other Carbon logs, http_access, audit, correlation, patches.log, the update tool's log,
 * gzip-rotated logs, empty .lck files) and dated by its name where the name has a date.
 *
 * The wso2carbon logs carry canaries in lines a collector must mask ("password=" in a
 * debug message and in a JDBC URL) and always at least one ERROR with a stack trace.
 * Logs are generated line by line until they reach their target size.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

final class LogFiles {
    static final String CARBON_LOG = "repository/logs/wso2carbon.log";
    private static final Pattern ISO_DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
    private static final Pattern US_DATE = Pattern.compile("(\\d{2})-(\\d{2})-(\\d{4})");

    private final HomeWriter out;
    private final HomeContext home;
    private final CarbonLogFormat format;
    private final List<String> patchDirectories;

    LogFiles(HomeWriter out, HomeContext home, List<String> patchDirectories) {
        this.out = out;
        this.home = home;
        this.format = new CarbonLogFormat(home.style);
        this.patchDirectories = patchDirectories;
    }

    static boolean isLogFile(String relativePath) {
        return relativePath.startsWith("repository/logs/") || relativePath.startsWith("updates/logs/");
    }

    /** Writes the log at `relativePath`, about `targetBytes` long. */
    void write(String relativePath, long targetBytes) {
        String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        long seed = StableHash.of(home.style.cliName, relativePath);
        if (name.endsWith(".lck")) {
            out.bytes(relativePath, new byte[0]);
        } else if (name.endsWith(".gz")) {
            // Nobody can mask inside a compressed rotation, so these carry no canaries.
            writeGzip(relativePath, content(relativePath, targetBytes, seed, false));
        } else {
            out.text(relativePath, content(relativePath, targetBytes, seed, true));
        }
    }

    private String content(String relativePath, long targetBytes, long seed, boolean canariesAllowed) {
        String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        if (relativePath.startsWith("updates/logs/")) {
            return updateToolLog(dateOf(name));
        }
        if (name.startsWith("patches.log")) {
            return patchesLog(dateOf(name));
        }
        if (name.contains("http_access") || name.contains("audit") || name.startsWith("correlation")) {
            return lineLog(name, targetBytes, seed);
        }
        boolean withCanaries = canariesAllowed && name.startsWith("wso2carbon") && !name.contains("trace");
        return carbonLog(relativePath, targetBytes, seed, withCanaries);
    }

    /** Access, audit or correlation lines until the target size. */
    private String lineLog(String name, long targetBytes, long seed) {
        SplitMix64 random = new SplitMix64(seed);
        LocalDateTime time = dateOf(name).atTime(LocalTime.of(8, 0));
        StringBuilder log = new StringBuilder();
        while (log.length() < targetBytes) {
            time = time.plusSeconds(1 + random.nextInt(90)).plusNanos(random.nextInt(1000) * 1_000_000L);
            if (name.contains("http_access")) {
                log.append(CarbonLogFormat.accessLine(time, random));
            } else if (name.contains("audit")) {
                log.append(CarbonLogFormat.auditLine(time, random));
            } else {
                log.append(CarbonLogFormat.correlationLine(time, random));
            }
        }
        return log.toString();
    }

    /** A Carbon-pattern log: start-up banner, an ERROR with trace, canary lines if asked, routine lines. */
    private String carbonLog(String relativePath, long targetBytes, long seed, boolean withCanaries) {
        String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        SplitMix64 random = new SplitMix64(seed);
        LocalDateTime time = dateOf(name).atTime(LocalTime.of(8, 0, 0, 120_000_000));
        StringBuilder log = new StringBuilder(format.startup(time, time.plusSeconds(27), historicalFacts()));
        time = time.plusSeconds(30);
        log.append(format.error(time, random.nextInt(16)));
        if (withCanaries) {
            log.append(canaryLines(relativePath, time.plusSeconds(5)));
        }
        while (log.length() < targetBytes) {
            time = time.plusSeconds(1 + random.nextInt(120)).plusNanos(random.nextInt(1000) * 1_000_000L);
            log.append(format.routine(time, random));
        }
        return log.toString();
    }

    // "password=<value>" is the shape the collector's log rule masks; one appears in a
    // debug message, one inside a JDBC URL's query string.
    private String canaryLines(String relativePath, LocalDateTime time) {
        CanaryBook.FileScope secrets = home.book.forFile(relativePath);
        String label = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        String lines = format.line(time, "DEBUG", "org.wso2.carbon.identity.auth.service.handler.impl.BasicAuthenticationHandler",
                "Authenticating request: username=admin password="
                        + secrets.secret(label + "-debug-password", "log line password=VALUE"));
        if (relativePath.equals(CARBON_LOG)) {
            lines += format.line(time.plusSeconds(2), "ERROR", "org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader",
                    "Error in creating data source: jdbc:mysql://db.example.com:3306/apimgtdb?user=apimuser&password="
                            + secrets.secret(label + "-jdbc-url-password", "log line, JDBC URL query password=VALUE")
                            + "&useSSL=false");
        }
        return lines;
    }

    private CarbonLogFormat.StartupFacts historicalFacts() {
        return new CarbonLogFormat.StartupFacts("Linux 5.15.0-105-generic, amd64",
                "/usr/lib/jvm/java-11-openjdk-amd64", "11.0.23",
                "OpenJDK 64-Bit Server VM 11.0.23+9-post-Ubuntu-1ubuntu122.04.1,Ubuntu",
                "/opt/" + home.style.distributionName(), "wso2carbon, en-US, UTC");
    }

    private String patchesLog(LocalDate date) {
        LocalDateTime time = date.atTime(7, 59, 58);
        String category = "org.wso2.carbon.server.extensions.PatchInstaller";
        if (patchDirectories.isEmpty()) {
            return format.line(time, "INFO", category,
                    "No new patch or service pack detected, server will start without applying patches ");
        }
        StringBuilder log = new StringBuilder(format.line(time, "INFO", category, "Patch changes detected "));
        log.append(format.line(time, "INFO", category, "Backed up plugins to patch0000"));
        for (String patch : patchDirectories) {
            log.append(format.line(time, "INFO", category, "Patched " + patch + " to plugins"));
        }
        return log.append(format.line(time.plusSeconds(1), "INFO", category, "Patch verification started")).toString();
    }

    private String updateToolLog(LocalDate date) {
        StringBuilder log = new StringBuilder();
        LocalDateTime time = date.atTime(10, 12, 30);
        String[] messages = {
            "wso2update version 1.3.4", "Validating product " + home.style.distributionName(),
            "Fetching update level " + home.style.updateLevel,
            "Applying update level " + home.style.updateLevel + " to " + home.style.distributionName(),
            "Update level " + home.style.updateLevel + " applied successfully"};
        for (String message : messages) {
            time = time.plusSeconds(3);
            log.append(time.toLocalDate()).append(' ').append(time.toLocalTime())
                    .append(" INFO ").append(message).append('\n');
        }
        return log.toString();
    }

    /** The date in the file name (2019-05-23, 05-23-2019 or 23-05-2019), else the product's last run. */
    private LocalDate dateOf(String name) {
        Matcher iso = ISO_DATE.matcher(name);
        if (iso.find()) {
            return LocalDate.of(Integer.parseInt(iso.group(1)), Integer.parseInt(iso.group(2)),
                    Integer.parseInt(iso.group(3)));
        }
        Matcher us = US_DATE.matcher(name);
        if (us.find()) {
            int first = Integer.parseInt(us.group(1));
            int second = Integer.parseInt(us.group(2));
            // Log4j2 rotations use MM-dd-yyyy, the update tool dd-MM-yyyy.
            boolean dayFirst = first > 12;
            return LocalDate.of(Integer.parseInt(us.group(3)), dayFirst ? second : first, dayFirst ? first : second);
        }
        return home.style.lastRunDate;
    }

    private void writeGzip(String relativePath, String content) {
        try (OutputStream file = out.open(relativePath, content.length())) {
            if (!out.dryRun()) {
                try (GZIPOutputStream gzip = new GZIPOutputStream(file, HomeWriter.BUFFER_BYTES)) {
                    gzip.write(content.getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new HarnessException("cannot write " + out.resolve(relativePath), e);
        }
    }
}
