package dev.loomservice.crawl;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.loomservice.client.Failure;
import dev.loomservice.client.Fetcher;

/**
 * A crawl: scheduler ({@link Frontier}) -> {@code concurrency} workers, each a virtual thread that fetches pages
 * with plain blocking calls ({@link Worker}) -> pipeline ({@link Pipeline}, one JSON line per page).
 *
 * <p>Everything is bounded: the frontier by {@code maxPages}, fetches in flight by {@code concurrency} (and per
 * host by {@code perHost}), the pipeline's queue by {@code outputQueue}, each page's parsed body by
 * {@code maxPageBytes}, each fetch by the fetcher's timeout. {@link #stop} (e.g. from a shutdown hook on Ctrl-C)
 * ends a crawl early and gracefully: {@link #run} still returns, with everything written that was fetched.
 */
public final class Crawler {
    private final Settings settings;
    private final Fetcher fetcher;
    private final Frontier frontier;
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private volatile Pipeline pipeline;
    private volatile long startNanos;

    /** What the command line sets; {@code seed} must be normalized. */
    public record Settings(URI seed, int maxPages, int maxDepth, int concurrency, int perHost, boolean sameHost,
                           int maxPageBytes, int outputQueue) {
    }

    /** A moment's counts, for a progress line. */
    public record Progress(long pages, long errors, int queued, int inFlight, Duration elapsed) {
    }

    /**
     * How a crawl went. {@code unvisited} URLs were admitted but not fetched (only after {@link #stop});
     * {@code stopped} says whether it ended early.
     */
    public record Summary(long pages, long errors, int unvisited, Duration elapsed, boolean stopped) {
        public double pagesPerSecond() {
            return elapsed.isZero() ? 0 : pages * 1e9 / elapsed.toNanos();
        }
    }

    /** The fetcher's timeout bounds every fetch, robots.txt included; the caller closes it after {@link #run}. */
    public Crawler(Settings settings, Fetcher fetcher) {
        this.settings = settings;
        this.fetcher = fetcher;
        this.frontier = new Frontier(settings.maxPages(), settings.maxDepth(), settings.perHost());
    }

    /**
     * Crawls from the seed, writing JSON lines to {@code out}, until the frontier runs dry or {@link #stop};
     * blocks until then. Does not close {@code out}.
     *
     * @throws IOException if writing to {@code out} failed (the crawl stopped then)
     */
    public Summary run(OutputStream out) throws InterruptedException, IOException {
        startNanos = System.nanoTime();
        try (Pipeline pipe = new Pipeline(out, settings.outputQueue())) {
            pipeline = pipe;
            Scope scope = new Scope(settings.seed(), settings.sameHost(), new RobotsCache(fetcher));
            Optional<Failure> refused = scope.refusal(settings.seed());
            if (refused.isPresent()) {
                pipe.put(Page.refused(new Frontier.Task(settings.seed(), 0), refused.get()));
            } else {
                frontier.offer(settings.seed(), 0);
            }
            for (int i = 0; i < settings.concurrency(); i++) {
                Worker worker = new Worker(frontier, fetcher, scope, pipe, settings.maxPageBytes());
                workers.add(Thread.ofVirtual().name("crawl-worker-" + i).start(worker));
            }
            for (Thread worker : workers) {
                worker.join();
            }
        }
        return new Summary(pipeline.pages(), pipeline.errors(), frontier.snapshot().queued(), elapsed(),
                           frontier.stopped());
    }

    /**
     * Ends the crawl early: no new fetches start; fetches in flight get {@code grace} to finish (their pages are
     * written), then are cancelled (their pages are not). Returns when the workers have ended or been told to;
     * {@link #run} then writes what is queued and returns. Safe to call from any thread, more than once.
     */
    public void stop(Duration grace) {
        frontier.stop();
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (Thread worker : workers) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !worker.join(Duration.ofNanos(left))) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.forEach(Thread::interrupt); // harmless for those that have ended
    }

    /** Current counts; callable from any thread while {@link #run} runs. */
    public Progress progress() {
        Pipeline pipe = pipeline;
        Frontier.Snapshot f = frontier.snapshot();
        return new Progress(pipe == null ? 0 : pipe.pages(), pipe == null ? 0 : pipe.errors(), f.queued(),
                            f.inFlight(), elapsed());
    }

    private Duration elapsed() {
        return startNanos == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
