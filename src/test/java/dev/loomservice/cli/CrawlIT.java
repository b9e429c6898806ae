package dev.loomservice.cli;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

import dev.loomservice.Cli;
import dev.loomservice.StubSite;
import dev.loomservice.TestServer;

import io.helidon.http.Status;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static dev.loomservice.Regex.matches;
import static org.hamcrest.Matchers.not;

/** {@code crawl} against the service's synthetic site and small stub sites, in this JVM, over real sockets. */
class CrawlIT {
    private static final int PAGES = 2_000;
    private static TestServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void findsEveryReachablePageExactlyOnceAtItsTreeDepth() throws IOException {
        Cli run = crawl("--max-pages", "10000", "--max-depth", "100", "--concurrency", "50", "--per-host", "50");
        List<JsonObject> pages = pages();
        Set<Integer> expected = reachable(PAGES, n -> true);
        assertThat(run.toString(), run.exitCode(), is(0));
        assertThat("no page twice", pages.size(), is(expected.size()));
        assertThat(numbers(pages), is(expected));
        for (JsonObject page : pages) {
            int n = number(page);
            assertThat(page.getInt("status"), is(200));
            assertThat(page.getString("title"), is("Page " + n));
            assertThat(page.toString(), page.getInt("depth"), is(level(n)));
        }
        assertThat(run.outLines().getLast(), matches(
                "crawl: pages=" + expected.size() + " errors=0 unvisited=0 seconds=\\d+\\.\\d{3} pages/s=\\d+\\.\\d "
                + "ended=complete"));
        assertThat("hidden pages exist but are not reachable", expected.contains(7), is(false));
    }

    @Test
    void maxPagesCapsHowManyPagesAreFetched() throws IOException {
        Cli run = crawl("--max-pages", "100", "--max-depth", "100", "--concurrency", "20");
        List<JsonObject> pages = pages();
        assertThat(pages.size(), is(100));
        assertThat(numbers(pages).size(), is(100));
        assertThat(reachable(PAGES, n -> true).containsAll(numbers(pages)), is(true));
        assertThat(run.outLines().getLast(), containsString("crawl: pages=100 errors=0 "));
    }

    @Test
    void maxDepthStopsFollowingLinksDeeperThanIt() throws IOException {
        crawl("--max-depth", "3", "--concurrency", "20");
        assertThat(numbers(pages()), is(reachable(PAGES, n -> level(n) <= 3)));
    }

    @Test
    void sameHostFollowsNeitherLinksNorRedirectsToAnotherHost() throws IOException {
        try (StubSite site = crossHostSite()) {
            Cli run = Cli.run("crawl", site.uri("/").toString(), "--same-host", "--out", out().toString());
            assertThat(run.toString(), run.exitCode(), is(0));
            assertThat(site.requested().stream().filter(r -> r.startsWith("localhost ")).toList(), is(List.of()));
            assertThat(urls(pages()), is(Set.of(site.uri("/").toString(), site.uri("/a").toString(),
                                                site.uri("/r").toString(), site.uri("/s").toString(),
                                                site.uri("/a2").toString())));
            JsonObject redirect = pages().stream().filter(p -> p.getString("url").endsWith("/r")).findFirst()
                    .orElseThrow();
            assertThat(redirect.getInt("status"), is(302));
            assertThat(redirect.getString("location"), is(site.otherHostUri("/c").toString()));
        }
    }

    @Test
    void withoutSameHostTheOtherHostIsCrawledToo() throws IOException {
        try (StubSite site = crossHostSite()) {
            Cli.run("crawl", site.uri("/").toString(), "--out", out().toString());
            assertThat(urls(pages()), hasItem(site.otherHostUri("/b").toString()));
            assertThat(urls(pages()), hasItem(site.otherHostUri("/c").toString()));
            assertThat("robots.txt of each origin", site.requested(), hasItem("localhost /robots.txt"));
        }
    }

