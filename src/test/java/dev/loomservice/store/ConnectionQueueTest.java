package dev.loomservice.store;

import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariConfig;

import dev.loomservice.Await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ConnectionQueue} over a real (in-memory H2) database and a one-connection pool: callers get the connection
 * in the order they asked, one that gets no turn is refused within its timeout, and a turn always comes back.
 */
class ConnectionQueueTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private final CountDownLatch release = new CountDownLatch(1);
    private ConnectionQueue queue;

    @AfterEach
    void close() {
        release.countDown();
        if (queue != null) {
            queue.close();
        }
    }

    @Test
    void waitingCallersGetTheConnectionInTheOrderTheyAsked() throws Exception {
        queue = open(Duration.ofSeconds(10));
        CompletableFuture<Void> holder = hold();
        List<Integer> order = new ArrayList<>();
        List<CompletableFuture<Void>> callers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int caller = i;
            callers.add(CompletableFuture.runAsync(() -> call(() -> order.add(caller)), Thread::startVirtualThread));
            Await.until("caller " + i + " queued", AWAIT, () -> queue.waiting() == caller + 1);
        }
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<Void> c : callers) {
            c.get(10, TimeUnit.SECONDS);
        }
        assertThat(order, is(List.of(0, 1, 2, 3, 4)));
        assertThat(queue.waiting(), is(0));
    }

    @Test
    void aCallerWithoutATurnWithinTheTimeoutIsRefused() throws Exception {
        queue = open(Duration.ofMillis(300));
        hold();
        long start = System.nanoTime();
        SQLException refused = assertThrows(SQLException.class, () -> queue.with(c -> true));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(refused, instanceOf(SQLTransientConnectionException.class)); // Failures: 503, not 500
        assertThat(refused.getMessage(), containsString("within 300 ms"));
        assertThat(millis, greaterThanOrEqualTo(250L));
        assertThat("one timeout, not one per stage", millis, lessThan(3_000L));
    }

    @Test
    void anInterruptedWaitIsRefusedAndKeepsTheInterrupt() throws Exception {
        queue = open(Duration.ofSeconds(30));
        hold();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        CompletableFuture<SQLException> waiter = new CompletableFuture<>();
        Thread thread = Thread.startVirtualThread(() -> {
            try {
                queue.with(c -> true);
                waiter.complete(null);
            } catch (SQLException e) {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                waiter.complete(e);
            }
        });
        Await.until("the caller queued", AWAIT, () -> queue.waiting() == 1);
        thread.interrupt();
        SQLException refused = waiter.get(10, TimeUnit.SECONDS);
        assertThat(refused, instanceOf(SQLTransientConnectionException.class));
        assertThat(stillInterrupted.get(), is(true));
        assertThat(queue.waiting(), is(0));
    }

    @Test
    void aTurnComesBackWhenTheWorkFails() throws Exception {
        queue = open(Duration.ofSeconds(1));
        for (int i = 0; i < 3; i++) { // one connection: a turn not given back would refuse the second call
            SQLException failed = assertThrows(SQLException.class,
                                               () -> queue.with(c -> c.prepareStatement("SELECT * FROM nowhere")));
            assertThat(failed, instanceOf(SQLSyntaxErrorException.class)); // the work's own failure, as it was
        }
        assertThat(queue.with(c -> c.isValid(1)), is(true));
        assertThat(queue.active(), is(0));
    }

    private static ConnectionQueue open(Duration timeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("queue-test");
        config.setJdbcUrl("jdbc:h2:mem:queue-" + UUID.randomUUID());
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        return new ConnectionQueue(config, timeout);
    }

    /** Takes the one connection and keeps it until {@link #release}; returns once it holds it. */
    private CompletableFuture<Void> hold() {
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> call(() -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), Thread::startVirtualThread);
        try {
            if (!holding.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the holder never got the connection");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return held;
    }

    private void call(Runnable onConnection) {
        try {
            queue.with(c -> {
                onConnection.run();
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
