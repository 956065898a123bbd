/*
 * A 64-bit FNV-1a hash over strings, used to seed every pseudo-random choice the
 * generator makes. String.hashCode() is only 32 bits and Random's seeding is not
 * documented to stay stable, so the harness owns this: the same style, scale and path
 * give the same bytes on every JDK and every run.
 */
package org.carbondump.harness;

import java.nio.charset.StandardCharsets;

final class StableHash {
    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private StableHash() {
    }

    /** Hashes the parts in order; a zero byte separates them so ("ab","c") != ("a","bc"). */
    static long of(String... parts) {
        long hash = OFFSET_BASIS;
        for (String part : parts) {
            for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * PRIME;
            }
            hash *= PRIME;
        }
        return hash;
    }
}
