package dev.loomservice.bench;

import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.JsonObject;

import static dev.loomservice.bench.HelidonBare.problem;

/**
 * {@code /posts} in PostgreSQL: plain blocking JDBC on the request's virtual thread over a fixed-size HikariCP
 * pool, the driver and pool loom-service uses, in loom-service's table. The row holds the fields as JSON-P
 * serialises them (compact, key order kept), and the answers are {@code {"id":N,} then those fields, byte for
 * byte what loom-service answers. None of loom-service's own layers: no query timeout, no metrics, no readiness
 * probe; a failed statement is a 503 problem.
 */
final class PgPosts implements PostRoutes {
    private final HikariDataSource pool;

    /** {@code uri}: {@code postgresql://USER@HOST:PORT/DATABASE}, as every peer takes it. */
    PgPosts(String uri, int size) {
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
    public void create(ServerRequest req, ServerResponse res) throws IOException {
        JsonObject fields = Posts.object(req);
        if (fields.containsKey("id")) {
            throw problem(Status.UNPROCESSABLE_CONTENT_422, "'id' is assigned by the server; leave it out");
        }
        String stored = fields.toString();
        long id;
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO posts (body) VALUES (?)", new String[] {"id"})) {
            s.setString(1, stored);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        res.status(Status.CREATED_201)
                .header(HeaderNames.LOCATION, "/posts/" + id)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .send(withId(id, stored));
    }

    @Override
    public void find(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        String stored = null;
        if (id.matches("[0-9]{1,18}")) {
            try (Connection c = pool.getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT body FROM posts WHERE id = ?")) {
                s.setLong(1, Long.parseLong(id));
                try (ResultSet rs = s.executeQuery()) {
                    stored = rs.next() ? rs.getString(1) : null;
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }
        if (stored == null) {
            throw problem(Status.NOT_FOUND_404, "no post with id '" + id + "'");
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(withId(Long.parseLong(id), stored));
    }

    /** {"id":N,...fields}: the stored object with the id put first, as loom-service composes it. */
    private static String withId(long id, String stored) {
        return "{\"id\":" + id + (stored.equals("{}") ? "}" : "," + stored.substring(1));
    }

    private static RuntimeException unavailable(SQLException e) {
        System.err.println("posts database: " + e);
        return problem(Status.SERVICE_UNAVAILABLE_503, "the posts database is not answering");
    }
}
