package dev.loomservice.crawl;

import java.net.URI;
import java.util.Optional;

import dev.loomservice.client.Failure;

/**
 * Which URLs the crawl may fetch: with {@code sameHost}, only those on the seed's host (any scheme or port);
 * always, only those the host's robots.txt allows. Links and redirect targets pass the same check, so a
 * redirect can never take the crawl where a link could not.
 */
final class Scope {
    private final String seedHost;
    private final boolean sameHost;
    private final RobotsCache robots;

    Scope(URI seed, boolean sameHost, RobotsCache robots) {
        this.seedHost = seed.getHost();
        this.sameHost = sameHost;
        this.robots = robots;
    }

    /** Whether {@code url} (normalized) may be crawled; may block while the host's robots.txt is fetched. */
    boolean allows(URI url) throws InterruptedException {
        return (!sameHost || seedHost.equals(url.getHost())) && robots.of(url).allows(url);
    }

    /** Why the seed may not be crawled, if it may not: robots.txt is the only reason a seed can be refused. */
    Optional<Failure> refusal(URI seed) throws InterruptedException {
        Robots rules = robots.of(seed);
        return rules.allows(seed) ? Optional.empty()
                                  : Optional.of(new Failure(Failure.Kind.ROBOTS, "disallowed by " + rules.source()));
    }
}
