package dev.loomservice.cli;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomservice.Await;
import dev.loomservice.ServiceProcess;
import dev.loomservice.TestServer;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/** Ctrl-C on the packaged jar in the middle of a crawl. */
class CrawlInterruptIT {
    private static final Pattern SUMMARY = Pattern.compile("crawl: pages=(\\d+) errors=(\\d+) unvisited=(\\d+) .*"
                                                           + "ended=stopped");

    @Test
    void sigintLeavesCompleteJsonLinesAndPrintsTheSummary(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("pages.jsonl");
        try (TestServer server = TestServer.start(Map.of());
             ServiceProcess crawl = ServiceProcess.start(List.of(), List.of(
                     "crawl", "http://localhost:" + server.port() + "/site/0?pages=1000000&ms=100",
                     "--max-pages", "1000000", "--max-depth", "100", "--concurrency", "20", "--per-host", "20",
                     "--out", out.toString()))) {
            Await.until("the crawl has written 40 pages", Duration.ofSeconds(60), () -> lines(out) >= 40);
            crawl.interrupt();
            assertThat("exit status after SIGINT", crawl.awaitExit(Duration.ofSeconds(30)), is(130));

            String summary = crawl.awaitLine(l -> SUMMARY.matcher(l).find(), Duration.ofSeconds(5));
            Matcher m = SUMMARY.matcher(summary);
            m.find();
            List<String> lines = Files.readAllLines(out);
            for (String line : lines) {
                Json.createReader(new StringReader(line)).readObject(); // throws on a torn line
            }
            assertThat(Files.readString(out).endsWith("\n"), is(true));
            assertThat("the summary counts the lines written", Long.parseLong(m.group(1)), is((long) lines.size()));
            assertThat(Integer.parseInt(m.group(2)), is(0));
            assertThat("stopped early: admitted pages were left", Integer.parseInt(m.group(3)),
                       greaterThanOrEqualTo(1));
        }
    }

    private static long lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
