package dev.loomservice.observe;

import io.helidon.http.Headers;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Adds {@code Server-Timing: app;dur=<ms>} to every response: the time from the request line being read to the
 * response headers being written. A filter can not do this (the handler has sent the headers by the time the
 * filter regains control, and Helidon 4.2 has no before-send hook), so it is a pair of HTTP/1 listeners: the
 * receiver notes the start, the sender sets the header just before the headers are serialised.
 *
 * <p>A connection is served by one thread, one request at a time, so a thread-local holds the start.
 */
public final class ServerTiming {
    private static final HeaderName SERVER_TIMING = HeaderNames.create("Server-Timing");
    private final ThreadLocal<long[]> start = ThreadLocal.withInitial(() -> new long[1]);

    /** Milliseconds with two decimals ({@code 12.05}), without String.format (it would cost more than a hello). */
    static String millis(long nanos) {
        return millis(new StringBuilder(12), nanos).toString();
    }

    /** Appends {@link #millis(long)}'s text to {@code to}. */
    static StringBuilder millis(StringBuilder to, long nanos) {
        long hundredths = nanos / 10_000;
        long fraction = hundredths % 100;
        return to.append(hundredths / 100).append(fraction < 10 ? ".0" : ".").append(fraction);
    }

    /** Register as a receive listener. */
    public Http1ConnectionListener receiver() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                start.get()[0] = System.nanoTime();
            }
        };
    }

    /** Register as a send listener. */
    public Http1ConnectionListener sender() {
        return new Http1ConnectionListener() {
            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                long began = start.get()[0];
                if (began != 0 && headers instanceof ServerResponseHeaders response) {
                    response.set(SERVER_TIMING, millis(new StringBuilder(16).append("app;dur="),
                                                       System.nanoTime() - began).toString());
                }
            }
        };
    }
}
