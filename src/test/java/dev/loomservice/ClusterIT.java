package dev.loomservice;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * Two instances of the jar, one real PostgreSQL, and a real HAProxy running etc/haproxy.cfg in front: what
 * {@code ./loom cluster 2} starts. Posts and chat rooms are shared through PostgreSQL.
 */
class ClusterIT {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final String JSON = "application/json";

    private static Postgres postgres;
    private static final List<Integer> ports = new ArrayList<>();
    private static final ServiceProcess[] instances = new ServiceProcess[2];
    private static HaProxy haproxy;
    private static Http lb;

    @BeforeAll
    static void start() {
        postgres = Postgres.start();
        for (int i = 0; i < instances.length; i++) {
            ports.add(freePort());
            instances[i] = instance(i);
        }
        haproxy = HaProxy.start(ports);
        haproxy.awaitUp("i1", STARTUP);
        haproxy.awaitUp("i2", STARTUP);
        lb = Http.to(haproxy.uri());
    }

    @AfterAll
    static void stop() {
        for (ServiceProcess instance : instances) {
            if (instance != null) {
                instance.close();
            }
        }
        if (haproxy != null) {
            haproxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aPostWrittenThroughOneInstanceIsReadThroughTheOther() {
        Http first = Http.to(instances[0].awaitStarted(STARTUP));
        Http second = Http.to(instances[1].awaitStarted(STARTUP));
        String location = first.post("/posts", JSON, "{\"via\":\"first\"}").headers().firstValue("Location").orElseThrow();
        assertThat(second.get(location).body(), containsString("\"via\":\"first\""));
    }

    @Test
    void theBalancerSpreadsRequestsAndKeepsTheClientsRequestId() {
        HttpResponse<String> mine = lb.send(lb.request("/").header("X-Request-Id", "cluster-1").build());
        assertThat(mine.headers().firstValue("X-Request-Id").orElseThrow(), is("cluster-1"));
        for (int i = 0; i < 10; i++) {
            assertThat(lb.get("/").statusCode(), is(200));
        }
        for (ServiceProcess instance : instances) {
            instance.awaitLine(l -> l.contains(" access method=GET path=/ status=200"), Duration.ofSeconds(10));
        }
    }

    /**
     * Chat members connect through HAProxy until one is on each instance (the access log of the instance that took
     * the upgrade has its X-Request-Id); what one sends reaches the other, through PostgreSQL's LISTEN/NOTIFY.
     */
    @Test
    void aChatMessageThroughTheBalancerReachesAMemberOnTheOtherInstance() {
        Map<Integer, WsClient> byInstance = new HashMap<>();
        List<WsClient> all = new ArrayList<>();
        try {
            for (int k = 0; byInstance.size() < 2 && k < 8; k++) {
                String id = "cluster-chat-" + k;
                URI uri = URI.create("ws://127.0.0.1:" + haproxy.uri().getPort() + "/ws/chat?room=balanced&name=m" + k);
                WsClient member = WsClient.connect(uri, Map.of("X-Request-Id", id));
                all.add(member);
                // from its own join notice on, it receives every event of the room
                assertThat(nextChat(member).getString("text"), is("m" + k + " joined"));
                Await.until("an instance logged the upgrade " + id, STARTUP,
                            () -> instanceLogging("id=" + id) >= 0);
                byInstance.putIfAbsent(instanceLogging("id=" + id), member);
            }
            assertThat("members on both instances", byInstance.keySet(), is(Set.of(0, 1)));
            byInstance.get(1).send("from i2, through the balancer");
            for (WsClient member : byInstance.values()) {
                assertThat(nextChatText(member), is("from i2, through the balancer"));
            }
        } finally {
            all.forEach(WsClient::close);
        }
    }

    /**
     * SIGTERM one instance, start it again, then the other, while eight clients keep sending GETs and POSTs
     * through HAProxy: not one request fails, and every post answered 201 is there afterwards. The instance's
     * drain (readiness DOWN, 503 + Retry-After to new requests, running ones finish) and HAProxy's readiness checks
     * and retries on 503 and refused connections do it together.
     */
    @Test
    void aRollingRestartUnderSteadyLoadLosesNoRequest() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        Queue<String> created = new ConcurrentLinkedQueue<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 8; c++) {
                int client = c;
                clients.submit(() -> load(client, running, served, failures, created));
            }
            for (int i = 0; i < instances.length; i++) {
                int before = served.get();
                Await.until("requests flow before restarting i" + (i + 1), STARTUP, () -> served.get() > before + 50);
                instances[i].terminate();
                assertThat("i" + (i + 1) + " drained and stopped", instances[i].awaitExit(STARTUP), is(143));
                instances[i] = instance(i);
                haproxy.awaitUp("i" + (i + 1), STARTUP);
            }
            int after = served.get();
            Await.until("requests flow after the restarts", STARTUP, () -> served.get() > after + 50);
            running.set(false);
        }
        assertThat("failed requests out of " + served.get() + ": " + failures.stream().limit(5).toList()
                           + "\nHAProxy:\n" + tail(haproxy.output()),
                   failures.size(), is(0));
        assertThat(created.size(), greaterThan(0));
        for (String location : created) {
            assertThat(location, lb.get(location).statusCode(), is(200));
        }
    }

    private static void load(int client, AtomicBoolean running, AtomicInteger served, Queue<String> failures,
                             Queue<String> created) {
        for (int n = 0; running.get(); n++) {
            try {
                if (n % 4 == 0) {
                    HttpResponse<String> res = lb.post("/posts", JSON, "{\"client\":" + client + ",\"n\":" + n + "}");
                    if (res.statusCode() != 201) {
                        failures.add("POST " + res.statusCode() + " " + res.body());
                    } else {
                        created.add(res.headers().firstValue("Location").orElseThrow());
                    }
                } else {
                    HttpResponse<String> res = lb.get("/io?ms=20");
                    if (res.statusCode() != 200) {
                        failures.add("GET /io " + res.statusCode() + " " + res.body());
                    }
                }
                served.incrementAndGet();
            } catch (RuntimeException e) {
                failures.add(e.toString());
            }
        }
    }

    /** The index of the instance whose output has {@code text}, or -1. */
    private static int instanceLogging(String text) {
        for (int i = 0; i < instances.length; i++) {
            if (instances[i].output().contains(text)) {
                return i;
            }
        }
        return -1;
    }

    /** The text of the member's next chat message, past the join notices of those who came after it. */
    private static String nextChatText(WsClient member) {
        while (true) {
            JsonObject event = nextChat(member);
            if (event.getString("type").equals("message")) {
                return event.getString("text");
            }
        }
    }

    private static JsonObject nextChat(WsClient member) {
        return Json.createReader(new StringReader(member.nextText())).readObject();
    }

    private static ServiceProcess instance(int i) {
        List<String> jvm = new ArrayList<>(List.of("-Dserver.port=" + ports.get(i), "-Dserver.host=127.0.0.1"));
        for (Map.Entry<String, String> e : postgres.config().entrySet()) {
            jvm.add("-D" + e.getKey() + "=" + e.getValue());
        }
        ServiceProcess instance = ServiceProcess.start(jvm, List.of());
        instance.awaitStarted(STARTUP);
        return instance;
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
