/*
 * The object of the heap=N plant, for heap-dump and histogram benchmarks: small, with
 * primitive fields and one reference, chained so that reference-following dumps have
 * N edges to walk.
 */
package org.carbondump.harness;

final class HeapNode {
    final int index;
    final long value;
    final HeapNode next;

    HeapNode(int index, HeapNode next) {
        this.index = index;
        this.value = index * 31L + 7;
        this.next = next;
    }
}
