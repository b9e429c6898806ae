package dev.loomservice.guard;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.observe.Metered;
import dev.loomservice.observe.PerThread;
import dev.loomservice.observe.PrometheusText;

import io.helidon.config.Config;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Deadlines for slow clients. Helidon (4.5 too) sets no read timeout on server sockets, so a client that sends its
 * headers, or a body, one byte now and then (or stops halfway) would hold the connection, and while a body is
 * read also a limiter permit, for ever.
 *
 * <p>Headers must be complete within {@code headers} of the request line ({@link #listener()}, an HTTP/1 receive
 * listener); a body read through {@link #readBody} must finish within {@code body}, and the rest of a refused body
 * read through {@link #linger} (a staged close, see {@link ConnectionPolicy}) within {@code linger}. A watchdog
 * thread interrupts the virtual thread that is still reading past its deadline; an interrupted virtual thread
 * blocked on a socket read closes that socket, so the connection ends and the permit is returned. (The request line itself, and
 * idle keep-alive connections, are bounded by Helidon's {@code idle-connection-timeout}.)
 *
 * <p>Each connection's thread has one {@link Clock} ({@link PerThread}), so starting and stopping a clock is a
 * field write, not a change to a shared map. Registered with the routing as an {@link HttpFeature} only for its
 * lifecycle: the watchdog runs while the server does.
 */
public final class ReadDeadline implements HttpFeature, Metered {
    private final Settings settings;
    /** Not reading: a start time that {@link System#nanoTime} can return, but only once in centuries. */
    private static final long IDLE = Long.MIN_VALUE;
    private final PerThread<Clock> clocks = new PerThread<>(thread -> new Clock());
    private final LongAdder headerTimeouts = new LongAdder();
    private final LongAdder bodyTimeouts = new LongAdder();
    private final LongAdder lingerTimeouts = new LongAdder();
    private final ScheduledExecutorService watchdog =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("read-deadline").daemon(true).factory());
    private final AtomicBoolean started = new AtomicBoolean();

    /** What {@code app.read-deadline} configures. */
    public record Settings(Duration headers, Duration body, Duration linger) {
        public static Settings from(Config deadline) {
            return new Settings(ConfigValues.duration(deadline.get("headers"), Duration.ofSeconds(10)),
                                ConfigValues.duration(deadline.get("body"), Duration.ofSeconds(30)),
                                ConfigValues.duration(deadline.get("linger"), Duration.ofSeconds(2)));
        }
    }

    /** Thrown by {@link #readBody} when the body did not arrive in time; the connection is already closed. */
    public static final class Expired extends IOException {
        private Expired(Duration deadline) {
            super("the request body did not arrive within " + deadline.toMillis() + " ms");
        }
    }

    /** When the thread began reading the current request's headers, its body, the rest of a refused body. */
    private static final class Clock {
        private final AtomicLong headers = new AtomicLong(IDLE);
        private final AtomicLong body = new AtomicLong(IDLE);
        private final AtomicLong linger = new AtomicLong(IDLE);
    }

    /** An I/O step that may block. */
    @FunctionalInterface
    public interface Read<T> {
        T read() throws IOException;
    }

    public ReadDeadline(Settings settings) {
        this.settings = settings;
    }

    /** The receive listener that puts each request's headers under the deadline. */
    public Http1ConnectionListener listener() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                clocks.current().headers.set(System.nanoTime());
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                clocks.current().headers.set(IDLE);
            }
        };
    }

    /** Runs {@code read} under the body deadline. */
    public <T> T readBody(Read<T> read) throws IOException {
        return within(clocks.current().body, settings.body(), read);
    }

    /** Runs {@code read} under the linger deadline: the wait for the rest of a body the response refused. */
    public <T> T linger(Read<T> read) throws IOException {
        return within(clocks.current().linger, settings.linger(), read);
    }

    private static <T> T within(AtomicLong clock, Duration deadline, Read<T> read) throws IOException {
        long start = System.nanoTime();
        clock.set(start);
        try {
            return read.read();
        } finally {
            if (!clock.compareAndSet(start, IDLE)) {
                Thread.interrupted(); // the watchdog took the entry and interrupted us: that interrupt is spent
                throw new Expired(deadline);
            }
        }
    }

    @Override
    public void setup(HttpRouting.Builder routing) {
        // nothing to route: registered for beforeStart/afterStop
    }

    @Override
    public void beforeStart() {
        if (started.compareAndSet(false, true)) {
            long shortest = Math.min(settings.linger().toMillis(),
                                     Math.min(settings.headers().toMillis(), settings.body().toMillis()));
            long period = Math.clamp(shortest / 4, 10, 1000);
            watchdog.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void afterStop() {
        watchdog.shutdownNow();
    }

    @Override
    public void writeMetrics(PrometheusText out) {
        String name = "loom_read_deadline_closed_total";
        String help = "Connections closed because a client sent its headers or body too slowly, or went on sending "
                + "a refused body for longer than the linger deadline.";
        out.counter(name, help, headerTimeouts.sum(), "phase", "headers")
                .counter(name, help, bodyTimeouts.sum(), "phase", "body")
                .counter(name, help, lingerTimeouts.sum(), "phase", "linger");
    }

    private void expire() {
        long now = System.nanoTime();
        long headers = settings.headers().toNanos();
        long body = settings.body().toNanos();
        long linger = settings.linger().toNanos();
        clocks.forEach((thread, clock) -> {
            expire(thread, clock.headers, now, headers, headerTimeouts);
            expire(thread, clock.body, now, body, bodyTimeouts);
            expire(thread, clock.linger, now, linger, lingerTimeouts);
        });
        clocks.sweep(clock -> true);
    }

    private static void expire(Thread thread, AtomicLong clock, long now, long deadlineNanos, LongAdder count) {
        long start = clock.get();
        // compare-and-set first: whoever resets the clock owns the outcome, so a reader that just finished is
        // never interrupted, and one that is interrupted knows it
        if (start != IDLE && now - start > deadlineNanos && clock.compareAndSet(start, IDLE)) {
            count.increment();
            thread.interrupt();
        }
    }
}
