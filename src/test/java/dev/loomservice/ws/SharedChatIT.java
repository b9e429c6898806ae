package dev.loomservice.ws;

import java.net.http.WebSocketHandshakeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.loomservice.Await;
import dev.loomservice.Postgres;
import dev.loomservice.TestServer;
import dev.loomservice.WsClient;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.loomservice.ws.ChatIT.chat;
import static dev.loomservice.ws.ChatIT.join;
import static dev.loomservice.ws.ChatIT.json;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * Two servers on one real PostgreSQL: chat rooms span both ({@link SharedRooms}), in one order per room, and the
 * database going away closes members with 1013 instead of losing their messages silently.
 */
class SharedChatIT {
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private static Postgres pg;
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        pg = Postgres.start();
        a = TestServer.start(config(pg));
        b = TestServer.start(config(pg));
        awaitListening(a);
        awaitListening(b);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, pg}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aMessageSentOnOneInstanceReachesAMemberOnTheOther() {
        try (WsClient alice = join(a.port(), "cross", "alice")) {
            WsClient bob = join(b.port(), "cross", "小明");
            JsonObject joined = json(alice.nextText());
            assertThat(joined.getString("text"), is("小明 joined"));
            assertThat("no instance sees the whole room: no count", joined.containsKey("members"), is(false));
            bob.send("你好 from B");
            for (WsClient member : List.of(alice, bob)) {
                JsonObject event = json(member.nextText());
                assertThat(event.getString("type"), is("message"));
                assertThat(event.getString("room"), is("cross"));
                assertThat(event.getString("from"), is("小明"));
                assertThat(event.getString("text"), is("你好 from B"));
            }
            bob.close();
            JsonObject left = json(alice.nextText());
            assertThat(left.getString("type"), is("leave"));
            assertThat(left.getString("text"), is("小明 left"));
        }
    }

    @Test
    void membersOnBothInstancesReceiveEveryMessageInOneAndTheSameOrder() throws Exception {
        int perMember = 100;
        List<String> names = List.of("ann", "ben", "cat", "dan");
        List<TestServer> servers = List.of(a, b, a, b);
        List<WsClient> members = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            members.add(join(servers.get(i).port(), "order", names.get(i)));
        }
        try {
            for (int i = 0; i < members.size(); i++) {
                for (int later = i + 1; later < members.size(); later++) {
                    assertThat(json(members.get(i).nextText()).getString("text"), is(names.get(later) + " joined"));
                }
            }
            WsClient.sendAtOnce(members, names, perMember);
            List<List<String>> received = new ArrayList<>();
            for (WsClient member : members) {
                List<String> texts = new ArrayList<>();
                for (int m = 0; m < names.size() * perMember; m++) {
                    texts.add(json(member.nextText()).getString("text"));
                }
                received.add(texts);
            }
            for (int i = 1; i < received.size(); i++) {
                assertThat(names.get(i) + " sees " + names.get(0) + "'s sequence", received.get(i),
                           is(received.get(0)));
            }
            for (String name : names) {
                List<String> fromOne = received.get(0).stream().filter(t -> t.startsWith(name + " ")).toList();
                assertThat(fromOne, hasSize(perMember));
                for (int m = 0; m < perMember; m++) {
                    assertThat("each sender's messages arrive in the order sent", fromOne.get(m), is(name + " " + m));
                }
            }
        } finally {
            members.forEach(WsClient::close);
        }
    }

    @Test
    void roomsAreSeparateAcrossInstances() {
        try (WsClient redA = join(a.port(), "red", "alice");
             WsClient redB = join(b.port(), "red", "bob");
             WsClient blueB = join(b.port(), "blue", "cat")) {
            assertThat(json(redA.nextText()).getString("text"), is("bob joined"));
            redA.send("only for red");
            blueB.send("only for blue");
            assertThat(json(redB.nextText()).getString("text"), is("only for red"));
            assertThat(json(blueB.nextText()).getString("text"), is("only for blue"));
            assertThat(json(redA.nextText()).getString("text"), is("only for red"));
        }
    }

    /** The README's bound: 7,600 bytes of text fit, with the longest room and name (32 four-byte characters). */
    @Test
    void aMessageTooBigForOneNotificationClosesItsSenderWith1009() {
        String room = "r".repeat(ChatParams.MAX_ROOM);
        String name = "😀".repeat(ChatParams.MAX_NAME);
        try (WsClient alice = join(a.port(), room, name);
             WsClient bob = join(b.port(), room, "bob")) {
            assertThat(json(alice.nextText()).getString("text"), is("bob joined"));
            String fits = "x".repeat(7_600);
            alice.send(fits);
            assertThat(json(bob.nextText()).getString("text"), is(fits));
            alice.send("y".repeat(7_700));
            WsClient.Closed closed = alice.closed();
            assertThat(closed.code(), is(1009));
            assertThat(closed.reason(), containsString("under 8000 bytes"));
            assertThat(json(bob.nextText()).getString("text"), is(name + " left"));
        }
    }

    /**
     * The database stays up but one instance's listening connection is killed: that instance's member is closed
     * with 1013, the room on the other instance is told, and the instance listens again by itself.
     */
    @Test
    void aKilledListeningConnectionClosesThatInstancesMembersAndTheOthersAreTold() throws Exception {
        WsClient alice = join(a.port(), "killed", "alice");
        WsClient bob = join(b.port(), "killed", "bob");
        try {
            assertThat(json(alice.nextText()).getString("text"), is("bob joined"));
            try (Connection c = DriverManager.getConnection(pg.config().get("app.db.url"), "loom", "");
                 Statement s = c.createStatement();
                 ResultSet killed = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         + " WHERE application_name = 'loom-service listen loom_chat' LIMIT 1")) {
                assertThat(killed.next() && killed.getBoolean(1), is(true));
            }
            Await.until("one member is closed", AWAIT, () -> alice.isClosed() || bob.isClosed());
            WsClient closed = alice.isClosed() ? alice : bob;
            WsClient other = closed == alice ? bob : alice;
            assertThat(closed.closed().code(), is(1013));
            assertThat(json(other.nextText()).getString("text"),
                       is((closed == alice ? "alice" : "bob") + " was disconnected"));
            TestServer restored = closed == alice ? a : b;
            awaitListening(restored);
            try (WsClient again = join(restored.port(), "killed", "again")) {
                assertThat(json(other.nextText()).getString("text"), is("again joined"));
                other.send("welcome back");
                assertThat(json(again.nextText()).getString("text"), is("welcome back"));
            }
        } finally {
            alice.close();
            bob.close();
        }
    }

    /**
     * PostgreSQL stopped: members are closed with 1013 (they may have missed events), a new member is refused with
     * 503, and chat across the instances works again once it is back, without restarting anything.
     */
    @Test
    void postgresStoppedClosesMembersWith1013AndChatResumesWhenItIsBack() {
        try (Postgres own = Postgres.start();
             TestServer x = TestServer.start(own.config());
             TestServer y = TestServer.start(own.config())) {
            awaitListening(x);
            awaitListening(y);
            WsClient alice = join(x.port(), "outage", "alice");
            WsClient bob = join(y.port(), "outage", "bob");
            own.stop();
            for (WsClient member : List.of(alice, bob)) {
                WsClient.Closed closed = member.closed();
                assertThat(closed.code(), is(1013));
                assertThat(closed.reason(), containsString("database"));
            }
            WebSocketHandshakeException refused = WsClient.refused(chat(x.port(), "outage", "cat"), Map.of());
            assertThat(refused.getResponse().statusCode(), is(503));
            assertThat(refused.getResponse().headers().firstValue("Retry-After").orElseThrow(), is("1"));
            assertThat(WsClient.body(refused), containsString("database"));
            own.begin();
            awaitListening(x);
            awaitListening(y);
            try (WsClient cat = join(x.port(), "outage", "cat");
                 WsClient dan = join(y.port(), "outage", "dan")) {
                assertThat(json(cat.nextText()).getString("text"), is("dan joined"));
                dan.send("back");
                assertThat(json(cat.nextText()).getString("text"), is("back"));
            }
        }
    }

    /**
     * The database, and queues long enough for the ordering test's 400 messages: they arrive in a burst, and on a
     * busy 2-core machine the clients, in this JVM, may not keep up (that is {@link SlowMemberIT}'s subject).
     */
    private static Map<String, String> config(Postgres pg) {
        Map<String, String> config = new HashMap<>(pg.config());
        config.put("app.websocket.chat-queue-length", "1000");
        return config;
    }

    /** The database answers (readiness) and the instance listens on the chat's channel. */
    private static void awaitListening(TestServer server) {
        Await.until("port " + server.port() + " is ready and listens to the chat channel", AWAIT,
                    () -> server.http().get("/observe/health/ready").statusCode() == 200
                            && server.http().get("/observe/metrics").body().lines()
                            .anyMatch(line -> line.equals("loom_websocket_chat_listening 1")));
    }
}
