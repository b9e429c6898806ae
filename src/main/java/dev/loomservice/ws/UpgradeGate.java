package dev.loomservice.ws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.loomservice.problem.Problems;
import dev.loomservice.stage.Stage;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.websocket.WsUpgradeException;

/**
 * Admission control for WebSocket upgrades, as a stage of the HTTP filter: Helidon 4.5 runs the HTTP filters (ours
 * is the {@link dev.loomservice.stage.Stages}: request id, access log, drain, limiter, this) before it switches
 * a connection to WebSocket. Helidon itself refuses, before any filter, an upgrade that is not a {@code GET} (400)
 * and one whose {@code Origin} is not allowed (403: see {@code app.websocket.allowed-origins}). Helidon reads only
 * the first of repeated handshake headers, so a second {@code Origin} escapes its check. This stage adds, for
 * upgrades to our endpoints:
 * <ol>
 *   <li>the handshake's headers ({@link HandshakeHeaders}): one {@code Origin} at most (else 403), one
 *       {@code Sec-WebSocket-Key} of 16 bytes in base64 and one {@code Sec-WebSocket-Version} (else 400);</li>
 *   <li>the endpoint's own {@link Check} (e.g. the chat's {@code room} and {@code name}): its refusal, usually 400;</li>
 *   <li>at most {@code max-connections} WebSocket connections open over all endpoints: beyond, 503 with
 *       {@code Retry-After}.</li>
 * </ol>
 * A refusal is a problem+json answer and is counted. An admitted upgrade holds a slot from here on: the endpoint
 * claims it in {@code onHttpUpgrade} ({@link #opened}) and keeps it until the connection's thread ends; a slot
 * nobody claimed (Helidon did not upgrade after all) is returned when the stage exits.
 */
final class UpgradeGate implements Stage {
    private final int maxConnections;
    private final Semaphore slots;
    private final Map<String, Check> checks;
    private final Map<String, AtomicInteger> open = new LinkedHashMap<>();
    private final Map<Thread, String> admitted = new ConcurrentHashMap<>();
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

    /** @param checks the endpoints' paths, in the order stats list them, each with its own check */
    UpgradeGate(int maxConnections, Map<String, Check> checks) {
        this.maxConnections = maxConnections;
        this.slots = new Semaphore(maxConnections);
        this.checks = Map.copyOf(checks);
        checks.keySet().forEach(path -> open.put(path, new AtomicInteger()));
    }

    @Override
    public Object enter(RoutingRequest req, RoutingResponse res) {
        Check check = upgrade(req.headers()) ? checks.get(req.path().path()) : null;
        if (check == null) {
            return null;
        }
        Optional<Refusal> refusal = HandshakeHeaders.refusal(req.headers())
                .or(() -> check.refusal(req.prologue(), req.headers()));
        if (refusal.isEmpty() && !slots.tryAcquire()) {
            refusal = Optional.of(full());
        }
        if (refusal.isPresent()) {
            rejected.increment();
            refusal.get().headers().forEach(res::header);
            Problems.send(req, res, refusal.get().status(), refusal.get().detail());
            return ANSWERED;
        }
        Thread self = Thread.currentThread();
        admitted.put(self, req.path().path());
        return self;
    }

    @Override
    public void exit(RoutingRequest req, RoutingResponse res, Object self, Throwable failure) {
        if (self != null && admitted.remove(self) != null) {
            slots.release(); // not upgraded: the endpoint never claimed its slot
        }
    }

    /**
     * Claims the slot this stage gave the current thread's upgrade. Call from {@code WsListener.onHttpUpgrade},
     * which Helidon runs on the connection's thread inside the HTTP filter; the slot is held until that thread
     * ends.
     *
     * @return the connection's thread, to watch or abort
     * @throws WsUpgradeException when the upgrade did not pass this stage (it cannot happen with the stage
     *                            installed; Helidon answers 400)
     */
    ConnectionThread opened(String endpoint) throws WsUpgradeException {
        if (!endpoint.equals(admitted.remove(Thread.currentThread()))) {
            throw new WsUpgradeException("upgrade not admitted by the gate");
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

    /** The endpoint's verdict on a request to {@code path} (no capacity check); empty if it may upgrade. */
    Optional<Refusal> refusal(String path, HttpPrologue prologue, Headers headers) {
        return checks.getOrDefault(path, Check.NONE).refusal(prologue, headers);
    }

    /** What Helidon takes for a WebSocket handshake: {@code Upgrade: websocket} (any case), then its own checks. */
    static boolean upgrade(Headers headers) {
        return headers.first(HeaderNames.UPGRADE).map(u -> u.toLowerCase(Locale.ROOT).equals("websocket"))
                .orElse(false);
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
}
