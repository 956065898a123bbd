/*
 * The one sink every generated file goes through: text, byte arrays or a stream, all
 * addressed by a path relative to CARBON_HOME. It creates parent directories, counts
 * files and bytes, and writes through 1 MiB buffers.
 *
 * In dry-run mode nothing reaches the disk. The generator runs in that mode on a home it
 * generated earlier, to rebuild the facts for the metadata file (which canary went
 * where) without paying for the writes; generators check dryRun() only to skip work
 * that is expensive on its own (key pairs, H2, large synthetic content).
 */
package org.carbondump.harness;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;

final class HomeWriter {
    static final int BUFFER_BYTES = 1 << 20;
    private static final int MIN_BUFFER_BYTES = 8 * 1024;

    private final Path home;
    private final boolean dryRun;
    private final Set<Path> createdDirectories = new HashSet<>();
    private long fileCount;
    private long byteCount;

    HomeWriter(Path home, boolean dryRun) {
        this.home = home;
        this.dryRun = dryRun;
    }

    boolean dryRun() {
        return dryRun;
    }

    Path home() {
        return home;
    }

    long fileCount() {
        return fileCount;
    }

    long byteCount() {
        return byteCount;
    }

    Path resolve(String relativePath) {
        return home.resolve(relativePath);
    }

    void text(String relativePath, String content) {
        bytes(relativePath, content.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(String relativePath, byte[] content) {
        try (OutputStream out = open(relativePath, 0)) {
            out.write(content);
        } catch (IOException e) {
            throw failure(relativePath, e);
        }
    }

    /**
     * Opens a new file for writing; the caller closes it. `sizeHint` (bytes, 0 if
     * unknown or written in one piece) sizes the buffer: a 1 MiB buffer per small file
     * would cost more than the file. A null sink in dry-run mode.
     */
    OutputStream open(String relativePath, long sizeHint) {
        fileCount++;
        if (dryRun) {
            return OutputStream.nullOutputStream();
        }
        try {
            Path file = resolve(relativePath);
            ensureDirectory(file.getParent());
            OutputStream stream = new CountingStream(Files.newOutputStream(file));
            if (sizeHint <= 0) {
                return stream;
            }
            return new BufferedOutputStream(stream, (int) Math.max(MIN_BUFFER_BYTES, Math.min(BUFFER_BYTES, sizeHint)));
        } catch (IOException e) {
            throw failure(relativePath, e);
        }
    }

    /** Marks a written file executable (rwxr-xr-x), as a distribution's scripts are. */
    void makeExecutable(String relativePath) {
        if (dryRun) {
            return;
        }
        try {
            Files.setPosixFilePermissions(resolve(relativePath), PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw failure(relativePath, e);
        }
    }

    /** Makes the parent directory of a file that someone else (H2) is about to create. */
    Path prepareExternal(String relativePath) {
        Path file = resolve(relativePath);
        if (!dryRun) {
            try {
                ensureDirectory(file.getParent());
            } catch (IOException e) {
                throw failure(relativePath, e);
            }
        }
        return file;
    }

    /** Counts a file created by someone else, e.g. the database H2 wrote. */
    void countExternal(String relativePath) {
        fileCount++;
        if (!dryRun) {
            try {
                byteCount += Files.size(resolve(relativePath));
            } catch (IOException e) {
                throw failure(relativePath, e);
            }
        }
    }

    private void ensureDirectory(Path directory) throws IOException {
        if (createdDirectories.add(directory)) {
            Files.createDirectories(directory);
        }
    }

    private HarnessException failure(String relativePath, Exception e) {
        return new HarnessException("cannot write " + resolve(relativePath), e);
    }

    /** Adds what passes through to the writer's byte count. */
    private final class CountingStream extends FilterOutputStream {
        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            byteCount++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            byteCount += len;
        }
    }
}
