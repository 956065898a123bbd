/*
 * Writes <home>.harness.json next to the home (never inside it, so a collector cannot
 * copy it into a bundle): the oracle tests compare a bundle with. It holds what the home
 * contains (GeneratedHome: product, canaries and their files, key material, databases,
 * patches) and, once the server runs, what the process is (pid, loopback port, plants,
 * threads and their expected jstack states). README.md documents the keys.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class HarnessMetadata {
    static final int SCHEMA_VERSION = 1;
    private static final String IDLE_THREAD_PREFIX = "cd-idle-";

    /** What the running server adds to the metadata. */
    static final class ServerFacts {
        final long pid;
        final Path pidFile;
        final int loopbackPort;
        final List<PlantRequest> plants;
        final List<ExpectedThread> threads;

        ServerFacts(long pid, Path pidFile, int loopbackPort, List<PlantRequest> plants, List<ExpectedThread> threads) {
            this.pid = pid;
            this.pidFile = pidFile;
            this.loopbackPort = loopbackPort;
            this.plants = plants;
            this.threads = threads;
        }
    }

    private HarnessMetadata() {
    }

    static Path fileFor(Path home) {
        return home.resolveSibling(home.getFileName() + ".harness.json");
    }

    /** Writes the metadata file; `server` is null for --generate-only. */
    static Path write(GeneratedHome home, ServerFacts server) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema_version", SCHEMA_VERSION);
        root.put("home", home.home.toString());
        root.put("style", home.style.cliName);
        root.put("scale", home.scale.cliName);
        root.put("fixture", home.style.fixtureFileName());
        root.put("product", product(home.style));
        root.put("files", files(home));
        root.put("canaries", canaries(home.canaries));
        root.put("key_material_files", home.keyMaterialFiles);
        root.put("databases", home.databaseFiles);
        root.put("patches", patches(home.patches));
        root.put("notes", home.notes);
        Map<String, Object> counted = new LinkedHashMap<>();
        counted.put("class", CountedThing.class.getName());
        counted.put("count", HeapResidents.COUNTED_THING_COUNT);
        root.put("counted_things", counted);
        root.put("heap_canaries", HeapResidents.heapCanaries());
        putServer(root, server);
        return writeAtomically(fileFor(home.home), Json.render(root));
    }

    private static Map<String, Object> product(ProductStyle style) {
        Map<String, Object> product = new LinkedHashMap<>();
        product.put("name", style.productName);
        product.put("server_key", style.serverKey);
        product.put("version", style.version);
        product.put("distribution", style.distributionName());
        product.put("kernel_version", style.kernelVersion);
        product.put("update_level", style.updateLevel < 0 ? null : style.updateLevel);
        product.put("config_format", style.usesDeploymentToml ? "deployment.toml" : "xml");
        product.put("keystore_type", style.keystoreType());
        return product;
    }

    private static Map<String, Object> files(GeneratedHome home) {
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("count", home.fileCount);
        files.put("bytes", home.byteCount);
        files.put("generation_ms", home.generationMillis < 0 ? null : home.generationMillis);
        return files;
    }

    private static List<Object> canaries(List<CanaryBook.Canary> canaries) {
        List<Object> list = new ArrayList<>();
        for (CanaryBook.Canary canary : canaries) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("value", canary.value);
            entry.put("file", canary.file);
            entry.put("kind", canary.kind);
            entry.put("context", canary.context);
            list.add(entry);
        }
        return list;
    }

    private static Map<String, Object> patches(PatchPlan plan) {
        if (plan == null) {
            return null;
        }
        Map<String, Object> patches = new LinkedHashMap<>();
        patches.put("plugins_dir", PatchPlan.PLUGINS_DIR.substring(0, PatchPlan.PLUGINS_DIR.length() - 1));
        patches.put("patch_dirs", plan.contents());
        patches.put("inconsistent_jar", plan.inconsistentJar());
        patches.put("inconsistent_patch_dir", plan.inconsistentPatchDirectory());
        return patches;
    }

    private static void putServer(Map<String, Object> root, ServerFacts server) {
        root.put("pid", server == null ? null : server.pid);
        root.put("pid_file", server == null ? null : server.pidFile.toString());
        root.put("loopback_port", server == null ? null : server.loopbackPort);
        List<Object> plants = new ArrayList<>();
        List<Object> threads = new ArrayList<>();
        int idleThreads = 0;
        if (server != null) {
            for (PlantRequest plant : server.plants) {
                plants.add(plant.toString());
            }
            for (ExpectedThread expected : server.threads) {
                if (expected.thread.getName().startsWith(IDLE_THREAD_PREFIX)) {
                    idleThreads++;
                    continue;
                }
                Map<String, Object> thread = new LinkedHashMap<>();
                thread.put("name", expected.thread.getName());
                thread.put("state", expected.jstackState);
                threads.add(thread);
            }
        }
        root.put("plants", plants);
        root.put("threads", threads);
        List<Object> groups = new ArrayList<>();
        if (idleThreads > 0) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("name_prefix", IDLE_THREAD_PREFIX);
            group.put("count", idleThreads);
            group.put("state", ExpectedThread.PARKED);
            groups.add(group);
        }
        root.put("thread_groups", groups);
    }

    private static Path writeAtomically(Path file, String json) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(temporary, json.getBytes(StandardCharsets.UTF_8));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HarnessException("cannot write " + file, e);
        }
        return file;
    }
}
