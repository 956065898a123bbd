/*
 * Builds multi-line text files a line at a time (the harness targets Java 11, which has
 * no text blocks). Every line gets a '\n', as the files Carbon ships have.
 */
package org.carbondump.harness;

final class TextLines {
    private final StringBuilder text = new StringBuilder(4096);

    TextLines add(String... lines) {
        for (String line : lines) {
            text.append(line).append('\n');
        }
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
