package dev.loomservice.crawl;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

import dev.loomservice.client.Fetched;
import dev.loomservice.client.Fetcher;

/**
 * robots.txt per origin ({@code scheme://host:port}), fetched once, on first need, by the worker that needs it;
 * workers that need the same origin meanwhile wait for that one fetch instead of starting their own. (Not
 * {@code computeIfAbsent}: it would hold a map lock across a network call.)
 *
 * <p>Per RFC 9309: a 2xx is parsed (the first 512 KiB); a 4xx means no rules; a 5xx or no answer at all means
 * complete disallow; redirects are followed up to five hops.
 */
final class RobotsCache {
    private static final int MAX_BYTES = 512 * 1024;
    private static final int MAX_REDIRECTS = 5;

    private final Fetcher fetcher;
    private final ConcurrentMap<String, CompletableFuture<Robots>> byOrigin = new ConcurrentHashMap<>();

    RobotsCache(Fetcher fetcher) {
        this.fetcher = fetcher;
    }

    /** The rules for {@code url}'s origin; blocks while they are fetched. */
    Robots of(URI url) throws InterruptedException {
        String origin = url.getScheme() + "://" + url.getRawAuthority();
        CompletableFuture<Robots> mine = new CompletableFuture<>();
        CompletableFuture<Robots> theirs = byOrigin.putIfAbsent(origin, mine);
        if (theirs != null) {
            try {
                return theirs.get();
            } catch (ExecutionException | CancellationException e) {
                throw new InterruptedException("the robots.txt fetch for " + origin + " was cancelled");
            }
        }
        try {
            Robots robots = load(URI.create(origin + "/robots.txt"));
            mine.complete(robots);
            return robots;
        } catch (InterruptedException e) {
            byOrigin.remove(origin, mine);
            mine.cancel(false);
            throw e;
        }
    }

    private Robots load(URI url) throws InterruptedException {
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            Fetched answer = fetcher.get(url, MAX_BYTES);
            if (answer.status() == 0) {
                return Robots.disallowAll(url + " unreachable: " + answer.failure().orElseThrow());
            }
            if (answer.status() >= 500) {
                return Robots.disallowAll(url + " answered " + answer.status() + " " + answer.reason());
            }
            if (answer.status() >= 400) {
                return Robots.allowAll(url + " answered " + answer.status() + " " + answer.reason());
            }
            if (!answer.redirect()) {
                return Robots.parse(answer.text(), Fetcher.PRODUCT, url.toString());
            }
            Optional<URI> next = UrlNormalizer.resolve(url, answer.location().orElseThrow());
            if (next.isEmpty()) {
                return Robots.allowAll(url + " redirects to an invalid location");
            }
            url = next.get();
        }
        return Robots.allowAll(url + " redirects more than " + MAX_REDIRECTS + " times");
    }
}
