/*
 * The product's start script (bin/wso2server.sh, or bin/api-manager.sh for API Manager
 * 4.x), shaped like the scripts WSO2 ships so that tools editing it (carbondump
 * install-agent) meet what they meet on a real host: the header naming JAVA_OPTS, the
 * command loop where --debug replaces JAVA_OPTS, the "Execute The Requested Command"
 * section, and a java command in a restart loop that passes $JAVA_OPTS among many
 * -D options.
 *
 * Unlike a real script it starts the demo server, so a test can start the home the way
 * an operator would: the class path ends with $HARNESS_CLASSPATH (the harness classes
 * and H2), and the main class is DemoCarbonServer instead of Carbon's Bootstrap.
 * JAVA_HOME must be set, as for the real script; JVM_MEM_OPTS overrides the heap size.
 * Options that JDK 17 and later reject (-XX:MaxPermSize, endorsed directories) are
 * left out.
 */
package org.carbondump.harness;

import java.util.Map;
import java.util.function.Supplier;

final class StartScript {
    private StartScript() {
    }

    /** The launcher the style's product ships, relative to CARBON_HOME. */
    static String pathFor(ProductStyle style) {
        return style == ProductStyle.CARBON_4X ? "bin/api-manager.sh" : "bin/wso2server.sh";
    }

    static void register(Map<String, Supplier<String>> generators, HomeContext home) {
        String path = pathFor(home.style);
        if (home.lists(path)) {
            generators.put(path, () -> script(home.style, path.substring("bin/".length())));
        }
    }

