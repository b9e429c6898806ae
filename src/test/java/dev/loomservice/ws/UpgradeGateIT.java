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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.loomservice.ws.SlowMemberIT.websocket;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** What WebSocket upgrades must pass, as Helidon lets them skip the HTTP filters (and so the limiter). */
class UpgradeGateIT {
    private static final Map<String, String> CONFIG = Map.of("app.websocket.max-connections", "3",
                                                             "app.websocket.allowed-origins.0", "https://chat.example");

    @Test
    void foreignOriginIsRefusedWith403AndCounted() {
        try (TestServer server = TestServer.start(CONFIG)) {
            WebSocketHandshakeException refused = WsClient.refused(echo(server),
                                                                   Map.of("Origin", "http://evil.example"));
            assertThat(refused.getResponse().statusCode(), is(403));
            assertThat(WsClient.body(refused), containsString("Origin 'http://evil.example' may not open WebSockets"));
            assertThat(websocket(server).getInt("rejectedUpgrades"), is(1));
        }
    }

    @ParameterizedTest(name = "Origin: {0}")
    @ValueSource(strings = {"same-host", "https://chat.example", "HTTPS://CHAT.EXAMPLE", "none"})
    void sameHostListedOrNoOriginIsAdmitted(String origin) {
        try (TestServer server = TestServer.start(CONFIG)) {
            Map<String, String> headers = switch (origin) {
                case "none" -> Map.of();
                case "same-host" -> Map.of("Origin", "http://localhost:" + server.port());
                default -> Map.of("Origin", origin);
            };
            try (WsClient client = WsClient.connect(echo(server), headers)) {
                assertThat(client.send("hi").nextText(), is("收到: hi"));
            }
        }
    }

    @Test
    void upgradeWithAnotherMethodThanGetIsRefusedWith405() {
        try (TestServer server = TestServer.start(CONFIG);
             RawWebSocket post = RawWebSocket.handshake(server.port(), "POST", "/ws/echo")) {
            assertThat(post.status(), is("HTTP/1.1 405 Method Not Allowed"));
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
