package dev.loomservice.http;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.loomservice.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

class SiteIT {
    @Test
    void pageLinksItsVisibleChildrenHomeAndParentCarryingTheQuery() {
        try (TestServer server = TestServer.start(Map.of())) {
            HttpResponse<String> res = server.http().get("/site/5?pages=100&ms=0");
            assertThat(res.statusCode(), is(200));
            assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("text/html; charset=UTF-8"));
            String html = res.body();
            assertThat(html, containsString("<title>Page 5</title>"));
            assertThat(html, containsString("href=\"/site/16?pages=100&amp;ms=0\""));
            assertThat("17 is hidden: 17 % 10 == 7", html, not(containsString("17?")));
            assertThat(html, containsString("href=\"./18?pages=100&amp;ms=0#top\""));
            assertThat(html, containsString("href=\"../site/0?pages=100&amp;ms=0\""));
            assertThat(html, containsString("href=\"/site/1?pages=100&amp;ms=0#top\""));
        }
    }

    @Test
    void childrenPastTheLastPageAreNotLinked() {
        try (TestServer server = TestServer.start(Map.of())) {
            String html = server.http().get("/site/33?pages=100").body();
            assertThat(html, containsString("<title>Page 33</title>"));
            assertThat(html, not(containsString("/site/100?")));
            assertThat(html, not(containsString("101?")));
            assertThat(html, not(containsString("./102?")));
        }
    }

    @Test
    void hiddenPagesExistThoughNothingLinksToThem() {
        try (TestServer server = TestServer.start(Map.of())) {
            assertThat(server.http().get("/site/7").statusCode(), is(200));
        }
    }

    @Test
    void sizeAndDelayDefaultToConfiguration() {
        try (TestServer server = TestServer.start(Map.of("app.site.pages", "10", "app.site.delay", "PT0.2S"))) {
            long start = System.nanoTime();
            HttpResponse<String> res = server.http().get("/site/9");
            assertThat(res.body(), containsString("Page 9 of 10"));
            assertThat((System.nanoTime() - start) / 1_000_000, greaterThanOrEqualTo(200L));
            assertThat(server.http().get("/site/10").statusCode(), is(404));
        }
    }

    @ParameterizedTest(name = "GET {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /site/1000           | 404 | no page '1000' on this site of 1000 pages (0 to 999)
            /site/abc            | 404 | no page 'abc'
            /site/-1             | 404 | no page '-1'
            /site/5?pages=0      | 400 | query parameter 'pages' must be one integer from 1 to 100000000; got 0
            /site/5?ms=60001     | 400 | query parameter 'ms' must be one integer from 0 to 60000; got 60001
            """)
    void badPageOrParameterIsAProblem(String path, int status, String detail) {
        try (TestServer server = TestServer.start(Map.of())) {
            HttpResponse<String> res = server.http().get(path);
            assertThat(res.statusCode(), is(status));
            assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
            assertThat(res.body(), containsString(detail));
        }
    }
}
