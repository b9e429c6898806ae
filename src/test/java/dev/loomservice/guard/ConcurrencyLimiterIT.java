package dev.loomservice.guard;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.loomservice.Await;
import dev.loomservice.Hold;
import dev.loomservice.RawHttp;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

class ConcurrencyLimiterIT {
    private static final int PERMITS = 3;
    private static final int QUEUE = 2;

    @Test
    void admitsPermitsPlusQueueThenRejectsWith503AndRecovers() {
        Hold hold = new Hold();
        Map<String, String> config = Map.of("app.limiter.permits", String.valueOf(PERMITS),
                                            "app.limiter.queue-length", String.valueOf(QUEUE),
                                            "app.limiter.queue-timeout", "PT30S",
                                            "app.limiter.retry-after", "PT2S");
        try (TestServer server = TestServer.start(config, hold::register)) {
            List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
            for (int i = 0; i < PERMITS; i++) {
                admitted.add(server.http().getAsync(Hold.PATH));
            }
            Await.until(PERMITS + " requests hold a permit", Duration.ofSeconds(10), () -> hold.entered() == PERMITS);
            for (int i = 0; i < QUEUE; i++) {
                admitted.add(server.http().getAsync(Hold.PATH));
            }
            Await.until(QUEUE + " requests wait", Duration.ofSeconds(10),
                        () -> server.http().get("/admin/stats").body().contains("\"queued\":" + QUEUE));

            long start = System.nanoTime();
            HttpResponse<String> probe = server.http().get("/");
            long probeMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(probe.statusCode(), is(503));
            assertThat(probe.headers().firstValue("Retry-After").orElseThrow(), is("2"));
            assertThat("timed like any routed response", probe.headers().firstValue("Server-Timing").orElseThrow(),
                       startsWith("app;dur="));
            assertThat(probe.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
            assertThat(probe.body(), containsString("concurrency limit"));
            assertThat("a full queue answers at once, without waiting", probeMillis, lessThan(1_000L));
            assertThat(server.http().get("/admin/stats").body(),
                       containsString("\"inFlight\":" + PERMITS + ",\"queued\":" + QUEUE + ",\"rejected\":1"));

            hold.release();
            for (CompletableFuture<HttpResponse<String>> f : admitted) {
                assertThat(f.join().statusCode(), is(200));
            }
            assertThat(server.http().get("/").body(), is("Hello, World!"));
            assertThat(server.http().get("/admin/stats").body(), containsString("\"inFlight\":0,\"queued\":0"));
        }
    }

    @Test
    void aWaiterGivesUpAfterTheQueueTimeoutWith503() {
        Hold hold = new Hold();
        Map<String, String> config = Map.of("app.limiter.permits", "1",
                                            "app.limiter.queue-length", "1",
                                            "app.limiter.queue-timeout", "PT0.2S");
        try (TestServer server = TestServer.start(config, hold::register)) {
            CompletableFuture<HttpResponse<String>> held = server.http().getAsync(Hold.PATH);
            Await.until("the permit is held", Duration.ofSeconds(10), () -> hold.entered() == 1);

            long start = System.nanoTime();
            HttpResponse<String> waited = server.http().get("/io?ms=0");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited.statusCode(), is(503));
            assertThat(millis >= 200, is(true));

            hold.release();
            assertThat(held.join().statusCode(), is(200));
        }
    }

    @Test
    void exemptPathsAnswerWhileTheLimitIsReached() {
        Hold hold = new Hold();
        Map<String, String> config = Map.of("app.limiter.permits", "1", "app.limiter.queue-length", "0");
        try (TestServer server = TestServer.start(config, hold::register)) {
            CompletableFuture<HttpResponse<String>> held = server.http().getAsync(Hold.PATH);
            Await.until("the permit is held", Duration.ofSeconds(10), () -> hold.entered() == 1);
            assertThat(server.http().get("/").statusCode(), is(503));
            assertThat(server.http().get("/admin/stats").statusCode(), is(200));
            // a 503 keeps the connection (no reconnect needed), but its next request is read only after Retry-After
            long start = System.nanoTime();
            RawHttp.Reply reply = RawHttp.exchange(server.port(), "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /admin/stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(reply.toString(), reply.statuses(), is(List.of(503, 200)));
            assertThat("the retry on the same connection waited out Retry-After: 1", millis >= 950, is(true));
            // and the refusals are counted as what they were
            String metrics = server.http().get("/observe/metrics").body();
            assertThat(metrics, containsString("route=\"none\",status=\"503\"} 2"));
            assertThat(metrics, not(containsString("route=\"none\",status=\"200\"")));
            hold.release();
            assertThat(held.join().statusCode(), is(200));
        }
    }
}