    @Test
    void robotsTxtDisallowedPagesAreNeverRequested() throws IOException {
        try (StubSite site = StubSite.start()) {
            site.text("/robots.txt", "User-agent: *\nDisallow: /private/\n")
                    .html("/", "<a href=/private/x>private</a> <a href=/public>public</a>")
                    .html("/public", "<a href=/private/y>private</a>")
                    .html("/private/x", "secret").html("/private/y", "secret");
            Cli run = Cli.run("crawl", site.uri("/").toString(), "--out", out().toString());
            assertThat(run.toString(), run.exitCode(), is(0));
            assertThat(urls(pages()), is(Set.of(site.uri("/").toString(), site.uri("/public").toString())));
            assertThat(site.requested().stream().filter(r -> r.contains("/private/")).toList(), is(List.of()));
        }
    }

    @Test
    void aDisallowedSeedIsOneRobotsErrorLineAndExitCode1() throws IOException {
        try (StubSite site = StubSite.start()) {
            site.route("/robots.txt", (req, res) -> res.status(Status.SERVICE_UNAVAILABLE_503).send());
            Cli run = Cli.run("crawl", site.uri("/").toString(), "--out", out().toString());
            assertThat(run.exitCode(), is(1));
            JsonObject only = pages().getFirst();
            assertThat(pages().size(), is(1));
            assertThat(only.getString("error"), is("robots"));
            assertThat(only.getString("detail"), containsString("/robots.txt answered 503"));
            assertThat(site.requested(), not(hasItem("127.0.0.1 /")));
        }
    }

    @Test
    void badLimitsAreExitCode2() {
        Cli run = Cli.run("crawl", "http://localhost:1/", "--max-pages", "0");
        assertThat(run.exitCode(), is(2));
        assertThat(run.err(), containsString("--max-pages must be 1 to 10000000; got 0"));
    }

    private static StubSite crossHostSite() {
        StubSite site = StubSite.start();
        return site.html("/", "<a href=/a>a</a> <a href=" + site.otherHostUri("/b") + ">other host</a>"
                              + " <a href=/r>redirect away</a> <a href=/s>redirect here</a>")
                .html("/a", "a").html("/a2", "a2").html("/b", "b").html("/c", "c")
                .redirect("/r", site.otherHostUri("/c").toString())
                .redirect("/s", "/a2");
    }

    private Cli crawl(String... options) {
        String seed = "http://localhost:" + server.port() + "/site/0?pages=" + PAGES;
        List<String> args = new ArrayList<>(List.of("crawl", seed, "--out", out().toString()));
        args.addAll(List.of(options));
        return Cli.run(args.toArray(String[]::new));
    }

    private Path out() {
        return dir.resolve("pages.jsonl");
    }

    /** Every line of the output, each parsed on its own: a torn or merged line fails here. */
    private List<JsonObject> pages() throws IOException {
        return Files.readAllLines(out()).stream()
                .map(line -> Json.createReader(new StringReader(line)).readObject()).toList();
    }

    private static Set<String> urls(List<JsonObject> pages) {
        return pages.stream().map(p -> p.getString("url")).collect(Collectors.toSet());
    }

    private static Set<Integer> numbers(List<JsonObject> pages) {
        return pages.stream().map(CrawlIT::number).collect(Collectors.toSet());
    }

    private static int number(JsonObject page) {
        return Integer.parseInt(page.getString("url").replaceFirst(".*/site/(\\d+)\\?.*", "$1"));
    }

    /**
     * The site's graph, restated from its documentation: a ternary tree (children 3n+1..3n+3) in which pages
     * {@code n % 10 == 7} are hidden, and with them their subtrees.
     */
    private static Set<Integer> reachable(int pages, IntPredicate keep) {
        Set<Integer> found = new HashSet<>();
        for (int n = 0; n < pages; n++) {
            if ((n == 0 || n % 10 != 7 && found.contains((n - 1) / 3)) && keep.test(n)) {
                found.add(n);
            }
        }
        return found;
    }

    private static int level(int n) {
        return n == 0 ? 0 : 1 + level((n - 1) / 3);
    }
}
