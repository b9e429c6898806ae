package dev.loomservice.observe;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counts and latencies per method, route pattern and status, as one histogram
 * ({@code http_server_request_duration_seconds}; its {@code _count} is the request count).
 *
 * <p>Recording is lock-free ({@link LongAdder}s) and allocates only the lookup key. The label set is bounded:
 * routes are patterns ({@link RouteTags}) or {@code none}, methods and statuses are few.
 */
final class HttpMetrics {
    static final String NAME = "http_server_request_duration_seconds";
    /** Seconds; from 1 ms (a hello) to 10 s, with the 100 ms of {@code /io?ms=100} on a boundary. */
    private static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUNDS_NANOS = Arrays.stream(BOUNDS).mapToLong(b -> Math.round(b * 1e9)).toArray();

    private final ConcurrentHashMap<Key, Series> series = new ConcurrentHashMap<>();

    private record Key(String method, String route, int status) {
    }

    private static final class Series {
        private final LongAdder[] counts = new LongAdder[BOUNDS.length + 1];
        private final LongAdder sumNanos = new LongAdder();

        private Series() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }
    }

    void record(String method, String route, int status, long nanos) {
        Key key = new Key(method, route, status); // escape analysis keeps it off the heap when the series exists
        Series s = series.get(key);
        if (s == null) {
            s = series.computeIfAbsent(key, k -> new Series());
        }
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        s.counts[bucket].increment();
        s.sumNanos.add(nanos);
    }

    void write(PrometheusText out) {
        out.histogram(NAME, "Time from routing to the end of the handler, per method, route pattern and status.");
        series.forEach((key, s) -> {
            long[] counts = new long[s.counts.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = s.counts[i].sum();
            }
            out.histogramSample(NAME, BOUNDS, counts, s.sumNanos.sum() / 1e9, "method", key.method(), "route", key.route(),
                                "status", String.valueOf(key.status()));
        });
    }
}
