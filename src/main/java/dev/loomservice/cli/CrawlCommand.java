package dev.loomservice.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.loomservice.client.Fetcher;
import dev.loomservice.version.Version;
import dev.loomservice.crawl.Crawler;
import dev.loomservice.crawl.UrlNormalizer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code crawl URL ...}: a {@link Crawler} with its options, a progress line, and Ctrl-C handling: on SIGINT or
 * SIGTERM the crawl stops (fetches in flight get {@link #STOP_GRACE}, then are cancelled), every fetched page is
 * written and the summary printed, and only then does the JVM exit ({@link GracefulStop}).
 *
 * <p>With {@code --out -} the lines go to file descriptor 1 directly, not through {@code System.out}, which
 * swallows write errors: {@code crawl ... | head} then stops the crawl on the broken pipe instead of crawling on.
 */
@Command(name = "crawl", mixinStandardHelpOptions = true, versionProvider = Version.class,
         header = "Crawl from URL: scheduler -> worker virtual threads -> JSON lines.",
         description = {"Writes one JSON line per page: url, depth, status, bytes, title, links,",
                        "millis; location for a redirect; error and detail for a failure.",
                        "Each URL is fetched once (after normalization), robots.txt is obeyed,",
                        "and redirects are followed as links (same scope checks).",
                        "Then one summary line, on stdout (on stderr with --out -):",
                        "  crawl: pages=N errors=E unvisited=U seconds=S pages/s=R ended=complete|stopped"},
         exitCodeListHeading = "%nExit codes:%n",
         exitCodeList = {"0:every page fetched had no error", "1:some page had an error, or the output failed",
                         "2:bad command line", "130:stopped by Ctrl-C (the output is complete JSON lines)"})
public final class CrawlCommand implements Callable<Integer> {
    /** How long pages in flight may take to finish after Ctrl-C before they are cancelled. */
    static final Duration STOP_GRACE = Duration.ofSeconds(2);
    private static final int MAX_PAGE_BYTES = 2 * 1024 * 1024;
    private static final int OUTPUT_QUEUE = 1024;

    @Parameters(index = "0", paramLabel = "URL", converter = HttpUrl.class, description = "Where to start.")
    private URI seed;

    @Option(names = "--max-pages", paramLabel = "N", defaultValue = "1000",
            description = "Fetch at most N pages (default: ${DEFAULT-VALUE}).")
    private int maxPages;

    @Option(names = "--max-depth", paramLabel = "D", defaultValue = "5",
            description = "Follow links at most D deep; the seed is depth 0 (default: ${DEFAULT-VALUE}).")
    private int maxDepth;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "16",
            description = "C workers, so at most C fetches in flight (default: ${DEFAULT-VALUE}).")
    private int concurrency;

    @Option(names = "--per-host", paramLabel = "P", defaultValue = "8",
            description = "At most P fetches in flight to one host (default: ${DEFAULT-VALUE}).")
    private int perHost;

    @Option(names = "--same-host", description = "Follow links and redirects only to the seed's host.")
    private boolean sameHost;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "-",
            description = "Write the JSON lines to FILE (default: - for stdout).")
    private String out;

    @Mixin
    private TimeoutOption timeout;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress line on stderr (default: when stderr is a terminal).")
    private Boolean progress;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Crawler.Settings settings = settings();
        boolean toStdout = out.equals("-");
        PrintWriter report = toStdout ? spec.commandLine().getErr() : spec.commandLine().getOut();
        try (Fetcher fetcher = new Fetcher(timeout.get(), concurrency);
             OutputStream sink = toStdout ? new FileOutputStream(FileDescriptor.out) {
                 @Override
                 public void close() {
                     // stdout belongs to the process; unbuffered, so there is nothing to flush
                 }
             } : Files.newOutputStream(Path.of(out))) {
            Crawler crawler = new Crawler(settings, fetcher);
            GracefulStop signals = new GracefulStop(() -> crawler.stop(STOP_GRACE), STOP_GRACE.multipliedBy(5));
            try {
                Crawler.Summary summary = run(crawler, sink);
                report.println(summary(summary));
                report.flush();
                return summary.errors() == 0 ? 0 : 1;
            } finally {
                signals.close();
            }
        } catch (IOException e) {
            String target = toStdout ? "stdout" : out;
            spec.commandLine().getErr().println("crawl: cannot write " + target + ": " + e.getMessage());
            return 1;
        }
    }

    private Crawler.Summary run(Crawler crawler, OutputStream sink) throws InterruptedException, IOException {
        boolean show = progress != null ? progress : ProgressLine.stderrIsTerminal();
        if (!show) {
            return crawler.run(sink);
        }
        ProgressLine line = ProgressLine.start(spec.commandLine().getErr(), crawler::progress);
        try {
            return crawler.run(sink);
        } finally {
            line.close();
        }
    }

    /** The summary line; its format is documented in the README. */
    static String summary(Crawler.Summary s) {
        return String.format(Locale.ROOT, "crawl: pages=%d errors=%d unvisited=%d seconds=%.3f pages/s=%.1f ended=%s",
                             s.pages(), s.errors(), s.unvisited(), s.elapsed().toNanos() / 1e9, s.pagesPerSecond(),
                             s.stopped() ? "stopped" : "complete");
    }

    private Crawler.Settings settings() {
        check(maxPages >= 1 && maxPages <= 10_000_000, "--max-pages must be 1 to 10000000; got " + maxPages);
        check(maxDepth >= 0 && maxDepth <= 10_000, "--max-depth must be 0 to 10000; got " + maxDepth);
        check(concurrency >= 1 && concurrency <= 10_000, "--concurrency must be 1 to 10000; got " + concurrency);
        check(perHost >= 1, "--per-host must be at least 1; got " + perHost);
        Path parent = out.equals("-") ? null : Path.of(out).toAbsolutePath().getParent();
        check(parent == null || Files.isDirectory(parent), "--out: no directory " + parent);
        URI start = UrlNormalizer.normalize(seed).orElseThrow(
                () -> new ParameterException(spec.commandLine(), "cannot crawl " + seed));
        return new Crawler.Settings(start, maxPages, maxDepth, concurrency, perHost, sameHost, MAX_PAGE_BYTES,
                                    OUTPUT_QUEUE);
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
