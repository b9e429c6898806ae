package dev.loomservice.observe;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.loomservice.RawHttp;
import dev.loomservice.TestServer;
import dev.loomservice.http.DebugService;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

class ObserveIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("app.debug.routes", "true"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void metricsArePrometheusTextWithRouteLabelsAndEveryComponent() {
        server.http().get("/greet/Bob");
        server.http().get("/greet/Alice");
        server.http().get("/io?ms=x");
        HttpResponse<String> res = server.http().get("/observe/metrics");
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), startsWith("text/plain; version=0.0.4"));
        String text = res.body();
        assertThat(text, containsString("# TYPE http_server_request_duration_seconds histogram"));
        assertThat("patterns, not paths", text, containsString(
                "http_server_request_duration_seconds_count{method=\"GET\",route=\"/greet[/{name}]\",status=\"200\"} 2"));
        assertThat(text, containsString("route=\"/io\",status=\"400\"} 1"));
        assertThat(text, not(containsString("Alice")));
        for (String family : new String[] {"loom_limiter_in_flight", "loom_limiter_queued", "loom_limiter_rejected_total",
                "loom_cpu_pool_active", "loom_cpu_pool_queued", "loom_cpu_pool_rejected_total",
                "loom_websocket_sessions_max", "loom_virtual_thread_pinned_total", "loom_slow_requests_total",
                "loom_read_deadline_closed_total", "loom_ready", "jvm_memory_used_bytes", "jvm_threads_live",
                "loom_db_up", "loom_db_pool_max", "loom_db_pool_connections", "loom_db_pool_waiting",
                "loom_db_query_duration_seconds",
                "process_open_fds", "process_cpu_seconds_total"}) {
            assertThat(text, containsString("# TYPE " + family + " "));
        }
    }

    @Test
    void metricsPassPromtool(@TempDir Path dir) throws IOException, InterruptedException {
        boolean ci = System.getenv("CI") != null;
        boolean installed = Files.isExecutable(Path.of("/usr/bin/promtool"));
        if (ci && !installed) {
            throw new AssertionError("CI must install promtool (Debian package prometheus): see .ci/run");
        }
        Assumptions.assumeTrue(installed, "promtool not installed (apt-get install prometheus); skipped outside CI");
        server.http().get("/");
        server.http().get("/no/such/path");
        server.http().post("/posts", "application/json", "{}"); // a query-latency series
        Path metrics = Files.writeString(dir.resolve("metrics.txt"), server.http().get("/observe/metrics").body());
        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "metrics")
                .redirectInput(metrics.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS), is(true));
        assertThat(out, promtool.exitValue(), is(0));
    }

    @Test
    void requestIdIsGeneratedEchoedOrReplacedWhenUnsafe() {
        String generated = server.http().get("/").headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(generated, generated.matches("[0-9a-f]{16}"), is(true));

        HttpResponse<String> echoed = server.http().send(server.http().request("/")
                                                                  .header("X-Request-Id", "trace-42:abc").build());
        assertThat(echoed.headers().firstValue("X-Request-Id").orElseThrow(), is("trace-42:abc"));

        HttpResponse<String> replaced = server.http().send(server.http().request("/")
                                                                   .header("X-Request-Id", "a\"b<script>").build());
        assertThat(replaced.headers().firstValue("X-Request-Id").orElseThrow().matches("[0-9a-f]{16}"), is(true));
    }

    @Test
    void everyResponseCarriesServerTiming() {
        for (String path : new String[] {"/", "/io?ms=20", "/no/such/path"}) {
            String timing = server.http().get(path).headers().firstValue("Server-Timing").orElseThrow();
            assertThat(path, timing.matches("app;dur=\\d+\\.\\d\\d"), is(true));
        }
        double dur = Double.parseDouble(server.http().get("/io?ms=50").headers().firstValue("Server-Timing")
                                                .orElseThrow().substring("app;dur=".length()));
        assertThat("covers the handler's 50 ms", dur >= 50, is(true));
    }

    @Test
    void healthIsUpWithLivenessAndReadiness() {
        HttpResponse<String> health = server.http().get("/observe/health");
        assertThat(health.statusCode(), is(200));
        assertThat(health.body(), is("{\"status\":\"UP\",\"checks\":[{\"name\":\"live\",\"status\":\"UP\"},"
                                             + "{\"name\":\"ready\",\"status\":\"UP\"}]}"));
        assertThat(server.http().get("/observe/health/live").statusCode(), is(200));
        assertThat(server.http().get("/observe/health/ready").statusCode(), is(200));
    }

    @Test
    void unexpectedErrorIsGeneric500WithRequestIdAndNoExceptionText() {
        HttpResponse<String> res = server.http().send(server.http().request("/debug/fail")
                                                              .header("X-Request-Id", "find-me-7").build());
        assertThat(res.statusCode(), is(500));
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
        assertThat(res.headers().firstValue("X-Request-Id").orElseThrow(), is("find-me-7"));
        assertThat(res.body(), containsString("\"requestId\":\"find-me-7\""));
        assertThat(res.body(), not(containsString("jdbc")));
        assertThat(res.body(), not(containsString(DebugService.SECRET)));
        assertThat(res.body(), not(containsString("Exception")));
    }

    @Test
    void aResponseHeaderWithCrLfIsNeverSent() {
        String echoed = server.http().get("/debug/header?value=plain%20text").headers().firstValue("X-Echo").orElseThrow();
        assertThat(echoed, is("plain text"));

        RawHttp.Reply split = RawHttp.exchange(server.port(), "GET /debug/header?value=a%0D%0ASet-Cookie:%20evil=1 "
                + "HTTP/1.1\r\nHost: localhost\r\n\r\n", Duration.ofSeconds(2));
        assertThat(split.toString(), split.statuses(), is(List.of(500)));
        assertThat(split.text(), not(containsString("Set-Cookie")));
        assertThat(split.text(), not(containsString("evil")));
    }

    @Test
    void clientErrorsCarryTheRequestIdToo() {
        HttpResponse<String> res = server.http().get("/io?ms=-5");
        assertThat(res.statusCode(), is(400));
        String id = res.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(res.body(), containsString("\"requestId\":\"" + id + "\""));
    }
}
