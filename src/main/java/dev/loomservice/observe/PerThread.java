package dev.loomservice.observe;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One value per thread that other threads can see: a request's thread writes into its value (when it started
 * reading, which request it serves) and a watchdog reads all of them.
 *
 * <p>Why per thread: Helidon serves an HTTP/1 connection on one virtual thread, one request after another, so a
 * thread's value is its connection's. A request finds it with one {@link ThreadLocal} lookup, and the shared
 * registry changes once per connection instead of once or twice per request (a concurrent map's put allocates and
 * contends; a field write does neither). The values must therefore be thread-safe for one writer (the owner
 * thread) and many readers: volatile fields or atomics.
 *
 * <p>A thread that ended keeps its value in the registry until {@link #sweep} drops it; call it periodically.
 */
public final class PerThread<T> {
    private final ThreadLocal<T> local = new ThreadLocal<>();
    private final Map<Thread, T> all = new ConcurrentHashMap<>();
    private final Function<Thread, T> create;

    /** @param create makes the value of a thread on its first {@link #current} call */
    public PerThread(Function<Thread, T> create) {
        this.create = create;
    }

    /** The calling thread's value; made and registered on its first call. */
    public T current() {
        T value = local.get();
        if (value == null) {
            Thread self = Thread.currentThread();
            value = create.apply(self);
            local.set(value);
            all.put(self, value);
        }
        return value;
    }

    /** Every registered thread and its value; weakly consistent, like any iteration of a concurrent map. */
    public void forEach(BiConsumer<Thread, T> action) {
        all.forEach(action);
    }

    /** Drops the values of threads that have ended and for which {@code done} holds. */
    public void sweep(Predicate<T> done) {
        all.entrySet().removeIf(e -> !e.getKey().isAlive() && done.test(e.getValue()));
    }
}
