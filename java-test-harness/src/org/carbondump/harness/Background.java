/*
 * Runs one slow, independent piece of generation (the key pair, the H2 databases) on
 * a named daemon thread while the main thread writes files, and hands back its result
 * or its failure. The threads end when their work does, so they never show up in the
 * running server's thread dumps.
 */
package org.carbondump.harness;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

final class Background<T> {
    private final FutureTask<T> task;

    private Background(Callable<T> work) {
        this.task = new FutureTask<>(work);
    }

    static <T> Background<T> start(String threadName, Callable<T> work) {
        Background<T> background = new Background<>(work);
        ThreadZoo.daemon(threadName, background.task).start();
        return background;
    }

    /** Waits for the result; a failure surfaces as the HarnessException it was, or wraps it. */
    T get() {
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HarnessException) {
                throw (HarnessException) cause;
            }
            throw new HarnessException("background generation step failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted while waiting for generation to finish");
        }
    }
}
