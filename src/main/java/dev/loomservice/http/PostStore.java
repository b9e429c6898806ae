package dev.loomservice.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

import jakarta.json.JsonObject;

/**
 * The in-memory home of {@code /posts}: at most {@code capacity} posts; storing one more evicts the oldest.
 *
 * <p>Eviction rather than 507 keeps the JSON POST route usable under a long benchmark; a client that GETs an
 * evicted id gets 404. Ids are 1, 2, 3, ... and never reused. A {@link ReentrantLock} rather than
 * {@code synchronized} guards the map, so on JDK 21-23 a waiting virtual thread does not pin its carrier.
 */
final class PostStore {
    private final AtomicLong lastId = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, JsonObject> posts;

    PostStore(int capacity) {
        this.posts = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, JsonObject> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Assigns the next id, stores the post {@code withId} makes from it, and returns that post. */
    JsonObject add(LongFunction<JsonObject> withId) {
        long id = lastId.incrementAndGet();
        JsonObject post = withId.apply(id);
        lock.lock();
        try {
            posts.put(id, post);
        } finally {
            lock.unlock();
        }
        return post;
    }

    Optional<JsonObject> find(long id) {
        lock.lock();
        try {
            return Optional.ofNullable(posts.get(id));
        } finally {
            lock.unlock();
        }
    }
}
