package dev.loomservice.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The one routing table of the Jetty peers: {@code GET /}, {@code /greet[/{name}]}, {@code /{name}},
 * {@code /io?ms=N}, {@code /cpu?work=N}, {@code /fanout?n=K&ms=M}, {@code POST /posts}, {@code GET /posts/{id}}, with
 * loom-service's answers; a client's mistake is an RFC 9457 problem.
 *
 * <p>A blocking handler ({@link Handler.Abstract}'s default invocation type): it runs on a thread of the server's
 * pool (a platform thread, or a virtual thread, see {@link JettyPeer}) and holds that thread until it returns.
 * {@code /io} is {@link Thread#sleep}; {@code /cpu} hashes on the request's thread, as the bare Helidon peer does.
 */
final class Routes extends Handler.Abstract {
    static final int MAX_MS = 60_000, MAX_WORK = 10_000_000;
    static final String TEXT = "text/plain; charset=UTF-8", JSON = "application/json";
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

    private final FanOut fanOut;
    private final Posts posts;

    Routes(FanOut fanOut, Posts posts) {
        this.fanOut = fanOut;
        this.posts = posts;
    }

    @Override
    public boolean handle(Request req, Response res, Callback callback) throws Exception {
        String path = Request.getPathInContext(req);
        try {
            if (req.getMethod().equals("POST") && path.equals("/posts")) {
                posts.create(req, res, callback);
            } else if (!req.getMethod().equals("GET")) {
                throw new Problem(404, "no route for " + req.getMethod() + " " + path);
            } else if (path.equals("/")) {
                send(res, callback, 200, TEXT, "Hello, World!");
            } else if (path.equals("/io")) {
                int ms = intParam(req, "ms", 0, MAX_MS);
                Thread.sleep(ms);
                send(res, callback, 200, TEXT, "slept " + ms + " ms");
            } else if (path.equals("/cpu")) {
                send(res, callback, 200, TEXT, chain(intParam(req, "work", 0, MAX_WORK)));
            } else if (path.equals("/fanout")) {
                fanOut.handle(req, res, callback);
            } else if (path.equals("/greet") || path.startsWith("/greet/")) {
                send(res, callback, 200, TEXT, "Hello, " + name(path.substring(Math.min(path.length(), 7))) + "!");
            } else if (path.startsWith("/posts/")) {
                posts.find(path.substring(7), res, callback);
            } else if (path.indexOf('/', 1) < 0) {
                send(res, callback, 200, TEXT, "Hello, " + name(path.substring(1)));
            } else {
                throw new Problem(404, "no route for " + path);
            }
        } catch (Problem p) {
            p.send(path, res, callback);
        }
        return true;
    }

    /** N rounds of SHA-256 from 32 zero bytes, the hex of the last: the chain loom-service and every peer compute. */
    static String chain(int work) throws NoSuchAlgorithmException {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] h = new byte[32];
        for (int i = 0; i < work; i++) {
            h = sha256.digest(h);
        }
        return HexFormat.of().formatHex(h);
    }

    /** Query parameter {@code name}, given once, ASCII digits, in {@code [min, max]}; else a 400 that says so. */
    static int intParam(Request req, String name, int min, int max) {
        Fields query = Request.extractQueryParameters(req);
        List<String> values = query.getValuesOrEmpty(name);
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

    /** The path arrives decoded; a blank name (or none) greets Anonymous. */
    private static String name(String raw) {
        return raw.isBlank() ? "Anonymous" : raw;
    }

    /** The whole answer in one write; Jetty sets its Content-Length and completes the callback once it is sent. */
    static void send(Response res, Callback callback, int status, String type, String body) {
        res.setStatus(status);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        res.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
