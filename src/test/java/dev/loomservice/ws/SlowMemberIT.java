package dev.loomservice.ws;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.loomservice.Await;
import dev.loomservice.TestServer;
import dev.loomservice.WsClient;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import static dev.loomservice.ws.ChatIT.join;
import static dev.loomservice.ws.ChatIT.json;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * A member that never reads: the server's writes to it back up until its socket buffers (a few MB on loopback)
 * and then its queue (8 events here) are full. From then on it must cost the room nothing: it is dropped, the
 * others are told, and they keep receiving every message.
 */
class SlowMemberIT {
    private static final int QUEUE = 8;
    private static final String PAYLOAD = "x".repeat(32 * 1024);

    @Test
    void aMemberThatNeverReadsIsDroppedAndTheOthersGetEveryMessage() {
        try (TestServer server = TestServer.start(config("PT1S"));
             WsClient slow = joinSlowMemberAndOutrunIt(server)) {
            Await.until("its connection is cut after close-timeout (alice and bob have left)", Duration.ofSeconds(10),
                        () -> websocket(server).getJsonObject("open").getInt("/ws/chat") == 0);
            assertThat(websocket(server).getInt("slowMembersDisconnected"), is(1));
            slow.startReading(); // its backlog, then the end of the socket: the close frame could not be written
            assertThat(slow.closed().code(), is(WsClient.ABNORMAL));
        }
    }

    @Test
    void aMemberThatReadsItsBacklogInTimeGetsClose1008() {
        try (TestServer server = TestServer.start(config("PT30S"));
             WsClient slow = joinSlowMemberAndOutrunIt(server)) {
            slow.startReading();
            WsClient.Closed closed = slow.closed();
            assertThat(closed.code(), is(ChatRooms.TOO_SLOW));
            assertThat(closed.reason(), is("too slow: " + QUEUE + " messages waiting for it"));
            Await.until("its connection is closed (alice and bob have left)", Duration.ofSeconds(10),
                        () -> websocket(server).getJsonObject("open").getInt("/ws/chat") == 0);
        }
    }

    private static Map<String, String> config(String closeTimeout) {
        return Map.of("app.websocket.chat-queue-length", String.valueOf(QUEUE),
                      "app.websocket.close-timeout", closeTimeout);
    }

    /**
     * alice, bob and a member that does not read join; alice talks until the room drops that member. She sends
     * her next message when her own copy of the last one comes back, so the readers' queues stay short (a
     * firehose would outrun readers too). Asserts that bob heard all alice did, in the same order.
     */
    private static WsClient joinSlowMemberAndOutrunIt(TestServer server) {
        try (WsClient alice = join(server.port(), "slow", "alice");
             WsClient bob = join(server.port(), "slow", "bob")) {
            WsClient slow = WsClient.connectNotReading(ChatIT.chat(server.port(), "slow", "slow"));
            assertThat(json(alice.nextText()).getString("text"), is("bob joined"));
            assertThat(json(alice.nextText()).getString("text"), is("slow joined"));
            assertThat(json(bob.nextText()).getString("text"), is("slow joined"));

            List<String> aliceHeard = new ArrayList<>();
            for (int n = 0; aliceHeard.stream().noneMatch(t -> t.startsWith("slow ")); n++) {
                assertThat("the slow member is dropped within 64 MiB", n < 2_000, is(true));
                alice.send(n + " " + PAYLOAD);
                String text;
                do {
                    text = json(alice.nextText()).getString("text");
                    aliceHeard.add(text);
                } while (!text.startsWith(n + " "));
            }
            List<String> bobHeard = new ArrayList<>();
            while (bobHeard.size() < aliceHeard.size()) {
                bobHeard.add(json(bob.nextText()).getString("text"));
            }
            assertThat("bob heard everything alice did, in the same order", bobHeard, is(aliceHeard));
            assertThat(aliceHeard.stream().filter(t -> t.startsWith("slow ")).toList(),
                       is(List.of("slow was disconnected: too slow")));
            return slow;
        }
    }

    static JsonObject websocket(TestServer server) {
        String stats = server.http().get("/admin/stats").body();
        return Json.createReader(new StringReader(stats)).readObject().getJsonObject("websocket");
    }
}
