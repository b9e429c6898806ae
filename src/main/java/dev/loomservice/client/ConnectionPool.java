package dev.loomservice.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;

/**
 * Idle HTTP/1.1 keep-alive connections, up to {@code perHost} per origin, that exchanges take and give back.
 *
 * <p>Why not Helidon's own connection cache: in 4.5.0 it never closes a connection it has given up on (the server
 * closed it, or its idle monitor's read timed out): the socket stays open, in CLOSE-WAIT, until a later request
 * polls it out of the cache, unclosed, and a garbage collection finds it. Bursts of fan-outs piled them up by the
 * thousand. Here every connection the pool lets go of is closed: by a sweep once a second, or by {@link #take}.
 *
 * <p>No idle monitor either. Helidon's ({@code HelidonSocket.idle()}) starts a virtual thread per idle connection
 * that reads its socket in 101 ms slices, each one that times out throwing an exception, and the next exchange
 * waits for that thread to finish: a large share of a fan-out's CPU (measured in bench/README, "What is
 * compared", fan-out). Instead a connection stays idle at most {@code maxIdle}, shorter than servers keep an idle
 * connection open, so a server rarely closes one the pool still offers; when it does, in that race, the exchange
 * sees the connection end before a response and {@link Exchanges} retries a GET once on a new connection
 * ({@link Taken#reused}).
 *
 * <p>The most recently returned connection is taken first, so a steady load keeps reusing a few warm connections
 * and the rest age out.
 */
final class ConnectionPool implements AutoCloseable {
    private static final List<String> HTTP_1_1 = List.of("http/1.1");
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    private final WebClient client;
    private final int perHost;
    private final long maxIdleNanos;
    private final Map<Origin, LinkedBlockingDeque<Idle>> idle = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("client-pool-sweep").daemon(true)
                                                               .factory());
    private volatile boolean closed;

    private record Origin(String scheme, String host, int port) {
        static Origin of(URI url) {
            int port = url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
            return new Origin(url.getScheme(), url.getHost(), port);
        }
    }

    /** A connection in the pool, since {@code sinceNanos}. */
    private record Idle(TcpClientConnection connection, long sinceNanos) {
    }

    /** A connection for one exchange; {@code reused}: it was idle, so the server may have closed it meanwhile. */
    record Taken(ClientConnection connection, boolean reused) {
    }

    ConnectionPool(WebClient client, int perHost, Duration maxIdle) {
        this.client = client;
        this.perHost = perHost;
        this.maxIdleNanos = maxIdle.toNanos();
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /** A connection to {@code url}'s origin: the most recent idle one if there is one young enough, else a new one. */
    Taken take(URI url) {
        Origin origin = Origin.of(url);
        LinkedBlockingDeque<Idle> deque = idle.get(origin);
        long now = System.nanoTime();
        for (Idle c = deque == null ? null : deque.pollLast(); c != null; c = deque.pollLast()) {
            if (usable(c, now)) {
                return new Taken(c.connection(), true);
            }
            c.connection().closeResource();
        }
        return new Taken(connect(origin), false);
    }

    /** A new connection to {@code url}'s origin, given back to the pool when its exchange is over. */
    ClientConnection connect(URI url) {
        return connect(Origin.of(url));
    }

    /** Closes every idle connection; connections in use are closed when given back. */
    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        idle.values().forEach(deque -> deque.removeIf(ConnectionPool::close));
    }

    private TcpClientConnection connect(Origin origin) {
        WebClientConfig config = client.prototype();
        ConnectionKey key = ConnectionKey.create(origin.scheme(), origin.host(), origin.port(),
                                                 "https".equals(origin.scheme()) ? config.tls() : NO_TLS,
                                                 config.dnsResolver(), config.dnsAddressLookup(), config.proxy());
        return TcpClientConnection.create(client, key, HTTP_1_1, c -> giveBack(origin, c), c -> { }).connect();
    }

    /** Helidon's release function: true if the pool keeps {@code c}, false to have Helidon close it. */
    private boolean giveBack(Origin origin, TcpClientConnection c) {
        if (closed || !c.isConnected()) {
            return false;
        }
        Idle entry = new Idle(c, System.nanoTime());
        boolean[] kept = new boolean[1];
        // compute: the sweep removes an empty deque under the same lock, so no connection lands in a removed one
        idle.compute(origin, (o, deque) -> {
            LinkedBlockingDeque<Idle> d = deque == null ? new LinkedBlockingDeque<>(perHost) : deque;
            kept[0] = d.offerLast(entry);
            return d;
        });
        return kept[0];
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Origin origin : idle.keySet()) {
            idle.computeIfPresent(origin, (o, deque) -> {
                deque.removeIf(c -> !usable(c, now) && close(c));
                return deque.isEmpty() ? null : deque;
            });
        }
    }

    private boolean usable(Idle c, long nowNanos) {
        return nowNanos - c.sinceNanos() < maxIdleNanos && c.connection().isConnected();
    }

    private static boolean close(Idle c) {
        c.connection().closeResource();
        return true;
    }
}
