package dev.loomservice.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;

import io.helidon.logging.common.HelidonMdc;
import io.helidon.webserver.http.ServerRequest;

/**
 * The request each thread is serving, or served last. Helidon runs an HTTP/1 connection on one virtual thread,
 * its requests one after another, so a thread names a request at any moment ({@link PerThread}: registered once
 * per connection, one field write per request).
 *
 * <p>A finished request stays until the same thread starts the next one, or until {@link #sweep} drops it: JFR
 * reports a pinning event about a second after it happened, when a short request is already over, and the
 * pinning detector still needs to say which request it was. A finished request keeps only its method, raw path,
 * route and id, not Helidon's request object.
 *
 * <p>It also gives log lines their request id: the MDC's {@code requestId} is, on each thread, the id of the
 * request it is running (empty between requests). Bound once per thread as a deferred MDC value, so a request
 * costs the MDC nothing; Helidon's log formatter reads the value when a line is written.
 */
public final class InFlight {
    static final String MDC_KEY = "requestId";
    private final PerThread<AtomicReference<Request>> slots = new PerThread<>(thread -> {
        AtomicReference<Request> slot = new AtomicReference<>();
        HelidonMdc.setDeferred(MDC_KEY, () -> {
            Request r = slot.get();
            return r != null && r.running() ? r.requestId() : "";
        });
        return slot;
    });

    /** One request. {@code endNanos} is 0 while it runs; {@code slowReported} makes the slow log happen once. */
    public static final class Request {
        private static final AtomicIntegerFieldUpdater<Request> SLOW_REPORTED =
                AtomicIntegerFieldUpdater.newUpdater(Request.class, "slowReported");

        private final Thread thread;
        private final String method;
        private final String path;
        private final String requestId;
        private final long startNanos;
        private volatile ServerRequest request; // until it ends: routing sets the pattern on it
        private volatile String route;          // from the end on
        private volatile long endNanos;
        private volatile int slowReported;

        Request(Thread thread, ServerRequest request, String requestId, long startNanos) {
            this.thread = thread;
            this.request = request;
            this.method = request.prologue().method().text();
            this.path = request.prologue().uriPath().rawPath(); // raw: a decoded %0A could forge log lines
            this.requestId = requestId;
            this.startNanos = startNanos;
        }

        public Thread thread() {
            return thread;
        }

        public String method() {
            return method;
        }

        public String path() {
            return path;
        }

        /** The matched route pattern, once routing has found one; {@code none} if it found none. */
        public String route() {
            ServerRequest r = request;
            String pattern = route;
            return pattern != null ? pattern : r != null ? r.matchingPattern().orElse("none") : "none";
        }

        public String requestId() {
            return requestId;
        }

        public long startNanos() {
            return startNanos;
        }

        public boolean running() {
            return endNanos == 0;
        }

        public long millis(long nowNanos) {
            return ((running() ? nowNanos : endNanos) - startNanos) / 1_000_000;
        }

        /** True once, for the first caller: the one that logs the request as slow. */
        boolean claimSlowReport() {
            return SLOW_REPORTED.compareAndSet(this, 0, 1);
        }
    }

    /** Records that the current thread starts serving {@code request}; replaces what it served before. */
    public Request begin(ServerRequest request, String requestId) {
        Request r = new Request(Thread.currentThread(), request, requestId, System.nanoTime());
        slots.current().set(r);
        return r;
    }

    /** Records that {@code request} has ended; returns how long it ran, in nanoseconds. */
    public long end(Request request) {
        request.route = request.route();
        request.request = null;
        long end = System.nanoTime();
        request.endNanos = end;
        return end - request.startNanos;
    }

    /** The request of thread {@code threadId}: the running one, or the one it finished last. Scans every thread. */
    public Optional<Request> ofThread(long threadId) {
        List<Request> found = new ArrayList<>(1);
        slots.forEach((thread, slot) -> {
            Request r = slot.get();
            if (thread.threadId() == threadId && r != null) {
                found.add(r);
            }
        });
        return found.stream().findFirst();
    }

    /** Every thread's current or last request. */
    public List<Request> all() {
        List<Request> all = new ArrayList<>();
        slots.forEach((thread, slot) -> {
            Request r = slot.get();
            if (r != null) {
                all.add(r);
            }
        });
        return all;
    }

    /** How many requests are running now. */
    public int running() {
        int n = 0;
        for (Request r : all()) {
            n += r.running() ? 1 : 0;
        }
        return n;
    }

    /**
     * Forgets requests that finished more than {@code keepNanos} ago, and the threads that have ended with nothing
     * left to remember. A compare-and-set, so a request its thread started meanwhile is never forgotten.
     */
    public void sweep(long keepNanos) {
        long now = System.nanoTime();
        slots.forEach((thread, slot) -> {
            Request r = slot.get();
            if (r != null && !r.running() && now - r.endNanos > keepNanos) {
                slot.compareAndSet(r, null);
            }
        });
        slots.sweep(slot -> slot.get() == null);
    }
}
