package dev.loomservice.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import dev.loomservice.version.Version;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/**
 * HTTP exchanges with a deadline for the whole of each: connect, send, and read the complete body. Callers block
 * (on virtual threads that is cheap) and always get a {@link Fetched}, never an exception for a network failure.
 * Thread-safe; meant for up to {@code connections} concurrent callers.
 *
 * <p>The deadline is real: each exchange runs on a virtual thread of its own and the caller waits for it at most
 * {@code timeout}; then the exchange is interrupted, which closes its socket. Helidon's per-read timeouts alone
 * would let a server that trickles one byte per second hold a caller forever.
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
    private static final int CHUNK = 8192;

    private final WebClient client;
    private final ConnectionPool pool;
    private final Duration timeout;
    private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();

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
                .readTimeout(timeout)
                .dnsResolver(new JdkDnsResolver())
                .addHeader(HeaderValues.create(HeaderNames.USER_AGENT, userAgent()))
                .build();
        this.pool = new ConnectionPool(client, Math.max(1, connections), maxIdle);
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
        return all(urls, url -> () -> exchange(url, Method.GET, null, null, keep));
    }

    /** POSTs {@code body} as {@code contentType}, keeping at most {@code keep} bytes of the answer. */
    public Fetched post(URI url, String contentType, byte[] body, int keep) throws InterruptedException {
        return all(List.of(url), u -> () -> exchange(u, Method.POST, contentType, body, keep)).getFirst();
    }

    @Override
    public void close() {
        exchanges.shutdownNow();
        pool.close();
        client.closeResource();
    }

    /** Runs the exchange of every URL on a thread of its own and waits for each, at most {@code timeout}. */
    private List<Fetched> all(List<URI> urls, Function<URI, Callable<Fetched>> exchange) throws InterruptedException {
        long start = System.nanoTime();
        List<Future<Fetched>> pending = new ArrayList<>(urls.size());
        for (URI url : urls) {
            pending.add(exchanges.submit(exchange.apply(url)));
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

    private Fetched exchange(URI url, Method method, String contentType, byte[] body, int keep) throws IOException {
        long start = System.nanoTime();
        ConnectionPool.Taken taken;
        try {
            taken = pool.take(url);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        HttpClientResponse answer;
        try {
            answer = send(taken.connection(), url, method, contentType, body);
        } catch (IOException | RuntimeException e) {
            // the server closed a kept-alive connection as we took it (see ConnectionPool): a GET, which can not
            // have done anything yet, gets one more try on a new connection; a POST's failure is reported
            if (!taken.reused() || body != null || Thread.currentThread().isInterrupted() || !endedEarly(e)) {
                throw e;
            }
            try {
                answer = send(pool.connect(url), url, method, contentType, body);
            } catch (UncheckedIOException again) {
                throw again.getCause();
            }
        }
        try (HttpClientResponse response = answer) {
            ByteArrayOutputStream head = new ByteArrayOutputStream(Math.min(keep, CHUNK));
            // Helidon allocates a buffer of the size asked for on every read: a 12-byte answer read with 8 KiB
            // reads cost 16 KiB of garbage, so a known length sizes the reads (+1: the read that sees the end)
            int chunk = (int) Math.min(CHUNK, response.headers().contentLength().orElse(CHUNK) + 1);
            long bytes = read(response.inputStream(), head, keep, chunk);
            int status = response.status().code();
            Optional<HttpMediaType> type = response.headers().contentType();
            return new Fetched(url, status, response.status().reasonPhrase(),
                               type.map(t -> t.mediaType().text().toLowerCase(Locale.ROOT)),
                               type.flatMap(HttpMediaType::charset),
                               response.headers().first(HeaderNames.LOCATION),
                               bytes, head.toByteArray(), millisSince(start),
                               status >= 400 ? Optional.of(Failure.status(status, response.status().reasonPhrase()))
                                             : Optional.empty());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Sends the request on {@code connection}, which is closed if no response comes back to give it back. */
    private HttpClientResponse send(ClientConnection connection, URI url, Method method, String contentType,
                                    byte[] body) throws IOException {
        // a URI: get(String) would percent-encode the '?' of a query
        var request = client.method(method).uri(url).connection(connection);
        if (contentType != null) {
            request.header(HeaderNames.CONTENT_TYPE, contentType);
        }
        try {
            return body == null ? request.request() : request.submit(body);
        } catch (UncheckedIOException e) {
            connection.closeResource();
            throw e.getCause();
        } catch (RuntimeException e) {
            connection.closeResource();
            throw e;
        }
    }

    /** True if {@code e} says the connection ended before a response: reset, broken, or closed at its start. */
    private static boolean endedEarly(Exception e) {
        return e instanceof SocketException || e instanceof DataReader.InsufficientDataAvailableException;
    }

    /** Reads {@code in} to its end, {@code chunk} bytes at a time; keeps the first {@code keep} bytes in {@code head}. */
    private static long read(InputStream in, ByteArrayOutputStream head, int keep, int chunk) throws IOException {
        byte[] buffer = new byte[chunk];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            if (total < keep) {
                head.write(buffer, 0, (int) Math.min(n, keep - total));
            }
            total += n;
        }
        return total;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
