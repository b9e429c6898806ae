package dev.loomservice;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service ({@code java -jar target/loom-service.jar}) as a separate OS process: the way users run
 * it, with its own file-descriptor budget, signals and exit code. Output (stdout and stderr) is collected line by
 * line; waits on it are bounded and wake on each new line.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("loom-service on (https?)://[^:]+:(\\d+) ");

    private final Process process;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition newLine = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private ServiceProcess(Process process) {
        this.process = process;
        // A plain platform thread: it does nothing but block on the pipe for the process's whole life.
        Thread.ofPlatform().name("service-output-" + process.pid()).daemon(true).start(this::collect);
    }

    /**
     * Starts the jar with {@code jvmArgs} (e.g. {@code -Dapp.limiter.permits=2}) and program {@code args}; unless
     * {@code jvmArgs} set {@code app.db.url}, on an in-memory H2 database.
     */
    public static ServiceProcess start(List<String> jvmArgs, List<String> args) {
        List<String> command = new ArrayList<>();
        if (sigintIgnored()) {
            // Started from a background job of a non-interactive shell, we (and so the child) ignore SIGINT, and a
            // JVM that starts with SIGINT ignored never handles it: Ctrl-C tests would test nothing. env (GNU
            // coreutils >= 8.31) restores the default before it execs java, so the pid stays the same.
            command.addAll(List.of("env", "--default-signal=INT"));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Dapp.db.url="))) {
            // the process's own in-memory database: tests never write into the repository's data/
            command.add("-Dapp.db.url=jdbc:h2:mem:loom");
        }
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(args);
        try {
            return new ServiceProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar failsafe passes in as {@code loom.jar}. */
    public static Path jar() {
        return Path.of(System.getProperty("loom.jar", "target/loom-service.jar"));
    }

    /** Waits for the startup line and returns the server's base URI. */
    public URI awaitStarted(Duration deadline) {
        String line = awaitLine(l -> STARTED.matcher(l).find(), deadline);
        Matcher m = STARTED.matcher(line);
        m.find();
        return URI.create(m.group(1) + "://localhost:" + m.group(2) + "/");
    }

    /** The first output line matching {@code match}, waiting up to {@code deadline} for it. */
    public String awaitLine(Predicate<String> match, Duration deadline) {
        return awaitLine(match, 1, deadline);
    }

    /** The {@code nth} (from 1) output line matching {@code match}, waiting up to {@code deadline} for it. */
    public String awaitLine(Predicate<String> match, int nth, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        lock.lock();
        try {
            int seen = 0;
            int matched = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen)) && ++matched == nth) {
                        return lines.get(seen);
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0 || ended) {
                    throw new AssertionError((ended ? "process output ended" : "waited " + deadline.toMillis() + " ms")
                                                     + " without such a line; output:\n" + output());
                }
                newLine.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            lock.unlock();
        }
    }

    /** Sends SIGINT (what Ctrl-C in a terminal sends). */
    public void interrupt() {
        try {
            // The shell's builtin kill: /bin/kill (procps) is missing from slim images.
            int code = new ProcessBuilder("sh", "-c", "kill -INT " + process.pid()).inheritIO().start().waitFor();
            if (code != 0) {
                throw new AssertionError("kill -INT " + process.pid() + " exited with " + code);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Sends SIGTERM (what {@code kill PID} and container runtimes send). */
    public void terminate() {
        // Not process.destroy(): that also closes our ends of its pipes, losing what it prints while it stops.
        process.toHandle().destroy();
    }

    /** Waits for the process to end, and for its last output to be collected; returns its exit code. */
    public int awaitExit(Duration deadline) {
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("process still running after " + deadline.toMillis() + " ms; output:\n"
                                                 + output());
            }
            lock.lock();
            try {
                long left = TimeUnit.SECONDS.toNanos(5);
                while (!ended && left > 0) {
                    left = newLine.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the process printed so far. */
    public String output() {
        lock.lock();
        try {
            return String.join("\n", lines);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /** Whether this JVM ignores SIGINT (Linux: bit 2 of SigIgn in /proc/self/status); false where unknown. */
    private static boolean sigintIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0b10) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to fix
        }
        return false;
    }

    private void collect() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                                                                           StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lock.lock();
                try {
                    lines.add(line);
                    newLine.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // the process is gone; what was read is kept
        }
        lock.lock();
        try {
            ended = true;
            newLine.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
