package dev.loomservice.guard;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.observe.Metered;
import dev.loomservice.observe.PrometheusText;
import dev.loomservice.problem.Problems;
import dev.loomservice.stage.Stage;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * A semaphore in front of the application routes: at most {@code permits} requests run at once, at most
 * {@code queueLength} more wait (first come, first served) up to {@code queueTimeout} for a permit, and everyone
 * else is answered at once with {@code 503}, {@code Retry-After} and a problem body, before any work is done. The
 * connection then waits that long before its next request is read ({@link ConnectionPolicy}).
 *
 * <p>Virtual threads make a waiting request cheap, so this does not exist to save threads: it bounds memory,
 * downstream pressure and file descriptors, and turns overload into fast, explicit refusals instead of an
 * unbounded backlog. Paths under {@code exemptPaths} (health, metrics, stats) are never limited, so the service
 * can be observed while it sheds load.
 */
public final class ConcurrencyLimiter implements Stage, Metered {
    /** What {@link #enter} hands to {@link #exit} when the request holds a permit. */
    private static final Object PERMIT = Boolean.TRUE;

    private final Settings settings;
    private final Semaphore permits;
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();
    private final String[] exemptPrefixes;

    /** What {@code app.limiter} configures. */
    public record Settings(int permits, int queueLength, Duration queueTimeout, Duration retryAfter,
                           List<String> exemptPaths) {
        /** Reads {@code app.limiter}; every absent key takes the default documented in etc/application.yaml. */
        public static Settings from(Config limiter) {
            return new Settings(ConfigValues.intAtLeast(limiter.get("permits"), 1, 10_000),
                                ConfigValues.intAtLeast(limiter.get("queue-length"), 0, 1_000),
                                ConfigValues.duration(limiter.get("queue-timeout"), Duration.ofSeconds(1)),
                                ConfigValues.duration(limiter.get("retry-after"), Duration.ofSeconds(1)),
                                limiter.get("exempt-paths").asList(String.class)
                                        .orElse(List.of("/observe", "/admin")));
        }
    }

    /** A moment's state, for stats and metrics. */
    public record Snapshot(int permits, int inFlight, int queued, long rejected) {
    }

    public ConcurrencyLimiter(Settings settings) {
        this.settings = settings;
        // Fair, so waiting requests are admitted in arrival order and a burst cannot starve the oldest waiter.
        this.permits = new Semaphore(settings.permits(), true);
        this.exemptPrefixes = settings.exemptPaths().stream()
                .map(p -> p.endsWith("/") ? p.substring(0, p.length() - 1) : p)
                .toArray(String[]::new);
    }

    @Override
    public Object enter(RoutingRequest req, RoutingResponse res) {
        if (exempt(req.path().path())) {
            return null;
        }
        if (!acquire()) {
            // Answered here, not thrown, so the outer stages record a 503 (an exception would be recorded as a 500).
            rejected.increment();
            long retry = Math.max(1, settings.retryAfter().toSeconds());
            res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, retry));
            Problems.send(req, res, Status.SERVICE_UNAVAILABLE_503, "the server is at its concurrency limit ("
                    + settings.permits() + " running, " + settings.queueLength() + " waiting); retry in " + retry + " s");
            return ANSWERED;
        }
        return PERMIT;
    }

    @Override
    public void exit(RoutingRequest req, RoutingResponse res, Object permit, Throwable failure) {
        if (permit == PERMIT) {
            permits.release();
        }
    }

    /** The current counts; cheap enough to call on every scrape. */
    public Snapshot snapshot() {
        return new Snapshot(settings.permits(), settings.permits() - permits.availablePermits(), queued.get(),
                            rejected.sum());
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void writeMetrics(PrometheusText out) {
        Snapshot s = snapshot();
        out.gauge("loom_limiter_permits", "Requests the limiter lets run at once.", s.permits())
                .gauge("loom_limiter_in_flight", "Requests holding a limiter permit now.", s.inFlight())
                .gauge("loom_limiter_queued", "Requests waiting for a limiter permit now.", s.queued())
                .counter("loom_limiter_rejected_total", "Requests answered 503 by the limiter.", s.rejected());
    }

    private boolean acquire() {
        try {
            // tryAcquire(0, ...) honours fairness: nobody overtakes a request that is already waiting.
            if (permits.tryAcquire(0, TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (queued.incrementAndGet() > settings.queueLength()) {
                queued.decrementAndGet();
                return false;
            }
            try {
                return permits.tryAcquire(settings.queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } finally {
                queued.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean exempt(String path) {
        for (String prefix : exemptPrefixes) {
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return true;
            }
        }
        return false;
    }
}
