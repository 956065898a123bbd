/*
 * The command line of DemoCarbonServer, parsed into one immutable value.
 *
 * parse() is a pure function of the arguments and the carbon.home system property: it
 * never touches the file system and reports every mistake as a UsageException whose
 * message can be shown as is. Style and scale stay null when not given, so that a
 * restart on an already generated home can adopt the home's own.
 */
package org.carbondump.harness;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

final class ServerOptions {
    static final String USAGE = String.join("\n",
            "usage: java -cp CLASSES:/usr/share/java/h2.jar [-Dcarbon.home=HOME] \\",
            "           org.carbondump.harness.DemoCarbonServer [options]",
            "  --home DIR              CARBON_HOME to generate (when absent or empty) and run as;",
            "                          default: the carbon.home system property",
            "  --style 4.4|4.x|is7     product to impersonate: 4.4 = API Manager 2.6.0 (XML configs),",
            "                          4.x = API Manager 4.5.0 (deployment.toml), is7 = Identity",
            "                          Server 7.1.0 update level 8 (default 4.x)",
            "  --scale small|full      small: what a collector reads plus a sample, all a few KB;",
            "                          full: every listed file with synthetic sizes (default small)",
            "  --home-mb N             with --scale full: size the synthetic files so that the home",
            "                          holds about N MB (10^6 bytes); default: the product's own",
            "                          (4.x: ~480 MB)",
            "  --generate-only         generate the home, print GENERATED home=DIR and exit",
            "  --plant LIST            comma-separated: deadlock, jucdeadlock, contention, stuckholder,",
            "                          chain3, finalizer, leak, gcthrash, cpu, churn, oddnames,",
            "                          threads=N, fdleak=N, heap=N",
            "  --exit-on-stdin-eof     exit when standard input reaches end of file",
            "  -- ARG...               pass-through: the arguments after -- stay on the command line",
            "                          and are otherwise ignored (a real launcher's application",
            "                          arguments, e.g. --password VALUE)",
            "  -h, --help              show this text",
            "");

    final Path home;
    final ProductStyle style;
    final Scale scale;
    /** --home-mb in bytes, or 0 for the product's own size. */
    final long homeBytes;
    final boolean generateOnly;
    final boolean exitOnStdinEof;
    final List<PlantRequest> plants;

    private ServerOptions(Path home, ProductStyle style, Scale scale, long homeBytes, boolean generateOnly,
                          boolean exitOnStdinEof, List<PlantRequest> plants) {
        this.home = home;
        this.style = style;
        this.scale = scale;
        this.homeBytes = homeBytes;
        this.generateOnly = generateOnly;
        this.exitOnStdinEof = exitOnStdinEof;
        this.plants = Collections.unmodifiableList(plants);
    }

    static boolean wantsHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    /** Parses `args`; `carbonHomeProperty` (may be null) is the default for --home. */
    static ServerOptions parse(String[] args, String carbonHomeProperty) throws UsageException {
        String home = carbonHomeProperty;
        ProductStyle style = null;
        Scale scale = null;
        long homeBytes = 0;
        boolean generateOnly = false;
        boolean exitOnStdinEof = false;
        List<PlantRequest> plants = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break; // pass-through arguments: for whoever reads the command line
            }
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String inlineValue = eq < 0 ? null : arg.substring(eq + 1);
            switch (name) {
                case "--home":
                    home = inlineValue != null ? inlineValue : next(args, ++i, name);
                    break;
                case "--style":
                    style = parseStyle(inlineValue != null ? inlineValue : next(args, ++i, name));
                    break;
                case "--scale":
                    scale = parseScale(inlineValue != null ? inlineValue : next(args, ++i, name));
                    break;
                case "--home-mb":
                    homeBytes = parseHomeBytes(inlineValue != null ? inlineValue : next(args, ++i, name));
                    break;
                case "--plant":
                    plants.addAll(PlantRequest.parseList(
                            inlineValue != null ? inlineValue : next(args, ++i, name)));
                    break;
                case "--generate-only":
                    generateOnly = flag(name, inlineValue);
                    break;
                case "--exit-on-stdin-eof":
                    exitOnStdinEof = flag(name, inlineValue);
                    break;
                default:
                    throw new UsageException("unknown option '" + arg + "'");
            }
        }
        if (home == null || home.isEmpty()) {
            throw new UsageException("no CARBON_HOME: give --home DIR or -Dcarbon.home=DIR");
        }
        if (homeBytes > 0 && scale != Scale.FULL) {
            throw new UsageException("--home-mb needs --scale full");
        }
        return new ServerOptions(Paths.get(home), style, scale, homeBytes, generateOnly, exitOnStdinEof, plants);
    }

    boolean hasPlant(String plantName) {
        for (PlantRequest plant : plants) {
            if (plant.is(plantName)) {
                return true;
            }
        }
        return false;
    }

    private static String next(String[] args, int index, String option) throws UsageException {
        if (index >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[index];
    }

    private static boolean flag(String option, String inlineValue) throws UsageException {
        if (inlineValue != null) {
            throw new UsageException(option + " takes no value");
        }
        return true;
    }

    private static ProductStyle parseStyle(String value) throws UsageException {
        ProductStyle style = ProductStyle.fromCliName(value);
        if (style == null) {
            throw new UsageException("--style must be 4.4, 4.x or is7, got '" + value + "'");
        }
        return style;
    }

    // Whether the logs leave room for N MB is the generator's to say; past 100 GB it is a typo.
    private static long parseHomeBytes(String value) throws UsageException {
        long megabytes;
        try {
            megabytes = Long.parseLong(value);
        } catch (NumberFormatException e) {
            megabytes = -1;
        }
        if (megabytes < 1 || megabytes > 100_000) {
            throw new UsageException("--home-mb must be a number of MB from 1 to 100000, got '" + value + "'");
        }
        return megabytes * 1_000_000;
    }

    private static Scale parseScale(String value) throws UsageException {
        Scale scale = Scale.fromCliName(value);
        if (scale == null) {
            throw new UsageException("--scale must be small or full, got '" + value + "'");
        }
        return scale;
    }
}
