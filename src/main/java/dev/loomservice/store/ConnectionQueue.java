package dev.loomservice.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.pool.HikariPool;

/**
 * A HikariCP pool whose connections go to the callers in the order they asked, each caller waiting at most one
 * timeout in all.
 *
 * <p>Why not HikariCP's own queue: a caller there first looks for a free connection and only then queues, so a
 * connection that comes back can go to a newcomer ahead of the callers already waiting, and a waiter that loses that
 * race queues again at the back. With many more requests than connections, most waits are then short and a few
 * are long enough to reach the timeout: a 503 while the average wait is a few milliseconds (measured in
 * bench/README, "Connections in arrival order"). Here a fair semaphore with one permit per connection orders the callers
 * first; a caller that holds a permit finds a connection free (unless the pool is replacing one) and asks the pool
 * with what is left of its timeout.
 */
final class ConnectionQueue implements AutoCloseable {
    private final HikariPool pool;
    private final Semaphore turns;
    private final long timeoutNanos;

    /** Opens the pool ({@code config}'s maximum pool size is also the number of turns). */
    ConnectionQueue(HikariConfig config, Duration timeout) {
        config.validate();
        this.pool = new HikariPool(config);
        this.turns = new Semaphore(config.getMaximumPoolSize(), true);
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Runs {@code work} on a connection once the caller's turn has come, then gives the connection back.
     *
     * @throws SQLTransientConnectionException no connection within the timeout, or interrupted while waiting (the
     *         interrupt stays set)
     * @throws SQLException what {@code work} or the pool threw
     */
    <T> T with(Database.Work<T> work) throws SQLException {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            if (!turns.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new SQLTransientConnectionException("no database connection free within "
                                                                  + timeoutNanos / 1_000_000 + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while waiting for a database connection", e);
        }
        try (Connection c = pool.getConnection(Math.max(0, deadline - System.nanoTime()) / 1_000_000)) {
            return work.run(c);
        } finally {
            turns.release();
        }
    }

    /** Callers waiting for their turn now. */
    int waiting() {
        return turns.getQueueLength() + pool.getThreadsAwaitingConnection();
    }

    int active() {
        return pool.getActiveConnections();
    }

    int idle() {
        return pool.getIdleConnections();
    }

    @Override
    public void close() {
        try {
            pool.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
