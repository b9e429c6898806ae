package dev.loomservice;

import java.lang.management.ManagementFactory;

import io.helidon.webserver.http.HttpRouting;

/**
 * Ends the process on {@link OutOfMemoryError}, so that a supervisor sees it die (exit code 3) and restarts it,
 * instead of a process that limps: an OutOfMemoryError kills whichever thread it hits (Helidon's idle-connection
 * timer, the access-log writer, the JFR stream) and leaves the rest running, and after one the server was seen to
 * ignore SIGTERM.
 *
 * <p>{@code ./loom} runs the JVM with {@code -XX:+ExitOnOutOfMemoryError}, which covers every thread, Helidon's
 * included, at the moment of the error. For a JVM started without it ({@code java -jar}), this covers what the
 * service can see: an error that reaches a request's error handling, and one that ends a thread uncaught (both
 * halt with code 3, the same as the flag); an error that Helidon catches and logs itself is not covered, which
 * is why the startup log says when the flag is missing.
 */
final class OutOfMemoryExit {
    static final int EXIT_CODE = 3;
    static final String FLAG = "-XX:+ExitOnOutOfMemoryError";

    private OutOfMemoryExit() {
    }

    /** True if the JVM itself exits on OutOfMemoryError. */
    static boolean jvmFlagSet() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().contains(FLAG);
    }

    /** Installs the handler for threads that end uncaught, keeping any other error's default reporting. */
    static void onUncaught() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof OutOfMemoryError) {
                halt(thread.getName(), e);
            }
            if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                thread.getThreadGroup().uncaughtException(thread, e);
            }
        });
    }

    /** Registers the error handler that halts when a request ends in OutOfMemoryError. */
    static void onRequests(HttpRouting.Builder routing) {
        routing.error(OutOfMemoryError.class, (req, res, e) -> halt(Thread.currentThread().getName(), e));
    }

    private static void halt(String thread, Throwable e) {
        // no logging framework, no allocation beyond the line: memory is what is missing
        System.err.println("loom-service: OutOfMemoryError in " + thread + " (" + e.getMessage() + "); exiting");
        Runtime.getRuntime().halt(EXIT_CODE);
    }
}
