package dev.loomservice.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.helidon.common.parameters.Parameters;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * Bare Helidon SE, the baseline of {@code bench/}: loom-service's routes and answers on the same Helidon
 * WebServer, the same JVM and the same server options, and nothing else.
 *
 * <pre>java -jar target/helidon-bare.jar --port 38005
 * java -jar target/helidon-bare.jar --port 38005 --db postgresql://bench@127.0.0.1:5432/bench --db-pool 10</pre>
 *
 * <p>Why it exists: it splits each gap between loom-service and the event-loop peers in two. What loom-service
 * loses against this app is loom-service's own cost (filters, limiter, observability, CPU pool, its fetcher);
 * what this app loses against Vert.x is Helidon's and Loom's. So there are no filters, metrics, limiter or access
 * log here, and none should be added: a feature belongs in loom-service, where {@code bench/} shows its price.
 * Posts are kept in memory ({@link Posts}), or with {@code --db URI} in PostgreSQL over JDBC ({@link PgPosts}).
 *
 * <p>As in loom-service, every request runs on a virtual thread of its own and handlers are plain blocking code:
 * {@code /io} is {@link Thread#sleep}, {@code /cpu} hashes on the request's thread (what loom-service does with
 * {@code app.cpu.offload=false}), {@code /fanout} blocks on WebClient calls made on virtual threads. Server
 * options that matter under load are loom-service's defaults ({@code server:} in {@code etc/application.yaml}):
 * accept backlog 4096, idle connections closed after 60 s and looked for every 5 s, bodies up to 1 MiB, plain
 * socket streams ({@code use-nio: false}); Helidon's defaults otherwise. Errors are RFC 9457 problem+json, as in
 * loom-service.
 */
public final class HelidonBare {
    static final int MAX_MS = 60_000, MAX_WORK = 10_000_000, MAX_CALLS = 100;
    /** Bounds each fan-out call: connecting, and every wait for bytes of the answer. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Header TEXT = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
                                                                 "text/plain; charset=UTF-8");
    private static final Header PROBLEM = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
                                                                    "application/problem+json");
    static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    /**
     * Shared by all requests (thread-safe) for the life of the process; it keeps up to 1,024 idle connections, as
     * loom-service's fan-out does.
     */
    private final WebClient client = WebClient.builder()
            .connectTimeout(CALL_TIMEOUT)
            .readTimeout(CALL_TIMEOUT)
            .connectionCacheSize(1024)
            .build();
    private final PostRoutes posts;

    HelidonBare(PostRoutes posts) {
        this.posts = posts;
    }

    public static void main(String[] args) {
        String host = "127.0.0.1", db = null;
        int port = 8080, dbPool = 10;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--host" -> host = args[i + 1];
                case "--db" -> db = args[i + 1];
                case "--db-pool" -> dbPool = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        HelidonBare app = new HelidonBare(db == null ? new Posts() : new PgPosts(db, dbPool));
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .backlog(4096)
                .maxPayloadSize(1024 * 1024)
                .idleConnectionTimeout(Duration.ofSeconds(60))
                .idleConnectionPeriod(Duration.ofSeconds(5))
                .useNio(false) // as loom-service's etc/application.yaml
                .routing(app::routing)
                .build()
                .start();
        System.out.println("helidon-bare on http://" + host + ":" + server.port());
    }

    /** One flat table, matched in order: {@code /{name}} takes every one-segment path, so only the 404 follows it. */
    private void routing(HttpRouting.Builder rules) {
        rules.error(HttpException.class, HelidonBare::problem)
                .get("/", (req, res) -> text(res, "Hello, World!"))
                .get("/io", this::io)
                .get("/cpu", this::cpu)
                .get("/fanout", this::fanOut)
                .post("/posts", posts::create)
                .get("/posts/{id}", posts::find)
                .get("/greet[/{name}]", (req, res) -> text(res, "Hello, " + name(req) + "!"))
                .get("/greet/", (req, res) -> text(res, "Hello, " + name(req) + "!"))
                .get("/{name}", (req, res) -> text(res, "Hello, " + name(req)))
                .any((req, res) -> {
                    throw problem(Status.NOT_FOUND_404, "no route for " + req.prologue().method().text() + " "
                            + req.path().path());
                });
    }

    private void io(ServerRequest req, ServerResponse res) throws InterruptedException {
        int ms = intParam(req, "ms", 0, MAX_MS);
        Thread.sleep(ms);
        text(res, "slept " + ms + " ms");
    }

