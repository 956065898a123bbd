/*
 * A thread the harness planted in a known state, with that state spelled both as
 * Thread.State and as `jstack -l` prints it ("TIMED_WAITING (sleeping)"). Start-up waits
 * until every expected thread is observably in its state (awaitAll), and the metadata
 * file lists them, so tests can compare a thread dump with what was planted.
 */
package org.carbondump.harness;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

final class ExpectedThread {
    static final String RUNNABLE = "RUNNABLE";
    static final String SLEEPING = "TIMED_WAITING (sleeping)";
    static final String TIMED_MONITOR_WAIT = "TIMED_WAITING (on object monitor)";
    static final String MONITOR_WAIT = "WAITING (on object monitor)";
    static final String PARKED = "WAITING (parking)";
    static final String TIMED_PARKED = "TIMED_WAITING (parking)";
    static final String BLOCKED = "BLOCKED (on object monitor)";

    private static final long POLL_MILLIS = 10;

    final Thread thread;
    final String jstackState;
    private final BooleanSupplier extraCondition;

    private ExpectedThread(Thread thread, String jstackState, BooleanSupplier extraCondition) {
        this.thread = thread;
        this.jstackState = jstackState;
        this.extraCondition = extraCondition;
    }

    static ExpectedThread of(Thread thread, String jstackState) {
        return new ExpectedThread(thread, jstackState, () -> true);
    }

    /** For states Thread.State cannot tell apart, e.g. RUNNABLE inside accept(). */
    static ExpectedThread of(Thread thread, String jstackState, BooleanSupplier extraCondition) {
        return new ExpectedThread(thread, jstackState, extraCondition);
    }

    Thread.State javaState() {
        return Thread.State.valueOf(jstackState.split(" ")[0]);
    }

    boolean reached() {
        return thread.getState() == javaState() && extraCondition.getAsBoolean();
    }

    /** Waits until every thread reached its state, or fails naming the first that did not. */
    static void awaitAll(List<ExpectedThread> threads, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (ExpectedThread expected : threads) {
            await(expected::reached, deadline, () -> "thread \"" + shortName(expected.thread) + "\" to be "
                    + expected.jstackState + " (it is " + expected.thread.getState() + ")");
        }
    }

    /** Polls `condition` until true or the deadline (System.nanoTime) passes. */
    static void await(BooleanSupplier condition, long deadlineNanos, Supplier<String> what) {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new HarnessException("timed out waiting for " + what.get());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HarnessException("interrupted while waiting for " + what.get());
            }
        }
    }

    /** Thread names can be 10 KB long; messages show the start only. */
    static String shortName(Thread thread) {
        String name = thread.getName();
        return name.length() <= 60 ? name : name.substring(0, 60) + "...";
    }
}
