package dev.loomservice.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.loomservice.Await;
import dev.loomservice.RawHttp;
import dev.loomservice.TestServer;

import io.helidon.config.ConfigException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuIT {
    /** SHA-256 applied 1,000 times to 32 zero bytes (also what python3's hashlib gives). */
    private static final String CHAIN_1000 = "36c1cb4f826ae42ceba848227e0c5f786178ca9dceca6772e5d728d09c30a2f6";
    /** Long enough per task (about a second here) that the pool stays saturated while the test probes it. */
    private static final int HEAVY = 15_000_000;

    @ParameterizedTest(name = "offload={0}")
    @ValueSource(booleans = {true, false})
    void computesTheSameDeterministicChainOnPoolOrVirtualThread(boolean offload) {
        try (TestServer server = TestServer.start(Map.of("app.cpu.offload", String.valueOf(offload)))) {
            assertThat(server.http().get("/cpu?work=1000").body(), is(CHAIN_1000));
            assertThat(server.http().get("/cpu?work=0").body(), is("0".repeat(64)));
        }
    }

    /** SCHED_IDLE is Linux's scheduling policy 5; ordinary time-sharing (SCHED_OTHER) is 0. */
    @ParameterizedTest(name = "priority={0}")
    @ValueSource(strings = {"idle", "normal"})
    void poolThreadsRunAtTheConfiguredSchedulingPolicy(String priority) {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        int expected = priority.equals("idle") ? 5 : 0;
        try (TestServer server = TestServer.start(Map.of("app.cpu.priority", priority, "app.cpu.pool-size", "2"))) {
            assertThat(server.http().get("/cpu?work=1000").body(), is(CHAIN_1000));
            // each pool thread sets its policy as it starts; a stopped server's threads may still be exiting
            Await.until("two cpu-N threads, both at policy " + expected, Duration.ofSeconds(10),
                        () -> poolThreadPolicies().equals(List.of(expected, expected)));
        }
    }

    @Test
    void rejectsAnUnknownPriorityAtStartup() {
        ConfigException e = assertThrows(ConfigException.class,
                                         () -> TestServer.start(Map.of("app.cpu.priority", "low")));
        assertThat(e.getMessage(), is("app.cpu.priority must be idle or normal; got 'low'"));
    }

    @Test
    void rejectsWorkOverTheMaximumWith400() {
        try (TestServer server = TestServer.start(Map.of("app.cpu.max-work", "5000"))) {
            HttpResponse<String> res = server.http().get("/cpu?work=5001");
            assertThat(res.statusCode(), is(400));
            assertThat(res.body(), containsString("'work' must be one integer from 0 to 5000; got 5001"));
        }
    }

    @Test
    void saturatedPoolLeavesHelloFastAndRejectsTheNextTaskWith503() {
        Map<String, String> config = Map.of("app.cpu.pool-size", "2",
                                            "app.cpu.queue-length", "2",
                                            "app.cpu.max-work", String.valueOf(HEAVY));
        try (TestServer server = TestServer.start(config)) {
            List<CompletableFuture<HttpResponse<String>>> heavy = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                heavy.add(server.http().getAsync("/cpu?work=" + HEAVY));
            }
            Await.until("2 tasks run and 2 wait", Duration.ofSeconds(10), () -> {
                String stats = server.http().get("/admin/stats").body();
                return stats.contains("\"active\":2,\"queued\":2");
            });

            long start = System.nanoTime();
            HttpResponse<String> hello = server.http().get("/");
            long helloMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(hello.body(), is("Hello, World!"));
            assertThat("GET / while both cores compute", helloMillis, lessThan(1_000L));

            HttpResponse<String> rejected = server.http().get("/cpu?work=1");
            assertThat(rejected.statusCode(), is(503));
            assertThat(rejected.headers().firstValue("Retry-After").orElseThrow(), is("1"));
            assertThat(rejected.body(), containsString("the CPU pool is full"));
            // refused for load like the limiter's 503: the connection's next request waits out Retry-After
            long pauseStart = System.nanoTime();
            RawHttp.Reply paused = RawHttp.exchange(server.port(), "GET /cpu?work=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
            long pausedMillis = (System.nanoTime() - pauseStart) / 1_000_000;
            assertThat(paused.toString(), paused.statuses(), is(List.of(503, 200)));
            assertThat("the next request on that connection waited out Retry-After: 1", pausedMillis >= 950, is(true));

            String first = heavy.getFirst().join().body();
            assertThat(first.matches("[0-9a-f]{64}"), is(true));
            for (CompletableFuture<HttpResponse<String>> f : heavy) {
                assertThat(f.join().statusCode(), is(200));
                assertThat(f.join().body(), is(first));
            }
            // the pool counts a task completed after its worker returns, which can trail the response a little
            Await.until("the pool counts 4 completed, 2 rejected", Duration.ofSeconds(10), () -> server.http()
                    .get("/admin/stats").body().contains("\"rejected\":2,\"completed\":4"));
        }
    }

    /** The scheduling policy (field 41 of /proc/PID/task/TID/stat) of each live thread named cpu-N. */
    private static List<Integer> poolThreadPolicies() {
        List<Integer> policies = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().matches("cpu-\\d+")) {
                        String stat = Files.readString(task.resolve("stat"));
                        // fields after the parenthesised name start at field 3
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        policies.add(Integer.parseInt(fields[41 - 3]));
                    }
                } catch (NoSuchFileException gone) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return policies;
    }
}
