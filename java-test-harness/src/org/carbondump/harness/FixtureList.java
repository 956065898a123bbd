/*
 * Finds and reads the fixture lists: the real file lists of three WSO2 distributions
 * (java-test-harness/fixtures/*.files.txt), one relative path per line.
 *
 * build.sh copies them next to the compiled classes (OUTDIR/fixtures beside
 * OUTDIR/classes), which is where they are looked for unless the system property
 * harness.fixtures or the environment variable HARNESS_FIXTURES names the directory.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

final class FixtureList {
    private FixtureList() {
    }

    /** Returns the paths listed for `style`, in file order, validated as relative paths. */
    static List<String> load(ProductStyle style) {
        Path file = directory().resolve(style.fixtureFileName());
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HarnessException("cannot read fixture list " + file
                    + " (run java-test-harness/build.sh, or set HARNESS_FIXTURES)", e);
        }
        List<String> paths = new ArrayList<>(lines.size());
        for (String line : lines) {
            String path = line.trim();
            if (path.isEmpty() || path.startsWith("#")) {
                continue;
            }
            checkRelative(file, path);
            paths.add(path);
        }
        return paths;
    }

    private static Path directory() {
        String configured = System.getProperty("harness.fixtures");
        if (configured == null || configured.isEmpty()) {
            configured = System.getenv("HARNESS_FIXTURES");
        }
        if (configured != null && !configured.isEmpty()) {
            return Paths.get(configured);
        }
        return besideClasses();
    }

    /** OUTDIR/fixtures for classes in OUTDIR/classes (or in a jar in OUTDIR). */
    private static Path besideClasses() {
        try {
            Path classes = Paths.get(FixtureList.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            return classes.toAbsolutePath().getParent().resolve("fixtures");
        } catch (URISyntaxException | RuntimeException e) {
            throw new HarnessException("cannot locate the fixture lists; set HARNESS_FIXTURES", e);
        }
    }

    // A fixture line is data, not trusted: a ".." or absolute path would write outside HOME.
    private static void checkRelative(Path file, String path) {
        Path parsed = Paths.get(path);
        if (parsed.isAbsolute() || parsed.normalize().startsWith("..") || path.contains("/../")) {
            throw new HarnessException("fixture list " + file + " has a path outside the home: " + path);
        }
    }
}
