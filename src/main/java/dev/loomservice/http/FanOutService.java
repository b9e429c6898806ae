package dev.loomservice.http;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.client.Fetched;
import dev.loomservice.client.Fetcher;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code GET /fanout?n=K&ms=M} (register under {@code /fanout}): K concurrent downstream calls to {@code /io?ms=M}, each on its own virtual
 * thread, answered with a JSON summary (per call: url, status, bytes, millis, or error; in total: millis and
 * counts). This is {@code asyncio.gather} written as blocking code: K calls of M ms take about M ms, not K*M.
 *
 * <p>The downstream is {@code base-uri} when configured, otherwise this very server at the address the request
 * arrived on. Calls go through a {@link Fetcher}: each has a deadline of {@code call-timeout} for the whole
 * exchange, and failures come back classified ({@code refused}, {@code timeout}, ...), never as exceptions. A
 * failed call is reported in the summary; the fan-out itself answers 200, so a client sees which calls failed and
 * why. This service owns the fetcher and closes it when the server stops.
 */
public final class FanOutService implements HttpService {
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    private final Fetcher fetcher;
    private final Settings settings;

    /** What {@code app.fanout} configures. */
    public record Settings(int maxCalls, Duration callTimeout, int connections, Duration maxIdle,
                           Optional<URI> baseUri) {
        /** Reads {@code app.fanout}; without {@code base-uri} the service calls itself. */
        public static Settings from(Config fanout) {
            return new Settings(ConfigValues.intAtLeast(fanout.get("max-calls"), 1, 100),
                                ConfigValues.duration(fanout.get("call-timeout"), Duration.ofSeconds(5)),
                                ConfigValues.intAtLeast(fanout.get("connections"), 1, 1024),
                                ConfigValues.duration(fanout.get("max-idle"), Fetcher.MAX_IDLE),
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

    public FanOutService(Settings settings) {
        this.settings = settings;
        this.fetcher = new Fetcher(settings.callTimeout(), settings.connections(), settings.maxIdle());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::fanOut);
    }

    @Override
    public void afterStop() {
        fetcher.close();
    }

    private void fanOut(ServerRequest req, ServerResponse res) throws InterruptedException {
        int n = Params.intIn(req, "n", 1, settings.maxCalls());
        int ms = Params.intIn(req, "ms", 0, IoService.MAX_MS);
        URI url = URI.create(settings.baseUri().map(URI::toString).orElseGet(() -> self(req)) + "/io?ms=" + ms);
        long start = System.nanoTime();
        List<Fetched> calls = fetcher.getAll(Collections.nCopies(n, url), 0);
        long totalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(summary(n, ms, calls, totalMillis).build().toString());
    }

    private static JsonObjectBuilder summary(int n, int ms, List<Fetched> calls, long totalMillis) {
        JsonArrayBuilder each = JSON.createArrayBuilder();
        long ok = 0;
        for (Fetched call : calls) {
            JsonObjectBuilder c = JSON.createObjectBuilder().add("url", call.url().toString());
            if (call.status() > 0) {
                c.add("status", call.status()).add("bytes", call.bytes());
            }
            call.failure().ifPresent(f -> c.add("error", f.toString()));
            ok += call.ok() ? 1 : 0;
            each.add(c.add("millis", call.millis()));
        }
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
}