    private static String script(ProductStyle style, String name) {
        TextLines text = new TextLines();
        text.add("#!/bin/sh",
                "# ----------------------------------------------------------------------------",
                "# Start script of " + style.productName + " " + style.version
                        + " (carbondump demo server stand-in)",
                "#",
                "# Environment variables:",
                "#",
                "#   CARBON_HOME   the product's home; found from this script's location if unset",
                "#",
                "#   JAVA_HOME     the Java installation to run the server with (required)",
                "#",
                "#   JAVA_OPTS     (optional) extra options for the java command",
                "#",
                "#   JVM_MEM_OPTS  (optional) heap options instead of the defaults",
                "# ----------------------------------------------------------------------------",
                "",
                "# follow symbolic links to find where the script really lives",
                "PRG=\"$0\"",
                "while [ -h \"$PRG\" ]; do",
                "  link=`ls -ld \"$PRG\" | sed 's/.*-> //'`",
                "  case \"$link\" in",
                "    /*) PRG=\"$link\" ;;",
                "    *) PRG=`dirname \"$PRG\"`/\"$link\" ;;",
                "  esac",
                "done",
                "PRGDIR=`dirname \"$PRG\"`",
                "[ -z \"$CARBON_HOME\" ] && CARBON_HOME=`cd \"$PRGDIR/..\" ; pwd`",
                "",
                "if [ -z \"$JAVACMD\" ] ; then",
                "  if [ -n \"$JAVA_HOME\" ] ; then",
                "    JAVACMD=\"$JAVA_HOME/bin/java\"",
                "  else",
                "    JAVACMD=java",
                "  fi",
                "fi",
                "if [ -z \"$JAVA_HOME\" ]; then",
                "  echo \"You must set the JAVA_HOME variable before running CARBON.\"",
                "  exit 1",
                "fi",
                "if [ ! -x \"$JAVACMD\" ] ; then",
                "  echo \"Error: JAVA_HOME is not defined correctly.\"",
                "  echo \" CARBON cannot execute $JAVACMD\"",
                "  exit 1",
                "fi",
                "",
                "# ----- Process the input command ----------------------------------------------",
                "args=\"\"",
                "for c in $*",
                "do",
                "    if [ \"$c\" = \"--debug\" ] || [ \"$c\" = \"-debug\" ] || [ \"$c\" = \"debug\" ]; then",
                "          CMD=\"--debug\"",
                "          continue",
                "    elif [ \"$CMD\" = \"--debug\" ]; then",
                "          if [ -z \"$PORT\" ]; then",
                "                PORT=$c",
                "          fi",
                "    elif [ \"$c\" = \"--stop\" ] || [ \"$c\" = \"-stop\" ] || [ \"$c\" = \"stop\" ]; then",
                "          CMD=\"stop\"",
                "    elif [ \"$c\" = \"--version\" ] || [ \"$c\" = \"-version\" ] || [ \"$c\" = \"version\" ]; then",
                "          CMD=\"version\"",
                "    else",
                "        args=\"$args $c\"",
                "    fi",
                "done",
                "",
                "if [ \"$CMD\" = \"--debug\" ]; then",
                "  if [ \"$PORT\" = \"\" ]; then",
                "    echo \" Please specify the debug port after the --debug option\"",
                "    exit 1",
                "  fi",
                "  if [ -n \"$JAVA_OPTS\" ]; then",
                "    echo \"Warning !!!. User specified JAVA_OPTS will be ignored, once you give the --debug option.\"",
                "  fi",
                "  CMD=\"RUN\"",
                "  JAVA_OPTS=\"-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=$PORT\"",
                "  echo \"Please start the remote debugging client to continue...\"",
                "elif [ \"$CMD\" = \"stop\" ]; then",
                "  kill -term `cat \"$CARBON_HOME\"/wso2carbon.pid`",
                "  exit 0",
                "elif [ \"$CMD\" = \"version\" ]; then",
                "  cat \"$CARBON_HOME\"/bin/version.txt",
                "  cat \"$CARBON_HOME\"/bin/wso2carbon-version.txt",
                "  exit 0",
                "fi",
                "",
                "CARBON_CLASSPATH=\"\"",
                "for f in \"$CARBON_HOME\"/bin/*.jar",
                "do",
                "    if [ \"$f\" != \"$CARBON_HOME/bin/*.jar\" ]; then",
                "        CARBON_CLASSPATH=\"$CARBON_CLASSPATH\":$f",
                "    fi",
                "done",
                "# the demo server itself (a real product has Carbon's bootstrap jar in bin/)",
                "CARBON_CLASSPATH=\"$CARBON_CLASSPATH\":\"$HARNESS_CLASSPATH\"",
                "",
                "# ----- Execute The Requested Command -----------------------------------------",
                "",
                "echo JAVA_HOME environment variable is set to $JAVA_HOME",
                "echo CARBON_HOME environment variable is set to \"$CARBON_HOME\"",
                "",
                "cd \"$CARBON_HOME\"",
                "",
                "START_EXIT_STATUS=121",
                "status=$START_EXIT_STATUS",
                "",
                "if [ -z \"$JVM_MEM_OPTS\" ]; then",
                "   JVM_MEM_OPTS=\"-Xms256m -Xmx1024m\"",
                "fi",
                "echo \"Using Java memory options: $JVM_MEM_OPTS\"",
                "",
                "while [ \"$status\" = \"$START_EXIT_STATUS\" ]",
                "do",
                "    $JAVACMD \\",
                "    $JVM_MEM_OPTS \\",
                "    -XX:+HeapDumpOnOutOfMemoryError \\",
                "    -XX:HeapDumpPath=\"$CARBON_HOME/repository/logs/heap-dump.hprof\" \\",
                "    $JAVA_OPTS \\",
                "    -classpath \"$CARBON_CLASSPATH\" \\",
                "    --add-opens=java.base/java.net=ALL-UNNAMED \\",
                "    --add-opens=java.base/java.lang=ALL-UNNAMED \\",
                "    -Dwso2.server.standalone=true \\",
                "    -Dcarbon.registry.root=/ \\",
                "    -Djava.command=\"$JAVACMD\" \\",
                "    -Dcarbon.home=\"$CARBON_HOME\" \\",
                "    -Dcarbon.config.dir.path=\"$CARBON_HOME/repository/conf\" \\",
                "    -Dcomponents.repo=\"$CARBON_HOME/repository/components/plugins\" \\",
                "    -Dconf.location=\"$CARBON_HOME/repository/conf\" \\",
                "    -Dorg.terracotta.quartz.skipUpdateCheck=true \\",
                "    -Djava.security.egd=file:/dev/./urandom \\",
                "    -Dfile.encoding=UTF8 \\",
                "    -Djava.net.preferIPv4Stack=true \\",
                "    -DworkerNode=false \\",
                "    org.carbondump.harness.DemoCarbonServer $args",
                "    status=$?",
                "done");
        return text.toString();
    }
}
