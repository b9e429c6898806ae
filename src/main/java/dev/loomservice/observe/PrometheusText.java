package dev.loomservice.observe;

import java.util.HashSet;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: one {@code # HELP} and {@code # TYPE} per family,
 * then its samples. Label values are escaped as the format requires. Counters must be named {@code *_total},
 * units are base units (seconds, bytes): what {@code promtool check metrics} expects.
 */
public final class PrometheusText {
    /** The media type scrapers ask for. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);
    private final Set<String> families = new HashSet<>();

    public PrometheusText gauge(String name, String help, double value, String... labels) {
        return sample("gauge", name, help, name, value, labels);
    }

    public PrometheusText counter(String name, String help, double value, String... labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter names end in _total: " + name);
        }
        return sample("counter", name, help, name, value, labels);
    }

    /** Declares a histogram family; then write its series with {@link #histogramSample}. */
    public PrometheusText histogram(String name, String help) {
        family("histogram", name, help);
        return this;
    }

    /** One series of histogram {@code name}: cumulative {@code counts} per upper bound, then sum and count. */
    PrometheusText histogramSample(String name, double[] bounds, long[] counts, double sum, String... labels) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i];
            line(name + "_bucket", cumulative, labels, "le", format(bounds[i]));
        }
        cumulative += counts[bounds.length];
        line(name + "_bucket", cumulative, labels, "le", "+Inf");
        line(name + "_sum", sum, labels);
        line(name + "_count", cumulative, labels);
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private PrometheusText sample(String type, String family, String help, String name, double value, String[] labels) {
        family(type, family, help);
        line(name, value, labels);
        return this;
    }

    private void family(String type, String name, String help) {
        if (families.add(name)) {
            out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }
    }

    /** {@code labels} are name, value, name, value...; {@code extra} is one more pair (for {@code le}). */
    private void line(String name, double value, String[] labels, String... extra) {
        out.append(name);
        if (labels.length + extra.length > 0) {
            out.append('{');
            appendPairs(labels, false);
            appendPairs(extra, labels.length > 0);
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
    }

    private void appendPairs(String[] pairs, boolean comma) {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (comma || i > 0) {
                out.append(',');
            }
            out.append(pairs[i]).append("=\"").append(escape(pairs[i + 1])).append('"');
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.isNaN(v) ? "NaN" : Double.toString(v);
    }
}
