/*
 * Keeps repository/logs/wso2carbon.log growing like a live server's: the start-up
 * banner (with this JVM's real Java and OS details and start time) once the server is
 * up, then a line
 * every 15 seconds from cd-log-writer, every third one an ERROR with a stack trace.
 * Lines written at run time hold no canaries.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

final class LogAppender {
    private static final long INTERVAL_MILLIS = 15_000;

    private LogAppender() {
    }

    static void start(Path home, ProductStyle style) {
        Path log = home.resolve(LogFiles.CARBON_LOG);
        CarbonLogFormat format = new CarbonLogFormat(style);
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new HarnessException("cannot create " + log.getParent(), e);
        }
        LocalDateTime jvmStart = LocalDateTime.ofInstant(
                Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()), ZoneId.systemDefault());
        CarbonLogFormat.StartupFacts facts = CarbonLogFormat.StartupFacts.ofThisJvm(home.toString());
        append(log, format.startup(jvmStart, LocalDateTime.now(), facts));
        ThreadZoo.daemon("cd-log-writer", () -> appendForever(log, format)).start();
    }

    private static void appendForever(Path log, CarbonLogFormat format) {
        SplitMix64 random = new SplitMix64(System.nanoTime());
        for (int tick = 1; ThreadZoo.nap(INTERVAL_MILLIS); tick++) {
            LocalDateTime now = LocalDateTime.now();
            try {
                append(log, tick % 3 == 0 ? format.error(now, tick / 3) : format.routine(now, random));
            } catch (OutOfMemoryError e) {
                // The leak plant exhausted the heap; a real server would lose the line too.
            }
        }
    }

    private static void append(Path log, String text) {
        try {
            Files.write(log, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("DemoCarbonServer: cannot append to " + log + ": " + e.getMessage());
        }
    }
}
