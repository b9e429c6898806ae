package dev.loomservice.ws;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.loomservice.RawWebSocket;
import dev.loomservice.Regex;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.loomservice.RawWebSocket.BINARY;
import static dev.loomservice.RawWebSocket.CLOSE;
import static dev.loomservice.RawWebSocket.CONTINUATION;
import static dev.loomservice.RawWebSocket.PING;
import static dev.loomservice.RawWebSocket.PONG;
import static dev.loomservice.RawWebSocket.TEXT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Frames that break RFC 6455, written byte for byte to both endpoints: each connection must be failed (RFC 6455
 * 7.1.7) with the close code the RFC names (1002 protocol error, 1007 not UTF-8, 1009 too big), a short reason
 * that is ours (never exception text), and then the server must close the TCP connection at once, without waiting
 * for the client's close frame. The chat gets the cases without binary frames (it refuses binary with 1003).
 */
class ProtocolViolationIT {
    private static final int FIN = 0x80;
    private static final int MAX = WebSockets.Settings.from(io.helidon.config.Config.empty()).maxMessageBytes();
    /** Well under {@code close-timeout} (5 s): the failure path must not wait for the client. */
    private static final Duration AT_ONCE = Duration.ofSeconds(3);
    private static TestServer server;

    /** A case: what the client sends after the handshake, and the close code it must get. */
    record Violation(String name, int code, boolean binary, byte[]... frames) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Violation v : violations()) {
            all.add(Arguments.of(EchoEndpoint.PATH, v));
            if (!v.binary()) {
                all.add(Arguments.of(ChatEndpoint.PATH + "?room=violations&name=mallory", v));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void isFailedWithTheRightCodeThenTheConnectionCloses(String endpoint, Violation violation) {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), endpoint)) {
            if (endpoint.startsWith(ChatEndpoint.PATH)) {
                assertThat(ws.read().text(), Regex.matches("\\{\"type\":\"join\".*")); // in the room now
            }
            for (byte[] frame : violation.frames()) {
                ws.sendBytes(frame);
            }
            RawWebSocket.Frame close = ws.readUntilClose();
            assertThat(close.closeCode(), is(violation.code()));
            assertThat(close.payload().length, lessThanOrEqualTo(125));
            assertThat("a short reason of ours, no exception text", close.text(), Regex.matches("[A-Za-z0-9 ,()-]*"));
            assertThat("TCP closed within " + AT_ONCE, ws.endsWithin(AT_ONCE), is(true));
        }
    }

    static List<Violation> violations() {
        List<Violation> v = new ArrayList<>();
        // RFC 6455 5.2: reserved opcodes, reserved bits without an extension, unmasked client frames, lengths
        for (int op : new int[] {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            v.add(new Violation("reserved opcode 0x" + Integer.toHexString(op), 1002, false, masked(FIN | op, "")));
            v.add(new Violation("reserved opcode 0x" + Integer.toHexString(op) + " with payload, not final", 1002,
                                false, masked(op, "abc")));
        }
        v.add(new Violation("reserved opcode after a valid message", 1002, false,
                            masked(FIN | TEXT, "hello"), masked(FIN | 0x3, "x")));
        v.add(new Violation("reserved opcode inside a fragmented message", 1002, false,
                            masked(TEXT, "hel"), masked(FIN | 0xB, "")));
        for (int rsv : new int[] {0x40, 0x20, 0x10, 0x70}) {
            v.add(new Violation("RSV bits 0x" + Integer.toHexString(rsv) + " on text", 1002, false,
                                masked(FIN | rsv | TEXT, "hi")));
        }
        v.add(new Violation("RSV1 on a ping", 1002, false, masked(FIN | 0x40 | PING, "")));
        v.add(new Violation("RSV1 on a continuation", 1002, false,
                            masked(TEXT, "a"), masked(FIN | 0x40 | CONTINUATION, "b")));
        v.add(new Violation("unmasked text", 1002, false, RawWebSocket.frame(FIN | TEXT, false, utf8("hi"))));
        v.add(new Violation("unmasked close", 1002, false, RawWebSocket.frame(FIN | CLOSE, false, code(1000))));
        v.add(new Violation("unmasked ping", 1002, false, RawWebSocket.frame(FIN | PING, false, new byte[0])));
        v.add(new Violation("64-bit length with the top bit set", 1002, false,
                            new byte[] {(byte) (FIN | TEXT), (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 1,
                                        1, 2, 3, 4}));
        v.add(new Violation("one frame over max-message-bytes", 1009, false,
                            masked(FIN | TEXT, "a".repeat(MAX + 1))));
        v.add(new Violation("fragments over max-message-bytes", 1009, false,
                            masked(TEXT, "a".repeat(MAX)), masked(FIN | CONTINUATION, "b")));
        v.add(new Violation("binary fragments over max-message-bytes", 1009, true,
                            masked(BINARY, "a".repeat(MAX - 1)), masked(CONTINUATION, "bc")));

        // RFC 6455 5.5: control frames are final and carry at most 125 bytes
        v.add(new Violation("fragmented ping", 1002, false, masked(PING, "a")));
        v.add(new Violation("fragmented ping inside a fragmented message", 1002, false,
                            masked(TEXT, "a"), masked(PING, "b"), masked(FIN | CONTINUATION, "c")));
        v.add(new Violation("fragmented pong", 1002, false, masked(PONG, "")));
        v.add(new Violation("fragmented close", 1002, false, masked(CLOSE, code(1000))));
        v.add(new Violation("ping of 126 bytes", 1002, false, masked(FIN | PING, "p".repeat(126))));
        v.add(new Violation("pong of 126 bytes", 1002, false, masked(FIN | PONG, "p".repeat(126))));
        v.add(new Violation("close of 126 bytes", 1002, false, masked(FIN | CLOSE, code(1000), "r".repeat(124))));
        v.add(new Violation("ping of 65,536 bytes", 1002, false, masked(FIN | PING, "p".repeat(65_536))));

        // RFC 6455 5.4: fragments of one message follow one another, a continuation only continues
        v.add(new Violation("continuation first", 1002, false, masked(FIN | CONTINUATION, "a")));
        v.add(new Violation("continuation first, not final", 1002, false, masked(CONTINUATION, "a")));
        v.add(new Violation("continuation after a whole text message", 1002, false,
                            masked(FIN | TEXT, "a"), masked(FIN | CONTINUATION, "b")));
        v.add(new Violation("continuation after a whole binary message", 1002, true,
                            masked(FIN | BINARY, "a"), masked(FIN | CONTINUATION, "b")));
        v.add(new Violation("continuation after a finished fragmented message", 1002, false,
                            masked(TEXT, "a"), masked(FIN | CONTINUATION, "b"), masked(FIN | CONTINUATION, "c")));
        v.add(new Violation("text inside a fragmented text message", 1002, false,
                            masked(TEXT, "a"), masked(FIN | TEXT, "b")));
        v.add(new Violation("text (not final) inside a fragmented text message", 1002, false,
                            masked(TEXT, "a"), masked(TEXT, "b")));
        v.add(new Violation("binary inside a fragmented text message", 1002, true,
                            masked(TEXT, "a"), masked(FIN | BINARY, "b")));
        v.add(new Violation("text inside a fragmented binary message", 1002, true,
                            masked(BINARY, "a"), masked(FIN | TEXT, "b")));
        v.add(new Violation("binary inside a fragmented binary message", 1002, true,
                            masked(BINARY, "a"), masked(FIN | BINARY, "b")));

        // RFC 6455 5.5.1, 7.4: a close payload is empty or a valid code, then a UTF-8 reason
        v.add(new Violation("close with a 1-byte payload", 1002, false, masked(FIN | CLOSE, new byte[] {3})));
        for (int code : new int[] {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65_535}) {
            v.add(new Violation("close code " + code, 1002, false, masked(FIN | CLOSE, code(code))));
        }
        v.add(new Violation("close reason not UTF-8", 1007, false,
                            masked(FIN | CLOSE, code(1000), new byte[] {'b', 'y', (byte) 0xFF})));
        v.add(new Violation("close reason with a UTF-8 encoded surrogate", 1007, false,
                            masked(FIN | CLOSE, code(1001), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})));
        v.add(new Violation("close reason cut inside a character", 1007, false,
                            masked(FIN | CLOSE, code(1000), new byte[] {(byte) 0xE4, (byte) 0xBD})));

        // RFC 6455 5.6, 8.1: text is UTF-8, checked across fragments
        byte[][] invalid = {
                {(byte) 0xFF}, {'o', 'k', (byte) 0xC3, 0x28}, {(byte) 0xC0, (byte) 0x80}, // overlong NUL
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong '/'
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // U+D800
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
                {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // 5-byte form
                {(byte) 0xE4, (byte) 0xBD}, // cut at the end of the message
                {(byte) 0x80}, // a lone continuation byte
        };
        for (byte[] bad : invalid) {
            v.add(new Violation("text " + hex(bad), 1007, false, masked(FIN | TEXT, bad)));
            v.add(new Violation("text fragment " + hex(bad), 1007, false,
                                masked(TEXT, utf8("fine ")), masked(FIN | CONTINUATION, bad)));
        }
        v.add(new Violation("text cut inside a character across fragments", 1007, false,
                            masked(TEXT, new byte[] {(byte) 0xE4, (byte) 0xBD}), masked(FIN | CONTINUATION, "(")));
        v.add(new Violation("invalid text in a fragment that is not final (fail fast)", 1007, false,
                            masked(TEXT, new byte[] {(byte) 0xFF})));
        return v;
    }

    private static byte[] masked(int firstByte, String payload) {
        return RawWebSocket.frame(firstByte, true, utf8(payload));
    }

    private static byte[] masked(int firstByte, byte[]... parts) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            payload.writeBytes(part);
        }
        return RawWebSocket.frame(firstByte, true, payload.toByteArray());
    }

    private static byte[] masked(int firstByte, byte[] code, String reason) {
        return masked(firstByte, code, utf8(reason));
    }

    private static byte[] code(int code) {
        return new byte[] {(byte) (code >>> 8), (byte) code};
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(s.isEmpty() ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        return s.toString();
    }
}
