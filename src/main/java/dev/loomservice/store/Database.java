package dev.loomservice.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.loomservice.observe.Histogram;
import dev.loomservice.observe.Metered;
import dev.loomservice.observe.PrometheusText;

/**
 * The process's database: one HikariCP pool over H2 or PostgreSQL, its schema ({@link Schema}), whether it answers
 * ({@link DatabaseProbe}), and its metrics. Callers run plain blocking JDBC on their own (virtual) thread through
 * {@link #call}; the pool bounds how many run at once, and a caller that finds no free connection waits for one,
 * in its turn ({@link ConnectionQueue}), at most {@code connection-timeout}.
 *
 * <p>Lifecycle: {@link #start} before the server takes requests (it never fails because the database is down: the
 * probe migrates and turns {@link #up} on once it answers), {@link #close} after the server has stopped.
 */
public final class Database implements Metered, AutoCloseable {
    private final DbSettings settings;
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private volatile ConnectionQueue pool;
    private volatile DatabaseProbe probe;

    /** The database did not answer in time, or refused: the caller should answer 503 and the client retry. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Work on a borrowed connection; the connection goes back to the pool when it returns. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    public Database(DbSettings settings) {
        this.settings = settings;
    }

    public DbSettings settings() {
        return settings;
    }

    /** Opens the pools (no connection is made here), migrates if the database answers, starts the probe. */
    public synchronized void start() {
        if (pool != null) {
            return;
        }
        pool = new ConnectionQueue(config("loom-db", settings.poolSize()), settings.connectionTimeout());
        // the probe's own connection: a busy pool must not read as a database that is down
        probe = new DatabaseProbe(new HikariDataSource(config("loom-db-probe", 1)), settings);
        probe.start();
    }

    /** True while the database answers and the schema is in place; false before {@link #start}. */
    public boolean up() {
        DatabaseProbe p = probe;
        return p != null && p.up();
    }

    /**
     * Runs {@code work} on a pooled connection, timing it as {@code op} (a short fixed name: it is a metric label).
     *
     * @throws Unavailable the database is down, slow or busy beyond the configured timeouts
     * @throws IllegalStateException the statement itself failed: a bug, not the client's nor the database's fault
     */
    public <T> T call(String op, Work<T> work) {
        if (!up()) {
            throw new Unavailable("the database is not answering", null);
        }
        try {
            return pool.with(c -> {
                long start = System.nanoTime();
                try {
                    return work.run(c);
                } finally {
                    latency.computeIfAbsent(op, k -> new Histogram()).record(System.nanoTime() - start);
                }
            });
        } catch (SQLException e) {
            if (Failures.unavailable(e)) {
                throw new Unavailable("the database failed: " + e.getMessage(), e);
            }
            throw new IllegalStateException("database statement failed (" + op + "): " + e.getMessage(), e);
        }
    }

    /** A prepared statement that may run at most {@code query-timeout}. */
    public PreparedStatement prepare(Connection c, String sql, String... generatedKeys) throws SQLException {
        PreparedStatement s = generatedKeys.length == 0 ? c.prepareStatement(sql) : c.prepareStatement(sql, generatedKeys);
        s.setQueryTimeout(settings.queryTimeoutSeconds());
        return s;
    }

    @Override
    public synchronized void close() {
        if (probe != null) {
            probe.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    public void writeMetrics(PrometheusText out) {
        ConnectionQueue p = pool;
        out.gauge("loom_db_up", "1 while the database answers the probe and its schema is in place.", up() ? 1 : 0)
                .gauge("loom_db_pool_max", "Connections the pool may hold.", settings.poolSize())
                .gauge("loom_db_pool_connections", "Pooled connections by state.", p == null ? 0 : p.active(),
                       "state", "active")
                .gauge("loom_db_pool_connections", "", p == null ? 0 : p.idle(), "state", "idle")
                .gauge("loom_db_pool_waiting", "Requests waiting for a pooled connection now.",
                       p == null ? 0 : p.waiting());
        out.histogram("loom_db_query_duration_seconds", "Time on a borrowed connection (statements, not the wait), per operation.");
        latency.forEach((op, h) -> h.write(out, "loom_db_query_duration_seconds", "op", op));
    }

    private HikariConfig config(String name, int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setJdbcUrl(settings.jdbcUrl());
        if (!settings.user().isEmpty()) {
            c.setUsername(settings.user());
        }
        if (!settings.password().isEmpty()) {
            c.setPassword(settings.password());
        }
        c.setMaximumPoolSize(size); // minimumIdle defaults to the same: a fixed-size pool, HikariCP's advice
        c.setConnectionTimeout(settings.connectionTimeout().toMillis());
        c.setInitializationFailTimeout(-1); // start even when the database is down; the probe reports it
        if (settings.postgres()) {
            int connect = (int) Math.max(1, (settings.connectionTimeout().toMillis() + 999) / 1000);
            c.addDataSourceProperty("connectTimeout", connect);
            // a backstop under setQueryTimeout: a database that stopped answering (not even the cancel) still
            // releases the thread, which then finds the connection broken and answers 503
            c.addDataSourceProperty("socketTimeout", settings.queryTimeoutSeconds() + 1);
        }
        return c;
    }
}
