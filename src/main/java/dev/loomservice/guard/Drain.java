package dev.loomservice.guard;

import java.time.Duration;
import java.util.function.IntSupplier;

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
 * Graceful shutdown. Helidon 4.5's {@code WebServer.stop()} gives running requests {@code shutdown-grace-period}
 * (0.5 s by default) and then interrupts them; it neither tells a load balancer to stop sending nor refuses what
 * still arrives. So before calling it we drain: {@link #begin} turns readiness DOWN and makes this stage answer every new request (except
 * {@code /observe}, so health can say DOWN) with 503, {@code Retry-After} and {@code Connection: close}; then
 * {@link #awaitIdle} waits until the requests already running have finished, or the grace period is over.
 */
public final class Drain implements Stage, Metered {
    private final Duration grace;
    private final IntSupplier running;
    private volatile boolean draining;

    /** What {@code app.shutdown} configures. */
    public record Settings(Duration grace) {
        public static Settings from(Config shutdown) {
            return new Settings(ConfigValues.duration(shutdown.get("grace"), Duration.ofSeconds(30)));
        }
    }

    /** @param running how many requests are running now (counted by the observer stage, which sees them all) */
    public Drain(Settings settings, IntSupplier running) {
        this.grace = settings.grace();
        this.running = running;
    }

    public boolean draining() {
        return draining;
    }

    /** From now on, new requests are refused. */
    public void begin() {
        draining = true;
    }

    /**
     * Blocks until no request is running or the grace period has passed.
     *
     * @return true if every request finished in time
     */
    public boolean awaitIdle() throws InterruptedException {
        long end = System.nanoTime() + grace.toNanos();
        while (running.getAsInt() > 0) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(10); // shutdown only; a poll is simpler than signalling from every request
        }
        return true;
    }

    public Duration grace() {
        return grace;
    }

    @Override
    public Object enter(RoutingRequest req, RoutingResponse res) {
        if (draining && !req.path().path().startsWith("/observe")) {
            // answered here, not thrown, so the outer stages see it (and ConnectionPolicy closes the connection)
            res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, 1)).header(HeaderValues.CONNECTION_CLOSE);
            Problems.send(req, res, Status.SERVICE_UNAVAILABLE_503, "the server is shutting down; retry elsewhere");
            return ANSWERED;
        }
        return null;
    }

    @Override
    public void writeMetrics(PrometheusText out) {
        out.gauge("loom_draining", "1 while the server drains before stopping.", draining ? 1 : 0);
    }
}
