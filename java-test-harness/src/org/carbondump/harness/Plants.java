/*
 * Plants problems into the running server on request (--plant) and says which threads
 * must reach which state before the server reports READY. This file holds the lock and
 * finalizer plants; memory plants live in MemoryPlants, load plants in LoadPlants.
 *
 *   deadlock     cd-deadlock-A / -B deadlocked on the monitors of a LockA and a LockB
 *   jucdeadlock  cd-juc-deadlock-A / -B deadlocked on two ReentrantLocks
 *   contention   cd-contention-owner sleeps holding a ContendedResource's monitor while
 *                cd-contention-waiter-1..5 are BLOCKED on it
 *   stuckholder  cd-stuck-holder sleeps forever holding a StuckResource's monitor, and the
 *                one thread that needs it, cd-stuck-waiter, is BLOCKED behind it
 *   chain3       a blocking chain of three: cd-chain-A is BLOCKED on a ChainMonitor that
 *                cd-chain-B holds while parked on a ReentrantLock that cd-chain-C holds
 *                while it sleeps forever
 *   finalizer    2000 Finalizable objects queued for finalization behind one whose
 *                finalize() never returns, so the Finalizer thread is stuck
 *
 * Deadlocks are only reported planted once ThreadMXBean finds them.
 */
package org.carbondump.harness;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

final class Plants {
    static final int CONTENTION_WAITERS = 5;
    static final int FINALIZABLE_COUNT = 2000;
    private static final long SETUP_TIMEOUT_MILLIS = 60_000;

    /** The two monitors of the monitor deadlock, as jstack names them. */
    static final class LockA {
    }

    static final class LockB {
    }

    /** The monitor of the contention plant. */
    static final class ContendedResource {
    }

    /** The monitor of the stuckholder plant. */
    static final class StuckResource {
    }

    /** The monitor cd-chain-B holds and cd-chain-A waits for. */
    static final class ChainMonitor {
    }

    /**
     * An object whose finalizer blocks forever: the first one the Finalizer thread picks
     * up keeps it stuck, and every other Finalizable stays queued behind it.
     */
    @SuppressWarnings("deprecation") // finalize() is the very thing this plant exercises
    static final class Finalizable {
        static final CountDownLatch NEVER = new CountDownLatch(1);
        static volatile boolean finalizerEntered;
        private final byte[] ballast = new byte[64];

        @Override
        protected void finalize() throws InterruptedException {
            finalizerEntered = true;
            ballast[0]++;
            NEVER.await();
        }
    }

    private Plants() {
    }

    /** Sets up every requested plant; returns the threads to wait for, already started. */
    static List<ExpectedThread> plantAll(List<PlantRequest> requests, Path home) {
        List<ExpectedThread> expected = new ArrayList<>();
        for (PlantRequest request : requests) {
            switch (request.name) {
                case "deadlock":
                    expected.addAll(monitorDeadlock());
                    break;
                case "jucdeadlock":
                    expected.addAll(reentrantLockDeadlock());
                    break;
                case "contention":
                    expected.addAll(contention());
                    break;
                case "stuckholder":
                    expected.addAll(stuckHolder());
                    break;
                case "chain3":
                    expected.addAll(chainOfThree());
                    break;
                case "finalizer":
                    expected.add(finalizerBacklog());
                    break;
                default:
                    expected.addAll(LoadPlants.plant(request, home));
                    break;
            }
        }
        return expected;
    }

    /**
     * The plants that exhaust the heap (leak, gcthrash) start only after READY is printed:
     * start-up itself needs memory, and a server that died of OutOfMemoryError before
     * saying READY would help nobody.
     */
    static void plantAfterReady(List<PlantRequest> requests) {
        for (PlantRequest request : requests) {
            if (request.is("leak")) {
                MemoryPlants.startLeak();
            } else if (request.is("gcthrash")) {
                MemoryPlants.startGcThrash();
            }
        }
    }

