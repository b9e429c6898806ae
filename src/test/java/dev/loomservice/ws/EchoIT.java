package dev.loomservice.ws;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.loomservice.RawWebSocket;
import dev.loomservice.TestServer;
import dev.loomservice.WsClient;

import io.helidon.config.Config;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.containsString;

/** {@code /ws/echo} with the default configuration, over real sockets. */
class EchoIT {
    private static final int MAX = WebSockets.Settings.from(Config.empty()).maxMessageBytes();
    private static final String PREFIX = "收到: ";
    private static TestServer server;
    private static URI echo;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        echo = URI.create("ws://localhost:" + server.port() + "/ws/echo");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "'{0}'")
    @ValueSource(strings = {"hello", "你好，世界", "Zoë says 😀 in Ελληνικά", " ", ""})
    void repliesWithPrefixAndTheTextIntact(String text) {
        try (WsClient client = WsClient.connect(echo)) {
            assertThat(client.send(text).nextText(), is(PREFIX + text));
        }
    }

    @Test
    void echoesBinaryAsBinary() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        try (WsClient client = WsClient.connect(echo)) {
            assertThat(client.send(bytes, true).next(), is(bytes));
        }
    }

    @Test
    void joinsFragmentsIntoOneReply() {
        try (WsClient client = WsClient.connect(echo)) {
            client.send("你好", false).send("，", false).send("世界", true);
            assertThat(client.nextText(), is(PREFIX + "你好，世界"));
            client.send(new byte[] {1, 2}, false).send(new byte[] {3}, true);
            assertThat(client.next(), is(new byte[] {1, 2, 3}));
        }
    }

    @Test
    void acceptsMessagesOfExactlyTheMaximum() {
        String text = "字".repeat(MAX / 3) + "a".repeat(MAX % 3); // MAX bytes of UTF-8
        try (WsClient client = WsClient.connect(echo)) {
            assertThat(client.send(text).nextText(), is(PREFIX + text));
            assertThat(client.send(new byte[MAX], true).next(), is(new byte[MAX]));
            client.send(text.substring(0, 100), false).send(text.substring(100), true); // fragmented, MAX in all
            assertThat(client.nextText(), is(PREFIX + text));
            byte[] bytes = new byte[MAX];
            new Random(42).nextBytes(bytes);
            client.send(Arrays.copyOfRange(bytes, 0, 300), false).send(Arrays.copyOfRange(bytes, 300, MAX), true);
            assertThat(client.next(), is(bytes));
        }
    }

    @Test
    void closesWith1009WhenOneFrameExceedsTheMaximum() {
        try (WsClient client = WsClient.connect(echo)) {
            client.send("a".repeat(MAX + 1));
            assertThat(client.closed().code(), is(1009));
        }
    }

    @Test
    void closesWith1009WhenFragmentsTogetherExceedTheMaximum() {
        try (WsClient client = WsClient.connect(echo)) {
            client.send("a".repeat(MAX), false).send("b", true);
            WsClient.Closed closed = client.closed();
            assertThat(closed.code(), is(1009));
            assertThat(closed.reason(), is("message over " + MAX + " bytes"));
        }
    }

    @Test
    void aCharacterSplitAcrossFragmentsIsEchoedIntact() {
        byte[] ni = "你".getBytes(StandardCharsets.UTF_8);
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8);
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/echo")) {
            ws.send(RawWebSocket.TEXT, false, new byte[] {'a', ni[0]})
                    .send(RawWebSocket.CONTINUATION, false, new byte[] {ni[1]})
                    .send(RawWebSocket.CONTINUATION, false, new byte[] {ni[2], smile[0]})
                    .send(RawWebSocket.CONTINUATION, false, new byte[] {smile[1]})
                    .send(RawWebSocket.CONTINUATION, false, new byte[0])
                    .send(RawWebSocket.CONTINUATION, true, new byte[] {smile[2], smile[3], 'b'});
            assertThat(ws.read().text(), is(PREFIX + "a你😀b"));
        }
    }

    @Test
    void theReplacementCharacterIsTextLikeAnyOther() {
        try (WsClient client = WsClient.connect(echo)) {
            assertThat(client.send("a\uFFFDb").nextText(), is(PREFIX + "a\uFFFDb"));
        }
    }

    @Test
    void aPingBetweenFragmentsIsAnsweredAndTheMessageStillJoins() {
        byte[] ping = "p".repeat(125).getBytes(StandardCharsets.UTF_8); // the most a control frame may carry
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/echo")) {
            ws.send(RawWebSocket.TEXT, false, "a".getBytes(StandardCharsets.UTF_8))
                    .send(RawWebSocket.PING, true, ping)
                    .send(RawWebSocket.CONTINUATION, true, "b".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame pong = ws.read();
            assertThat(pong.opcode(), is(RawWebSocket.PONG));
            assertThat(pong.payload(), is(ping));
            assertThat(ws.read().text(), is(PREFIX + "ab"));
        }
    }

    /** Codes a client may send (RFC 6455 7.4, IANA: 1012-1014 too); Helidon answers 1000 and closes. */
    @ParameterizedTest(name = "close {0}")
    @ValueSource(ints = {-1, 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000,
            4999})
    void aValidCloseIsAnsweredAndTheConnectionEnds(int code) {
        byte[] payload = code < 0 ? new byte[0] : ("xx再见").getBytes(StandardCharsets.UTF_8); // -1: no code at all
        if (code >= 0) {
            payload[0] = (byte) (code >>> 8);
            payload[1] = (byte) code;
        }
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/echo")) {
            ws.send(RawWebSocket.CLOSE, true, payload);
            assertThat(ws.readUntilClose().closeCode(), is(1000));
            assertThat(ws.endsWithin(Duration.ofSeconds(3)), is(true));
        }
    }

    @Test
    void answersPingWithItsPayload() {
        try (WsClient client = WsClient.connect(echo)) {
            byte[] payload = "are you there".getBytes(StandardCharsets.UTF_8);
            byte[] pong = new byte[payload.length];
            client.ping(payload).get(pong);
            assertThat(pong, is(payload));
        }
    }

    @Test
    void twoHundredConcurrentClientsGetEveryReplyInOrder() throws Exception {
        int clients = 200;
        int messages = 50;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> replies = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                replies.add(threads.submit(() -> {
                    List<String> got = new ArrayList<>();
                    try (WsClient client = WsClient.connect(echo)) {
                        for (int m = 0; m < messages; m++) {
                            client.send("client " + id + " message " + m + " 消息");
                        }
                        for (int m = 0; m < messages; m++) {
                            got.add(client.nextText());
                        }
                    }
                    return got;
                }));
            }
            for (int c = 0; c < clients; c++) {
                List<String> expected = new ArrayList<>();
                for (int m = 0; m < messages; m++) {
                    expected.add(PREFIX + "client " + c + " message " + m + " 消息");
                }
                assertThat(replies.get(c).get(), is(expected));
            }
        }
    }

    @Test
    void plainHttpOnTheEndpointIs426() {
        var res = server.http().get("/ws/echo");
        assertThat(res.statusCode(), is(426));
        assertThat(res.headers().firstValue("Upgrade").orElseThrow(), is("websocket"));
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
        assertThat(res.body(), containsString("\"detail\":\"/ws/echo is a WebSocket endpoint"));
    }
}
