package dev.loomservice.observe;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * One latency histogram series: counts per bucket and the sum, lock-free ({@link LongAdder}s), written as one
 * series of a Prometheus histogram family. The buckets are seconds, from 1 ms (a hello, a primary-key read) to
 * 10 s, with the 100 ms of {@code /io?ms=100} on a boundary; every family here uses the same ones.
 */
public final class Histogram {
    private static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUNDS_NANOS = Arrays.stream(BOUNDS).mapToLong(b -> Math.round(b * 1e9)).toArray();

    private final LongAdder[] counts = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public Histogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        counts[bucket].increment();
        sumNanos.add(nanos);
    }

    /** Writes this series of family {@code name}, declared before with {@link PrometheusText#histogram}. */
    public void write(PrometheusText out, String name, String... labels) {
        long[] snapshot = new long[counts.length];
        for (int i = 0; i < snapshot.length; i++) {
            snapshot[i] = counts[i].sum();
        }
        out.histogramSample(name, BOUNDS, snapshot, sumNanos.sum() / 1e9, labels);
    }
}
