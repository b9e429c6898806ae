package dev.loomservice.observe;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The answer to asyncio's debug mode ({@code slow_callback_duration}): a request that runs longer than
 * {@code threshold} is logged once, with its route, how long it has run and a sample of its virtual thread's
 * stack (where it is stuck), and counted per route.
 *
 * <p>{@link #scan} (called periodically) samples requests still running past the threshold, which is when the
 * stack says something. A request that finishes slow between two scans is logged at completion instead, without
 * a stack. Either way each slow request is counted once, at completion, and logged at most once: at most
 * {@code logLimit} reports a second are written ({@link LogBudget}), because slow requests come in floods exactly
 * when the server is overloaded; the rest are summed up in one line a second.
 */
final class SlowRequests {
    private static final System.Logger LOG = System.getLogger(SlowRequests.class.getName());
    private static final int STACK_FRAMES = 24;

    private final Duration threshold;
    private final long thresholdNanos;
    private final Map<String, LongAdder> perRoute = new ConcurrentHashMap<>();
    private final LogBudget budget;

    SlowRequests(Duration threshold, int logLimit) {
        this.threshold = threshold;
        this.thresholdNanos = threshold.toNanos();
        this.budget = new LogBudget(logLimit);
    }

    /** How often {@link #scan} should run: often enough to catch a request soon after it turns slow. */
    Duration scanPeriod() {
        return Duration.ofMillis(Math.max(10, threshold.toMillis() / 4));
    }

    void scan(Iterable<InFlight.Request> requests) {
        long now = System.nanoTime();
        long suppressed = budget.takeSuppressed(now);
        if (suppressed > 0) {
            LOG.log(System.Logger.Level.WARNING, suppressed + " more slow requests were not logged (at most "
                    + budget.perSecond() + " a second: app.observe.slow-request-log-limit); "
                    + "loom_slow_requests_total counts them all");
        }
        for (InFlight.Request r : requests) {
            if (r.running() && now - r.startNanos() > thresholdNanos && r.claimSlowReport() && budget.tryLog(now)) {
                String stack = Arrays.stream(r.thread().getStackTrace())
                        .limit(STACK_FRAMES)
                        .map(f -> "\tat " + f)
                        .collect(Collectors.joining("\n"));
                LOG.log(System.Logger.Level.WARNING, describe(r, now, "still running") + "\n" + stack);
            }
        }
    }

    /** Called when a request ends after {@code nanos}. */
    void completed(InFlight.Request r, long nanos) {
        if (nanos <= thresholdNanos) {
            return;
        }
        perRoute.computeIfAbsent(r.route(), k -> new LongAdder()).increment();
        if (r.claimSlowReport() && budget.tryLog(System.nanoTime())) {
            LOG.log(System.Logger.Level.WARNING, describe(r, System.nanoTime(), "finished before a stack sample"));
        }
    }

    void write(PrometheusText out) {
        String name = "loom_slow_requests_total";
        String help = "Requests that took longer than app.observe.slow-request-threshold, per route.";
        if (perRoute.isEmpty()) {
            out.counter(name, help, 0, "route", "none");
        }
        perRoute.forEach((route, n) -> out.counter(name, help, n.sum(), "route", route));
    }

    private String describe(InFlight.Request r, long now, String state) {
        return "slow request (" + state + "): " + r.method() + " " + r.path() + " route=" + r.route()
                + " id=" + r.requestId() + " " + r.millis(now) + " ms, threshold " + threshold.toMillis() + " ms";
    }
}
