package dev.loomservice.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import dev.loomservice.version.Version;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.WebClient;

/**
 * HTTP exchanges with a deadline for the whole of each: connect, send, and read the complete body. Callers block
 * (on virtual threads that is cheap) and always get a {@link Fetched}, never an exception for a network failure.
 * Thread-safe; meant for up to {@code connections} concurrent callers.
 *
 * <p>The deadline is real: each exchange runs on a virtual thread of its own and the caller waits for it at most
 * {@code timeout}; then the exchange is interrupted, which closes its socket. Helidon's per-read timeouts alone
 * would let a server that trickles one byte per second hold a caller forever. With the deadline they add nothing
 * but a timer set and cancelled on every read that waits, so the sockets have none (a read timeout of zero).
 *
 * <p>Redirects are never followed here ({@code followRedirects(false)}): a crawler must decide itself whether the
 * target is in scope, and a client that follows them may forward request headers to whatever host a redirect names.
 *
 * <p>One {@link WebClient}, and one {@link ConnectionPool} that keeps up to {@code connections} idle keep-alive
 * connections per host, shared by every caller: a finished exchange gives its connection back, the next exchange
 * to that host takes it. Beyond that many idle ones a returned connection is closed, and so is every idle one the
 * server closed. {@link #close} interrupts exchanges still running and closes the client and its connections.
 */
public final class Fetcher implements AutoCloseable {
    /** The product token of our {@code User-Agent}, which is also what robots.txt groups name to address us. */
    public static final String PRODUCT = "loom-service";

    private final WebClient client;
    private final ConnectionPool pool;
    private final Exchanges exchanges;
    private final Duration timeout;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * How long a connection may stay idle in the pool by default: below the keep-alive timeouts of common servers
     * (etc/application.yaml, {@code app.fanout.max-idle}; why: {@link ConnectionPool}).
     */
    public static final Duration MAX_IDLE = Duration.ofSeconds(2);

    public Fetcher(Duration timeout, int connections) {
        this(timeout, connections, MAX_IDLE);
    }

    /** @param maxIdle how long an idle keep-alive connection is kept for the next exchange */
    public Fetcher(Duration timeout, int connections, Duration maxIdle) {
        this.timeout = timeout;
        this.client = WebClient.builder()
                .followRedirects(false)
                .connectTimeout(timeout)
                .readTimeout(Duration.ZERO) // none: see the class comment
                .dnsResolver(new JdkDnsResolver())
                .addHeader(HeaderValues.create(HeaderNames.USER_AGENT, userAgent()))
                .build();
        this.pool = new ConnectionPool(client, Math.max(1, connections), maxIdle);
        this.exchanges = new Exchanges(client, pool);
    }

    /** {@code loom-service/VERSION}. */
    private static String userAgent() {
        return PRODUCT + "/" + Version.number();
    }

    /** GETs {@code url}, keeping at most {@code keep} bytes of the body (and counting the rest). */
    public Fetched get(URI url, int keep) throws InterruptedException {
        return getAll(List.of(url), keep).getFirst();
    }

    /**
     * GETs every URL at once, one virtual thread each, each under its own deadline (counted from this call), and
     * returns their results in the same order: the fan-out ({@code asyncio.gather}) in one call. Each exchange
     * runs on the thread the deadline interrupts, so a call costs one thread, not a caller's and an exchange's.
     */
    public List<Fetched> getAll(List<URI> urls, int keep) throws InterruptedException {
        return all(urls, url -> () -> exchanges.exchange(url, Method.GET, null, null, keep));
    }

    /** POSTs {@code body} as {@code contentType}, keeping at most {@code keep} bytes of the answer. */
    public Fetched post(URI url, String contentType, byte[] body, int keep) throws InterruptedException {
        return all(List.of(url), u -> () -> exchanges.exchange(u, Method.POST, contentType, body, keep)).getFirst();
    }

    @Override
    public void close() {
        threads.shutdownNow();
        pool.close();
        client.closeResource();
    }

    /** Runs the exchange of every URL on a thread of its own and waits for each, at most {@code timeout}. */
    private List<Fetched> all(List<URI> urls, Function<URI, Callable<Fetched>> exchange) throws InterruptedException {
        long start = System.nanoTime();
        List<Future<Fetched>> pending = new ArrayList<>(urls.size());
        for (URI url : urls) {
            pending.add(threads.submit(exchange.apply(url)));
        }
        List<Fetched> results = new ArrayList<>(urls.size());
        try {
            for (int i = 0; i < urls.size(); i++) {
                results.add(await(pending.get(i), urls.get(i), start));
            }
        } catch (InterruptedException e) {
            pending.forEach(call -> call.cancel(true)); // our caller gave up (Ctrl-C): so do the exchanges
            throw e;
        }
        return results;
    }

    /** The exchange's result, or its failure; past {@code timeout} from {@code startNanos} it is interrupted. */
    private Fetched await(Future<Fetched> result, URI url, long startNanos) throws InterruptedException {
        try {
            return result.get(timeout.toNanos() - (System.nanoTime() - startNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            return Fetched.failed(url, millisSince(startNanos), Failure.timeout(timeout));
        } catch (ExecutionException e) {
            return Fetched.failed(url, millisSince(startNanos), Failure.of(e.getCause()));
        }
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