    /** N rounds of SHA-256 from 32 zero bytes, the hex of the last: the chain loom-service and every peer compute. */
    private void cpu(ServerRequest req, ServerResponse res) throws NoSuchAlgorithmException {
        int work = intParam(req, "work", 0, MAX_WORK);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] h = new byte[32];
        for (int i = 0; i < work; i++) {
            h = sha256.digest(h);
        }
        text(res, HexFormat.of().formatHex(h));
    }

    /** K concurrent GETs of this server's own {@code /io?ms=M}, one virtual thread each, and their JSON summary. */
    private void fanOut(ServerRequest req, ServerResponse res) {
        int n = intParam(req, "n", 1, MAX_CALLS);
        int ms = intParam(req, "ms", 0, MAX_MS);
        InetSocketAddress local = (InetSocketAddress) req.localPeer().address();
        URI url = URI.create("http://" + local.getAddress().getHostAddress() + ":" + local.getPort() + "/io?ms=" + ms);
        long start = System.nanoTime();
        List<Future<JsonObject>> calls = new ArrayList<>(n);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                calls.add(threads.submit(() -> call(url)));
            }
        } // close() waits for every call; CALL_TIMEOUT bounds each of them
        JsonArrayBuilder each = JSON.createArrayBuilder();
        int ok = 0;
        for (Future<JsonObject> call : calls) {
            JsonObject outcome = call.resultNow(); // call() never throws
            each.add(outcome);
            ok += outcome.getInt("status", 0) / 100 == 2 ? 1 : 0;
        }
        JsonObject summary = JSON.createObjectBuilder().add("n", n).add("ms", ms)
                .add("totalMillis", millisSince(start)).add("succeeded", ok).add("failed", n - ok)
                .add("calls", each).build();
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(summary.toString());
    }

    /** One downstream GET: url, status, bytes and millis, or url, error and millis. */
    private JsonObject call(URI url) {
        long start = System.nanoTime();
        JsonObjectBuilder outcome = JSON.createObjectBuilder().add("url", url.toString());
        try {
            var response = client.get().uri(url).request(byte[].class); // a URI: a String would encode the '?'
            outcome.add("status", response.status().code()).add("bytes", response.entity().length);
        } catch (RuntimeException e) {
            outcome.add("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return outcome.add("millis", millisSince(start)).build();
    }

    /** Query parameter {@code name}, given once, ASCII digits, in {@code [min, max]}; else a 400 that says so. */
    static int intParam(ServerRequest req, String name, int min, int max) {
        Parameters query = req.query();
        List<String> values = query.contains(name) ? query.all(name) : List.of();
        String expected = "query parameter '" + name + "' must be one integer from " + min + " to " + max;
        if (values.size() != 1) {
            throw problem(Status.BAD_REQUEST_400, expected + (values.isEmpty() ? "; it is missing"
                                                              : "; it was given " + values.size() + " times"));
        }
        String raw = values.getFirst();
        if (!raw.matches("[0-9]{1,9}")) {
            throw problem(Status.BAD_REQUEST_400,
                          expected + "; got '" + raw.substring(0, Math.min(32, raw.length())) + "'");
        }
        int value = Integer.parseInt(raw);
        if (value < min || value > max) {
            throw problem(Status.BAD_REQUEST_400, expected + "; got " + value);
        }
        return value;
    }

    /** An error the client caused; the routing's error handler renders it, and the connection stays open. */
    static HttpException problem(Status status, String detail) {
        return new HttpException(detail, status, true);
    }

    private static void problem(ServerRequest req, ServerResponse res, HttpException e) {
        Status status = e.status();
        JsonObject body = JSON.createObjectBuilder().add("type", "about:blank").add("title", status.reasonPhrase())
                .add("status", status.code()).add("detail", Objects.requireNonNullElse(e.getMessage(), ""))
                .add("instance", req.path().path()).build();
        res.status(status).header(PROBLEM).send(body.toString());
    }

    /** Path parameters arrive decoded; a blank name (or none) greets Anonymous. */
    private static String name(ServerRequest req) {
        String name = req.path().pathParameters().first("name").orElse("");
        return name.isBlank() ? "Anonymous" : name;
    }

    private static void text(ServerResponse res, String body) {
        res.header(TEXT).send(body);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
