package dev.loomservice.observe;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code Server-Timing: app;dur=<ms>} on every routed response: the time from the request reaching the stages
 * (its headers read) to its response headers being written. {@link RequestObserver} registers it with Helidon's
 * {@link ServerResponse#beforeSend} hook (since 4.3.2), from the same start as the access log's {@code ms}, so
 * the two agree. A filter alone could not set it: the route has sent the headers by the time the filter regains
 * control.
 */
final class ServerTiming {
    private static final HeaderName SERVER_TIMING = HeaderNames.create("Server-Timing");

    private ServerTiming() {
    }

    /**
     * Appends {@code nanos} as milliseconds with two decimals ({@code 12.05}), without String.format (it would cost
     * more than a hello).
     */
    static StringBuilder millis(StringBuilder to, long nanos) {
        long hundredths = nanos / 10_000;
        long fraction = hundredths % 100;
        return to.append(hundredths / 100).append(fraction < 10 ? ".0" : ".").append(fraction);
    }

    /** Sets the header on {@code res} just before its headers are written: the time since {@code startNanos}. */
    static void addTo(ServerResponse res, long startNanos) {
        res.beforeSend(() -> res.headers().set(SERVER_TIMING, millis(new StringBuilder(16).append("app;dur="),
                                                                    System.nanoTime() - startNanos).toString()));
    }
}
