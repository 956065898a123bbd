/*
 * The small files that say which product, kernel and update level a home holds:
 * bin/version.txt, bin/wso2carbon-version.txt, updates/product.txt and, for Updates 2.0
 * products, updates/config.json (update level, applied updates and the update tool's
 * tokens, which are secrets). Only the files the fixture list holds are produced.
 */
package org.carbondump.harness;

import java.util.Map;
import java.util.function.Supplier;

final class ProductInfoFiles {
    static final String VERSION_TXT = "bin/version.txt";
    static final String KERNEL_VERSION_TXT = "bin/wso2carbon-version.txt";
    static final String PRODUCT_TXT = "updates/product.txt";
    static final String UPDATES_CONFIG = "updates/config.json";

    private ProductInfoFiles() {
    }

    static void register(Map<String, Supplier<String>> generators, HomeContext home) {
        ProductStyle style = home.style;
        generators.put(VERSION_TXT, () -> style.productName + " v" + style.version + "\n");
        generators.put(KERNEL_VERSION_TXT, () -> "WSO2 Carbon Framework v" + style.kernelVersion + "\n");
        generators.put(PRODUCT_TXT, () -> style.distributionName() + "\n");
        generators.put(UPDATES_CONFIG, () -> updatesConfig(home));
    }

    private static String updatesConfig(HomeContext home) {
        ProductStyle style = home.style;
        CanaryBook.FileScope secrets = home.book.forFile(UPDATES_CONFIG);
        StringBuilder applied = new StringBuilder();
        for (int update = 1; update <= Math.max(style.updateLevel, 0); update++) {
            applied.append(update == 1 ? "" : ", ").append(1000 + update * 7);
        }
        return new TextLines().add("{",
                "  \"product-name\": \"" + style.shortName + "\",",
                "  \"product-version\": \"" + style.version + "\",",
                "  \"channel\": \"full\",",
                "  \"update-level\": " + style.updateLevel + ",",
                "  \"applied-updates\": [" + applied + "],",
                "  \"update-tool-version\": \"1.3.4\",",
                "  \"auth\": {",
                "    \"username\": \"ops@example.com\",",
                "    \"access-token\": \"" + secrets.secret("updates-config-access-token", "json key auth.access-token") + "\",",
                "    \"refresh-token\": \"" + secrets.secret("updates-config-refresh-token", "json key auth.refresh-token") + "\"",
                "  }",
                "}").toString();
    }
}
