package dev.loomservice.store;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Tells a database that is unreachable, overloaded or slow (the client should retry: 503) from a statement that is
 * wrong (our bug: 500). Decided by the JDBC exception class and the SQLSTATE class, which pgjdbc, H2 and HikariCP
 * all fill in.
 */
final class Failures {
    /**
     * SQLSTATE classes of passing trouble: 08 connection exception, 40 transaction rollback (serialization,
     * deadlock), 53 insufficient resources, 57 operator intervention (query cancelled by our timeout, server
     * shutting down), 58 system error, HY (H2's HYT00 lock timeout).
     */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "57", "58", "HY");
    /** H2's own codes for a database that is closed, in use by another process, or shutting down. */
    private static final Set<String> H2_UNAVAILABLE = Set.of("90020", "90067", "90098", "90121");

    private Failures() {
    }

    static boolean unavailable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() >= 2
                    && (TRANSIENT_CLASSES.contains(sql.getSQLState().substring(0, 2))
                        || H2_UNAVAILABLE.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
