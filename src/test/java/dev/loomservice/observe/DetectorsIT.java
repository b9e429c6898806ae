package dev.loomservice.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomservice.Await;
import dev.loomservice.Http;
import dev.loomservice.ServiceProcess;
import dev.loomservice.http.DebugService;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/** The jar as a process, so its log (stderr) can be read: access log, error log, slow-request and pinning reports. */
class DetectorsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> DEBUG = List.of("-Dserver.port=0", "-Dapp.debug.routes=true",
                                                      "-Dapp.observe.slow-request-threshold=PT0.3S");
    private static ServiceProcess service;
    private static Http http;

    @BeforeAll
    static void start() {
        service = ServiceProcess.start(DEBUG, List.of());
        http = Http.to(service.awaitStarted(WAIT));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void accessLogHasOneLineWithMethodPathStatusBytesMillisAndRequestId() {
        http.send(http.request("/greet/Bob?x=1").header("X-Request-Id", "access-1").build());
        String line = service.awaitLine(l -> l.contains("id=access-1"), WAIT);
        assertThat(line.matches("ts=\\S+ access method=GET path=/greet/Bob status=200 bytes=\\d+ ms=\\d+\\.\\d\\d "
                                        + "id=access-1"), is(true));
    }

    /**
     * A client that resets its connection mid-request got no answer, so it is nobody's 500: the access log and the
     * histogram say 499, and the log has that one access line about it, no warning, no stack.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gone-body | POST /posts HTTP/1.1\\r\\nContent-Type: application/json\\r\\nContent-Length: 100\\r\\n | {\"a\": | POST | /posts",
        "gone-wait | GET /io?ms=1000 HTTP/1.1\\r\\n                                                          |         | GET  | /io",
    })
    void aClientThatResetsMidRequestIsRecordedAs499WithNoLogLineOfItsOwn(String id, String head, String body,
                                                                         String method, String route)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", http.base().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write((head.replace("\\r\\n", "\r\n") + "Host: test\r\nX-Request-Id: " + id + "\r\n\r\n"
                    + (body == null ? "" : body)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            Await.until("the request is in flight", WAIT,
                        () -> http.get("/admin/stats").body().contains("\"inFlight\":1"));
            socket.setSoLinger(true, 0); // close() now sends a reset
        }
        String access = service.awaitLine(l -> l.contains(" access ") && l.contains("id=" + id), WAIT);
        assertThat(access, containsString("method=" + method + " path=" + route + " status=499 "));
        // the slow-request report may name it (the wait outlasts the test's 0.3 s threshold); nothing else may
        List<String> aboutIt = service.output().lines()
                .filter(l -> l.contains(id) && !l.contains(" access ") && !l.contains("slow request")).toList();
        assertThat(aboutIt.toString(), aboutIt.isEmpty(), is(true));
        assertThat(service.output(), not(containsString("cannot send error response")));
        assertThat(http.get("/observe/metrics").body(), containsString(
                "http_server_request_duration_seconds_count{method=\"" + method + "\",route=\"" + route
                        + "\",status=\"499\"} 1"));
    }

    @Test
    void unexpectedErrorsStackGoesToTheLogWithTheRequestIdOnly() {
        HttpResponse<String> res = http.send(http.request("/debug/fail").header("X-Request-Id", "oops-9").build());
        assertThat(res.statusCode(), is(500));
        String line = service.awaitLine(l -> l.contains("Unhandled error on GET /debug/fail"), WAIT);
        assertThat("the log format prints the request id (MDC)", line, containsString(" oops-9: Unhandled error"));
        service.awaitLine(l -> l.contains(DebugService.SECRET), WAIT);
    }

    @Test
    void slowRequestIsLoggedOnceWithItsRouteAndStackAndCounted() {
        HttpResponse<String> res = http.send(http.request("/io?ms=900").header("X-Request-Id", "slow-1").build());
        assertThat(res.statusCode(), is(200));
        String line = service.awaitLine(l -> l.contains("slow request") && l.contains("id=slow-1"), WAIT);
        assertThat("path only: a query may carry secrets", line, containsString("GET /io route=/io"));
        service.awaitLine(l -> l.contains("at dev.loomservice.http.IoService.io("), WAIT); // where it waits
        assertThat(service.output().lines().filter(l -> l.contains("slow request") && l.contains("id=slow-1")).count(),
                   is(1L));
        assertThat(metric(http, "loom_slow_requests_total\\{route=\"/io\"\\}"), greaterThanOrEqualTo(1.0));
    }

    @Test
    void pinningIsDetectedWithTheRequestAndItsStack() {
        HttpResponse<String> res = http.send(http.request("/debug/pin?ms=150").header("X-Request-Id", "pin-1").build());
        assertThat(res.body(), is("pinned 150 ms"));
        String line = service.awaitLine(l -> l.contains("virtual thread pinned its carrier") && l.contains("pin-1"), WAIT);
        assertThat(line, containsString("on GET /debug/pin (route /debug/pin, id pin-1)"));
        if (Runtime.version().feature() >= 24) { // the service runs on this JVM; JDK 24 added what blocked and why
            assertThat(line, containsString("id pin-1): LockSupport.park ("));
        }
        service.awaitLine(l -> l.contains("at java.lang.Class.forName0(native)"), WAIT); // the frame that pins
        assertThat(metric(http, "loom_virtual_thread_pinned_total"), greaterThanOrEqualTo(1.0));
    }

    /**
     * A fresh process, a load over every ordinary route, a deliberate pin as a marker, the same load again, a second
     * marker: the second load pins nothing. The first load is a warm-up because a cold JVM does pin: a virtual thread
     * that waits for another thread to initialize a class ({@code Object.wait (Waited for initialization of
     * io.helidon.http.DateTime by another thread)}) keeps its carrier, on JDK 25 too, and on a busy machine that
     * wait passes the 20 ms threshold. That is once per class per process; a pin in steady state is our bug.
     */
    @Test
    void ordinaryRoutesUnderLoadNeverPin() {
        try (ServiceProcess fresh = ServiceProcess.start(DEBUG, List.of())) {
            Http client = Http.to(fresh.awaitStarted(WAIT));
            loadEveryRoute(client);
            double warm = pinsUpTo(fresh, client, 1);
            loadEveryRoute(client);
            double after = pinsUpTo(fresh, client, 2);
            assertThat("pinning events after the warm-up: only the marker; the log:\n" + pinReports(fresh.output()),
                       after, is(warm + 1));
        }
    }

    private static void loadEveryRoute(Http client) {
        String[] paths = {"/", "/greet/%E4%B8%96", "/Bob", "/io?ms=5", "/cpu?work=2000", "/fanout?n=5&ms=5",
                "/site/3?pages=100", "/posts/1", "/admin/stats", "/observe/metrics", "/observe/health"};
        List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            load.add(i % 12 == 11
                             ? client.client().sendAsync(client.request("/posts").header("Content-Type", "application/json")
                                     .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}")).build(),
                                     HttpResponse.BodyHandlers.ofString())
                             : client.getAsync(paths[i % 11]));
        }
        load.forEach(f -> assertThat("answered, or refused by a full queue", f.join().statusCode(),
                                     anyOf(lessThan(500), is(503))));
    }

    /**
     * Pins a carrier on purpose and waits for the {@code nth} such report, told by its stack: JFR does not always
     * name the thread of a pinning event (then the report says "an unknown thread"), so not by its request id.
     * JFR delivers events in time order, so once the marker is in, every earlier pinning is.
     */
    private static double pinsUpTo(ServiceProcess service, Http client, int nth) {
        client.get("/debug/pin?ms=100");
        service.awaitLine(l -> l.contains("at " + DebugService.class.getName() + "$1.findClass(line "), nth, WAIT);
        return metric(client, "loom_virtual_thread_pinned_total");
    }

    /** Each pinning report with its stack, so a failure says what pinned. */
    private static String pinReports(String log) {
        StringBuilder out = new StringBuilder();
        boolean inReport = false;
        for (String line : log.lines().toList()) {
            inReport = line.contains("virtual thread pinned its carrier") || inReport && line.startsWith("\tat ");
            if (inReport) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static double metric(Http client, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(client.get("/observe/metrics").body());
        assertThat("metric " + series + " present", m.find(), is(true));
        return Double.parseDouble(m.group(1));
    }

}
