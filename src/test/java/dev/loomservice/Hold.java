package dev.loomservice;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A test-only route, {@code GET /test/hold}, whose requests stay in flight until {@link #release()}: the latch of
 * the hold-and-probe tests. It runs behind the limiter like any application route.
 */
public final class Hold {
    public static final String PATH = "/test/hold";

    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger entered = new AtomicInteger();

    public void register(HttpRouting.Builder routing) {
        routing.get(PATH, this::hold);
    }

    /** How many requests have reached the handler (so hold a permit). */
    public int entered() {
        return entered.get();
    }

    public void release() {
        released.countDown();
    }

    private void hold(ServerRequest req, ServerResponse res) throws InterruptedException {
        entered.incrementAndGet();
        if (!released.await(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("held request never released");
        }
        res.send("released");
    }
}
