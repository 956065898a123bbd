/*
 * How much of a fixture list the generator materialises. SMALL creates everything a
 * collector reads (configuration, logs, databases, bin/, updates/, key material) plus a
 * deterministic sample of the rest, all a few KB, so that tests start in about a second.
 * FULL creates every listed path with synthetic sizes, for benchmarks.
 */
package org.carbondump.harness;

enum Scale {
    SMALL("small"),
    FULL("full");

    final String cliName;

    Scale(String cliName) {
        this.cliName = cliName;
    }

    /** Returns the scale spelled `name` on the command line, or null if there is none. */
    static Scale fromCliName(String name) {
        for (Scale scale : values()) {
            if (scale.cliName.equals(name)) {
                return scale;
            }
        }
        return null;
    }
}
