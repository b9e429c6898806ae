package dev.loomservice.crawl;

import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;

import dev.loomservice.client.Failure;
import dev.loomservice.client.Fetched;
import dev.loomservice.client.Fetcher;

/**
 * One crawl worker, run on its own virtual thread: takes a URL from the frontier, fetches it (blocking), offers
 * the page's links or its redirect target back to the frontier, and hands the page to the pipeline. Repeats
 * until the frontier has no more work.
 *
 * <p>Interrupted (by {@link Crawler#stop}), it drops the page in hand and ends; the exchange is cancelled with it.
 * If the pipeline cannot write, it stops the whole crawl.
 */
final class Worker implements Runnable {
    private final Frontier frontier;
    private final Fetcher fetcher;
    private final Scope scope;
    private final Pipeline pipeline;
    private final int maxPageBytes;

    Worker(Frontier frontier, Fetcher fetcher, Scope scope, Pipeline pipeline, int maxPageBytes) {
        this.frontier = frontier;
        this.fetcher = fetcher;
        this.scope = scope;
        this.pipeline = pipeline;
        this.maxPageBytes = maxPageBytes;
    }

    @Override
    public void run() {
        try {
            for (Frontier.Task task = frontier.take(); task != null; task = frontier.take()) {
                try {
                    pipeline.put(visitOrReport(task));
                } finally {
                    frontier.done(task); // after its links were offered, so the frontier cannot end too early
                }
            }
        } catch (InterruptedException e) {
            // Crawler.stop gave up waiting for this page
        } catch (UncheckedIOException e) {
            frontier.stop(); // the output failed; Crawler.run reports it
        }
    }

    /** The page, or, if handling it failed unexpectedly, an error line for it: one bad page must not end a worker. */
    private Page visitOrReport(Frontier.Task task) throws InterruptedException {
        try {
            return visit(task);
        } catch (RuntimeException e) {
            return Page.refused(task, Failure.of(e));
        }
    }

    private Page visit(Frontier.Task task) throws InterruptedException {
        Fetched answer = fetcher.get(task.url(), maxPageBytes);
        if (answer.redirect()) {
            // Followed by us, not by the client: the target is one more URL for the frontier, at the same depth,
            // and it passes the same scope and robots check as a link.
            Optional<URI> target = UrlNormalizer.resolve(task.url(), answer.location().orElseThrow());
            if (target.isPresent()) {
                admit(target.get(), task.depth());
            }
            return Page.of(task, answer, Optional.empty(), target);
        }
        if (!answer.ok() || !HtmlPage.isHtml(answer)) {
            return Page.of(task, answer, Optional.empty(), Optional.empty());
        }
        HtmlPage html = HtmlPage.parse(answer);
        if (frontier.admitsDepth(task.depth() + 1)) {
            for (URI link : html.links()) {
                admit(link, task.depth() + 1);
            }
        }
        return Page.of(task, answer, Optional.of(html), Optional.empty());
    }

    private void admit(URI url, int depth) throws InterruptedException {
        if (frontier.wants(url, depth) && scope.allows(url)) {
            frontier.offer(url, depth);
        }
    }
}
