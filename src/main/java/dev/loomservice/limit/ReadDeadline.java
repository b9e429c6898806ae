package dev.loomservice.limit;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.loomservice.ConfigValues;
import dev.loomservice.observe.Metered;
import dev.loomservice.observe.PrometheusText;

import io.helidon.config.Config;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Deadlines for slow clients. Helidon 4.2 sets no read timeout on server sockets, so a client that sends its
 * headers, or a body, one byte now and then (or stops halfway) would hold the connection, and while a body is
 * read also a limiter permit, for ever.
 *
 * <p>Headers must be complete within {@code headers} of the request line ({@link #listener()}, an HTTP/1 receive
 * listener); a body read through {@link #readBody} must finish within {@code body}. A watchdog thread interrupts
 * the virtual thread that is still reading past its deadline; an interrupted virtual thread blocked on a socket
 * read closes that socket, so the connection ends and the permit is returned. (The request line itself, and
 * idle keep-alive connections, are bounded by Helidon's {@code idle-connection-timeout}.)
 *
 * <p>Registered with the routing as an {@link HttpFeature} only for its lifecycle: the watchdog runs while the
 * server does.
 */
public final class ReadDeadline implements HttpFeature, Metered {
    private final Settings settings;
    private final Map<Thread, Long> readingHeaders = new ConcurrentHashMap<>();
    private final Map<Thread, Long> readingBodies = new ConcurrentHashMap<>();
    private final LongAdder headerTimeouts = new LongAdder();
    private final LongAdder bodyTimeouts = new LongAdder();
    private final ScheduledExecutorService watchdog =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("read-deadline").daemon(true).factory());
    private final AtomicBoolean started = new AtomicBoolean();

    /** What {@code app.read-deadline} configures. */
    public record Settings(Duration headers, Duration body) {
        public static Settings from(Config deadline) {
            return new Settings(ConfigValues.duration(deadline.get("headers"), Duration.ofSeconds(10)),
                                ConfigValues.duration(deadline.get("body"), Duration.ofSeconds(30)));
        }
    }

    /** Thrown by {@link #readBody} when the body did not arrive in time; the connection is already closed. */
    public static final class Expired extends IOException {
        private Expired(Duration deadline) {
            super("the request body did not arrive within " + deadline.toMillis() + " ms");
        }
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
                readingHeaders.put(Thread.currentThread(), System.nanoTime());
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                readingHeaders.remove(Thread.currentThread());
            }
        };
    }

    /** Runs {@code read} under the body deadline. */
    public <T> T readBody(Read<T> read) throws IOException {
        Thread self = Thread.currentThread();
        Long start = System.nanoTime();
        readingBodies.put(self, start);
        try {
            return read.read();
        } finally {
            if (!readingBodies.remove(self, start)) {
                Thread.interrupted(); // the watchdog took the entry and interrupted us: that interrupt is spent
                throw new Expired(settings.body());
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
            long period = Math.clamp(Math.min(settings.headers().toMillis(), settings.body().toMillis()) / 4, 10, 1000);
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
        String help = "Connections closed because a client sent its headers or body too slowly.";
        out.counter(name, help, headerTimeouts.sum(), "phase", "headers")
                .counter(name, help, bodyTimeouts.sum(), "phase", "body");
    }

    private void expire() {
        long now = System.nanoTime();
        expire(readingHeaders, now, settings.headers().toNanos(), headerTimeouts);
        expire(readingBodies, now, settings.body().toNanos(), bodyTimeouts);
    }

    private static void expire(Map<Thread, Long> reading, long now, long deadlineNanos, LongAdder count) {
        reading.forEach((thread, start) -> {
            // remove(key, value) first: whoever removes the entry owns the outcome, so a reader that just finished
            // is never interrupted, and one that is interrupted knows it
            if (now - start > deadlineNanos && reading.remove(thread, start)) {
                count.increment();
                thread.interrupt();
            }
        });
    }
}
