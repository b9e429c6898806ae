package dev.loomservice.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates and migrates the schema: the numbered SQL scripts under {@code db/} on the class path, in order, each
 * once, in one transaction with the row in {@code loom_schema} that records it. The same scripts run on H2 and on
 * PostgreSQL, so they stick to SQL both speak.
 *
 * <p>Instances starting together against one PostgreSQL may race to apply a script: PostgreSQL's DDL is
 * transactional, so the loser's transaction fails on the winner's table or version row, rolls back, and its retry
 * finds the script applied.
 */
final class Schema {
    /** Append only: a script, once released, is never edited; a change is a new script. */
    private static final List<String> SCRIPTS = List.of("db/1-posts.sql");
    private static final int ATTEMPTS = 3;

    private Schema() {
    }

    /** Brings the database on {@code c} up to date; on return, every script is applied. */
    static void migrate(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    apply(c);
                    return;
                } catch (SQLException e) {
                    c.rollback();
                    if (attempt == ATTEMPTS || Failures.unavailable(e)) {
                        throw e;
                    }
                }
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static void apply(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS loom_schema (version INT PRIMARY KEY, script VARCHAR(200) NOT NULL,"
                              + " applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)");
            c.commit();
            int current;
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM loom_schema")) {
                rs.next();
                current = rs.getInt(1);
            }
            for (int version = current + 1; version <= SCRIPTS.size(); version++) {
                String script = SCRIPTS.get(version - 1);
                for (String statement : read(script).split(";\\s*(\\n|$)")) {
                    if (!statement.isBlank()) {
                        s.execute(statement);
                    }
                }
                try (PreparedStatement record = c.prepareStatement(
                        "INSERT INTO loom_schema (version, script) VALUES (?, ?)")) {
                    record.setInt(1, version);
                    record.setString(2, script);
                    record.executeUpdate();
                }
                c.commit();
            }
        }
    }

    /** The script without its comment lines; statements end with a semicolon at the end of a line. */
    private static String read(String script) {
        try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("schema script missing from the class path: " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.strip().startsWith("--"))
                    .reduce("", (a, b) -> a + b + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
