/*
 * Objects the server keeps reachable from static fields for its whole life, so tests
 * know what a heap dump or histogram must contain:
 * - exactly 1234 CountedThing instances in a ring (see CountedThing);
 * - in-heap secret canaries as a String, a char[] and a byte[]: a heap dump taken with
 *   redaction must not contain these texts, one taken without must.
 */
package org.carbondump.harness;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

final class HeapResidents {
    static final int COUNTED_THING_COUNT = 1234;
    static final String HEAP_SECRET = "CDHEAPSECRET-7f3a9c2e-in-heap";
    static final char[] HEAP_SECRET_CHARS = "CDHEAPSECRET-char-array".toCharArray();
    static final byte[] HEAP_SECRET_BYTES = "CDHEAPSECRET-byte-array".getBytes(StandardCharsets.US_ASCII);
    static final CountedThing[] COUNTED_THINGS = ring(COUNTED_THING_COUNT);

    private HeapResidents() {
    }

    /** Forces class initialisation, which allocates the residents. */
    static int pin() {
        return COUNTED_THINGS.length + HEAP_SECRET_CHARS.length + HEAP_SECRET_BYTES.length;
    }

    static List<String> heapCanaries() {
        return Arrays.asList(HEAP_SECRET, new String(HEAP_SECRET_CHARS),
                new String(HEAP_SECRET_BYTES, StandardCharsets.US_ASCII));
    }

    private static CountedThing[] ring(int count) {
        CountedThing[] things = new CountedThing[count];
        for (int id = 0; id < count; id++) {
            things[id] = new CountedThing(id);
        }
        for (int id = 0; id < count; id++) {
            things[id].next = things[(id + 1) % count];
        }
        return things;
    }
}
