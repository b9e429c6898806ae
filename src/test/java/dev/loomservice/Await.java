package dev.loomservice;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for an observable condition (a counter in /admin/stats, a line in a log) with a deadline. This is not a
 * sleep standing in for synchronisation: the test proceeds the moment the condition holds, and fails with
 * {@code what} if it never does.
 */
public final class Await {
    private Await() {
    }

    public static void until(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting until " + what);
            }
            try {
                Thread.sleep(5); // poll interval, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }
}
