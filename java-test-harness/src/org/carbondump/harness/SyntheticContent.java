/*
 * Contents and sizes for the files whose contents do not matter to a collector (jars,
 * web app assets, scripts, docs...): they only have to look like what they stand for
 * and weigh what their kind weighs in a real distribution.
 *
 * - Kind follows the extension: archives (jar, war, car, zip) are real ZIP files with an
 *   OSGi manifest; XML, properties and JSON files are well-formed; other text files are
 *   lines of words; binaries start with their format's magic bytes.
 * - Size: a few KB at small scale; at full scale a log-normal draw around a median per
 *   kind, which the generator then rescales so the tree reaches its target total.
 * - Everything is drawn from SplitMix64 seeded by the caller, so a path always gets the
 *   same bytes. ZIP entries carry a fixed timestamp for the same reason.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

final class SyntheticContent {
    enum Kind { ARCHIVE, XML, PROPERTIES, JSON, TEXT, BINARY }

    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2019, 3, 4, 10, 20, 30);
    private static final long MAX_FULL_SIZE = 64L << 20;
    private static final String[] WORDS = {
        "carbon", "axis2", "synapse", "tenant", "registry", "deployment", "service", "handler",
        "gateway", "throttle", "policy", "resource", "endpoint", "context", "subscriber", "api",
        "application", "token", "scope", "claim", "realm", "user", "role", "permission", "cache",
        "cluster", "member", "transport", "listener", "sender", "message", "mediator", "sequence",
        "proxy", "inbound", "outbound", "analytics", "publisher", "receiver", "event", "stream",
        "datasource", "connection", "pool", "timeout", "retry", "header", "payload", "json", "xml",
        "schema", "validation", "config", "bundle", "activator", "component", "reference",
        "manager", "factory", "builder", "provider", "adapter", "executor", "worker", "thread",
        "queue", "topic", "broker", "consumer", "producer", "session", "cookie", "request",
        "response", "status", "error", "warning", "info", "debug", "trace", "metrics", "latency",
        "version", "revision", "artifact", "template", "theme", "portal", "console", "admin",
        "devportal", "publisher", "store", "keymanager", "oauth2", "openid", "saml2", "jwt",
        "certificate", "alias", "tls", "https", "http", "port", "host", "offset", "local"};
    private static final byte[][] MAGIC = {
        {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 0x34},
        {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
        {0x1f, (byte) 0x8b, 8, 0},
        {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0},
        {'G', 'I', 'F', '8', '9', 'a'},
        {'w', 'O', 'F', 'F'},
        {'w', 'O', 'F', '2'},
        {0, 1, 0, 0},
        {'M', 'Z'},
    };
    private static final String[] MAGIC_EXTENSIONS = {"class", "png", "gz", "jpg", "gif", "woff", "woff2", "ttf", "exe"};

    private final HomeWriter out;
    private final byte[] buffer = new byte[HomeWriter.BUFFER_BYTES];

    SyntheticContent(HomeWriter out) {
        this.out = out;
    }

    static String extension(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase();
    }

    static Kind kindOf(String path) {
        switch (extension(path)) {
            case "jar": case "war": case "car": case "zip": case "aar": case "mar":
                return Kind.ARCHIVE;
            case "xml": case "xsd": case "wsdl": case "xsl": case "xslt": case "svg": case "rxt":
                return Kind.XML;
            case "properties": case "inf": case "ini": case "cfg":
                return Kind.PROPERTIES;
            case "json": case "map":
                return Kind.JSON;
            case "class": case "png": case "jpg": case "jpeg": case "gif": case "ico": case "woff":
            case "woff2": case "ttf": case "eot": case "otf": case "gz": case "br": case "exe":
            case "so": case "dll": case "dylib": case "crt": case "der": case "pdf": case "swf":
                return Kind.BINARY;
            default:
                return Kind.TEXT;
        }
    }

    /** Small scale: 1 to 6 KB, fixed per path. */
    static long smallSize(long seed) {
        return 1024 + Math.floorMod(seed, 5 * 1024);
    }

    /** Full scale, before rescaling: a log-normal draw around the median of the path's kind. */
    static long rawFullSize(String path, long seed) {
        double median;
        double sigma;
        switch (extension(path)) {
            case "jar": median = 120_000; sigma = 1.3; break;
            case "war": median = 3_000_000; sigma = 1.0; break;
            case "car": case "zip": median = 400_000; sigma = 1.0; break;
            case "class": median = 3_000; sigma = 1.0; break;
            case "png": case "jpg": case "jpeg": case "gif": median = 6_000; sigma = 1.2; break;
            case "woff": case "woff2": case "ttf": case "eot": case "otf": median = 60_000; sigma = 0.6; break;
            case "js": case "jsx": case "ts": case "tsx": median = 6_000; sigma = 1.3; break;
            case "css": median = 8_000; sigma = 1.2; break;
            case "svg": median = 2_500; sigma = 1.0; break;
            case "sql": median = 5_000; sigma = 1.0; break;
            default: median = 2_500; sigma = 1.3; break;
        }
        double size = median * Math.exp(sigma * new SplitMix64(seed).nextGaussian());
        return Math.max(64, Math.min(MAX_FULL_SIZE, (long) size));
    }

    /** Writes `path` with about `size` bytes of content of its kind. */
    void write(String path, long size, long seed) {
        Kind kind = kindOf(path);
        if (kind == Kind.ARCHIVE) {
            writeArchive(path, size, seed);
        } else if (kind == Kind.BINARY) {
            writeBinary(path, size, seed);
        } else if (out.dryRun()) {
            out.bytes(path, new byte[0]);
        } else {
            out.text(path, text(kind, size, new SplitMix64(seed)));
        }
    }

    /** A jar-like ZIP: OSGi manifest named after the file, then one class-like entry. */
    void writeArchive(String path, long size, long seed) {
        try (OutputStream file = out.open(path, size)) {
            if (!out.dryRun()) {
                writeZip(file, path.substring(path.lastIndexOf('/') + 1), size, seed);
            }
        } catch (IOException e) {
            throw new HarnessException("cannot write " + out.resolve(path), e);
        }
    }

    private void writeZip(OutputStream file, String fileName, long size, long seed) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(file)) {
            byte[] manifest = manifest(fileName).getBytes(StandardCharsets.UTF_8);
            putEntry(zip, "META-INF/MANIFEST.MF");
            zip.write(manifest);
            zip.closeEntry();
            // The body is random, so compressing it would only cost time; jars are mostly
            // compressed classes, which look the same to a checksum or a zip tool.
            zip.setLevel(Deflater.NO_COMPRESSION);
            putEntry(zip, bundleName(fileName).replace('.', '/') + "/internal/Activator.class");
            writeRandom(zip, Math.max(64, size - manifest.length - 400), seed, MAGIC[0]);
            zip.closeEntry();
        }
    }

    private void writeBinary(String path, long size, long seed) {
        try (OutputStream file = out.open(path, size)) {
            if (!out.dryRun()) {
                writeRandom(file, size, seed, magicFor(path));
            }
        } catch (IOException e) {
            throw new HarnessException("cannot write " + out.resolve(path), e);
        }
    }

    private static byte[] magicFor(String path) {
        String extension = extension(path);
        for (int i = 0; i < MAGIC_EXTENSIONS.length; i++) {
            if (MAGIC_EXTENSIONS[i].equals(extension)) {
                return MAGIC[i];
            }
        }
        return new byte[0];
    }

    private void writeRandom(OutputStream stream, long size, long seed, byte[] magic) throws IOException {
        SplitMix64 random = new SplitMix64(seed);
        long remaining = size;
        boolean first = true;
        while (remaining > 0) {
            int chunk = (int) Math.min(buffer.length, remaining);
            random.fill(buffer, chunk);
            if (first) {
                System.arraycopy(magic, 0, buffer, 0, Math.min(magic.length, chunk));
                first = false;
            }
            stream.write(buffer, 0, chunk);
            remaining -= chunk;
        }
    }

    private static void putEntry(ZipOutputStream zip, String name) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(ENTRY_TIME);
        zip.putNextEntry(entry);
    }

    /** "org.wso2.carbon.core_4.4.35.jar" -> "org.wso2.carbon.core"; "tcpmon-1.0.jar" -> "tcpmon". */
    static String bundleName(String fileName) {
        String base = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
        int underscore = base.lastIndexOf('_');
        if (underscore > 0) {
            return base.substring(0, underscore);
        }
        int dash = base.lastIndexOf('-');
        if (dash > 0 && dash + 1 < base.length() && Character.isDigit(base.charAt(dash + 1))) {
            return base.substring(0, dash);
        }
        return base;
    }

    private static String bundleVersion(String fileName) {
        String base = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
        String name = bundleName(fileName);
        return name.length() + 1 < base.length() ? base.substring(name.length() + 1) : "1.0.0";
    }

    private static String manifest(String fileName) {
        return new TextLines().add("Manifest-Version: 1.0",
                "Bundle-ManifestVersion: 2",
                "Bundle-Name: " + bundleName(fileName),
                "Bundle-SymbolicName: " + bundleName(fileName),
                "Bundle-Version: " + bundleVersion(fileName),
                "Bundle-Vendor: WSO2 Inc",
                "Created-By: Apache Maven Bundle Plugin",
                "Build-Jdk: 1.8.0_202",
                "").toString().replace("\n", "\r\n");
    }

    /** Text of the given kind, ending at the first line boundary past `size` bytes. */
    static String text(Kind kind, long size, SplitMix64 random) {
        String[] lines = LinePool.of(kind);
        StringBuilder text = new StringBuilder((int) Math.min(size + 256, Integer.MAX_VALUE - 16));
        switch (kind) {
            case XML:
                text.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Configuration>\n");
                appendLines(text, lines, size, random);
                return text.append("</Configuration>\n").toString();
            case JSON:
                text.append("{\n  \"name\": \"").append(random.pick(WORDS)).append("\",\n");
                appendLines(text, lines, size, random);
                return text.append("  \"end\": true\n}\n").toString();
            default:
                appendLines(text, lines, size, random);
                return text.toString();
        }
    }

    private static void appendLines(StringBuilder text, String[] lines, long size, SplitMix64 random) {
        while (text.length() < size) {
            text.append(random.pick(lines));
        }
    }

    /**
     * Pools of ready-made lines per kind, built once from a fixed seed. Files are drawn
     * from the pools line by line: generating every word of every file anew made small
     * homes slow to create while the JIT was still cold.
     */
    private static final class LinePool {
        private static final int LINES_PER_KIND = 512;
        private static final String[][] POOLS = new String[Kind.values().length][];

        static synchronized String[] of(Kind kind) {
            if (POOLS[kind.ordinal()] == null) {
                SplitMix64 random = new SplitMix64(StableHash.of("line-pool", kind.name()));
                String[] lines = new String[LINES_PER_KIND];
                for (int i = 0; i < lines.length; i++) {
                    lines[i] = line(kind, random);
                }
                POOLS[kind.ordinal()] = lines;
            }
            return POOLS[kind.ordinal()];
        }

        private static String line(Kind kind, SplitMix64 random) {
            switch (kind) {
                case XML:
                    return "    <Property name=\"" + words(random, 2, '.') + "\">"
                            + words(random, 1 + random.nextInt(3), ' ') + "</Property>\n";
                case PROPERTIES:
                    return words(random, 3, '.') + '=' + words(random, 2, ' ') + '\n';
                case JSON:
                    return "  \"" + words(random, 2, '_') + "\": \"" + words(random, 3, ' ') + "\",\n";
                default:
                    return words(random, 4 + random.nextInt(10), ' ') + '\n';
            }
        }
    }

    private static String words(SplitMix64 random, int count, char separator) {
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                words.append(separator);
            }
            words.append(random.pick(WORDS));
        }
        return words.toString();
    }
}
