/*
 * The facts about one generated home that several file generators must agree on: the
 * product style, the canary register, the databases and keystores the fixture list
 * holds, and where to find them. Built once from the fixture list by the generator.
 */
package org.carbondump.harness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

final class HomeContext {
    static final String DATABASE_DIR = "repository/database/";
    static final String SECURITY_DIR = "repository/resources/security/";

    final ProductStyle style;
    final CanaryBook book;
    final Set<String> fixturePaths;
    /** Database names such as WSO2CARBON_DB, one per H2 data file in the list. */
    final List<String> databaseNames;
    /** File names (not paths) of the primary keystore and the trust store. */
    final String keystoreFileName;
    final String truststoreFileName;

    HomeContext(ProductStyle style, CanaryBook book, List<String> fixture) {
        this.style = style;
        this.book = book;
        this.fixturePaths = Collections.unmodifiableSet(new LinkedHashSet<>(fixture));
        this.databaseNames = Collections.unmodifiableList(databaseNames(fixture));
        String extension = style.keystoreType().equals("PKCS12") ? ".p12" : ".jks";
        this.keystoreFileName = "wso2carbon" + extension;
        this.truststoreFileName = "client-truststore" + extension;
    }

    boolean lists(String relativePath) {
        return fixturePaths.contains(relativePath);
    }

    /** "WSO2CARBON_DB" for repository/database/WSO2CARBON_DB.mv.db or .h2.db, else null. */
    static String databaseName(String relativePath) {
        if (!relativePath.startsWith(DATABASE_DIR)) {
            return null;
        }
        String name = relativePath.substring(DATABASE_DIR.length());
        for (String suffix : new String[] {".mv.db", ".h2.db"}) {
            if (name.endsWith(suffix) && name.indexOf('/') < 0) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    private static List<String> databaseNames(List<String> fixture) {
        List<String> names = new ArrayList<>();
        for (String path : fixture) {
            String name = databaseName(path);
            if (name != null) {
                names.add(name);
            }
        }
        return names;
    }

    /** The JNDI-style data source name Carbon uses for a database, e.g. WSO2_CARBON_DB. */
    static String dataSourceName(String databaseName) {
        return databaseName.startsWith("WSO2") && !databaseName.startsWith("WSO2_")
                ? "WSO2_" + databaseName.substring(4)
                : databaseName;
    }
}
