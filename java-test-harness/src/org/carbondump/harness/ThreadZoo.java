/*
 * The "thread zoo": one daemon thread in each state a thread dump must render, always
 * present and always with the same names, so tests can compare a dump line by line:
 *
 *   cd-runnable        RUNNABLE, busy a tenth of the time (computing, then resting in
 *                      Selector.select, which is RUNNABLE too: a request thread's duty)
 *   cd-sleeping        TIMED_WAITING (sleeping)
 *   cd-timed-wait      TIMED_WAITING (on object monitor), Object.wait(long)
 *   cd-waiting         WAITING (on object monitor), Object.wait()
 *   cd-parked          WAITING (parking), on a ReentrantLock condition
 *   cd-timed-parked    TIMED_WAITING (parking), LockSupport.parkNanos
 *   cd-monitor-owner   TIMED_WAITING (sleeping) inside synchronized, holding the monitor
 *   cd-blocked         BLOCKED (on object monitor), waiting for cd-monitor-owner's monitor
 *   cd-io              RUNNABLE in ServerSocket.accept on the server's loopback port
 *   cd-juc-owner       TIMED_WAITING (sleeping) holding a ReentrantLock, which jstack -l
 *                      lists under "Locked ownable synchronizers"
 *
 * With the oddnames plant two parked threads are added whose names stress dump writers:
 * one 10 KB long, one with quotes, a backslash, a newline and non-ASCII characters.
 */
package org.carbondump.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

final class ThreadZoo {
    static final int LONG_NAME_CHARS = 10 * 1024;
    static final String ODD_NAME = "cd-odd \"quoted\" back\\slash\nsecond line \u00fcml\u00e4ut \u65e5\u672c\u8a9e \u2713";
    private static final long NAP_MILLIS = 60_000;
    private static final long SPIN_BURST_NANOS = 2_000_000;
    private static final long SPIN_REST_MILLIS = 18;

    /** The monitors zoo threads wait on or hold; a named class makes jstack's lines readable. */
    static final class ZooMonitor {
    }

    /** The blocker cd-timed-parked parks on, shown as "parking to wait for <...> (a ...)". */
    static final class ParkBlocker {
    }

    private static volatile long spinSink;

    private final List<ExpectedThread> expected = new ArrayList<>();

    private ThreadZoo() {
    }

    /** Starts the zoo (plus the odd names if asked) and returns the threads to wait for. */
    static List<ExpectedThread> start(ServerSocket loopback, boolean oddNames) {
        ThreadZoo zoo = new ThreadZoo();
        zoo.startWaiters();
        zoo.startLockHolders();
        zoo.startIo(loopback);
        if (oddNames) {
            zoo.startOddNames();
        }
        return zoo.expected;
    }

    static String longName() {
        StringBuilder name = new StringBuilder("cd-long-name-");
        while (name.length() < LONG_NAME_CHARS) {
            name.append(name.length() % 10);
        }
        return name.substring(0, LONG_NAME_CHARS);
    }

