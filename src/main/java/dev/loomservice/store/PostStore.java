package dev.loomservice.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code posts} table: plain blocking JDBC, one short statement per call, each on a connection borrowed from
 * {@link Database} for just that statement and committed when it returns (auto-commit). A post is kept until it is
 * deleted; ids are assigned by the database, ascending, never reused.
 *
 * <p>Every method may throw {@link Database.Unavailable}.
 */
public final class PostStore {
    private final Database db;

    /** One stored post: its id and the JSON text it was stored with. */
    public record Row(long id, String body) {
    }

    public PostStore(Database db) {
        this.db = db;
    }

    /** Stores {@code body} and returns its new id; when this returns, the row is committed. */
    public long add(String body) {
        return db.call("insert", c -> {
            try (PreparedStatement s = db.prepare(c, "INSERT INTO posts (body) VALUES (?)", "id")) {
                s.setString(1, body);
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    public Optional<String> find(long id) {
        return db.call("select", c -> {
            try (PreparedStatement s = db.prepare(c, "SELECT body FROM posts WHERE id = ?")) {
                s.setLong(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Up to {@code limit} posts with ids above {@code after}, in id order. */
    public List<Row> page(long after, int limit) {
        return db.call("page", c -> {
            try (PreparedStatement s = db.prepare(c, "SELECT id, body FROM posts WHERE id > ? ORDER BY id"
                    + " FETCH FIRST ? ROWS ONLY")) {
                s.setLong(1, after);
                s.setInt(2, limit);
                List<Row> rows = new ArrayList<>(limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getString(2)));
                    }
                }
                return rows;
            }
        });
    }

    /** @return whether there was such a post */
    public boolean delete(long id) {
        return db.call("delete", c -> {
            try (PreparedStatement s = db.prepare(c, "DELETE FROM posts WHERE id = ?")) {
                s.setLong(1, id);
                return s.executeUpdate() > 0;
            }
        });
    }
}
