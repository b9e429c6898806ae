package dev.loomservice.guard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.loomservice.RawHttp;
import dev.loomservice.TestServer;
import dev.loomservice.version.Version;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Malformed and hostile HTTP/1.1, written byte for byte to a real server: every one is answered with a single
 * 4xx (a problem+json) or a closed connection, never two responses, and the server goes on serving. The one 5xx
 * is RFC 9112's own: a transfer coding the server does not implement is a 501 (Helidon's answer).
 */
class HostileRequestIT {
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final String H = "Host: localhost\r\n";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("app.read-deadline.headers", "PT1S", "app.read-deadline.body", "PT1S"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Name, bytes, and the status it must get (0: any 4xx, or a close without a response). */
    static Stream<Arguments> hostile() {
        String smuggled = "GET /smuggled HTTP/1.1\r\n" + H + "\r\n";
        return Stream.of(
                // framing that two parties could read differently (request smuggling)
                bad("TE and CL", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, 400),
                bad("CL and TE", "POST /posts HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + smuggled, 400),
                bad("duplicate CL, same", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400),
                bad("duplicate CL, different", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}" + smuggled, 400),
                bad("CL comma list", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 2, 2\r\n\r\n{}", 400),
                bad("CL signed plus", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: +2\r\n\r\n{}", 400),
                bad("CL negative", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n", 400),
                bad("CL hex", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 0x2\r\n\r\n{}", 400),
                bad("CL exponent", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 2e0\r\n\r\n{}", 400),
                bad("CL inner space", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 1 2\r\n\r\n{}", 400),
                bad("CL empty", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: \r\n\r\n", 400),
                bad("CL overflow", "POST /posts HTTP/1.1\r\n" + H + "Content-Length: 99999999999999999999999\r\n\r\n", 400),
                bad("TE gzip", "POST /posts HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n" + smuggled, 400),
                bad("TE chunked then gzip", "POST /posts HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
                bad("TE gzip then chunked", "POST /posts HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
                bad("TE identity", "POST /posts HTTP/1.1\r\n" + H + "Transfer-Encoding: identity\r\n\r\n" + smuggled, 400),
                bad("TE chunked twice", "POST /posts HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                bad("TE xchunked", "POST /posts HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
                bad("TE on HTTP/1.0", "POST /posts HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                // chunked bodies that lie
                bad("chunk size not hex", chunked("zz\r\n{}\r\n0\r\n\r\n"), 0),
                bad("chunk size negative", chunked("-2\r\n{}\r\n0\r\n\r\n"), 0),
                bad("chunk size overflow", chunked("fffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"), 0),
                bad("chunk data longer than size", chunked("2\r\n{}xx\r\n0\r\n\r\n"), 0),
                bad("chunk without final CRLF", chunked("2\r\n{}"), 0),
                // line and header syntax
                bad("bare LF line ends", "GET / HTTP/1.1\n" + "Host: localhost\n\n", 400),
                bad("bare CR in a header value", "GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", 0),
                bad("NUL in a header value", "GET / HTTP/1.1\r\n" + H + "X-A: a\0b\r\n\r\n", 400),
                bad("NUL in the target", "GET /a\0b HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("obs-fold continuation line", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n  folded\r\n\r\n", 400),
                bad("space before colon", "GET / HTTP/1.1\r\nHost : localhost\r\n\r\n", 400),
                bad("header without colon", "GET / HTTP/1.1\r\n" + H + "NoColonHere\r\n\r\n", 400),
                bad("empty header name", "GET / HTTP/1.1\r\n" + H + ": value\r\n\r\n", 400),
                bad("bad char in header name", "GET / HTTP/1.1\r\n" + H + "X(A): 1\r\n\r\n", 400),
                bad("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400),
                bad("two Host headers", "GET / HTTP/1.1\r\n" + H + H + "\r\n", 400),
                bad("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
                bad("double space in request line", "GET  / HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("no version (HTTP/0.9 style)", "GET /\r\n\r\n", 400),
                bad("bad char in method", "G<T / HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("target without leading slash", "GET abc HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("unknown version HTTP/1.7", "GET / HTTP/1.7\r\n" + H + "\r\n", 0),
                bad("version HTTP/2.0 in plain text", "GET / HTTP/2.0\r\n" + H + "\r\n", 0),
                bad("garbage", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003 not http\r\n\r\n", 0),
                // sizes
                bad("request line over 4 KiB", "GET /" + "a".repeat(5000) + " HTTP/1.1\r\n" + H + "\r\n", 414),
                bad("headers over 16 KiB", "GET / HTTP/1.1\r\n" + H + "X-A: " + "a".repeat(17_000) + "\r\n\r\n", 431),
                bad("many headers over 16 KiB", "GET / HTTP/1.1\r\n" + H + "X-A: aaaaaaaaaaaaaaaaaaaa\r\n".repeat(800) + "\r\n", 431),
                bad("declared body over max-payload-size", "POST /posts HTTP/1.1\r\n" + H
                        + "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{}", 413),
                bad("posts body over its limit", "POST /posts HTTP/1.1\r\n" + H + "Content-Type: application/json\r\n"
                        + "Content-Length: 70000\r\nConnection: close\r\n\r\n" + "{\"a\":\"" + "x".repeat(69_990) + "\"}", 413),
                bad("Expect 100-continue with an oversized body", "POST /posts HTTP/1.1\r\n" + H
                        + "Content-Type: application/json\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n", 413),
                // HTTP/1.0 and upgrade oddities
                bad("HTTP/1.0 POST without a length", "POST /posts HTTP/1.0\r\nContent-Type: application/json\r\n\r\n{}", 0),
                bad("HTTP/1.0 keep-alive then junk", "GET /no/such HTTP/1.0\r\nConnection: keep-alive\r\n\r\n\0\0junk\r\n\r\n", 0),
                bad("compressed body we do not decode", "POST /posts HTTP/1.1\r\n" + H + "Content-Type: application/json\r\n"
                        + "Content-Encoding: gzip\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", 400),
                bad("WebSocket upgrade with POST", "POST /ws/echo HTTP/1.1\r\n" + H + "Connection: Upgrade\r\n"
                        + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Content-Length: 0\r\n\r\n", 400), // Helidon 4.5 refuses it before routing
                bad("WebSocket upgrade with a wrong version", "GET /ws/echo HTTP/1.1\r\n" + H + "Connection: Upgrade\r\n"
                        + "Upgrade: websocket\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "\r\n", 0),
                // refusals that leave a body unread: its bytes must never be read as a second request
                bad("415 with a request hidden in its body", hidden("POST /posts", "text/plain"), 415),
                bad("404 with a request hidden in its body", hidden("POST /no/such/path", "application/json"), 404),
                bad("413 with a request hidden in its body", "POST /posts HTTP/1.1\r\n" + H
                        + "Content-Type: application/json\r\nContent-Length: 70000\r\n\r\n" + smuggled, 413),
                bad("POST with a protocol upgrade", "POST / HTTP/1.1\r\n" + H + "Connection: Upgrade\r\nUpgrade: h2c\r\n"
                        + "Content-Length: 0\r\n\r\n", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void getsOneClientErrorOrACloseAndTheServerCarriesOn(String name, String request, int expected) {
        RawHttp.Reply reply = RawHttp.exchange(server.port(), request, QUIET);

        assertThat(reply.toString(), reply.statuses().size(), lessThanOrEqualTo(1));
        if (reply.statuses().isEmpty()) {
            assertThat("no response, so the connection must be closed: " + reply, reply.closed(), is(true));
        } else {
            int status = reply.statuses().getFirst();
            if (expected != 501) {
                assertThat(reply.toString(), status, both(greaterThanOrEqualTo(400)).and(lessThan(500)));
            }
            assertThat(reply.text(), containsString("application/problem+json"));
            if (expected != 0) {
                assertThat(reply.toString(), status, is(expected));
            }
        }
        assertThat("a smuggled request was answered: " + reply, reply.text().toLowerCase().contains("smuggled"),
                   is(false));
        assertThat(server.http().get("/").body(), is("Hello, World!"));
    }

    @Test
    void connectionCloseIsHonouredAndNothingAfterItIsRead() {
        RawHttp.Reply reply = RawHttp.exchange(server.port(), "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\n" + H + "\r\n", QUIET);
        assertThat(reply.toString(), reply.statuses(), is(List.of(200)));
        assertThat("closed, as the response said", reply.closed(), is(true));
    }

    private static Arguments bad(String name, String request, int expected) {
        return Arguments.of(name, request, expected);
    }

    /** A request whose body is exactly one more request (to /smuggled), with a correct Content-Length. */
    private static String hidden(String requestLine, String contentType) {
        String inner = "GET /smuggled HTTP/1.1\r\n" + H + "\r\n";
        return requestLine + " HTTP/1.1\r\n" + H + "Content-Type: " + contentType + "\r\nContent-Length: "
                + inner.length() + "\r\n\r\n" + inner;
    }

    private static String chunked(String body) {
        return "POST /posts HTTP/1.1\r\n" + H + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + body;
    }
}
