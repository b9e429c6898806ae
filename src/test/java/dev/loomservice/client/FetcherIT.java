package dev.loomservice.client;

import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;

import dev.loomservice.StubSite;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

class FetcherIT {
    @Test
    void theDeadlineCoversTheWholeBodyNotJustEachRead() throws InterruptedException {
        try (StubSite site = StubSite.start();
             Fetcher fetcher = new Fetcher(Duration.ofMillis(800), 4)) {
            site.route("/trickle", (req, res) -> {
                try (OutputStream body = res.outputStream()) {
                    for (int i = 0; i < 30; i++) { // one byte every 100 ms: no single read waits 800 ms
                        body.write('x');
                        body.flush();
                        Thread.sleep(100);
                    }
                }
            });
            long start = System.nanoTime();
            Fetched answer = fetcher.get(site.uri("/trickle"), 0);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(answer.failure().orElseThrow().kind(), is(Failure.Kind.TIMEOUT));
            assertThat(millis, lessThan(2_000L));
        }
    }

    @Test
    void redirectsAreReportedNotFollowed() throws InterruptedException {
        try (StubSite site = StubSite.start();
             Fetcher fetcher = new Fetcher(Duration.ofSeconds(5), 4)) {
            site.redirect("/old", "http://elsewhere.invalid/new");
            Fetched answer = fetcher.get(site.uri("/old"), 0);
            assertThat(answer.status(), is(302));
            assertThat(answer.redirect(), is(true));
            assertThat(answer.location().orElseThrow(), is("http://elsewhere.invalid/new"));
            assertThat(site.requested().size(), is(1));
        }
    }

    @Test
    void keepsOnlyTheFirstBytesButCountsThemAll() throws InterruptedException {
        try (StubSite site = StubSite.start();
             Fetcher fetcher = new Fetcher(Duration.ofSeconds(5), 4)) {
            site.text("/big", "0123456789".repeat(1000));
            Fetched answer = fetcher.get(site.uri("/big"), 15);
            assertThat(answer.bytes(), is(10_000L));
            assertThat(answer.text(), is("012345678901234"));
            assertThat(answer.truncated(), is(true));
        }
    }

    @Test
    void aQueryReachesTheServerUnencoded() throws InterruptedException {
        try (StubSite site = StubSite.start();
             Fetcher fetcher = new Fetcher(Duration.ofSeconds(5), 4)) {
            site.text("/q?a=1&b=2", "ok");
            assertThat(fetcher.get(URI.create(site.uri("/q") + "?a=1&b=2"), 10).text(), is("ok"));
        }
    }
}
