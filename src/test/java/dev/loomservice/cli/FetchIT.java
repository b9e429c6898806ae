package dev.loomservice.cli;

import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import dev.loomservice.Cli;
import dev.loomservice.TestServer;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static dev.loomservice.Regex.matches;

/** {@code fetch} against a running server, in this JVM, over real sockets. */
class FetchIT {
    private static TestServer server;
    private static String base;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        base = "http://localhost:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void printsOneLinePerUrlInInputOrderAndExitsOneWhenAnyFails() throws IOException {
        String refused = "http://127.0.0.1:" + closedPort() + "/";
        long start = System.nanoTime();
        Cli run = Cli.run("fetch", "--timeout", "700ms",
                          base + "/io?ms=300", base + "/", refused, base + "/io?ms=5000", base + "/greet/loom",
                          base + "/site/99999");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(run.toString(), run.exitCode(), is(1));
        List<String> lines = run.outLines();
        assertThat(run.toString(), lines.size(), is(6));
        assertThat(lines.get(0), matches("\\Q" + base + "/io?ms=300\\E: 12 bytes, status 200, \\d+ ms"));
        assertThat(lines.get(1), matches("\\Q" + base + "/\\E: 13 bytes, status 200, \\d+ ms"));
        assertThat(lines.get(2), matches("\\Q" + refused + "\\E: failed: refused \\(.+\\), \\d+ ms"));
        assertThat(lines.get(3), matches("\\Q" + base + "/io?ms=5000\\E: failed: timeout "
                                                + "\\(no complete answer within 700 ms\\), \\d+ ms"));
        assertThat(lines.get(4), matches("\\Q" + base + "/greet/loom\\E: 12 bytes, status 200, \\d+ ms"));
        assertThat(lines.get(5), matches("\\Q" + base + "/site/99999\\E: failed: status \\(404 Not Found\\), "
                                                + "\\d+ bytes, \\d+ ms"));
        assertThat("concurrent: the 300 ms and 700 ms waits overlap", millis, lessThan(3_000L));
    }

    @Test
    void exitsZeroWhenEveryUrlAnswersBelow400() {
        Cli run = Cli.run("fetch", base + "/", base + "/io?ms=1");
        assertThat(run.toString(), run.exitCode(), is(0));
        assertThat(run.outLines().size(), is(2));
    }

    @Test
    void jsonPrintsOneObjectPerUrlWithTheSameFieldsAsTheCrawler() throws IOException {
        String refused = "http://127.0.0.1:" + closedPort() + "/";
        Cli run = Cli.run("fetch", "--json", base + "/", refused);
        List<JsonObject> lines = run.outLines().stream()
                .map(l -> Json.createReader(new StringReader(l)).readObject()).toList();
        assertThat(lines.get(0).getString("url"), is(base + "/"));
        assertThat(lines.get(0).getInt("status"), is(200));
        assertThat(lines.get(0).getInt("bytes"), is(13));
        assertThat(lines.get(0).containsKey("error"), is(false));
        assertThat(lines.get(1).isNull("status"), is(true));
        assertThat(lines.get(1).getString("error"), is("refused"));
        assertThat(run.exitCode(), is(1));
    }

    @Test
    void anUnknownHostIsADnsFailure() {
        // .invalid never resolves (RFC 6761); a generous timeout so a slow resolver still says "dns"
        Cli run = Cli.run("fetch", "--timeout", "30s", "http://no-such-host.invalid/");
        assertThat(run.toString(), run.outLines(),
                   contains(matches("http://no-such-host.invalid/: failed: dns \\(unknown host .+\\), \\d+ ms")));
        assertThat(run.exitCode(), is(1));
    }

    @Test
    void badCommandLinesAreExitCode2WithTheReason() {
        assertThat(Cli.run("fetch").err(), containsString("Missing required parameter: 'URL'"));
        Cli notHttp = Cli.run("fetch", "ftp://example.com/");
        assertThat(notHttp.exitCode(), is(2));
        assertThat(notHttp.err(), containsString("'ftp://example.com/' is not an absolute http:// or https:// URL"));
        Cli badTimeout = Cli.run("fetch", "--timeout", "soon", base + "/");
        assertThat(badTimeout.exitCode(), is(2));
        assertThat(badTimeout.err(), containsString("'soon' is not a duration such as 500ms, 10s, 2m or PT1.5S"));
        assertThat(Cli.run("fetch", "--concurrency", "0", base + "/").exitCode(), is(2));
    }

    @Test
    void helpDescribesTheOutputAndExitsZero() {
        Cli help = Cli.run("fetch", "--help");
        assertThat(help.exitCode(), is(0));
        assertThat(help.out(), containsString("URL: N bytes, status S, T ms"));
        assertThat(help.out(), containsString("--concurrency=N"));
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
