package dev.loomservice.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.loomservice.Await;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Clients that send slowly. The pauses between their bytes are the behaviour under test (a slow client), not a
 * way to wait for the server; the server's side is observed through closed sockets and its answers.
 */
class SlowClientIT {
    private static final byte[] REQUEST_LINE = "GET / HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void twoHundredHeaderTricklersAreCutAtTheDeadlineWhileOthersAreServed() throws Exception {
        try (TestServer server = TestServer.start(Map.of("app.read-deadline.headers", "PT2S"));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> tricklers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tricklers.add(clients.submit(() -> trickleHeadersUntilClosed(server.port())));
            }
            // while they trickle, normal requests keep their usual answer times
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                HttpResponse<String> res = server.http().get("/greet/normal");
                assertThat(res.body(), is("Hello, normal!"));
                assertThat((System.nanoTime() - start) / 1_000_000, lessThan(500L));
            }
            for (Future<Long> trickler : tricklers) {
                long openMillis = trickler.get();
                assertThat("kept trickling until the deadline", openMillis, greaterThanOrEqualTo(1_900L));
                assertThat("cut at the 2 s deadline (checked every 0.5 s)", openMillis, lessThan(4_000L));
            }
            assertThat(server.http().get("/observe/metrics").body(),
                       containsString("loom_read_deadline_closed_total{phase=\"headers\"} 200"));
        }
    }

    @Test
    void aStalledBodyCannotKeepALimiterPermit() throws Exception {
        Map<String, String> config = Map.of("app.limiter.permits", "1", "app.limiter.queue-length", "0",
                                            "app.read-deadline.body", "PT1S");
        try (TestServer server = TestServer.start(config);
             Socket stalled = new Socket("127.0.0.1", server.port())) {
            OutputStream out = stalled.getOutputStream();
            out.write(("POST /posts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"title\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Await.until("the stalled POST holds the only permit", Duration.ofSeconds(10),
                        () -> server.http().get("/admin/stats").body().contains("\"inFlight\":1"));
            assertThat(server.http().get("/").statusCode(), is(503));

            long start = System.nanoTime();
            readUntilClosed(stalled.getInputStream());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat("cut at the 1 s body deadline", millis, lessThan(3_000L));
            // the socket closes as the read is cut; the handler unwinds and returns the permit just after
            Await.until("the permit is back", Duration.ofSeconds(5),
                        () -> server.http().get("/admin/stats").body().contains("\"inFlight\":0"));
            assertThat(server.http().get("/").statusCode(), is(200));
            assertThat(server.http().get("/observe/metrics").body(),
                       containsString("loom_read_deadline_closed_total{phase=\"body\"} 1"));
            Await.until("the cut request recorded as the 408 it was, not a 500", Duration.ofSeconds(5),
                        () -> server.http().get("/observe/metrics").body().contains(
                                "http_server_request_duration_seconds_count{method=\"POST\",route=\"/posts\",status=\"408\"} 1"));
        }
    }

    @Test
    void aStalledRequestLineIsClosedByTheIdleTimeout() throws Exception {
        Map<String, String> config = Map.of("server.idle-connection-timeout", "PT1S",
                                            "server.idle-connection-period", "PT0.5S");
        try (TestServer server = TestServer.start(config);
             Socket stalled = new Socket("127.0.0.1", server.port())) {
            stalled.getOutputStream().write("GE".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            readUntilClosed(stalled.getInputStream());
            assertThat((System.nanoTime() - start) / 1_000_000, lessThan(4_000L));
        }
    }

    /** Sends a request line, then one header every 100 ms; returns how long the server kept the connection. */
    private static long trickleHeadersUntilClosed(int port) throws IOException, InterruptedException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            long start = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write(REQUEST_LINE);
            try {
                for (int i = 0; i < 600; i++) {
                    Thread.sleep(100);
                    out.write(("X-Trickle-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException closedByServer) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            throw new AssertionError("the server let a client trickle headers for a minute");
        }
    }

    private static void readUntilClosed(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // whatever the server says before it closes
            }
        } catch (IOException reset) {
            // closed abruptly: closed all the same
        }
    }
}
