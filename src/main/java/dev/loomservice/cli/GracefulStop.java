package dev.loomservice.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM while a command runs: a shutdown hook calls {@code stop}, then holds the JVM's exit
 * until the command has finished its output and {@link #close}d this (at most {@code maxHold}), so the last
 * lines and the summary are written before the process ends. The JVM then exits with the signal's status
 * (130 for SIGINT, 143 for SIGTERM). Closing without a signal just removes the hook.
 */
final class GracefulStop implements AutoCloseable {
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    GracefulStop(Runnable stop, Duration maxHold) {
        this.hook = new Thread(() -> {
            stop.run();
            try {
                finished.await(maxHold.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The command's output is complete: a pending exit may proceed. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and now returns
        }
    }
}
