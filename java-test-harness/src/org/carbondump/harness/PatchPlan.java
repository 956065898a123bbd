/*
 * WUM-era patches of a Carbon 4.4 home: repository/components/patches/patch0001..0003,
 * each holding jars that also sit in repository/components/plugins/, plus the
 * .metadata files that record which jars were patched.
 *
 * Carbon copies the newest patch copy of each jar over plugins/ at start-up, so in a
 * healthy home the two are byte-identical. One jar is planted inconsistent: its newest
 * copy (in patch0003) differs from the one in plugins/, as happens when someone drops a
 * jar into plugins/ by hand. The metadata file names it so tests can expect the finding.
 *
 * Jars are identified by content revision: revision r of jar J is the synthetic archive
 * seeded by (J, r), so "same revision" means "same bytes". Products without WUM patches
 * get empty .metadata files, as an unpatched home has.
 */
package org.carbondump.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class PatchPlan {
    static final String PATCHES_DIR = "repository/components/patches/";
    static final String PLUGINS_DIR = "repository/components/plugins/";
    static final String PRE_PATCHED_DIR = PATCHES_DIR + ".metadata/prePatchedDir.txt";
    static final String PRE_PATCHED_JARS = PATCHES_DIR + ".metadata/prePatchedJARs.txt";
    static final List<String> PATCH_DIRECTORIES = Arrays.asList("patch0001", "patch0002", "patch0003");
    private static final String PLANTED_DIRECTORY = "patch0003";

    /** patch directory -> (jar name -> content revision), in patch order. */
    private final Map<String, Map<String, Integer>> patches = new LinkedHashMap<>();
    /** jar name -> revision of the copy in plugins/. */
    private final Map<String, Integer> pluginRevisions = new LinkedHashMap<>();
    private final String inconsistentJar;

    private PatchPlan(List<String> jars) {
        String first = jars.get(0);
        String second = jars.get(1);
        String third = jars.get(2);
        inconsistentJar = jars.get(3);
        patches.put("patch0001", revisions(first, 1, second, 1));
        patches.put("patch0002", revisions(third, 2, first, 2));
        patches.put(PLANTED_DIRECTORY, revisions(inconsistentJar, 3, second, 3));
        pluginRevisions.put(first, 2);
        pluginRevisions.put(second, 3);
        pluginRevisions.put(third, 2);
        pluginRevisions.put(inconsistentJar, 0);
    }

    /** The plan for a home, or null for a product that is not patched the WUM way. */
    static PatchPlan choose(ProductStyle style, List<String> fixture) {
        if (!style.usesWumPatches()) {
            return null;
        }
        List<String> candidates = new ArrayList<>();
        for (String path : fixture) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (path.equals(PLUGINS_DIR + name) && name.startsWith("org.wso2.carbon.") && name.endsWith(".jar")) {
                candidates.add(name);
            }
        }
        if (candidates.size() < 4) {
            throw new HarnessException("fixture list has too few org.wso2.carbon plugins to plant patches");
        }
        // Deterministic but spread over the list, not just its alphabetical head.
        candidates.sort(Comparator.comparingLong((String name) -> StableHash.of("patch", name))
                .thenComparing(name -> name));
        return new PatchPlan(candidates.subList(0, 4));
    }

    private static Map<String, Integer> revisions(String jarA, int revisionA, String jarB, int revisionB) {
        Map<String, Integer> jars = new LinkedHashMap<>();
        jars.put(jarA, revisionA);
        jars.put(jarB, revisionB);
        return jars;
    }

    /** True for the plugins/ jars this plan writes with patch-aware content. */
    boolean ownsPlugin(String relativePath) {
        return relativePath.startsWith(PLUGINS_DIR)
                && pluginRevisions.containsKey(relativePath.substring(PLUGINS_DIR.length()));
    }

    List<String> pluginPaths() {
        List<String> paths = new ArrayList<>();
        for (String jar : pluginRevisions.keySet()) {
            paths.add(PLUGINS_DIR + jar);
        }
        return paths;
    }

    /** Writes the plugins/ copy of a patched jar (at `relativePath`) at its revision. */
    void writePlugin(SyntheticContent content, String relativePath, long size, ProductStyle style) {
        String jar = relativePath.substring(PLUGINS_DIR.length());
        content.writeArchive(relativePath, size, seed(style, jar, pluginRevisions.get(jar)));
    }

    /** Writes every patchNNNN directory; `sizes` gives each jar's size by its plugins/ path. */
    void writePatches(SyntheticContent content, Map<String, Long> sizes, ProductStyle style) {
        for (Map.Entry<String, Map<String, Integer>> patch : patches.entrySet()) {
            for (Map.Entry<String, Integer> jar : patch.getValue().entrySet()) {
                content.writeArchive(PATCHES_DIR + patch.getKey() + "/" + jar.getKey(),
                        sizes.get(PLUGINS_DIR + jar.getKey()), seed(style, jar.getKey(), jar.getValue()));
            }
        }
    }

    private static long seed(ProductStyle style, String jar, int revision) {
        return StableHash.of(style.cliName, "patched-jar", jar, Integer.toString(revision));
    }

    /** The .metadata files: which plugins directory was patched and which jars. */
    static String prePatchedDirectory(PatchPlan plan) {
        return plan == null ? "" : PLUGINS_DIR + "\n";
    }

    static String prePatchedJars(PatchPlan plan) {
        if (plan == null) {
            return "";
        }
        StringBuilder jars = new StringBuilder();
        for (String jar : plan.pluginRevisions.keySet()) {
            jars.append(jar).append('\n');
        }
        return jars.toString();
    }

    String inconsistentJar() {
        return inconsistentJar;
    }

    String inconsistentPatchDirectory() {
        return PATCHES_DIR + PLANTED_DIRECTORY;
    }

    /** patch directory -> its jar names, for the metadata file. */
    Map<String, List<String>> contents() {
        Map<String, List<String>> contents = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Integer>> patch : patches.entrySet()) {
            contents.put(PATCHES_DIR + patch.getKey(), new ArrayList<>(patch.getValue().keySet()));
        }
        return Collections.unmodifiableMap(contents);
    }
}
