/*
 * One item of --plant: a plant name and, for the counted plants (threads=N, fdleak=N,
 * heap=N), how many. parseList() checks names and counts up front, so that a typo fails
 * at start-up with the list of valid names instead of silently planting nothing.
 */
package org.carbondump.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

final class PlantRequest {
    static final List<String> SIMPLE_PLANTS = Arrays.asList(
            "deadlock", "jucdeadlock", "contention", "stuckholder", "chain3", "finalizer", "leak",
            "gcthrash", "cpu", "churn", "oddnames");
    static final List<String> COUNTED_PLANTS = Arrays.asList("threads", "fdleak", "heap");

    final String name;
    /** The N of name=N; 0 for plants that take no count. */
    final int count;

    private PlantRequest(String name, int count) {
        this.name = name;
        this.count = count;
    }

    /** Parses "a,b,threads=10"; a plant named twice is planted once (the last count wins). */
    static List<PlantRequest> parseList(String list) throws UsageException {
        List<PlantRequest> plants = new ArrayList<>();
        for (String item : list.split(",", -1)) {
            PlantRequest plant = parseItem(item.trim());
            plants.removeIf(existing -> existing.name.equals(plant.name));
            plants.add(plant);
        }
        return plants;
    }

    private static PlantRequest parseItem(String item) throws UsageException {
        int eq = item.indexOf('=');
        String name = eq < 0 ? item : item.substring(0, eq);
        if (SIMPLE_PLANTS.contains(name)) {
            if (eq >= 0) {
                throw new UsageException("--plant " + name + " takes no count (got '" + item + "')");
            }
            return new PlantRequest(name, 0);
        }
        if (COUNTED_PLANTS.contains(name)) {
            if (eq < 0) {
                throw new UsageException("--plant " + name + " needs a count, e.g. " + name + "=100");
            }
            return new PlantRequest(name, parseCount(name, item.substring(eq + 1)));
        }
        throw new UsageException("unknown plant '" + item + "'; valid: "
                + String.join(", ", SIMPLE_PLANTS) + ", threads=N, fdleak=N, heap=N");
    }

    private static int parseCount(String name, String text) throws UsageException {
        try {
            int count = Integer.parseInt(text);
            if (count > 0) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new UsageException("--plant " + name + "=N needs a positive integer, got '" + text + "'");
    }

    boolean is(String plantName) {
        return name.equals(plantName);
    }

    /** The spelling used on the command line and in the metadata file. */
    @Override
    public String toString() {
        return count == 0 ? name : name + "=" + count;
    }
}
