/*
 * The register of every canary secret planted in a generated home: its value, the file
 * it went into and how it is written there. The metadata file publishes the register,
 * and tests use it as their oracle (nothing starting with CDSECRET- may appear in a
 * bundle unmasked; no file holding CDKEYMATERIAL- may be copied at all).
 *
 * Values are "<prefix><label>-<nn>": labels say where the value lives, the sequence
 * number keeps every value distinct and never a prefix of another. Generators obtain
 * values through a FileScope bound to the file they are writing, so the recorded file
 * is always the real one.
 */
package org.carbondump.harness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

final class CanaryBook {
    static final String KIND_SECRET = "secret";
    static final String KIND_KEY_MATERIAL = "key-material";

    /** One planted value and where it is. */
    static final class Canary {
        final String value;
        final String file;
        final String kind;
        final String context;

        Canary(String value, String file, String kind, String context) {
            this.value = value;
            this.file = file;
            this.kind = kind;
            this.context = context;
        }
    }

    /** Hands out canaries for one file. */
    final class FileScope {
        private final String file;

        private FileScope(String file) {
            this.file = file;
        }

        /** A secret the collector must mask; `context` says how it is written. */
        String secret(String label, String context) {
            return add(secretPrefix(), label, file, KIND_SECRET, context);
        }

        /** Text inside key material, which the collector must never copy. */
        String keyMaterial(String label, String context) {
            return add(keyMaterialPrefix(), label, file, KIND_KEY_MATERIAL, context);
        }
    }

    private final List<Canary> canaries = new ArrayList<>();
    private final Set<String> labels = new HashSet<>();
    private final List<String> keyMaterialFiles = new ArrayList<>();

    FileScope forFile(String relativePath) {
        return new FileScope(relativePath);
    }

    void addKeyMaterialFile(String relativePath) {
        keyMaterialFiles.add(relativePath);
    }

    List<Canary> canaries() {
        return Collections.unmodifiableList(canaries);
    }

    List<String> keyMaterialFiles() {
        return Collections.unmodifiableList(keyMaterialFiles);
    }

    // The prefixes are assembled at run time instead of being string constants: a constant
    // would sit interned in the server's heap for good, and a heap dump grepped for
    // "CDSECRET-" should find nothing once generation's garbage is collected.
    private static String secretPrefix() {
        return joinWithDash("CDSECRET");
    }

    private static String keyMaterialPrefix() {
        return joinWithDash("CDKEYMATERIAL");
    }

    private static String joinWithDash(String word) {
        return new StringBuilder(word).append('-').toString();
    }

    // Labels are reduced to [A-Za-z0-9-] so a canary is one plain token wherever it lands.
    private String add(String prefix, String rawLabel, String file, String kind, String context) {
        String label = rawLabel.replaceAll("[^A-Za-z0-9-]", "-");
        if (!labels.add(label)) {
            throw new IllegalStateException("canary label used twice: " + label);
        }
        String value = String.format("%s%s-%02d", prefix, label, canaries.size() + 1);
        canaries.add(new Canary(value, file, kind, context));
        return value;
    }
}
