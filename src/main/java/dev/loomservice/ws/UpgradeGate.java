package dev.loomservice.ws;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.websocket.WsUpgradeException;

/**
 * Decides every WebSocket upgrade. Helidon 4.2.6 hands upgrades to the WebSocket listener before HTTP routing, so
 * no HTTP filter (the limiter included) sees them; this gate is the WebSocket path's own admission control:
 * <ol>
 *   <li>the method must be {@code GET} (RFC 6455 4.1; Helidon upgrades any method),</li>
 *   <li>a browser's {@code Origin} must name this server's own host (the {@code Host} header), or be listed in
 *       {@code allowed-origins} ({@code *} allows any). Requests without {@code Origin} come from non-browser
 *       clients and are allowed: Origin exists to stop other sites' pages from using a visitor's browser,</li>
 *   <li>the endpoint's own {@link Check} (e.g. the chat's {@code room} and {@code name}),</li>
 *   <li>at most {@code max-connections} WebSocket connections are open, over all endpoints.</li>
 * </ol>
 * A refused upgrade is counted and declined; Helidon then routes the request as plain HTTP, where
 * {@link UpgradeRefusals} answers it with the same verdict as a problem+json body.
 */
final class UpgradeGate {
    private final Set<String> allowedOrigins;
    private final int maxConnections;
    private final Semaphore slots;
    private final Map<String, AtomicInteger> open = new LinkedHashMap<>();
    private final LongAdder rejected = new LongAdder();

    /** An endpoint's own checks on the upgrade request. */
    @FunctionalInterface
    interface Check {
        Check NONE = (prologue, headers) -> Optional.empty();

        Optional<Refusal> refusal(HttpPrologue prologue, Headers headers);
    }

    /** Why an upgrade is refused: the HTTP answer it gets. */
    record Refusal(Status status, String detail, List<Header> headers) {
        Refusal(Status status, String detail) {
            this(status, detail, List.of());
        }
    }

    UpgradeGate(List<String> allowedOrigins, int maxConnections, List<String> endpoints) {
        this.allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.maxConnections = maxConnections;
        this.slots = new Semaphore(maxConnections);
        endpoints.forEach(path -> open.put(path, new AtomicInteger()));
    }

    /**
     * Admits an upgrade to {@code endpoint} or throws (and counts) the refusal. Call from
     * {@code WsListener.onHttpUpgrade}: the admitted connection holds a slot until its thread ends.
     *
     * @return the connection's thread, to watch or abort
     */
    ConnectionThread admit(String endpoint, HttpPrologue prologue, Headers headers, Check check)
            throws WsUpgradeException {
        Optional<Refusal> refusal = refusal(prologue, headers, check);
        if (refusal.isEmpty() && !slots.tryAcquire()) {
            refusal = Optional.of(full());
        }
        if (refusal.isPresent()) {
            rejected.increment();
            throw new WsUpgradeException(refusal.get().detail());
        }
        AtomicInteger endpointOpen = open.get(endpoint);
        endpointOpen.incrementAndGet();
        ConnectionThread connection = ConnectionThread.current();
        connection.whenEnded(() -> {
            endpointOpen.decrementAndGet();
            slots.release();
        });
        return connection;
    }

    /** Why this request may not upgrade, leaving capacity aside; empty if it may. */
    Optional<Refusal> refusal(HttpPrologue prologue, Headers headers, Check check) {
        if (prologue.method() != Method.GET) {
            return Optional.of(new Refusal(Status.METHOD_NOT_ALLOWED_405,
                                           "a WebSocket upgrade must be a GET; got " + prologue.method().text(),
                                           List.of(HeaderValues.create(HeaderNames.ALLOW, "GET"))));
        }
        Optional<String> origin = headers.first(HeaderNames.ORIGIN);
        if (origin.isPresent() && !originAllowed(origin.get(), headers)) {
            return Optional.of(new Refusal(Status.FORBIDDEN_403, "Origin '" + origin.get()
                    + "' may not open WebSockets here; allowed are this server's own host and "
                    + "app.websocket.allowed-origins"));
        }
        return check.refusal(prologue, headers);
    }

    /** The refusal of an upgrade that passed every check but found all connection slots taken. */
    Refusal full() {
        return new Refusal(Status.SERVICE_UNAVAILABLE_503, "the server holds its maximum of " + maxConnections
                + " WebSocket connections; retry later", List.of(HeaderValues.create(HeaderNames.RETRY_AFTER, 1)));
    }

    int maxConnections() {
        return maxConnections;
    }

    /** Open connections per endpoint path, in registration order. */
    Map<String, Integer> open() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        open.forEach((path, count) -> counts.put(path, count.get()));
        return counts;
    }

    long rejected() {
        return rejected.sum();
    }

    private boolean originAllowed(String origin, Headers headers) {
        String lower = origin.toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains("*") || allowedOrigins.contains(lower)) {
            return true;
        }
        // Same host: the Origin's authority equals the Host the request was sent to (the scheme is not compared,
        // as a TLS-terminating proxy may change it).
        Optional<String> host = headers.first(HeaderNames.HOST);
        try {
            String authority = URI.create(origin).getRawAuthority();
            return host.isPresent() && authority != null && authority.equalsIgnoreCase(host.get());
        } catch (IllegalArgumentException e) {
            return false; // e.g. "null", sent by sandboxed pages and file: URLs
        }
    }
}