    /** Waits until ThreadMXBean reports every planted deadlock. */
    static void awaitDeadlocks(List<PlantRequest> requests) {
        int expectedThreads = 0;
        for (PlantRequest request : requests) {
            if (request.is("deadlock") || request.is("jucdeadlock")) {
                expectedThreads += 2;
            }
        }
        if (expectedThreads == 0) {
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int wanted = expectedThreads;
        ExpectedThread.await(() -> {
            long[] deadlocked = threads.findDeadlockedThreads();
            return deadlocked != null && deadlocked.length >= wanted;
        }, deadline(), () -> wanted + " deadlocked threads to be reported by ThreadMXBean");
    }

    private static long deadline() {
        return System.nanoTime() + SETUP_TIMEOUT_MILLIS * 1_000_000L;
    }

    private static List<ExpectedThread> monitorDeadlock() {
        LockA a = new LockA();
        LockB b = new LockB();
        CountDownLatch bothHoldFirst = new CountDownLatch(2);
        Thread first = ThreadZoo.daemon("cd-deadlock-A", () -> lockBoth(a, b, bothHoldFirst));
        Thread second = ThreadZoo.daemon("cd-deadlock-B", () -> lockBoth(b, a, bothHoldFirst));
        return startAll(ExpectedThread.BLOCKED, first, second);
    }

    // Each thread takes its first monitor, waits until the other holds its own, then asks
    // for the other's: a deadlock every time, not just when the timing is unlucky.
    private static void lockBoth(Object first, Object second, CountDownLatch bothHoldFirst) {
        synchronized (first) {
            bothHoldFirst.countDown();
            if (ThreadZoo.awaitLatch(bothHoldFirst)) {
                synchronized (second) {
                    bothHoldFirst.countDown();
                }
            }
        }
    }

    private static List<ExpectedThread> reentrantLockDeadlock() {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHoldFirst = new CountDownLatch(2);
        Thread first = ThreadZoo.daemon("cd-juc-deadlock-A", () -> lockBoth(a, b, bothHoldFirst));
        Thread second = ThreadZoo.daemon("cd-juc-deadlock-B", () -> lockBoth(b, a, bothHoldFirst));
        return startAll(ExpectedThread.PARKED, first, second);
    }

    private static void lockBoth(ReentrantLock first, ReentrantLock second, CountDownLatch bothHoldFirst) {
        first.lock();
        try {
            bothHoldFirst.countDown();
            if (ThreadZoo.awaitLatch(bothHoldFirst)) {
                second.lock();
                second.unlock();
            }
        } finally {
            first.unlock();
        }
    }

    private static List<ExpectedThread> contention() {
        ContendedResource resource = new ContendedResource();
        CountDownLatch ownerHolds = new CountDownLatch(1);
        List<ExpectedThread> expected = startAll(ExpectedThread.SLEEPING,
                ThreadZoo.daemon("cd-contention-owner", () -> {
                    synchronized (resource) {
                        ownerHolds.countDown();
                        while (ThreadZoo.nap()) {
                            // holding the resource is the plant
                        }
                    }
                }));
        ThreadZoo.awaitLatch(ownerHolds);
        for (int i = 1; i <= CONTENTION_WAITERS; i++) {
            expected.addAll(startAll(ExpectedThread.BLOCKED, ThreadZoo.daemon("cd-contention-waiter-" + i, () -> {
                synchronized (resource) {
                    resource.notifyAll();
                }
            })));
        }
        return expected;
    }

    private static List<ExpectedThread> stuckHolder() {
        StuckResource resource = new StuckResource();
        CountDownLatch held = new CountDownLatch(1);
        List<ExpectedThread> expected = startAll(ExpectedThread.SLEEPING,
                ThreadZoo.daemon("cd-stuck-holder", () -> {
                    synchronized (resource) {
                        held.countDown();
                        while (ThreadZoo.nap()) {
                            // never letting go of the resource is the plant
                        }
                    }
                }));
        ThreadZoo.awaitLatch(held);
        expected.addAll(startAll(ExpectedThread.BLOCKED, ThreadZoo.daemon("cd-stuck-waiter", () -> {
            synchronized (resource) {
                resource.notifyAll();
            }
        })));
        return expected;
    }

    // Each link starts once the one it will wait for holds its lock, so the chain forms in
    // the same order every time: C holds the lock, then B holds the monitor and parks on
    // the lock, then A blocks on the monitor.
    private static List<ExpectedThread> chainOfThree() {
        ReentrantLock lock = new ReentrantLock();
        ChainMonitor monitor = new ChainMonitor();
        CountDownLatch lockHeld = new CountDownLatch(1);
        CountDownLatch monitorHeld = new CountDownLatch(1);
        List<ExpectedThread> expected = startAll(ExpectedThread.SLEEPING,
                ThreadZoo.daemon("cd-chain-C", () -> {
                    lock.lock();
                    try {
                        lockHeld.countDown();
                        while (ThreadZoo.nap()) {
                            // holding the lock for ever is the plant
                        }
                    } finally {
                        lock.unlock();
                    }
                }));
        ThreadZoo.awaitLatch(lockHeld);
        expected.addAll(startAll(ExpectedThread.PARKED, ThreadZoo.daemon("cd-chain-B", () -> {
            synchronized (monitor) {
                monitorHeld.countDown();
                lock.lock();
                lock.unlock();
            }
        })));
        ThreadZoo.awaitLatch(monitorHeld);
        expected.addAll(startAll(ExpectedThread.BLOCKED, ThreadZoo.daemon("cd-chain-A", () -> {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        })));
        return expected;
    }

    private static List<ExpectedThread> startAll(String jstackState, Thread... threads) {
        List<ExpectedThread> expected = new ArrayList<>();
        for (Thread thread : threads) {
            expected.add(ExpectedThread.of(thread, jstackState));
            thread.start();
        }
        return expected;
    }

    /** Queues the Finalizables and returns the stuck Finalizer thread as expected WAITING. */
    private static ExpectedThread finalizerBacklog() {
        allocateFinalizables();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ExpectedThread.await(() -> {
            System.gc();
            return Finalizable.finalizerEntered
                    && memory.getObjectPendingFinalizationCount() >= FINALIZABLE_COUNT - 1;
        }, deadline(), () -> "the Finalizable objects to queue up (finalization disabled?"
                + " pending now: " + memory.getObjectPendingFinalizationCount() + ")");
        return ExpectedThread.of(finalizerThread(), ExpectedThread.PARKED);
    }

    // In a method of its own so that no local keeps the objects reachable.
    private static void allocateFinalizables() {
        for (int i = 0; i < FINALIZABLE_COUNT; i++) {
            new Finalizable();
        }
    }

    private static Thread finalizerThread() {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("Finalizer")) {
                return thread;
            }
        }
        throw new HarnessException("no Finalizer thread in this JVM");
    }
}
