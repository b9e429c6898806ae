package dev.loomservice.http;

import java.util.Map;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.loomservice.ConfigValues;

import io.helidon.common.config.Config;
import io.helidon.common.config.ConfigException;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code GET /fanout?n=K&ms=M}: K concurrent downstream calls to {@code /io?ms=M}, each on its own virtual
 * thread, answered with a JSON summary (per call: url, status, bytes, millis or error; in total: millis and
 * counts). This is {@code asyncio.gather} written as blocking code: K calls of M ms take about M ms, not K*M.
 *
 * <p>The downstream is {@code base-uri} when configured, otherwise this very server at the address the request
 * arrived on. Every call shares one deadline of {@code call-timeout}: calls still running then are cancelled
 * (their virtual threads interrupted, their sockets closed) and reported as timed out. A failed call is reported
 * in the summary; the fan-out itself answers 200, so a client sees exactly which calls failed and why.
 */
public final class FanOutService implements HttpService {
    /** Stateless and thread-safe; looking the provider up per call would cost a ServiceLoader scan. */
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());
    private final WebClient client;
    private final Settings settings;

    /** What {@code app.fanout} configures. */
    public record Settings(int maxCalls, Duration callTimeout, Optional<URI> baseUri) {
        /** Reads {@code app.fanout}; without {@code base-uri} the service calls itself. */
        public static Settings from(Config fanout) {
            return new Settings(ConfigValues.intAtLeast(fanout.get("max-calls"), 1, 100),
                                ConfigValues.duration(fanout.get("call-timeout"), Duration.ofSeconds(5)),
                                fanout.get("base-uri").asString().asOptional().map(Settings::httpUri));
        }

        private static URI httpUri(String text) {
            try {
                URI uri = new URI(text);
                if (uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw new ConfigException("app.fanout.base-uri must be an absolute http(s) URI; got '" + text + "'");
        }
    }

    /** One downstream call: {@code status} and {@code bytes} when it was answered, {@code error} when not. */
    record Call(URI url, int status, long bytes, long millis, String error) {
        boolean succeeded() {
            return error == null && status >= 200 && status < 300;
        }
    }

    /** The client must not follow redirects; its timeouts should match {@code callTimeout}. */
    public FanOutService(WebClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/fanout", this::fanOut);
    }

    private void fanOut(ServerRequest req, ServerResponse res) throws InterruptedException {
        int n = Params.intIn(req, "n", 1, settings.maxCalls());
        int ms = Params.intIn(req, "ms", 0, IoService.MAX_MS);
        // A URI, not a String: WebClient's get(String) percent-encodes the '?' of a query (Helidon 4.2.6).
        URI url = URI.create(settings.baseUri().map(URI::toString).orElseGet(() -> self(req)) + "/io?ms=" + ms);
        long start = System.nanoTime();
        List<Call> calls;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Callable<Call>> tasks = Collections.nCopies(n, () -> call(url));
            // invokeAll cancels (interrupts) whatever is still running at the deadline.
            List<Future<Call>> done = threads.invokeAll(tasks, settings.callTimeout().toNanos(), TimeUnit.NANOSECONDS);
            calls = done.stream().map(f -> outcome(f, url)).toList();
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(summary(n, ms, calls, millisSince(start)).build().toString());
    }

    private Call call(URI url) {
        long start = System.nanoTime();
        try (HttpClientResponse response = client.get().uri(url).readTimeout(settings.callTimeout()).request()) {
            long bytes = response.inputStream().transferTo(OutputStream.nullOutputStream());
            return new Call(url, response.status().code(), bytes, millisSince(start), null);
        } catch (IOException | RuntimeException e) {
            return new Call(url, 0, 0, millisSince(start), describe(e));
        }
    }

    private Call outcome(Future<Call> future, URI url) {
        if (future.isCancelled()) {
            return new Call(url, 0, 0, settings.callTimeout().toMillis(),
                            "timed out after " + settings.callTimeout().toMillis() + " ms");
        }
        try {
            return future.get();
        } catch (ExecutionException | InterruptedException e) {
            return new Call(url, 0, 0, 0, describe(e));
        }
    }

    private static JsonObjectBuilder summary(int n, int ms, List<Call> calls, long totalMillis) {
        JsonArrayBuilder each = JSON.createArrayBuilder();
        for (Call call : calls) {
            JsonObjectBuilder c = JSON.createObjectBuilder().add("url", call.url().toString());
            if (call.error() == null) {
                c.add("status", call.status()).add("bytes", call.bytes());
            } else {
                c.add("error", call.error());
            }
            each.add(c.add("millis", call.millis()));
        }
        long ok = calls.stream().filter(Call::succeeded).count();
        return JSON.createObjectBuilder()
                .add("n", n)
                .add("ms", ms)
                .add("totalMillis", totalMillis)
                .add("succeeded", ok)
                .add("failed", calls.size() - ok)
                .add("calls", each);
    }

    /** This server, at the local address the request came in on (so it works whatever the port). */
    private static String self(ServerRequest req) {
        InetSocketAddress local = (InetSocketAddress) req.localPeer().address();
        String host = local.getAddress().getHostAddress();
        return (req.isSecure() ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host)
                + ":" + local.getPort();
    }

    /** The innermost cause, as "Type: message", which is what a caller needs to tell refused from timed out. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
