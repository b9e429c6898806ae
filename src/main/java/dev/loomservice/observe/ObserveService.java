package dev.loomservice.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.stage.Stage;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code /observe/health} (with {@code /live} and {@code /ready}) and {@code /observe/metrics}, and the
 * request-side machinery behind them: request ids, the request histogram, the access log, the slow-request and
 * pinning detectors. Register under {@code /observe}. It owns their threads: started before the server starts, stopped after it stops (once,
 * however many sockets register this service).
 *
 * <p>Everything is per instance, nothing global, so two servers in one JVM (as in tests) do not mix numbers.
 */
public final class ObserveService implements HttpService {
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());
    private static final Duration KEEP_FINISHED = Duration.ofSeconds(10);

    private final InFlight inFlight;
    private final BooleanSupplier ready;
    private final List<Metered> sources;
    private final HttpMetrics http = new HttpMetrics();
    private final JvmMetrics jvm = new JvmMetrics();
    private final SlowRequests slow;
    private final PinningDetector pinning;
    private final AccessLog accessLog;
    private final ScheduledExecutorService watchdog =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("observe-watchdog").daemon(true).factory());
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();

    /** What {@code app.observe} configures. */
    public record Settings(boolean accessLog, Duration slowRequestThreshold, int slowRequestLogLimit,
                           boolean pinningDetection, Duration pinningThreshold) {
        public static Settings from(Config observe) {
            return new Settings(observe.get("access-log").asBoolean().orElse(true),
                                ConfigValues.duration(observe.get("slow-request-threshold"), Duration.ofSeconds(1)),
                                ConfigValues.intAtLeast(observe.get("slow-request-log-limit"), 0, 10),
                                observe.get("pinning-detection").asBoolean().orElse(true),
                                ConfigValues.duration(observe.get("pinning-threshold"), Duration.ofMillis(20)));
        }
    }

    /**
     * @param ready   false while the service should get no traffic (draining): readiness is then DOWN
     * @param sources the other components' metrics (limiter, CPU pool, ...)
     */
    public ObserveService(Settings settings, InFlight inFlight, BooleanSupplier ready, List<Metered> sources) {
        this.inFlight = inFlight;
        this.ready = ready;
        this.sources = List.copyOf(sources);
        this.slow = new SlowRequests(settings.slowRequestThreshold(), settings.slowRequestLogLimit());
        this.pinning = settings.pinningDetection() ? new PinningDetector(settings.pinningThreshold(), inFlight) : null;
        this.accessLog = settings.accessLog() ? new AccessLog(System.err) : null;
    }

    /** The stages to install first, in this order: request id, then the observer. */
    public List<Stage> stages() {
        return List.of(new RequestId(), new RequestObserver(inFlight, http, slow, accessLog));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
                .get("/health/live", this::live)
                .get("/health/ready", this::readiness)
                .get("/metrics", this::metrics);
    }

    @Override
    public void beforeStart() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        if (accessLog != null) {
            accessLog.start();
        }
        if (pinning != null) {
            pinning.start();
        }
        long scan = slow.scanPeriod().toMillis();
        watchdog.scheduleAtFixedRate(() -> slow.scan(inFlight.all()), scan, scan, TimeUnit.MILLISECONDS);
        watchdog.scheduleAtFixedRate(() -> inFlight.sweep(KEEP_FINISHED.toNanos()), 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void afterStop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        watchdog.shutdownNow();
        if (pinning != null) {
            pinning.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
    }

    private void health(ServerRequest req, ServerResponse res) {
        boolean up = ready.getAsBoolean();
        send(res, up, check("live", true), check("ready", up));
    }

    private void live(ServerRequest req, ServerResponse res) {
        send(res, true, check("live", true));
    }

    private void readiness(ServerRequest req, ServerResponse res) {
        boolean up = ready.getAsBoolean();
        send(res, up, check("ready", up));
    }

    private static JsonObjectBuilder check(String name, boolean up) {
        return JSON.createObjectBuilder().add("name", name).add("status", up ? "UP" : "DOWN");
    }

    private static void send(ServerResponse res, boolean up, JsonObjectBuilder... checks) {
        var list = JSON.createArrayBuilder();
        for (JsonObjectBuilder c : checks) {
            list.add(c);
        }
        res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(JSON.createObjectBuilder().add("status", up ? "UP" : "DOWN").add("checks", list).build()
                              .toString());
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        PrometheusText out = new PrometheusText();
        http.write(out);
        slow.write(out);
        out.counter("loom_virtual_thread_pinned_total", "jdk.VirtualThreadPinned events over the threshold.",
                    pinning == null ? 0 : pinning.events())
                .counter("loom_virtual_thread_pinned_seconds_total", "Time virtual threads held their carriers pinned.",
                         pinning == null ? 0 : pinning.pinnedSeconds())
                .counter("loom_access_log_dropped_total", "Access log lines dropped because the writer fell behind.",
                         accessLog == null ? 0 : accessLog.dropped())
                .gauge("loom_requests_in_flight", "Requests being served now.", inFlight.running())
                .gauge("loom_ready", "1 when ready for traffic, 0 while draining.", ready.getAsBoolean() ? 1 : 0);
        for (Metered source : sources) {
            source.writeMetrics(out);
        }
        jvm.writeMetrics(out);
        res.header(HeaderNames.CONTENT_TYPE, PrometheusText.CONTENT_TYPE).send(out.toString());
    }
}
