package dev.loomservice.store;

import java.time.Duration;
import java.util.Optional;

import dev.loomservice.config.ConfigValues;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;

/**
 * What {@code app.db} configures (documented in etc/application.yaml): where the database is, who we are to it, and
 * the pool's size and waits. Read once at startup; a later PostgreSQL {@code LISTEN} connection for chat takes its
 * URL and credentials from here too.
 *
 * @param url               the JDBC URL; absent: the embedded H2 database {@value #EMBEDDED}
 * @param user              empty: none (H2's default user, or the driver's default)
 * @param password          empty: none; meant for the environment ({@code APP_DB_PASSWORD}), never a committed file
 * @param poolSize          connections in the pool, the bound on queries running at once
 * @param connectionTimeout the longest a request waits for a pooled connection; then it is refused with 503
 * @param queryTimeout      the longest one statement may run (whole seconds, JDBC's unit); then 503
 */
public record DbSettings(Optional<String> url, String user, String password, int poolSize,
                         Duration connectionTimeout, Duration queryTimeout) {
    /** Relative to the working directory, which {@code ./loom} sets to the repository. */
    public static final String EMBEDDED = "jdbc:h2:file:./data/loom";

    public static DbSettings from(Config db) {
        Optional<String> url = db.get("url").asString().asOptional().filter(u -> !u.isBlank());
        if (url.isPresent() && !url.get().startsWith("jdbc:postgresql:") && !url.get().startsWith("jdbc:h2:")) {
            throw new ConfigException(db.get("url").key() + " must be a jdbc:postgresql: or jdbc:h2: URL; got "
                                              + url.get());
        }
        DbSettings s = new DbSettings(url,
                                      db.get("user").asString().orElse(""),
                                      db.get("password").asString().orElse(""),
                                      ConfigValues.intAtLeast(db.get("pool-size"), 1, 10),
                                      ConfigValues.duration(db.get("connection-timeout"), Duration.ofSeconds(1)),
                                      ConfigValues.duration(db.get("query-timeout"), Duration.ofSeconds(5)));
        if (s.connectionTimeout().toMillis() < 250) {
            // HikariCP's floor: below it, it silently uses 30 s instead
            throw new ConfigException(db.get("connection-timeout").key() + " must be at least PT0.25S; got "
                                              + s.connectionTimeout());
        }
        return s;
    }

    /**
     * The URL to connect to. H2's own JVM shutdown hook is turned off: it would close the database while the drain
     * lets running requests finish; we close it after the server has stopped.
     */
    public String jdbcUrl() {
        String u = url.orElse(EMBEDDED);
        return u.startsWith("jdbc:h2:") && !u.toUpperCase().contains("DB_CLOSE_ON_EXIT") ? u + ";DB_CLOSE_ON_EXIT=FALSE" : u;
    }

    public boolean postgres() {
        return jdbcUrl().startsWith("jdbc:postgresql:");
    }

    /** {@link #queryTimeout} in whole seconds, rounded up, at least 1. */
    public int queryTimeoutSeconds() {
        return (int) Math.max(1, (queryTimeout.toMillis() + 999) / 1000);
    }

    /** Shown in the startup line: the URL without credentials (a URL may carry {@code ?password=}). */
    public String display() {
        String u = url.orElse(EMBEDDED);
        int query = u.indexOf('?');
        return (query < 0 ? u : u.substring(0, query)) + ", pool " + poolSize;
    }
}
