/*
 * A mistake on the command line. The message names the option and what was wrong with
 * it; DemoCarbonServer prints it followed by the usage text and exits with 1.
 */
package org.carbondump.harness;

final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
