package dev.loomservice.observe;

/** A component that reports its own numbers on {@code /observe/metrics}. Called on every scrape: keep it cheap. */
@FunctionalInterface
public interface Metered {
    void writeMetrics(PrometheusText out);
}
