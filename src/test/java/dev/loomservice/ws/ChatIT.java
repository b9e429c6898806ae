package dev.loomservice.ws;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.loomservice.Await;
import dev.loomservice.RawWebSocket;
import dev.loomservice.TestServer;
import dev.loomservice.WsClient;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/** {@code /ws/chat} with the default configuration: broadcast, order, notices, validation. */
class ChatIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static URI chat(int port, String room, String name) {
        return URI.create("ws://localhost:" + port + "/ws/chat?room=" + room + "&name="
                                  + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** Joins and reads the member's own join notice. */
    static WsClient join(int port, String room, String name) {
        WsClient client = WsClient.connect(chat(port, room, name));
        JsonObject joined = json(client.nextText());
        assertThat(joined.getString("type"), is("join"));
        assertThat(joined.getString("from"), is(name));
        return client;
    }

    @Test
    void messageReachesEveryMemberAsJson() {
        long before = System.currentTimeMillis();
        try (WsClient alice = join(server.port(), "json", "alice");
             WsClient bob = join(server.port(), "json", "小明")) {
            assertThat(alice.nextText(), containsString("\"text\":\"小明 joined\""));
            bob.send("你好, \"alice\" </script>");
            for (WsClient member : List.of(alice, bob)) {
                JsonObject event = json(member.nextText());
                assertThat(event.getString("type"), is("message"));
                assertThat(event.getString("room"), is("json"));
                assertThat(event.getString("from"), is("小明"));
                assertThat(event.getString("text"), is("你好, \"alice\" </script>"));
                assertThat(event.getJsonNumber("ts").longValue(), greaterThanOrEqualTo(before));
                assertThat(event.getJsonNumber("ts").longValue(), lessThanOrEqualTo(System.currentTimeMillis()));
            }
        }
    }

    @Test
    void threeMembersReceiveEveryMessageInOneAndTheSameOrder() throws Exception {
        int perMember = 30;
        List<String> names = List.of("ann", "ben", "cat");
        List<WsClient> members = new ArrayList<>();
        for (String name : names) {
            members.add(join(server.port(), "order", name));
        }
        try {
            // drain the join notices of those who came later
            for (int i = 0; i < members.size(); i++) {
                for (int later = i + 1; later < members.size(); later++) {
                    assertThat(json(members.get(i).nextText()).getString("type"), is("join"));
                }
            }
            WsClient.sendAtOnce(members, names, perMember);
            List<List<String>> received = new ArrayList<>();
            for (WsClient member : members) {
                List<String> texts = new ArrayList<>();
                for (int m = 0; m < names.size() * perMember; m++) {
                    JsonObject event = json(member.nextText());
                    texts.add(event.getString("text"));
                }
                received.add(texts);
            }
            assertThat("everyone sees the same sequence", received.get(1), is(received.get(0)));
            assertThat("everyone sees the same sequence", received.get(2), is(received.get(0)));
            for (String name : names) {
                List<String> fromOne = received.get(0).stream().filter(t -> t.startsWith(name + " ")).toList();
                List<String> sent = new ArrayList<>();
                for (int m = 0; m < perMember; m++) {
                    sent.add(name + " " + m);
                }
                assertThat("each sender's messages arrive in the order sent", fromOne, is(sent));
            }
        } finally {
            members.forEach(WsClient::close);
        }
    }

    @Test
    void joinAndLeaveAreAnnouncedWithTheMemberCount() {
        try (WsClient alice = join(server.port(), "notices", "alice")) {
            WsClient bob = join(server.port(), "notices", "bob");
            JsonObject joined = json(alice.nextText());
            assertThat(joined.getString("text"), is("bob joined"));
            assertThat(joined.getInt("members"), is(2));
            bob.close();
            JsonObject left = json(alice.nextText());
            assertThat(left.getString("type"), is("leave"));
            assertThat(left.getString("from"), is("bob"));
            assertThat(left.getString("text"), is("bob left"));
            assertThat(left.getInt("members"), is(1));
        }
    }

    @Test
    void aMemberWhoseConnectionDropsIsAnnouncedAsLeft() {
        try (WsClient alice = join(server.port(), "drops", "alice");
             RawWebSocket bob = RawWebSocket.open(server.port(), "/ws/chat?room=drops&name=bob")) {
            assertThat(alice.nextText(), containsString("\"text\":\"bob joined\""));
            bob.close(); // no close frame: the socket just goes away
            assertThat(json(alice.nextText()).getString("text"), is("bob left"));
        }
    }

    @Test
    void invalidUtf8ClosesTheSenderWith1007AndTheRoomSeesItLeave() {
        try (WsClient alice = join(server.port(), "utf8", "alice");
             RawWebSocket bob = RawWebSocket.open(server.port(), "/ws/chat?room=utf8&name=bob")) {
            assertThat(json(bob.read().text()).getString("text"), is("bob joined"));
            assertThat(json(alice.nextText()).getString("text"), is("bob joined"));
            bob.send(RawWebSocket.TEXT, true, new byte[] {(byte) 0xFF});
            assertThat(bob.read().closeCode(), is(1007));
            assertThat(json(alice.nextText()).getString("text"), is("bob left"));
        }
    }

    @Test
    void roomsAreSeparate() {
        try (WsClient red = join(server.port(), "red", "alice");
             WsClient blue = join(server.port(), "blue", "bob")) {
            red.send("only for red");
            blue.send("only for blue");
            assertThat(json(red.nextText()).getString("text"), is("only for red"));
            assertThat(json(blue.nextText()).getString("text"), is("only for blue"));
        }
    }

    @Test
    void aQuietMemberIsPingedSoItsConnectionLooksAlive() {
        try (TestServer pinging = TestServer.start(Map.of("app.websocket.ping-interval", "PT0.1S"));
             WsClient quiet = join(pinging.port(), "quiet", "alice")) {
            Await.until("the server has pinged twice", Duration.ofSeconds(10), () -> quiet.pings() >= 2);
            quiet.send("still here");
            assertThat(json(quiet.nextText()).getString("text"), is("still here"));
        }
    }

    @Test
    void binaryMessageClosesWith1003() {
        try (WsClient alice = join(server.port(), "binary", "alice")) {
            alice.send(new byte[] {1}, true);
            assertThat(alice.closed().code(), is(1003));
        }
    }

    @ParameterizedTest(name = "{0} -> 400")
    @CsvSource(delimiter = '|', textBlock = """
            /ws/chat?name=alice                          | 'room' must be given once
            /ws/chat?room=lobby                          | 'name' must be given once
            /ws/chat?room=a&room=b&name=alice            | 'room' must be given once; it was given 2 times
            /ws/chat?room=no%20spaces&name=alice         | 'room' must be 1 to 64 characters
            /ws/chat?room=&name=alice                    | 'room' must be 1 to 64 characters
            /ws/chat?room=lobby&name=%20%20              | 'name' must be 1 to 32 printable characters
            /ws/chat?room=lobby&name=a%E2%80%AEb         | 'name' must be 1 to 32 printable characters
            /ws/chat?room=lobby&name=%07bell             | 'name' must be 1 to 32 printable characters
            """)
    void badRoomOrNameRefusesTheUpgradeWith400(String path, String detail) {
        WebSocketHandshakeException refused = WsClient.refused(URI.create("ws://localhost:" + server.port() + path),
                                                               Map.of());
        assertThat(refused.getResponse().statusCode(), is(400));
        assertThat(WsClient.body(refused), containsString(detail));
    }
}