    private void startWaiters() {
        expect(ExpectedThread.RUNNABLE, "cd-runnable", ThreadZoo::spin);
        expect(ExpectedThread.SLEEPING, "cd-sleeping", () -> {
            while (nap()) {
                // sleeping is the whole job
            }
        });
        ZooMonitor timedMonitor = new ZooMonitor();
        expect(ExpectedThread.TIMED_MONITOR_WAIT, "cd-timed-wait", () -> waitOn(timedMonitor, NAP_MILLIS));
        ZooMonitor monitor = new ZooMonitor();
        expect(ExpectedThread.MONITOR_WAIT, "cd-waiting", () -> waitOn(monitor, 0));
        ReentrantLock conditionLock = new ReentrantLock();
        Condition condition = conditionLock.newCondition();
        expect(ExpectedThread.PARKED, "cd-parked", () -> awaitForever(conditionLock, condition));
        ParkBlocker blocker = new ParkBlocker();
        expect(ExpectedThread.TIMED_PARKED, "cd-timed-parked", () -> {
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(blocker, TimeUnit.MILLISECONDS.toNanos(NAP_MILLIS));
            }
        });
    }

    private void startLockHolders() {
        ZooMonitor contended = new ZooMonitor();
        CountDownLatch ownerHolds = new CountDownLatch(1);
        expect(ExpectedThread.SLEEPING, "cd-monitor-owner", () -> {
            synchronized (contended) {
                ownerHolds.countDown();
                while (nap()) {
                    // holding the monitor while asleep is the point
                }
            }
        });
        expect(ExpectedThread.BLOCKED, "cd-blocked", () -> {
            if (awaitLatch(ownerHolds)) {
                synchronized (contended) {
                    spinSink++;
                }
            }
        });
        ReentrantLock ownedLock = new ReentrantLock();
        expect(ExpectedThread.SLEEPING, "cd-juc-owner", () -> {
            ownedLock.lock();
            try {
                while (nap()) {
                    // an ownable synchronizer held by a sleeping thread
                }
            } finally {
                ownedLock.unlock();
            }
        });
    }

    private void startIo(ServerSocket loopback) {
        Thread io = daemon("cd-io", () -> serve(loopback));
        expected.add(ExpectedThread.of(io, ExpectedThread.RUNNABLE, () -> isInAccept(io)));
        io.start();
    }

    private void startOddNames() {
        expect(ExpectedThread.PARKED, longName(), ThreadZoo::parkForever);
        expect(ExpectedThread.PARKED, ODD_NAME, ThreadZoo::parkForever);
    }

    private void expect(String jstackState, String name, Runnable body) {
        Thread thread = daemon(name, body);
        expected.add(ExpectedThread.of(thread, jstackState));
        thread.start();
    }

    static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    // Computes in bursts, resting between them in Selector.select: the thread is RUNNABLE
    // throughout (a select is native code) and uses about a tenth of a core, enough to
    // be the zoo's hot thread without taking a core from every test that runs beside it.
    private static void spin() {
        long x = 0x9e3779b97f4a7c15L;
        try (Selector rest = Selector.open()) {
            while (!Thread.currentThread().isInterrupted()) {
                long burstEnd = System.nanoTime() + SPIN_BURST_NANOS;
                do {
                    for (int i = 0; i < 0x4000; i++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    spinSink = x; // a computation the JIT cannot remove
                } while (System.nanoTime() - burstEnd < 0);
                rest.select(SPIN_REST_MILLIS);
            }
        } catch (IOException e) {
            throw new HarnessException("cd-runnable cannot open a selector to rest on", e);
        }
    }

    /** Sleeps a while; false once interrupted. */
    static boolean nap() {
        return nap(NAP_MILLIS);
    }

    static boolean nap(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static void waitOn(ZooMonitor monitor, long timeoutMillis) {
        synchronized (monitor) {
            try {
                while (true) {
                    monitor.wait(timeoutMillis);
                }
            } catch (InterruptedException e) {
                // the server is going away
            }
        }
    }

    private static void awaitForever(ReentrantLock lock, Condition condition) {
        lock.lock();
        try {
            while (true) {
                condition.await();
            }
        } catch (InterruptedException e) {
            // the server is going away
        } finally {
            lock.unlock();
        }
    }

    static void parkForever() {
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.park();
        }
    }

    static boolean awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    // Thread.State says RUNNABLE before the thread reaches accept() too; the stack tells.
    private static boolean isInAccept(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getMethodName().equals("accept")) {
                return true;
            }
        }
        return false;
    }

    /** Answers every connection with a banner, as a server port would, until closed. */
    private static void serve(ServerSocket loopback) {
        byte[] banner = "WSO2 Carbon demo server\r\n".getBytes(StandardCharsets.US_ASCII);
        while (!loopback.isClosed()) {
            try (Socket client = loopback.accept(); OutputStream reply = client.getOutputStream()) {
                reply.write(banner);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // a client that went away early, or a heap a plant exhausted: keep serving
            }
        }
    }
}
