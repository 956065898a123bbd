/*
 * Generates a CARBON_HOME from a product's fixture list, or describes one generated
 * earlier.
 *
 * Each listed path is routed by what it is: configuration files with secrets and the
 * product/version files get realistic text (XmlConfigFiles, TomlConfigFile,
 * PropertiesConfigFiles, ProductInfoFiles), key material becomes real keystores and PEM
 * (KeyMaterial), H2 data files real databases (H2Databases), logs real-looking logs
 * (LogFiles), patched plugins and patch directories follow the PatchPlan, and everything
 * else gets synthetic content of its kind (SyntheticContent). wso2carbon.pid is left to
 * the running server. The root password files and, for Carbon 4.4, the patch
 * directories are added although the lists do not have them.
 *
 * The tree is a function of style and scale (keystores and H2 internals aside), and at
 * full scale of the home's size when one is asked for: the synthetic files are then
 * resized together so that the home holds about that many bytes. When it is complete
 * the marker file .harness-generated is written; a home with the marker is
 * not generated again but described by a dry run, which rebuilds the same canary
 * register without writing.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;

final class CarbonHomeGenerator {
    static final String MARKER = ".harness-generated";
    private static final List<String> CORE_PREFIXES = Arrays.asList(
            "repository/conf/", "repository/logs/", "repository/database/", "bin/", "updates/");
    private static final int SMALL_SCALE_SAMPLE = 300;
    private static final long SMALL_LOG_BYTES = 2048;

    /** What the generator does with a listed path. */
    private enum Role { SKIP, TEXT, KEY_MATERIAL, DATABASE, DATABASE_SIDE_FILE, LOG, PATCHED_PLUGIN, SYNTHETIC }

    private final ProductStyle style;
    private final Scale scale;
    /** The size asked for at full scale, or 0 for the style's own. */
    private final long homeBytes;
    private final HomeWriter out;
    private final List<String> fixture;
    private final CanaryBook book = new CanaryBook();
    private final HomeContext context;
    private final PatchPlan patches;
    private final Map<String, Supplier<String>> texts = new LinkedHashMap<>();
    private final SyntheticContent synthetic;
    private final KeyMaterial keys;
    private final LogFiles logs;
    private final List<String> databaseFiles = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** The H2 engine; null in a dry run, which describes the home without writing. */
    private final H2Databases h2;
    private Map<String, Long> sizes = new HashMap<>();

    private CarbonHomeGenerator(Path home, ProductStyle style, Scale scale, long homeBytes, H2Databases h2) {
        this.style = style;
        this.scale = scale;
        this.homeBytes = homeBytes;
        this.h2 = h2;
        this.out = new HomeWriter(home, h2 == null);
        this.fixture = FixtureList.load(style);
        this.context = new HomeContext(style, book, fixture);
        this.patches = PatchPlan.choose(style, fixture);
        this.synthetic = new SyntheticContent(out);
        this.keys = new KeyMaterial(out, book);
        this.logs = new LogFiles(out, context,
                patches == null ? Collections.<String>emptyList() : PatchPlan.PATCH_DIRECTORIES);
        XmlConfigFiles.register(texts, context);
        TomlConfigFile.register(texts, context);
        PropertiesConfigFiles.register(texts, context);
        ProductInfoFiles.register(texts, context);
        StartScript.register(texts, context);
        texts.put(PatchPlan.PRE_PATCHED_DIR, () -> PatchPlan.prePatchedDirectory(patches));
        texts.put(PatchPlan.PRE_PATCHED_JARS, () -> PatchPlan.prePatchedJars(patches));
    }

    /**
     * Generates `home` unless it already carries the marker, and returns what it holds.
     * A null style or scale, or a homeBytes of 0, means "not given": the home's own, or
     * the defaults.
     */
    static GeneratedHome ensure(Path home, ProductStyle style, Scale scale, long homeBytes) {
        Path marker = home.resolve(MARKER);
        if (Files.isRegularFile(marker)) {
            return describeExisting(home, marker, style, scale, homeBytes);
        }
        requireEmptyOrAbsent(home);
        ProductStyle chosenStyle = style != null ? style : ProductStyle.CARBON_4X;
        Scale chosenScale = scale != null ? scale : Scale.SMALL;
        long start = System.nanoTime();
        // Loading H2 first fails before anything is written if it is missing.
        CarbonHomeGenerator generator =
                new CarbonHomeGenerator(home, chosenStyle, chosenScale, homeBytes, H2Databases.load());
        try {
            generator.run();
        } catch (HarnessException e) {
            throw new HarnessException(e.getMessage() + " (delete the partly generated " + home
                    + " before retrying)");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        writeMarker(marker, chosenStyle, chosenScale, homeBytes, generator.out.fileCount(),
                generator.out.byteCount());
        return generator.result(generator.out.fileCount(), generator.out.byteCount(), millis);
    }

    private static GeneratedHome describeExisting(Path home, Path marker, ProductStyle style, Scale scale,
                                                  long homeBytes) {
        Properties recorded = readMarker(marker);
        ProductStyle recordedStyle = ProductStyle.fromCliName(recorded.getProperty("style"));
        Scale recordedScale = Scale.fromCliName(recorded.getProperty("scale"));
        if (recordedStyle == null || recordedScale == null) {
            throw new HarnessException(marker + " is unreadable; delete " + home + " to generate it again");
        }
        if (style != null && style != recordedStyle) {
            throw new HarnessException(home + " was generated with --style " + recordedStyle.cliName
                    + "; run with that style or use a new home");
        }
        if (scale != null && scale != recordedScale) {
            throw new HarnessException(home + " was generated with --scale " + recordedScale.cliName
                    + "; run with that scale or use a new home");
        }
        long recordedHomeBytes = count(recorded, "home_bytes", marker);
        if (homeBytes != 0 && homeBytes != recordedHomeBytes) {
            throw new HarnessException(home + " was generated "
                    + (recordedHomeBytes == 0 ? "without --home-mb" : "with --home-mb " + recordedHomeBytes / 1_000_000)
                    + "; run with that or use a new home");
        }
        CarbonHomeGenerator generator = new CarbonHomeGenerator(home, recordedStyle, recordedScale, recordedHomeBytes,
                null);
        generator.run();
        return generator.result(count(recorded, "files", marker), count(recorded, "bytes", marker), -1);
    }

    private static long count(Properties recorded, String key, Path marker) {
        try {
            return Long.parseLong(recorded.getProperty(key, "0"));
        } catch (NumberFormatException e) {
            throw new HarnessException(marker + " has a bad " + key + " count; delete the home to generate it again");
        }
    }

    // Refusing a non-empty directory keeps a mistyped --home from scribbling into a real
    // installation or someone's work.
    private static void requireEmptyOrAbsent(Path home) {
        if (!Files.exists(home)) {
            return;
        }
        if (!Files.isDirectory(home)) {
            throw new HarnessException(home + " exists and is not a directory");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(home)) {
            if (entries.iterator().hasNext()) {
                throw new HarnessException(home + " is not empty and was not generated by the harness (no "
                        + MARKER + "); give an empty or new directory");
            }
        } catch (IOException e) {
            throw new HarnessException("cannot read " + home, e);
        }
    }

    private GeneratedHome result(long fileCount, long byteCount, long millis) {
        return new GeneratedHome(out.home(), style, scale, fileCount, byteCount, millis, book, databaseFiles,
                patches, notes);
    }

    private void run() {
        List<String> selected = select();
        sizes = sizes(selected);
        Background<Void> databases = startDatabases(selected);
        for (String path : selected) {
            writeFile(path);
        }
        for (String name : KeyMaterial.ROOT_PASSWORD_FILES) {
            keys.writePasswordFile(name);
        }
        if (patches != null) {
            patches.writePatches(synthetic, sizes, style);
        }
        finishDatabases(databases);
    }

    private Role roleOf(String path) {
        if (path.equals(PidFile.NAME)) {
            return Role.SKIP;
        }
        if (texts.containsKey(path)) {
            return Role.TEXT;
        }
        if (KeyMaterial.isKeyMaterial(path)) {
            return Role.KEY_MATERIAL;
        }
        if (HomeContext.databaseName(path) != null) {
            return Role.DATABASE;
        }
        if (path.startsWith(HomeContext.DATABASE_DIR)) {
            return Role.DATABASE_SIDE_FILE;
        }
        if (LogFiles.isLogFile(path)) {
            return Role.LOG;
        }
        if (patches != null && patches.ownsPlugin(path)) {
            return Role.PATCHED_PLUGIN;
        }
        return Role.SYNTHETIC;
    }

    /** Full scale: the whole list. Small: what a collector reads, plus a fixed sample. */
    private List<String> select() {
        if (scale == Scale.FULL) {
            return fixture;
        }
        List<String> others = new ArrayList<>();
        for (String path : fixture) {
            if (!isAlwaysGenerated(path)) {
                others.add(path);
            }
        }
        others.sort(Comparator.comparingLong((String path) -> StableHash.of(style.cliName, "sample", path))
                .thenComparing(path -> path));
        Set<String> sample = new HashSet<>(others.subList(0, Math.min(SMALL_SCALE_SAMPLE, others.size())));
        List<String> selected = new ArrayList<>();
        for (String path : fixture) {
            if (isAlwaysGenerated(path) || sample.contains(path)) {
                selected.add(path);
            }
        }
        return selected;
    }

    private boolean isAlwaysGenerated(String path) {
        if (path.indexOf('/') < 0 || roleOf(path) != Role.SYNTHETIC) {
            return true;
        }
        for (String prefix : CORE_PREFIXES) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Target sizes of logs and synthetic files; at full scale rescaled to the total asked for. */
    private Map<String, Long> sizes(List<String> selected) {
        Map<String, Long> result = new HashMap<>();
        double rawTotal = 0;
        long logTotal = 0;
        for (String path : selected) {
            Role role = roleOf(path);
            long seed = StableHash.of(style.cliName, "size", path);
            if (role == Role.LOG) {
                long size = scale == Scale.SMALL ? SMALL_LOG_BYTES : fullLogSize(seed);
                result.put(path, size);
                logTotal += size;
            } else if (role == Role.SYNTHETIC || role == Role.PATCHED_PLUGIN) {
                long size = scale == Scale.SMALL
                        ? SyntheticContent.smallSize(seed)
                        : SyntheticContent.rawFullSize(path, seed);
                result.put(path, size);
                rawTotal += size;
            }
        }
        if (scale == Scale.FULL && rawTotal > 0) {
            double factor = fullScaleFillerBytes(logTotal) / rawTotal;
            for (String path : selected) {
                Role role = roleOf(path);
                if (role == Role.SYNTHETIC || role == Role.PATCHED_PLUGIN) {
                    result.put(path, Math.max(16L, Math.round(result.get(path) * factor)));
                }
            }
        }
        return result;
    }

    /**
     * What the synthetic files add up to at full scale: the style's own total, or what a
     * home of homeBytes leaves beside the logs (the other files are a few hundred KB).
     */
    private double fullScaleFillerBytes(long logBytes) {
        if (homeBytes == 0) {
            return style.fullScaleFillerBytes;
        }
        if (homeBytes - logBytes < (1L << 20)) {
            throw new HarnessException("--home-mb " + homeBytes / 1_000_000 + " is too small: the logs of a "
                    + style.cliName + " home alone take " + (logBytes + 999_999) / 1_000_000 + " MB");
        }
        return homeBytes - logBytes;
    }

    private static long fullLogSize(long seed) {
        double size = 150_000 * Math.exp(new SplitMix64(seed).nextGaussian());
        return Math.max(SMALL_LOG_BYTES, Math.min(8L << 20, (long) size));
    }

    private void writeFile(String path) {
        switch (roleOf(path)) {
            case SKIP:
                return;
            case TEXT:
                out.text(path, texts.get(path).get());
                if (path.startsWith("bin/") && path.endsWith(".sh")) {
                    out.makeExecutable(path);
                }
                return;
            case KEY_MATERIAL:
                keys.write(path);
                return;
            case DATABASE:
                return; // created by startDatabases
            case DATABASE_SIDE_FILE:
                out.text(path, databaseSideFile(path));
                return;
            case LOG:
                logs.write(path, sizes.get(path));
                return;
            case PATCHED_PLUGIN:
                patches.writePlugin(synthetic, path, sizes.get(path), style);
                return;
            default:
                synthetic.write(path, sizes.get(path), StableHash.of(style.cliName, "content", path));
        }
    }

    /**
     * Creates the H2 databases on a thread of their own (H2's start-up costs most of a
     * second) while the main thread writes the rest. Only the main thread touches `out`,
     * so directories are prepared here and the files counted in finishDatabases.
     */
    private Background<Void> startDatabases(List<String> selected) {
        List<Path> bases = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String path : selected) {
            if (roleOf(path) != Role.DATABASE) {
                continue;
            }
            String dataFile = H2Databases.dataFileFor(path);
            if (!dataFile.equals(path)) {
                notes.add(path + " is an H2 1.3 file, which H2 2.x cannot write; " + dataFile + " was created instead");
            }
            databaseFiles.add(dataFile);
            Path file = out.prepareExternal(dataFile);
            String fileName = file.getFileName().toString();
            bases.add(file.resolveSibling(fileName.substring(0, fileName.length() - ".mv.db".length())));
            names.add(HomeContext.databaseName(path));
        }
        if (out.dryRun() || bases.isEmpty()) {
            return null;
        }
        return Background.start("cd-h2-setup", () -> {
            for (int i = 0; i < bases.size(); i++) {
                h2.create(bases.get(i), names.get(i));
            }
            return null;
        });
    }

    private void finishDatabases(Background<Void> databases) {
        if (databases != null) {
            databases.get();
        }
        for (String dataFile : databaseFiles) {
            out.countExternal(dataFile);
        }
    }

    /** H2 1.3 lock files and H2 trace files, as the engine leaves them behind. */
    private String databaseSideFile(String path) {
        if (path.endsWith(".lock.db")) {
            return new TextLines().add("#FileLock", "#Thu May 23 09:30:00 UTC 2019",
                    "id=16ad5b6f1c0a2b4e1f0ecb6d9cc3b5e51a7f9ed0c1e", "method=file").toString();
        }
        if (path.endsWith(".trace.db")) {
            return new TextLines().add(style.lastRunDate + " 09:30:12 jdbc[3]: exception",
                    "org.h2.jdbc.JdbcSQLSyntaxErrorException: Table \"IDN_OAUTH2_ACCESS_TOKEN_AUDIT\" not found;"
                            + " SQL statement:",
                    "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN_AUDIT [42102-214]",
                    "\tat org.h2.message.DbException.getJdbcSQLException(DbException.java:502)",
                    "\tat org.h2.message.DbException.getJdbcSQLException(DbException.java:477)",
                    "\tat org.h2.message.DbException.get(DbException.java:223)").toString();
        }
        return "";
    }

    private static Properties readMarker(Path marker) {
        Properties recorded = new Properties();
        try (Reader reader = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
            recorded.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new HarnessException("cannot read " + marker, e);
        }
        return recorded;
    }

    private static void writeMarker(Path marker, ProductStyle style, Scale scale, long homeBytes, long files,
                                    long bytes) {
        try (Writer writer = Files.newBufferedWriter(marker, StandardCharsets.UTF_8)) {
            writer.write("# Written by the carbondump test harness once generation finished.\n"
                    + "# Delete the home to generate it again.\n"
                    + "style=" + style.cliName + "\nscale=" + scale.cliName + "\n"
                    + "home_bytes=" + homeBytes + "\n"
                    + "files=" + files + "\nbytes=" + bytes + "\n");
        } catch (IOException e) {
            throw new HarnessException("cannot write " + marker, e);
        }
    }
}
