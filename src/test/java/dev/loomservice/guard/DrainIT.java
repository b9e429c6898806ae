package dev.loomservice.guard;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.loomservice.Await;
import dev.loomservice.Http;
import dev.loomservice.RawHttp;
import dev.loomservice.ServiceProcess;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** SIGTERM to the jar: readiness DOWN, new requests refused, running ones finish, then the process exits. */
class DrainIT {
    private static final Duration GRACE = Duration.ofSeconds(10);

    @Test
    void sigtermLetsFiftyRunningRequestsFinishRefusesNewOnesAndExitsWithinGrace() {
        try (ServiceProcess service = ServiceProcess.start(
                List.of("-Dserver.port=0", "-Dapp.shutdown.grace=PT10S"), List.of())) {
            Http http = Http.to(service.awaitStarted(Duration.ofSeconds(30)));
            List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                running.add(http.getAsync("/io?ms=2000"));
            }
            Await.until("50 requests run", Duration.ofSeconds(10),
                        () -> http.get("/admin/stats").body().contains("\"inFlight\":50"));

            long signalled = System.nanoTime();
            service.terminate();
            Await.until("readiness is DOWN", Duration.ofSeconds(10),
                        () -> http.get("/observe/health/ready").statusCode() == 503);
            assertThat(http.get("/observe/health/live").statusCode(), is(200));
            HttpResponse<String> refused = http.get("/");
            assertThat(refused.statusCode(), is(503));
            assertThat(refused.headers().firstValue("Connection").orElseThrow(), is("close"));
            assertThat(refused.body(), containsString("shutting down"));
            String inner = "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
            RawHttp.Reply closed = RawHttp.exchange(http.base().getPort(), "POST /posts HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + inner.length() + "\r\n\r\n" + inner,
                                                    Duration.ofSeconds(5));
            assertThat("refused and closed, the unread body never served: " + closed, closed.statuses(),
                       is(List.of(503)));
            assertThat(closed.closed(), is(true));

            for (CompletableFuture<HttpResponse<String>> request : running) {
                HttpResponse<String> res = request.join();
                assertThat(res.statusCode(), is(200));
                assertThat(res.body(), is("slept 2000 ms"));
            }
            assertThat(service.awaitExit(GRACE.plusSeconds(1)), is(143));
            long millis = (System.nanoTime() - signalled) / 1_000_000;
            assertThat("exits once drained, well within grace + 1 s", millis, lessThan(GRACE.toMillis() + 1_000));
            assertThat(service.output(), containsString("drained in "));
            try {
                http.get("/");
                throw new AssertionError("the server still answers after it exited");
            } catch (UncheckedIOException refusedConnection) {
                // nothing listens any more
            }
        }
    }

    @Test
    void requestsLongerThanTheGraceAreCutAndTheProcessStillExitsInTime() {
        try (ServiceProcess service = ServiceProcess.start(
                List.of("-Dserver.port=0", "-Dapp.shutdown.grace=PT1S"), List.of())) {
            Http http = Http.to(service.awaitStarted(Duration.ofSeconds(30)));
            CompletableFuture<HttpResponse<String>> endless = http.getAsync("/io?ms=60000");
            Await.until("the request runs", Duration.ofSeconds(10),
                        () -> http.get("/admin/stats").body().contains("\"inFlight\":1"));
            long signalled = System.nanoTime();
            service.terminate();
            assertThat(service.awaitExit(Duration.ofSeconds(2)), is(143));
            assertThat((System.nanoTime() - signalled) / 1_000_000, lessThan(2_000L));
            assertThat(service.output(), containsString("grace period of 1000 ms over, stopping anyway"));
            assertThat("the cut request did not get a 200", endless.handle((r, e) -> r == null || r.statusCode() != 200)
                    .join(), is(true));
        }
    }
}
