package dev.loomservice.ws;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.loomservice.Await;
import dev.loomservice.RawWebSocket;
import dev.loomservice.TestServer;
import dev.loomservice.WsClient;
import dev.loomservice.version.Version;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.loomservice.ws.SlowMemberIT.websocket;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * What WebSocket upgrades must pass: Helidon's own checks (method, Origin against {@code allowed-origins}), then the
 * HTTP filters, the gate's connection maximum among them.
 */
class UpgradeGateIT {
    private static final Map<String, String> CONFIG = Map.of("app.websocket.max-connections", "3",
                                                             "app.websocket.allowed-origins.0", "https://chat.example");

    @ParameterizedTest(name = "Origin: {0}")
    @ValueSource(strings = {"http://evil.example", "HTTPS://CHAT.EXAMPLE", "same-host"})
    void originNotOnTheListIsRefusedWith403(String origin) {
        try (TestServer server = TestServer.start(CONFIG)) {
            WebSocketHandshakeException refused = WsClient.refused(echo(server), Map.of("Origin", origin.equals(
                    "same-host") ? "http://localhost:" + server.port() : origin));
            assertThat(refused.getResponse().statusCode(), is(403));
            assertThat(WsClient.body(refused), containsString("Invalid Origin"));
        }
    }

    @Test
    void withoutAListOnlyTheServersOwnHostIsAnOrigin() {
        try (TestServer server = TestServer.start(Map.of())) {
            WebSocketHandshakeException refused = WsClient.refused(echo(server),
                                                                   Map.of("Origin", "http://evil.example"));
            assertThat(refused.getResponse().statusCode(), is(403));
            try (WsClient client = WsClient.connect(echo(server), Map.of("Origin", "http://localhost:" + server.port()))) {
                assertThat(client.send("hi").nextText(), is("收到: hi"));
            }
        }
    }

    @ParameterizedTest(name = "Origin: {0}")
    @ValueSource(strings = {"https://chat.example", "none"})
    void listedOrNoOriginIsAdmitted(String origin) {
        try (TestServer server = TestServer.start(CONFIG)) {
            Map<String, String> headers = origin.equals("none") ? Map.of() : Map.of("Origin", origin);
            try (WsClient client = WsClient.connect(echo(server), headers)) {
                assertThat(client.send("hi").nextText(), is("收到: hi"));
            }
        }
    }

    @Test
    void upgradeWithAnotherMethodThanGetIsRefusedWith400() {
        try (TestServer server = TestServer.start(CONFIG);
             RawWebSocket post = RawWebSocket.handshake(server.port(), "POST", "/ws/echo")) {
            assertThat(post.status(), is("HTTP/1.1 400 Bad Request"));
        }
    }

    /**
     * Handshakes Helidon reads only in part (the first of repeated headers) or answers with a 500: the gate refuses
     * them. {@code |} separates header lines; {@code OWN} is the server's own origin, which alone would pass.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', textBlock = """
            two Origins, the allowed one first;    KEY|Origin: https://chat.example|Origin: http://evil.example;   403
            two Origins, both allowed;             KEY|Origin: https://chat.example|Origin: https://chat.example; 403
            two Origins, own host first (no list); KEY|Origin: OWN|Origin: http://evil.example;                   403
            two Sec-WebSocket-Keys;                KEY|Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==;            400
            two keys on one line;                  Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==, AAAAAAAAAAAAAAAAAAAAAA==; 400
            a key that is not base64;              Sec-WebSocket-Key: !!!not-base64!!!;                        400
            a key of 15 bytes;                     Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA;                    400
            an empty key;                          Sec-WebSocket-Key: ;                                        400
            no key;                                ;                                                           400
            two Sec-WebSocket-Versions;            KEY|Sec-WebSocket-Version: 13;                              400
            no Sec-WebSocket-Version;              KEY|NO-VERSION;                                             400
            version 8;                             KEY|Sec-WebSocket-Version: 8|NO-VERSION;                    400
            """)
    void ambiguousHandshakeIsRefused(String name, String headers, int status) {
        Map<String, String> config = name.contains("no list") ? Map.of() : CONFIG;
        try (TestServer server = TestServer.start(config)) {
            List<String> lines = new ArrayList<>(List.of("Host: localhost:" + server.port(), "Upgrade: websocket",
                                                          "Connection: Upgrade"));
            boolean version = true;
            for (String line : headers == null ? new String[0] : headers.split("\\|")) {
                switch (line.strip()) {
                case "KEY" -> lines.add("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
                case "NO-VERSION" -> version = false;
                default -> lines.add(line.strip().replace("OWN", "http://localhost:" + server.port()));
                }
            }
            if (version) {
                lines.add("Sec-WebSocket-Version: 13");
            }
            try (RawWebSocket ws = RawWebSocket.handshake(server.port(), "GET /ws/echo HTTP/1.1", lines)) {
                assertThat(ws.status(), startsWith("HTTP/1.1 " + status + " "));
            }
        }
    }

    @Test
    void connectionsBeyondTheMaximumAreRefusedWith503UntilOneCloses() {
        try (TestServer server = TestServer.start(CONFIG)) {
            List<WsClient> open = new ArrayList<>();
            try {
                open.add(WsClient.connect(echo(server)));
                open.add(WsClient.connect(echo(server)));
                open.add(WsClient.connect(ChatIT.chat(server.port(), "full", "alice")));
                WebSocketHandshakeException refused = WsClient.refused(echo(server), Map.of());
                assertThat(refused.getResponse().statusCode(), is(503));
                assertThat(refused.getResponse().headers().firstValue("Retry-After").orElseThrow(), is("1"));
                assertThat(WsClient.body(refused), containsString("maximum of 3 WebSocket connections"));
                assertThat(websocket(server).getInt("rejectedUpgrades"), is(1));
                assertThat(websocket(server).getJsonObject("open").toString(), is("{\"/ws/echo\":2,\"/ws/chat\":1}"));

                open.removeFirst().close();
                Await.until("a slot is free", Duration.ofSeconds(10),
                            () -> websocket(server).getJsonObject("open").getInt("/ws/echo") == 1);
                open.add(WsClient.connect(echo(server)));
                assertThat(open.getLast().send("in").nextText(), is("收到: in"));
            } finally {
                open.forEach(WsClient::close);
            }
        }
    }

    private static URI echo(TestServer server) {
        return URI.create("ws://localhost:" + server.port() + "/ws/echo");
    }
}
