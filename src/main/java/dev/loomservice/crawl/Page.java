package dev.loomservice.crawl;

import java.net.URI;
import java.util.Optional;

import dev.loomservice.client.Failure;
import dev.loomservice.client.Fetched;

/**
 * One crawled URL, as the pipeline writes it: one JSON line per page.
 *
 * @param url      the normalized URL that was fetched
 * @param depth    links from the seed (0) at which it was first found
 * @param status   the HTTP status; 0 when there was no answer
 * @param bytes    body bytes received
 * @param title    the HTML title, when there is one
 * @param links    distinct http(s) links on the page, after normalization
 * @param millis   time to fetch the whole page
 * @param location where a 3xx pointed (resolved and normalized), when it did
 * @param failure  why the page is an error (no answer, a 4xx/5xx, or robots.txt for the seed), when it is
 */
public record Page(URI url, int depth, int status, long bytes, Optional<String> title, int links, long millis,
                   Optional<URI> location, Optional<Failure> failure) {

    /** A page that was fetched: an error page, a redirect or an HTML page with {@code html}'s title and links. */
    static Page of(Frontier.Task task, Fetched answer, Optional<HtmlPage> html, Optional<URI> location) {
        int links = html.map(h -> h.links().size()).orElse(location.isPresent() ? 1 : 0);
        return new Page(task.url(), task.depth(), answer.status(), answer.bytes(), html.flatMap(HtmlPage::title),
                        links, answer.millis(), location, answer.failure());
    }

    /** A URL without an answer: refused by robots.txt, or one whose handling failed. */
    static Page refused(Frontier.Task task, Failure why) {
        return new Page(task.url(), task.depth(), 0, 0, Optional.empty(), 0, 0, Optional.empty(), Optional.of(why));
    }

    public boolean error() {
        return failure.isPresent();
    }
}
