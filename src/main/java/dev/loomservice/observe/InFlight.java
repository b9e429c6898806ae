package dev.loomservice.observe;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.webserver.http.ServerRequest;

/**
 * The request each thread is serving, or served last. Helidon runs an HTTP/1 connection on one virtual thread,
 * its requests one after another, so a thread id names a request at any moment.
 *
 * <p>A finished request stays until the same thread starts the next one, or until {@link #sweep} drops it: JFR
 * reports a pinning event about a second after it happened, when a short request is already over, and the
 * pinning detector still needs to say which request it was.
 */
public final class InFlight {
    private final ConcurrentHashMap<Long, Request> byThread = new ConcurrentHashMap<>();

    /** One request. {@code endNanos} is 0 while it runs; {@code slowReported} makes the slow log happen once. */
    public static final class Request {
        private final Thread thread;
        private final ServerRequest request;
        private final String requestId;
        private final long startNanos;
        private volatile long endNanos;
        private final AtomicBoolean slowReported = new AtomicBoolean();

        Request(Thread thread, ServerRequest request, String requestId, long startNanos) {
            this.thread = thread;
            this.request = request;
            this.requestId = requestId;
            this.startNanos = startNanos;
        }

        public Thread thread() {
            return thread;
        }

        public String method() {
            return request.prologue().method().text();
        }

        public String path() {
            return request.prologue().uriPath().rawPath(); // raw: a decoded %0A could forge log lines
        }

        /** The matched route pattern, once routing has found one. */
        public String route() {
            return RouteTags.route(request).orElse("none");
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
            return slowReported.compareAndSet(false, true);
        }
    }

    /** Records that the current thread starts serving {@code request}; replaces what it served before. */
    public Request begin(ServerRequest request, String requestId) {
        Thread t = Thread.currentThread();
        Request r = new Request(t, request, requestId, System.nanoTime());
        byThread.put(t.threadId(), r);
        return r;
    }

    public void end(Request request) {
        request.endNanos = System.nanoTime();
    }

    /** The request of thread {@code threadId}: the running one, or the one it finished last. */
    public Optional<Request> ofThread(long threadId) {
        return Optional.ofNullable(byThread.get(threadId));
    }

    public Collection<Request> all() {
        return byThread.values();
    }

    /** How many requests are running now. */
    public int running() {
        int n = 0;
        for (Request r : byThread.values()) {
            if (r.running()) {
                n++;
            }
        }
        return n;
    }

    /** Forgets requests that finished more than {@code keepNanos} ago. */
    public void sweep(long keepNanos) {
        long now = System.nanoTime();
        byThread.values().removeIf(r -> !r.running() && now - r.endNanos > keepNanos);
    }
}
