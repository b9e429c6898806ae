package dev.loomservice.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.loomservice.RawHttp;
import dev.loomservice.TestServer;
import dev.loomservice.version.Version;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * What HTTP/1.1 (RFC 9110, 9112) says a server must accept or refuse, written byte for byte to a real server, as a
 * careful attacker would: token case in framing headers, HEAD on every kind of answer, bodies that never come,
 * absolute-form targets, query parameters, and JSON bodies at the edges. Every case also checks that the server
 * logged nothing at SEVERE and no stack trace: a client's mistake buys at most one short line.
 */
class ConformanceIT {
    private static final Duration QUIET = Duration.ofMillis(1500);
    private static final String H = "Host: localhost\r\n";
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\n" + H + "\r\n";
    private static final Pattern LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)\r$");
    private static final List<LogRecord> LOG = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOG.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("app.read-deadline.headers", "PT1S", "app.read-deadline.body", "PT1S",
                                         "app.read-deadline.linger", "PT1S",
                                         "app.observe.slow-request-threshold", "PT1M",
                                         "app.debug.routes", "true"));
        Logger.getLogger("").addHandler(CAPTURE);
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("").removeHandler(CAPTURE);
        server.close();
    }

    @BeforeEach
    void clearLog() {
        LOG.clear();
    }

    @AfterEach
    void loggedNoStackAndNothingSevere() {
        List<String> bad = LOG.stream()
                .filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue() || r.getThrown() != null)
                .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage())
                .toList();
        assertThat("a client's mistake must not log a stack or a SEVERE line", bad, is(empty()));
    }

    /** Name, request, the statuses it must get, whether the server must then close (null: either). */
    static Stream<Arguments> exchanges() {
        return Stream.of(
                // token case in framing headers (RFC 9112 7, RFC 9110 7.6.1)
                ex("TE Chunked is decoded", post("/no/such/path", "Transfer-Encoding: Chunked\r\n",
                        Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n"), List.of(404), null),
                ex("TE CHUNKED is decoded", post("/posts", "Content-Type: application/json\r\nTransfer-Encoding: CHUNKED\r\n",
                        "2\r\n{}\r\n0\r\n\r\n"), List.of(201), null),
                ex("Connection: Close", get("/", "Connection: Close\r\n") + SMUGGLED, List.of(200), true),
                ex("Connection: CLOSE", get("/", "Connection: CLOSE\r\n") + SMUGGLED, List.of(200), true),
                ex("Connection: keep-alive, close", get("/", "Connection: keep-alive, close\r\n") + SMUGGLED, List.of(200), true),
                ex("Connection: close, TE", get("/", "Connection: close, TE\r\nTE: trailers\r\n") + SMUGGLED, List.of(200), true),
                ex("a second Connection header says close", get("/", "Connection: keep-alive\r\nConnection: close\r\n") + SMUGGLED,
                   List.of(200), true),
                // Expect: 100-continue answered without reading the body: the body must never be read as a request
                ex("100-continue body on a route that ignores it", "GET / HTTP/1.1\r\n" + H + "Expect: 100-continue\r\n"
                        + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED, List.of(200), true),
                ex("100-continue body on a 404", "POST /no/such/path HTTP/1.1\r\n" + H + "Expect: 100-continue\r\n"
                        + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED, List.of(404), true),
                ex("100-continue body on a 415", "POST /posts HTTP/1.1\r\n" + H + "Expect: 100-continue\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED,
                   List.of(415), true),
                // a body the route ignores, sent whole, keeps the connection
                ex("a whole body the route ignores", get("/", "Content-Length: 5\r\n") + "hello" + get("/", ""),
                   List.of(200, 200), false),
                // absolute-form targets (RFC 9112 3.2.2)
                ex("absolute-form", "GET http://localhost/ HTTP/1.1\r\n" + H + "\r\n", List.of(200), false),
                ex("absolute-form, scheme in capitals, port and query", "GET HTTP://localhost:1/io?ms=1 HTTP/1.1\r\n" + H + "\r\n",
                   List.of(200), false),
                ex("absolute-form without a path", "GET http://localhost HTTP/1.1\r\n" + H + "\r\n", List.of(200), false),
                ex("absolute-form with user information", "GET http://u@localhost/ HTTP/1.1\r\n" + H + "\r\n", List.of(400), true),
                ex("absolute-form of another scheme", "GET ftp://localhost/ HTTP/1.1\r\n" + H + "\r\n", List.of(400), true),
                ex("absolute-form without a host", "GET http:///x HTTP/1.1\r\n" + H + "\r\n", List.of(400), true),
                // the protocol name of Upgrade is case-insensitive (RFC 6455 4.2.1)
                ex("Upgrade: WebSocket", "GET /ws/echo HTTP/1.1\r\n" + H + "Connection: Upgrade\r\nUpgrade: WebSocket\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", List.of(101), null),
                // Helidon 4.5 limits, answered safely: one 400 and a close
                ex("chunk extension (Helidon 4.5 refuses it)", post("/posts", "Content-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n", "2;a=b\r\n{}\r\n0\r\n\r\n" + SMUGGLED), List.of(400), true),
                ex("empty line before the request line (Helidon 4.5 refuses it)", "\r\n" + get("/", "") + SMUGGLED,
                   List.of(400), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exchanges")
    void isAnsweredAsTheRfcSays(String name, String request, List<Integer> statuses, Boolean closed) {
        RawHttp.Reply reply = RawHttp.exchange(server.port(), request, QUIET);

        assertThat(reply.toString(), reply.statuses(), is(statuses));
        if (closed != null) {
            assertThat("closed: " + reply, reply.closed(), is(closed));
        }
        assertThat("a smuggled request was answered: " + reply, reply.text().contains("smuggled"), is(false));
    }

    /** Path, and whether GET answers it with the same length each time (so HEAD's Content-Length can be compared). */
    static Stream<Arguments> headPaths() {
        return Stream.of(Arguments.of("/", true), Arguments.of("/greet/Bob", true), Arguments.of("/io?ms=0", true),
                         Arguments.of("/observe/health", true), Arguments.of("/observe/metrics", false),
                         Arguments.of("/chat.html", true), Arguments.of("/site/1", true),
                         Arguments.of("/posts/999999", true), Arguments.of("/no/such/path", true),
                         Arguments.of("/io?ms=x", true), Arguments.of("/io", true), Arguments.of("/cpu?work=-1", true),
                         Arguments.of("/debug/header?value=x", true), Arguments.of("/ws/chat?room=a", true));
    }

    @ParameterizedTest(name = "HEAD {0}")
    @MethodSource("headPaths")
    void headGetsGetsHeadersWithoutTheBody(String path, boolean stableLength) {
        RawHttp.Reply get = RawHttp.exchange(server.port(), get(path, "Connection: close\r\n"), QUIET);
        // the GET after the HEAD closes the connection, so the reply ends when the server closes, not after QUIET
        RawHttp.Reply head = RawHttp.exchange(server.port(), "HEAD " + path + " HTTP/1.1\r\n" + H + "\r\n"
                + get("/", "Connection: close\r\n"), QUIET);

        int headersEnd = head.text().indexOf("\r\n\r\n") + 4;
        assertThat("the HEAD response has no body, the next response follows at once: " + head,
                   head.text().startsWith("HTTP/1.1 200 OK", headersEnd), is(true));
        assertThat(head.text().substring(headersEnd), containsString("Hello, World!"));
        assertThat("same status as GET: " + head, head.text().substring(0, 12), is(get.text().substring(0, 12)));
        if (stableLength) {
            assertThat("Content-Length as GET's", length(head.text().substring(0, headersEnd)),
                       is(length(get.text())));
        }
    }

    @ParameterizedTest(name = "HEAD with {0}")
    @ValueSource(strings = {"a target that is not a path", "a header with an empty name"})
    void headRefusedBeforeRoutingGetsNoBody(String what) {
        String request = what.startsWith("a target") ? "HEAD abc HTTP/1.1\r\n" + H + "\r\n"
                : "HEAD / HTTP/1.1\r\n" + H + ": x\r\n\r\n";
        RawHttp.Reply reply = RawHttp.exchange(server.port(), request, QUIET);

        assertThat(reply.toString(), reply.text().startsWith("HTTP/1.1 400"), is(true));
        assertThat("nothing after the headers: " + reply, reply.text().endsWith("\r\n\r\n"), is(true));
        assertThat(reply.closed(), is(true));
    }

    /** A request that declares a body, on routes that read it, ignore it, refuse it, or are exempt from limits. */
    static Stream<Arguments> unsentBodies() {
        return Stream.of(
                Arguments.of("GET / with Content-Length", get("/", "Content-Length: 100\r\n")),
                Arguments.of("GET / chunked", get("/", "Transfer-Encoding: chunked\r\n")),
                Arguments.of("exempt GET /observe/health", get("/observe/health", "Content-Length: 100\r\n")),
                Arguments.of("exempt GET /admin/stats", get("/admin/stats", "Content-Length: 100\r\n")),
                Arguments.of("POST to a 404", post("/no/such/path", "Content-Length: 100\r\n", "")),
                Arguments.of("POST /posts", post("/posts", "Content-Type: application/json\r\nContent-Length: 100\r\n", "")),
                Arguments.of("POST /posts chunked", post("/posts", "Content-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n", "")));
    }

    @ParameterizedTest(name = "{0}, never sent")
    @MethodSource("unsentBodies")
    void aBodyThatNeverComesEndsTheConnectionAfterADeadline(String name, String request) {
        RawHttp.Reply reply = RawHttp.exchange(server.port(), request, Duration.ofSeconds(5));

        assertThat("closed within the 1 s deadline, not held: " + reply, reply.closed(), is(true));
        assertThat(reply.toString(), reply.statuses().size(), lessThan(2));
    }

    @ParameterizedTest(name = "{0}, trickled")
    @MethodSource("unsentBodies")
    void aBodyThatTricklesEndsTheConnectionAfterADeadline(String name, String request) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            boolean chunked = request.contains("chunked");
            boolean closed = false;
            while (!closed && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
                try {
                    out.write(chunked ? "1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII) : new byte[] {' '});
                    closed = drain(in);
                } catch (SocketException e) {
                    closed = true;
                }
            }
            assertThat("the server closed a trickling body", closed, is(true));
        }
        assertThat("closed within the deadlines (1 s each), not after the client's 10 s",
                   Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(5)));
    }

    /** Name, Content-Type, body, expected status, a phrase the problem's detail must hold (or the body stored). */
    static Stream<Arguments> jsonBodies() {
        String deep64 = "{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}";
        String deep65 = "{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}";
        String json = "application/json";
        return Stream.of(
                js("nesting at the limit (64)", json, deep64, 201, "[[["),
                js("nesting one over the limit", json, deep65, 422, "nested deeper than 64 levels"),
                js("nesting 30,000 deep", json, "[".repeat(30_000) + "]".repeat(30_000), 422, "nested deeper"),
                js("nesting 30,000 deep, unclosed", json, "{\"a\":".repeat(10_000), 422, "nested deeper"),
                js("a number of 100 characters", json, "{\"a\":" + "1".repeat(100) + "}", 201, "1111111111"),
                js("a number of 101 characters", json, "{\"a\":" + "1".repeat(101) + "}", 422, "101 characters"),
                js("a fraction of 2,000 digits", json, "{\"a\":0." + "1".repeat(2000) + "}", 422, "at most 100"),
                js("exponent 1e-2147483649", json, "{\"a\":1e-2147483649}", 422, "exponent"),
                js("exponent 1e+2147483648", json, "{\"a\":1e+2147483648}", 201, "1E+2147483648"),
                js("lone high surrogate", json, "{\"a\":\"\\ud800\"}", 422, "unpaired UTF-16 surrogate (\\\\ud800)"),
                js("lone low surrogate", json, "{\"a\":\"x\\udc00\"}", 422, "unpaired"),
                js("reversed pair", json, "{\"a\":\"\\udc00\\ud800\"}", 422, "unpaired"),
                js("lone surrogate in a key", json, "{\"\\ud800\":1}", 422, "unpaired"),
                js("a pair is stored exactly", json, "{\"a\":\"\\ud83d\\ude00\"}", 201, "\"a\":\"\uD83D\uDE00\""),
                js("a repeated key", json, "{\"a\":1,\"a\":2}", 422, "'a' appears twice"),
                js("a repeated key deep inside", json, "{\"a\":[{\"b\":1,\"b\":1}]}", 422, "'b' appears twice"),
                js("whitespace before ';'", "application/json ; charset=utf-8", "{}", 201, "{\"id\":"),
                js("an empty parameter", "application/json;", "{}", 201, "{\"id\":"),
                js("capitals and a quoted charset", "APPLICATION/JSON; CHARSET=\"UTF-8\"", "{}", 201, "{\"id\":"),
                js("another parameter", "application/json; foo=bar", "{}", 201, "{\"id\":"),
                js("charset without a value", "application/json; charset=", "{}", 400, "lacks a parameter value"),
                js("charset without '='", "application/json; charset", "{}", 400, "lacks '='"),
                js("charset with an open quote", "application/json; charset=\"utf-8", "{}", 400, "unterminated"),
                js("charset with a space", "application/json; charset=utf 8", "{}", 400, "lacks ';'"),
                js("charset given twice", "application/json; charset=utf-8; charset=utf-8", "{}", 400, "twice"),
                js("charset not UTF-8", "application/json; charset=latin1", "{}", 415, "charset 'latin1'"),
                js("an illegal charset name", "application/json; charset=\"@@\"", "{}", 415, "charset '@@'"),
                js("separators only", ";;;", "{}", 400, "lacks a type"),
                js("another type", "text/plain", "{}", 415, "text/plain"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jsonBodies")
    void jsonBodiesGetAClientErrorThatSaysWhatToFix(String name, String type, String body, int status, String phrase) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST /posts HTTP/1.1\r\n" + H + "Connection: close\r\nContent-Type: " + type
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        byte[] request = new byte[head.length() + bytes.length];
        System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, request, 0, head.length());
        System.arraycopy(bytes, 0, request, head.length(), bytes.length);
        RawHttp.Reply reply = RawHttp.exchange(server.port(), request, QUIET);

        assertThat(reply.toString(), reply.statuses(), is(List.of(status)));
        String text = new String(reply.text().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        assertThat(text, containsString(phrase));
        assertThat(text, not(containsString("\"?\"")));
    }

    @ParameterizedTest(name = "Content-Length body cut short: {0}")
    @ValueSource(strings = {"/posts"})
    void aContentLengthBodyCutShortIsNotCalledChunked(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(post(path, "Content-Type: application/json\r\nContent-Length: 10\r\n", "{}")
                                                   .getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(reply, containsString("400"));
            assertThat(reply, containsString("the body ended before the 10 bytes its Content-Length declared"));
            assertThat(reply, not(containsString("chunked")));
        }
    }

    /** Path, and the detail a repeated or valueless parameter must get there. */
    static Stream<Arguments> queries() {
        return Stream.of(Arguments.of("/io?ms", "got ''"), Arguments.of("/io?ms=", "got ''"),
                         Arguments.of("/io?ms=1&ms=2", "given 2 times"), Arguments.of("/io?ms&ms", "given 2 times"),
                         Arguments.of("/site/1?pages", "got ''"), Arguments.of("/site/1?pages=2&pages=3", "given 2 times"),
                         Arguments.of("/cpu?work", "got ''"), Arguments.of("/fanout?n=1&n=1&ms=0", "given 2 times"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void aRepeatedOrValuelessParameterIsRefusedOneWayEverywhere(String path, String detail) {
        RawHttp.Reply reply = RawHttp.exchange(server.port(), get(path, "Connection: close\r\n"), QUIET);

        assertThat(reply.toString(), reply.statuses(), is(List.of(400)));
        assertThat(reply.text(), containsString(detail));
    }

    private static String get(String path, String headers) {
        return "GET " + path + " HTTP/1.1\r\n" + H + headers + "\r\n";
    }

    private static String post(String path, String headers, String body) {
        return "POST " + path + " HTTP/1.1\r\n" + H + headers + "\r\n" + body;
    }

    private static Arguments ex(String name, String request, List<Integer> statuses, Boolean closed) {
        return Arguments.of(name, request, statuses, closed);
    }

    private static Arguments js(String name, String type, String body, int status, String phrase) {
        return Arguments.of(name, type, body, status, phrase);
    }

    private static String length(String headers) {
        Matcher m = LENGTH.matcher(headers);
        return m.find() ? m.group(1) : "none";
    }

    /** Reads what is there; true if the server closed. */
    private static boolean drain(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        try {
            return in.read(buffer) < 0 || drainMore(in, buffer);
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    private static boolean drainMore(InputStream in, byte[] buffer) throws IOException {
        while (in.available() > 0) {
            if (in.read(buffer) < 0) {
                return true;
            }
        }
        return false;
    }
}
