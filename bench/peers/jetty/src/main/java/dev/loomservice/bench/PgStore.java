package dev.loomservice.bench;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Posts in PostgreSQL (the db scenario): plain blocking JDBC on the handler's thread (a pool thread or a virtual
 * thread, as {@code --threads} says) over a fixed-size HikariCP pool, the driver, pool and table loom-service and
 * the bare Helidon peer use. A failed statement is a 503 problem.
 */
final class PgStore implements Posts.Store {
    private final HikariDataSource pool;

    /** {@code uri}: {@code postgresql://USER@HOST:PORT/DATABASE}, as every peer takes it. */
    PgStore(String uri, int size) {
        URI u = URI.create(uri);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath());
        if (u.getUserInfo() != null) {
            config.setUsername(u.getUserInfo());
        }
        config.setMaximumPoolSize(size); // minimumIdle defaults to the same: a fixed-size pool, as loom-service's
        this.pool = new HikariDataSource(config);
    }

    @Override
    public long insert(String fields) {
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO posts (body) VALUES (?)", new String[] {"id"})) {
            s.setString(1, fields);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public String find(long id) {
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT body FROM posts WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static Problem unavailable(SQLException e) {
        System.err.println("posts database: " + e);
        return new Problem(503, "the posts database is not answering");
    }
}
