/*
 * Plants that load the server with threads, descriptors or work:
 *
 *   threads=N   cd-idle-1..N parked forever (small stacks, so 10,000 are cheap)
 *   fdleak=N    N descriptors open on files under the home, never closed
 *   cpu         cd-cpu-worker runs a fixed CPU-bound work unit in a loop and prints
 *               "THROUGHPUT ops=<n> ms=<ms> cpu_ms=<ms>" every 5 s, for overhead
 *               benchmarks: the units done, the wall time and the worker's own CPU
 *               time in that window (cpu_ms=-1 where the JVM cannot measure it)
 *   churn       cd-churn-driver starts ~1,000 short-lived allocating threads a second
 */
package org.carbondump.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

final class LoadPlants {
    private static final long IDLE_STACK_BYTES = 256 * 1024;
    private static final long THROUGHPUT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int CHURN_THREADS_PER_TICK = 10;
    private static final long CHURN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    static final List<FileChannel> LEAKED_DESCRIPTORS = new ArrayList<>();
    private static volatile long workSink;

    private LoadPlants() {
    }

    /** Starts the plant; returns the threads to wait for (idle threads only). */
    static List<ExpectedThread> plant(PlantRequest request, Path home) {
        switch (request.name) {
            case "threads":
                return idleThreads(request.count);
            case "fdleak":
                openDescriptors(home, request.count);
                return Collections.emptyList();
            case "cpu":
                ThreadZoo.daemon("cd-cpu-worker", LoadPlants::cpuWork).start();
                return Collections.emptyList();
            case "churn":
                ThreadZoo.daemon("cd-churn-driver", LoadPlants::churn).start();
                return Collections.emptyList();
            case "heap":
                MemoryPlants.allocateHeapNodes(request.count);
                return Collections.emptyList();
            default:
                return Collections.emptyList(); // planted elsewhere (leak, gcthrash, oddnames)
        }
    }

    private static List<ExpectedThread> idleThreads(int count) {
        List<ExpectedThread> expected = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            Thread thread = new Thread(null, ThreadZoo::parkForever, "cd-idle-" + i, IDLE_STACK_BYTES);
            thread.setDaemon(true);
            try {
                thread.start();
            } catch (OutOfMemoryError e) {
                throw new HarnessException("threads=" + count + ": could start only " + (i - 1)
                        + " threads (" + e.getMessage() + "; check ulimit -u and memory)");
            }
            expected.add(ExpectedThread.of(thread, ExpectedThread.PARKED));
        }
        return expected;
    }

    private static void openDescriptors(Path home, int count) {
        List<Path> files = regularFiles(home);
        if (files.isEmpty()) {
            throw new HarnessException("fdleak: no files under " + home + " to open");
        }
        for (int i = 0; i < count; i++) {
            Path file = files.get(i % files.size());
            try {
                LEAKED_DESCRIPTORS.add(FileChannel.open(file, StandardOpenOption.READ));
            } catch (IOException e) {
                throw new HarnessException("fdleak=" + count + ": could open only " + i
                        + " descriptors (raise ulimit -n?)", e);
            }
        }
    }

    private static List<Path> regularFiles(Path home) {
        try (Stream<Path> walk = Files.walk(home.resolve("repository"))) {
            return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new HarnessException("fdleak: cannot list " + home, e);
        }
    }

    private static void cpuWork() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long windowStart = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long ops = 0;
        long state = 0x2545f4914f6cdd1dL;
        while (true) {
            state = workUnit(state);
            ops++;
            if ((ops & 1023) == 0) {
                long now = System.nanoTime();
                if (now - windowStart >= THROUGHPUT_WINDOW_NANOS) {
                    workSink = state;
                    long millis = TimeUnit.NANOSECONDS.toMillis(now - windowStart);
                    // The worker's CPU time too: a busy host takes time away from the worker but
                    // hardly changes what a unit costs in CPU, so units per CPU ms stay steady
                    // where units per wall ms do not.
                    long cpu = threads.getCurrentThreadCpuTime();
                    long cpuMillis = cpu < 0 || cpuStart < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(cpu - cpuStart);
                    System.out.println("THROUGHPUT ops=" + ops + " ms=" + millis + " cpu_ms=" + cpuMillis);
                    System.out.flush();
                    ops = 0;
                    windowStart = now;
                    cpuStart = cpu;
                }
            }
        }
    }

    /** A fixed amount of integer work (256 rounds of xorshift-multiply). */
    static long workUnit(long state) {
        long x = state;
        for (int round = 0; round < 256; round++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            x *= 0x9e3779b97f4a7c15L;
        }
        return x;
    }

    // Paced by deadlines rather than fixed sleeps, so the rate holds when starts are slow.
    private static void churn() {
        long next = System.nanoTime();
        long sequence = 0;
        while (true) {
            for (int i = 0; i < CHURN_THREADS_PER_TICK; i++) {
                try {
                    ThreadZoo.daemon("cd-churn-" + (++sequence), LoadPlants::shortLivedWork).start();
                } catch (OutOfMemoryError e) {
                    break; // out of native threads for a moment; try again next tick
                }
            }
            next += CHURN_TICK_NANOS;
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    private static void shortLivedWork() {
        try {
            List<byte[]> garbage = new ArrayList<>();
            for (int i = 0; i < 128; i++) {
                garbage.add(new byte[512]);
            }
            workSink += garbage.size() + Thread.currentThread().getName().length();
        } catch (OutOfMemoryError e) {
            // another plant filled the heap; this thread simply ends sooner
        }
    }
}
