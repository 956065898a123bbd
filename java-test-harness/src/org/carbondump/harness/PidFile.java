/*
 * CARBON_HOME/wso2carbon.pid, written the way Carbon's launcher writes it: the pid's
 * decimal digits, a newline, then NUL bytes up to exactly 100 bytes. Collectors that
 * find the server through this file must cope with the padding. A shutdown hook removes
 * the file again, but only while it still names this process.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

final class PidFile {
    static final String NAME = "wso2carbon.pid";
    static final int SIZE_BYTES = 100;

    private PidFile() {
    }

    /** Writes the pid file of `pid` into `home` and arranges its removal at exit. */
    static Path write(Path home, long pid) {
        Path file = home.resolve(NAME);
        byte[] content = contentFor(pid);
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new HarnessException("cannot write the pid file " + file, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> removeIfOurs(file, content), "cd-pid-file-remover"));
        return file;
    }

    static byte[] contentFor(long pid) {
        byte[] digits = (pid + "\n").getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(digits, SIZE_BYTES);
    }

    private static void removeIfOurs(Path file, byte[] content) {
        try {
            if (Arrays.equals(Files.readAllBytes(file), content)) {
                Files.delete(file);
            }
        } catch (IOException e) {
            // Already gone or replaced by another server: either way not ours to remove.
        }
    }
}
