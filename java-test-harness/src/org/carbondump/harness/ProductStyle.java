/*
 * The three WSO2 products the harness can impersonate, one per fixture list: which list
 * to read and every product fact the generated files must agree on (names, versions,
 * kernel, keystore type, update level, configuration format). Everything that differs
 * between the styles is decided here, so the generators only ask questions.
 */
package org.carbondump.harness;

import java.time.LocalDate;

enum ProductStyle {
    /** WSO2 API Manager 2.6.0 on Carbon 4.4: XML configuration, WUM patches, JKS. */
    CARBON_44("4.4", "apim-2.6.0", "WSO2 API Manager", "AM", "wso2am", "2.6.0", "4.4.35",
              false, -1, LocalDate.of(2019, 5, 24), 400L << 20),
    /** WSO2 API Manager 4.5.0 on Carbon 4.9: deployment.toml, JKS. */
    CARBON_4X("4.x", "apim-4.5.0", "WSO2 API Manager", "AM", "wso2am", "4.5.0", "4.9.28",
              true, -1, LocalDate.of(2026, 6, 30), 450L << 20),
    /** WSO2 Identity Server 7.1.0 at Updates 2.0 level 8: deployment.toml, PKCS12. */
    IS_7("is7", "is-7.1.0-u8", "WSO2 Identity Server", "IS", "wso2is", "7.1.0", "4.10.42",
         true, 8, LocalDate.of(2025, 7, 22), 480L << 20);

    final String cliName;
    final String fixtureName;
    final String productName;
    final String serverKey;
    final String shortName;
    final String version;
    final String kernelVersion;
    final boolean usesDeploymentToml;
    /** Updates 2.0 level, or -1 when the product is not at a known update level. */
    final int updateLevel;
    /** The day the historical logs end on, so generated trees do not depend on today. */
    final LocalDate lastRunDate;
    /** What the synthetic (non-special) files add up to at full scale. */
    final long fullScaleFillerBytes;

    ProductStyle(String cliName, String fixtureName, String productName, String serverKey,
                 String shortName, String version, String kernelVersion,
                 boolean usesDeploymentToml, int updateLevel, LocalDate lastRunDate,
                 long fullScaleFillerBytes) {
        this.cliName = cliName;
        this.fixtureName = fixtureName;
        this.productName = productName;
        this.serverKey = serverKey;
        this.shortName = shortName;
        this.version = version;
        this.kernelVersion = kernelVersion;
        this.usesDeploymentToml = usesDeploymentToml;
        this.updateLevel = updateLevel;
        this.lastRunDate = lastRunDate;
        this.fullScaleFillerBytes = fullScaleFillerBytes;
    }

    /** Returns the style spelled `name` on the command line, or null if there is none. */
    static ProductStyle fromCliName(String name) {
        for (ProductStyle style : values()) {
            if (style.cliName.equals(name)) {
                return style;
            }
        }
        return null;
    }

    String fixtureFileName() {
        return fixtureName + ".files.txt";
    }

    /** The distribution's directory name, e.g. wso2am-2.6.0. */
    String distributionName() {
        return shortName + "-" + version;
    }

    /** Carbon 4.4 products were patched with WUM-era patchNNNN directories. */
    boolean usesWumPatches() {
        return this == CARBON_44;
    }

    /** False for Carbon 4.4, which logs with log4j 1 (the category repeated at the end of each line). */
    boolean usesLog4j2() {
        return this != CARBON_44;
    }

    String keystoreType() {
        return this == IS_7 ? "PKCS12" : "JKS";
    }
}
