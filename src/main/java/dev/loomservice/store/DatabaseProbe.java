package dev.loomservice.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Asks the database, once a {@link #PERIOD}, whether it answers, on a one-connection pool of its own (a busy main
 * pool must not look like a database that is down); the first time it answers, migrates the schema. Readiness
 * follows {@link #up}, so it goes DOWN within a period of the database becoming unreachable and UP again by itself.
 * Only changes are logged, one line each.
 */
final class DatabaseProbe implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(DatabaseProbe.class.getName());

    private final HikariDataSource pool;
    private final DbSettings settings;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("db-probe").daemon(true).factory());
    private volatile boolean up;
    // the timer thread's alone (and start's, before the timer runs)
    private boolean migrated;
    private Boolean reported;

    DatabaseProbe(HikariDataSource pool, DbSettings settings) {
        this.pool = pool;
        this.settings = settings;
    }

    boolean up() {
        return up;
    }

    /** Probes once now, so a database that answers is migrated and UP before the first request, then every period. */
    void start() {
        probe();
        timer.scheduleWithFixedDelay(this::probe, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(settings.connectionTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        up = false;
        pool.close();
    }

    private void probe() {
        try (Connection c = pool.getConnection()) {
            if (!migrated) {
                Schema.migrate(c);
                migrated = true;
            }
            if (!c.isValid(settings.queryTimeoutSeconds())) {
                throw new SQLException("the connection did not answer within the query timeout", "08000");
            }
            report(true, "");
        } catch (SQLException | RuntimeException e) {
            report(false, ": " + e.getMessage());
        }
    }

    private void report(boolean now, String why) {
        up = now;
        if (reported == null || reported != now) {
            reported = now;
            LOG.log(now ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "database " + (now ? "UP" : "DOWN") + " (" + settings.display() + ")" + why);
        }
    }
}
