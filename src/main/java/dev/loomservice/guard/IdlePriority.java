package dev.loomservice.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Moves the calling platform thread to Linux's {@code SCHED_IDLE} policy, so that it runs only when no ordinary
 * thread of the machine wants the core, and is preempted at once when one wakes up.
 *
 * <p>Why: the CPU pool's threads share the cores with the carrier threads that run every virtual thread. At equal
 * priority the kernel time-slices them fairly, so a carrier woken by a new request can wait for the rest of a
 * pool thread's time slice (milliseconds) before it runs. At {@code SCHED_IDLE} the carrier takes the core as soon
 * as it wakes: CPU work uses what the service leaves over, and request latency hardly notices it. The price is
 * that CPU work starves while the carriers keep every core busy, which is the order of priority we want.
 *
 * <p>How: Java has no API for a thread's scheduling policy, and the foreign-function API is not final in Java
 * 21, so this runs util-linux's {@code chrt --idle --pid 0 TID} for the thread's own id (from
 * {@code /proc/thread-self}); lowering one's own priority needs no privilege. It is done once per pool thread.
 */
final class IdlePriority {
    private static final System.Logger LOG = System.getLogger(IdlePriority.class.getName());

    private IdlePriority() {
    }

    /**
     * Applies {@code SCHED_IDLE} to the current thread, or logs one warning saying why it could not (not Linux,
     * no {@code chrt}, refused) and leaves the thread at normal priority.
     *
     * @return whether the thread now runs at idle priority
     */
    static boolean applyToCurrentThread() {
        Path self = Path.of("/proc/thread-self");
        try {
            if (!Files.exists(self)) {
                return warn("no /proc/thread-self (not Linux)");
            }
            // the link reads "PID/task/TID"
            String tid = Files.readSymbolicLink(self).getFileName().toString();
            Process chrt = new ProcessBuilder("chrt", "--idle", "--pid", "0", tid).redirectErrorStream(true).start();
            String output = new String(chrt.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!chrt.waitFor(5, TimeUnit.SECONDS)) {
                chrt.destroyForcibly();
                return warn("chrt did not finish");
            }
            return chrt.exitValue() == 0 || warn("chrt exited with " + chrt.exitValue() + ": " + output);
        } catch (IOException e) {
            return warn("could not run chrt (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return warn("interrupted");
        }
    }

    private static boolean warn(String why) {
        LOG.log(System.Logger.Level.WARNING, "CPU pool thread " + Thread.currentThread().getName()
                + " stays at normal priority: " + why);
        return false;
    }
}
