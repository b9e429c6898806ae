package dev.loomservice.crawl;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The scheduler: which URL a worker fetches next. It remembers every URL it has admitted (so each page is fetched
 * once), keeps a FIFO queue per host and hands hosts out round-robin, and holds a permit count per host, so at
 * most {@code perHost} fetches run against one host at a time. A worker never waits on a busy host while another
 * host has work: {@link #take} only hands out URLs whose host has a free permit.
 *
 * <p>Bounded: at most {@code maxPages} URLs are ever admitted, so the seen set and the queues never hold more.
 * A URL deeper than {@code maxDepth} is refused. The crawl is over when nothing is queued and nothing is in
 * flight; then, or after {@link #stop}, every {@link #take} returns {@code null}.
 *
 * <p>One lock guards everything; every operation under it is O(1) apart from hashing the URL.
 */
final class Frontier {
    /** A URL to fetch, found at {@code depth} links from the seed. */
    record Task(URI url, int depth) {
    }

    /** What {@link #offer} did. */
    enum Offer { ADMITTED, SEEN, TOO_DEEP, FULL, STOPPED }

    /** A moment's counts, for the progress line. */
    record Snapshot(int admitted, int queued, int inFlight) {
    }

    private static final class Host {
        final ArrayDeque<Task> queue = new ArrayDeque<>();
        int active;
        boolean ready;
    }

    private final int maxPages;
    private final int maxDepth;
    private final int perHost;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<URI> seen = new HashSet<>();
    private final Map<String, Host> hosts = new HashMap<>();
    private final ArrayDeque<Host> ready = new ArrayDeque<>();
    private int queued;
    private int inFlight;
    private boolean stopped;

    Frontier(int maxPages, int maxDepth, int perHost) {
        this.maxPages = maxPages;
        this.maxDepth = maxDepth;
        this.perHost = perHost;
    }

    /** Queues {@code url} (already normalized) unless it was seen, is too deep, or the page budget is spent. */
    Offer offer(URI url, int depth) {
        lock.lock();
        try {
            if (stopped) {
                return Offer.STOPPED;
            }
            if (depth > maxDepth) {
                return Offer.TOO_DEEP;
            }
            if (seen.contains(url)) {
                return Offer.SEEN;
            }
            if (seen.size() >= maxPages) {
                return Offer.FULL;
            }
            seen.add(url);
            Host host = hosts.computeIfAbsent(url.getHost(), h -> new Host());
            host.queue.addLast(new Task(url, depth));
            queued++;
            makeReadyIfFree(host);
            changed.signal();
            return Offer.ADMITTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next URL to fetch; blocks while every queued URL waits for a busy host or nothing is queued but
     * pages are in flight (they may find more). Returns {@code null} when the crawl is over or stopped. The caller
     * must call {@link #done} for every task it gets.
     */
    Task take() throws InterruptedException {
        lock.lock();
        try {
            while (!stopped) {
                Host host = ready.pollFirst();
                if (host != null) {
                    Task task = host.queue.pollFirst();
                    host.active++;
                    host.ready = false;
                    makeReadyIfFree(host); // to the back of the line: round-robin over hosts
                    queued--;
                    inFlight++;
                    return task;
                }
                if (inFlight == 0) { // nothing queued that could run, nothing running that could add more
                    changed.signalAll();
                    return null;
                }
                changed.await();
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** {@code task} is finished (its links offered): its host permit is free again. */
    void done(Task task) {
        lock.lock();
        try {
            inFlight--;
            Host host = hosts.get(task.url().getHost());
            host.active--;
            boolean freed = makeReadyIfFree(host);
            if (inFlight == 0) {
                changed.signalAll(); // the crawl may be over: everyone waiting must look
            } else if (freed) {
                changed.signal(); // the host was at its limit: one more of its URLs may run now
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether a URL at {@code depth} could be admitted at all (so links too deep need no checking). */
    boolean admitsDepth(int depth) {
        return depth <= maxDepth;
    }

    /**
     * Whether {@link #offer} would admit {@code url} now: a cheap test before the costlier scope check (which
     * may fetch a robots.txt). {@code offer} decides; this may say yes to a URL that another worker admits first.
     */
    boolean wants(URI url, int depth) {
        lock.lock();
        try {
            return !stopped && depth <= maxDepth && seen.size() < maxPages && !seen.contains(url);
        } finally {
            lock.unlock();
        }
    }

    /** Hands out no more tasks; waiting {@link #take}s return {@code null}. Tasks in flight are unaffected. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean stopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    Snapshot snapshot() {
        lock.lock();
        try {
            return new Snapshot(seen.size(), queued, inFlight);
        } finally {
            lock.unlock();
        }
    }

    /** Puts {@code host} in the ready line if it has work and a free permit; true if it was added. */
    private boolean makeReadyIfFree(Host host) {
        if (!host.ready && !host.queue.isEmpty() && host.active < perHost) {
            host.ready = true;
            ready.addLast(host);
            return true;
        }
        return false;
    }
}
