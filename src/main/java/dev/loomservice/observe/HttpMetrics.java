package dev.loomservice.observe;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Request counts and latencies per method, route pattern and status, as one histogram
 * ({@code http_server_request_duration_seconds}; its {@code _count} is the request count).
 *
 * <p>Recording is lock-free ({@link Histogram}) and allocates only the lookup key. The label set is bounded:
 * routes are patterns (the route table flattens them, see {@code RouteTable}) or {@code none}, methods and statuses are few.
 */
final class HttpMetrics {
    static final String NAME = "http_server_request_duration_seconds";

    private final ConcurrentHashMap<Key, Histogram> series = new ConcurrentHashMap<>();

    private record Key(String method, String route, int status) {
    }

    void record(String method, String route, int status, long nanos) {
        Key key = new Key(method, route, status); // escape analysis keeps it off the heap when the series exists
        Histogram h = series.get(key);
        if (h == null) {
            h = series.computeIfAbsent(key, k -> new Histogram());
        }
        h.record(nanos);
    }

    void write(PrometheusText out) {
        out.histogram(NAME, "Time from routing to the end of the handler, per method, route pattern and status.");
        series.forEach((key, h) -> h.write(out, NAME, "method", key.method(), "route", key.route(),
                                           "status", String.valueOf(key.status())));
    }
}
