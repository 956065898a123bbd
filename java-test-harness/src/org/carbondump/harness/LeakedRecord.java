/*
 * What the leak plant leaks: a record with a 1 KB payload, added to a static list until
 * the heap is exhausted and then kept, so a heap dump taken after the OutOfMemoryError
 * shows this class dominating the heap.
 */
package org.carbondump.harness;

import java.util.Arrays;

final class LeakedRecord {
    static final int PAYLOAD_BYTES = 1024;

    final long sequence;
    final long createdNanos;
    final byte[] payload = new byte[PAYLOAD_BYTES];

    LeakedRecord(long sequence) {
        this.sequence = sequence;
        this.createdNanos = System.nanoTime();
        Arrays.fill(payload, (byte) sequence);
    }
}
