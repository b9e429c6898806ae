package dev.loomservice.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;

/**
 * Single HTTP exchanges over a {@link ConnectionPool}: take a connection, send, read the whole body into a
 * {@link Fetched}, give the connection back. Blocking and without a deadline of its own: {@link Fetcher} runs each
 * exchange on a thread it interrupts past the deadline, which closes the socket.
 *
 * <p>Requests go through the WebClient's HTTP/1.1 client, the only protocol the pool's connections speak: the
 * generic {@link WebClient} request would, on every call, resolve which protocol serves the URI and then build a
 * second, HTTP/1.1 request from the first.
 *
 * <p>A GET that meets a kept-alive connection the server has just closed (it ends before a response: reset,
 * broken, or closed at its start) is sent once more on a new connection: a GET can not have done anything yet. A
 * POST's failure is reported, never repeated.
 */
final class Exchanges {
    private static final int CHUNK = 8192;

    private final Http1Client client;
    private final ConnectionPool pool;

    Exchanges(WebClient client, ConnectionPool pool) {
        this.client = client.client(Http1Client.PROTOCOL);
        this.pool = pool;
    }

    /** One exchange; {@code contentType} and {@code body} null for a GET. Network failures are thrown. */
    Fetched exchange(URI url, Method method, String contentType, byte[] body, int keep) throws IOException {
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
            // the server closed a kept-alive connection as we took it (see ConnectionPool): a GET's one more try
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
                               bytes, head.toByteArray(), Fetcher.millisSince(start),
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

}
