/*
 * The one exception the harness raises for failures an operator can act on: a missing
 * H2 jar, a home directory that is not ours, a plant that could not be set up in time.
 * Its message is complete on its own; DemoCarbonServer prints it as is and exits with 2.
 */
package org.carbondump.harness;

final class HarnessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HarnessException(String message) {
        super(message);
    }

    HarnessException(String message, Throwable cause) {
        super(message + ": " + cause, cause);
    }
}
