package dev.loomservice.bench;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The Java event-loop peer of {@code bench/}: loom-service's routes on Vert.x core, every handler non-blocking.
 *
 * <pre>java -jar target/vertx-peer.jar --port 38004
 * java -jar target/vertx-peer.jar --port 38004 --db postgresql://bench@127.0.0.1:5432/bench --db-pool 10</pre>
 *
 * <p>{@code /io} is a timer, {@code /fanout} composes futures from Vert.x's HTTP client, {@code /cpu} runs on the
 * worker pool with {@code executeBlocking} (unordered), as the Vert.x documentation advises for blocking work. One
 * verticle instance per available core, each with its own event loop, as the Vert.x documentation advises.
 * Posts are kept in memory ({@link Posts}), or with {@code --db URI} in PostgreSQL ({@link PgPosts}).
 */
public final class VertxPeer extends VerticleBase {
    static final int MAX_MS = 60_000, MAX_WORK = 10_000_000, MAX_CALLS = 100, CALL_TIMEOUT_MS = 5_000;
    private static final CharSequence TEXT = HttpHeaders.createOptimized("text/plain; charset=UTF-8");
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

    private final String host;
    private final int port;
    private final PostRoutes posts;
    private HttpClientAgent client;

    VertxPeer(String host, int port, PostRoutes posts) {
        this.host = host;
        this.port = port;
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
        String h = host;
        int p = port;
        Vertx vertx = Vertx.vertx();
        PostRoutes posts = db == null ? new Posts() : new PgPosts(vertx, db, dbPool);
        vertx.deployVerticle(() -> new VertxPeer(h, p, posts),
                                     new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public Future<?> start() {
        // No pool cap worth the name (Vert.x's default is 5 connections per host), so /fanout is not throttled here.
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                                        new PoolOptions().setHttp1MaxSize(10_000));
        // Keep idle connections as long as loom-service does (server.idle-connection-timeout: 60 s).
        HttpServerOptions options = new HttpServerOptions().setAcceptBacklog(4096).setIdleTimeout(60);
        return vertx.createHttpServer(options).requestHandler(this::route).listen(port, host);
    }

    private void route(HttpServerRequest req) {
        String path = req.path();
        try {
            if (req.method() == HttpMethod.POST && path.equals("/posts")) {
                posts.create(req);
            } else if (req.method() != HttpMethod.GET) {
                Problem.send(req, 404, "no route for " + req.method() + " " + path);
            } else if (path.equals("/")) {
                text(req, "Hello, World!");
            } else if (path.equals("/io")) {
                io(req);
            } else if (path.equals("/cpu")) {
                cpu(req);
            } else if (path.equals("/fanout")) {
                fanOut(req);
            } else if (path.equals("/greet") || path.startsWith("/greet/")) {
                text(req, "Hello, " + name(path.substring(Math.min(path.length(), 7))) + "!");
            } else if (path.startsWith("/posts/")) {
                posts.find(req, path.substring(7));
            } else if (path.indexOf('/', 1) < 0) {
                text(req, "Hello, " + name(path.substring(1)));
            } else {
                Problem.send(req, 404, "no route for " + path);
            }
        } catch (Problem p) {
            Problem.send(req, p.status, p.getMessage());
        }
    }

    private void io(HttpServerRequest req) {
        int ms = intParam(req.params(), "ms", 0, MAX_MS);
        if (ms == 0) {
            text(req, "slept 0 ms");
        } else {
            vertx.setTimer(ms, id -> text(req, "slept " + ms + " ms"));
        }
    }

    private void cpu(HttpServerRequest req) {
        int work = intParam(req.params(), "work", 0, MAX_WORK);
        vertx.executeBlocking(() -> chain(work), false)
                .onSuccess(hex -> text(req, hex))
                .onFailure(e -> Problem.send(req, 500, "CPU task failed"));
    }

    private void fanOut(HttpServerRequest req) {
        int n = intParam(req.params(), "n", 1, MAX_CALLS);
        int ms = intParam(req.params(), "ms", 0, MAX_MS);
        String url = "http://" + req.localAddress().hostAddress() + ":" + req.localAddress().port() + "/io?ms=" + ms;
        long start = System.nanoTime();
        List<Future<JsonObject>> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            calls.add(call(url));
        }
        Future.join(calls).onComplete(done -> {
            JsonArray each = new JsonArray();
            int ok = 0;
            for (Future<JsonObject> call : calls) {
                each.add(call.result());
                int status = call.result().getInteger("status", 0);
                ok += status >= 200 && status < 300 ? 1 : 0;
            }
            JsonObject summary = new JsonObject().put("n", n).put("ms", ms).put("totalMillis", millisSince(start))
                    .put("succeeded", ok).put("failed", n - ok).put("calls", each);
            req.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(summary.encode());
        });
    }

    private Future<JsonObject> call(String url) {
        long start = System.nanoTime();
        RequestOptions options = new RequestOptions().setAbsoluteURI(url).setTimeout(CALL_TIMEOUT_MS);
        return client.request(options)
                .compose(r -> r.send())
                .compose(response -> response.body().map(body -> new JsonObject().put("url", url)
                        .put("status", response.statusCode()).put("bytes", body.length())
                        .put("millis", millisSince(start))))
                .recover(e -> Future.succeededFuture(new JsonObject().put("url", url)
                        .put("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                        .put("millis", millisSince(start))));
    }

    static String chain(int work) throws NoSuchAlgorithmException {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] h = new byte[32];
        for (int i = 0; i < work; i++) {
            h = sha256.digest(h);
        }
        return HexFormat.of().formatHex(h);
    }

    static int intParam(MultiMap query, String name, int min, int max) {
        List<String> values = query.getAll(name);
        String expected = "query parameter '" + name + "' must be one integer from " + min + " to " + max;
        if (values.size() != 1) {
            throw new Problem(400, expected + (values.isEmpty() ? "; it is missing"
                                                                 : "; it was given " + values.size() + " times"));
        }
        String raw = values.getFirst();
        if (!DIGITS.matcher(raw).matches()) {
            throw new Problem(400, expected + "; got '" + raw.substring(0, Math.min(32, raw.length())) + "'");
        }
        int value = Integer.parseInt(raw);
        if (value < min || value > max) {
            throw new Problem(400, expected + "; got " + value);
        }
        return value;
    }

    private static String name(String raw) {
        String name;
        try {
            name = URI.create("/" + raw).getPath().substring(1);
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "the name is not a valid path segment");
        }
        return name.isBlank() ? "Anonymous" : name;
    }

    static void text(HttpServerRequest req, String body) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(body);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
