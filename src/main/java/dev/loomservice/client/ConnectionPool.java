package dev.loomservice.client;

import java.net.URI;
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
 * <p>Why not Helidon's own connection cache: in 4.5.0 it never closes a connection it has given up on. When the
 * server closes an idle connection (or the idle monitor's read times out), Helidon's monitor marks it closed but
 * leaves its socket open, in CLOSE-WAIT; the cache drops it, unclosed, only when a later request polls it out, and
 * its descriptor lives until a garbage collection. Bursts of fan-outs piled them up by the thousand. Here every
 * idle connection found dead is closed: by a sweep once a second, and by {@link #take} when it meets one.
 *
 * <p>The most recently returned connection is taken first, so a steady load keeps reusing a few warm connections
 * and the rest age out. Idle connections are watched by Helidon's idle monitor, whose read timeout is the client's
 * read timeout: an idle connection lives at most that long.
 */
final class ConnectionPool implements AutoCloseable {
    private static final List<String> HTTP_1_1 = List.of("http/1.1");
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    private final WebClient client;
    private final int perHost;
    private final Map<Origin, LinkedBlockingDeque<TcpClientConnection>> idle = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("client-pool-sweep").daemon(true)
                                                               .factory());
    private volatile boolean closed;

    private record Origin(String scheme, String host, int port) {
    }

    ConnectionPool(WebClient client, int perHost) {
        this.client = client;
        this.perHost = perHost;
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /** A connected connection to {@code url}'s origin: an idle one if there is one alive, else a new one. */
    ClientConnection take(URI url) {
        Origin origin = new Origin(url.getScheme(), url.getHost(), port(url));
        LinkedBlockingDeque<TcpClientConnection> deque = idle.get(origin);
        for (TcpClientConnection c = deque == null ? null : deque.pollLast(); c != null; c = deque.pollLast()) {
            if (c.isConnected()) {
                return c;
            }
            c.closeResource();
        }
        WebClientConfig config = client.prototype();
        ConnectionKey key = ConnectionKey.create(origin.scheme(), origin.host(), origin.port(),
                                                 "https".equals(origin.scheme()) ? config.tls() : NO_TLS,
                                                 config.dnsResolver(), config.dnsAddressLookup(), config.proxy());
        return TcpClientConnection.create(client, key, HTTP_1_1, c -> giveBack(origin, c), c -> { }).connect();
    }

    /** Closes every idle connection; connections in use are closed when given back. */
    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        idle.values().forEach(deque -> deque.removeIf(ConnectionPool::close));
    }

    /** Helidon's release function: true if the pool keeps {@code c}, false to have Helidon close it. */
    private boolean giveBack(Origin origin, TcpClientConnection c) {
        if (closed || !c.isConnected()) {
            return false;
        }
        c.helidonSocket().idle(); // before it is visible to takers: the monitor must not start after a take
        boolean[] kept = new boolean[1];
        // compute: the sweep removes an empty deque under the same lock, so no connection lands in a removed one
        idle.compute(origin, (o, deque) -> {
            LinkedBlockingDeque<TcpClientConnection> d = deque == null ? new LinkedBlockingDeque<>(perHost) : deque;
            kept[0] = d.offerLast(c);
            return d;
        });
        return kept[0];
    }

    private void sweep() {
        for (Origin origin : idle.keySet()) {
            idle.computeIfPresent(origin, (o, deque) -> {
                deque.removeIf(c -> !c.isConnected() && close(c));
                return deque.isEmpty() ? null : deque;
            });
        }
    }

    private static boolean close(TcpClientConnection c) {
        c.closeResource();
        return true;
    }

    private static int port(URI url) {
        return url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    }
}
