/*
 * Plants that fill the heap:
 *
 *   heap=N    N HeapNode objects in a static array, chained, for heap-dump benchmarks
 *   gcthrash  live data up to ~95% of the maximum heap, then cd-gc-thrasher allocates
 *             garbage as fast as it can, so collections run back to back
 *   leak      cd-leaker adds LeakedRecord objects (1 KB payload each) to a static list
 *             until OutOfMemoryError, prints "OOM" on stdout, keeps every record and
 *             stays alive
 *
 * leak and gcthrash start right after READY (see Plants.plantAfterReady).
 *
 * Everything allocated is held from static fields, so it is live for a heap dump.
 */
package org.carbondump.harness;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

final class MemoryPlants {
    private static final double GC_THRASH_LIVE_FRACTION = 0.95;
    private static final int BALLAST_CHUNK_BYTES = 16 * 1024;
    // Freed when the leak hits OOM, so the rest of the server can still log and answer.
    private static final int LEAK_RESERVE_BYTES = 4 << 20;

    static HeapNode[] heapNodes = new HeapNode[0];
    static final List<byte[]> GC_THRASH_BALLAST = new ArrayList<>();
    static final List<LeakedRecord> LEAKED = new ArrayList<>();
    private static volatile long garbageSink;
    // A static, not a local: a compiled loop may treat an unused local as dead and let the
    // collector take the reserve before the OOM it is kept for.
    private static byte[] leakReserve;

    private MemoryPlants() {
    }

    static void allocateHeapNodes(int count) {
        heapNodes = chain(count);
    }

    static void startGcThrash() {
        ThreadZoo.daemon("cd-gc-thrasher", () -> {
            fillHeapTo(GC_THRASH_LIVE_FRACTION);
            allocateGarbage();
        }).start();
    }

    private static HeapNode[] chain(int count) {
        HeapNode[] nodes = new HeapNode[count];
        HeapNode previous = null;
        for (int i = 0; i < count; i++) {
            nodes[i] = new HeapNode(i, previous);
            previous = nodes[i];
        }
        return nodes;
    }

    // Measures what is live after a full collection, then adds ballast up to the fraction.
    private static void fillHeapTo(double fraction) {
        System.gc();
        long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long target = (long) (Runtime.getRuntime().maxMemory() * fraction) - live;
        try {
            for (long added = 0; added < target; added += BALLAST_CHUNK_BYTES) {
                GC_THRASH_BALLAST.add(new byte[BALLAST_CHUNK_BYTES]);
            }
        } catch (OutOfMemoryError e) {
            // The collector's own reserve made the target too ambitious: back off by 1 MiB,
            // without allocating, as the heap is full right now.
            for (int i = 0; i < 64 && !GC_THRASH_BALLAST.isEmpty(); i++) {
                GC_THRASH_BALLAST.remove(GC_THRASH_BALLAST.size() - 1);
            }
        }
    }

    private static void allocateGarbage() {
        byte[][] recent = new byte[32][];
        for (int i = 0; ; i++) {
            try {
                recent[i & 31] = new byte[256 + (i & 1023)];
                garbageSink += recent[i & 31].length;
            } catch (OutOfMemoryError e) {
                // With 5% headroom this happens; thrashing the collector is the point.
                Thread.yield();
            }
        }
    }

    static void startLeak() {
        ThreadZoo.daemon("cd-leaker", MemoryPlants::leak).start();
    }

    private static void leak() {
        leakReserve = new byte[LEAK_RESERVE_BYTES];
        long sequence = 0;
        try {
            while (true) {
                LEAKED.add(new LeakedRecord(sequence++));
            }
        } catch (OutOfMemoryError e) {
            leakReserve = null;
        }
        System.out.println("OOM");
        System.out.flush();
        System.err.println("DemoCarbonServer: leak plant ran out of heap after " + LEAKED.size() + " records");
        while (ThreadZoo.nap()) {
            // keep every record reachable and the thread alive
        }
    }
}
