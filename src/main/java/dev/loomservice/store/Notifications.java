package dev.loomservice.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One PostgreSQL {@code LISTEN/NOTIFY} channel: {@link #publish} sends a payload to every session listening on it
 * (this process's included), and this process listens on one dedicated connection, on one virtual thread that
 * blocks in pgjdbc's {@code PGConnection.getNotifications(timeoutMillis)} and hands each payload to the
 * {@link Listener}, one at a time, in the order the database delivers them.
 *
 * <p>The order: "messages from different transactions are delivered in the order in which the transactions
 * committed" (PostgreSQL 15 documentation, SQL command NOTIFY, https://www.postgresql.org/docs/15/sql-notify.html).
 * Each {@link #publish} is a transaction of its own, and every listening session reads the same queue, so every
 * instance receives every payload in one and the same order, the commit order. The same page: identical payloads
 * within one transaction may be folded into one (never across transactions), and a payload must be shorter than
 * 8000 bytes ({@link #fits}).
 *
 * <p>The connection goes away (database stopped, network cut, backend killed): the listener hears {@link
 * Listener#lost}, since whatever was sent meanwhile will never arrive (a session only receives what is committed
 * after its {@code LISTEN}); the thread reconnects with a doubling backoff ({@link #MIN_BACKOFF} to
 * {@link #MAX_BACKOFF}), and {@link Listener#listening} says when it listens again. A connection that is quiet for
 * {@link #POLL} is asked whether it still answers, so a silently dead one is noticed too.
 */
public final class Notifications implements AutoCloseable {
    /** PostgreSQL's bound (default build): "the payload must be shorter than 8000 bytes", in the server's encoding. */
    public static final int MAX_PAYLOAD_BYTES = 7999;
    static final Duration POLL = Duration.ofSeconds(1);
    static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final System.Logger LOG = System.getLogger(Notifications.class.getName());

    private final Database database;
    private final String channel;
    private final Listener listener;
    private volatile boolean closed;
    private volatile boolean listening;
    private Thread thread;

    /** What the listening thread reports; called on that thread, one call at a time, so keep each call short. */
    public interface Listener {
        /** {@code LISTEN} is in effect: every payload committed from now on will be {@link #received}. */
        void listening();

        /** The next payload on the channel. */
        void received(String payload);

        /** The listening connection failed: payloads sent from now until the next {@link #listening} are missed. */
        void lost(String why);
    }

    /** @param channel a lower-case SQL identifier: it is written into {@code LISTEN} as it is */
    public Notifications(Database database, String channel, Listener listener) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("not a plain channel name: " + channel);
        }
        this.database = database;
        this.channel = channel;
        this.listener = listener;
    }

    /** Whether {@code payload} is short enough for PostgreSQL (UTF-8, the encoding of our databases). */
    public static boolean fits(String payload) {
        return payload.length() <= MAX_PAYLOAD_BYTES / 3
                || payload.getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES;
    }

    /** Starts listening, on a thread of its own; returns at once (the database may be down). */
    public synchronized void start() {
        if (thread == null && !closed) {
            thread = Thread.ofVirtual().name("notify-listen-" + channel).start(this::run);
        }
    }

    /** True while the listening connection is up with {@code LISTEN} in effect. */
    public boolean listening() {
        return listening;
    }

    /**
     * Sends {@code payload} to every listener, in a transaction of its own; returns once it is committed. The
     * commit does not wait for the write-ahead log to be flushed: {@code synchronous_commit} is off for this
     * transaction alone ({@code set_config(..., true)} is {@code SET LOCAL}, and "the behavior for any one
     * transaction is determined by the setting in effect when it commits", PostgreSQL 15 documentation, 20.5.1).
     * Why: a notification is not stored data, so a crash can lose nothing a flush would have kept; and PostgreSQL
     * holds a cluster-wide lock from a notifying transaction's queue insert until its commit is complete (that is
     * how the queue stays in commit order: {@code PreCommit_Notify} in {@code async.c}), so a flush there would be
     * waited for by every notifying transaction of every instance, one after the other.
     *
     * @throws Database.Unavailable the database is down or busy (see {@link Database#call})
     * @throws IllegalArgumentException the payload does not {@link #fits fit}
     */
    public void publish(String payload) {
        if (!fits(payload)) {
            throw new IllegalArgumentException("a notification payload must be under 8000 bytes");
        }
        database.call("notify", c -> {
            try (PreparedStatement s = database.prepare(
                    c, "SELECT set_config('synchronous_commit', 'off', true), pg_notify(?, ?)")) {
                s.setString(1, channel);
                s.setString(2, payload);
                s.executeQuery().close();
            }
            return null;
        });
    }

    /** Stops listening; returns once the thread has ended (interrupting it closes its socket). */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(MAX_BACKOFF.multipliedBy(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (!closed) {
            try (Connection c = connect()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                listening = true;
                LOG.log(System.Logger.Level.INFO, "listening on " + channel + " (" + database.settings().display() + ")");
                listener.listening();
                backoff = MIN_BACKOFF;
                receive(c);
            } catch (SQLException | RuntimeException e) {
                if (listening) {
                    listening = false;
                    String why = closed ? "stopping" : e.getMessage();
                    LOG.log(closed ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                            "stopped listening on " + channel + ": " + why);
                    listener.lost(why);
                }
            }
            if (!closed && !pause(backoff)) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Hands on notifications until the connection fails (an exception) or {@link #close}. */
    private void receive(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
            PGNotification[] batch = pg.getNotifications((int) POLL.toMillis());
            if (batch == null || batch.length == 0) {
                if (!c.isValid(database.settings().queryTimeoutSeconds())) {
                    throw new SQLException("the listening connection stopped answering", "08006");
                }
                continue;
            }
            for (PGNotification n : batch) {
                listener.received(n.getParameter());
            }
        }
        throw new SQLException("closed", "08003");
    }

    /**
     * A connection of its own, outside the pool: it stays in {@code LISTEN} for the process's life, and it must not
     * carry the pool's socket timeout (a quiet channel is no failure). Autocommit, as notifications reach a session
     * only between transactions.
     */
    private Connection connect() throws SQLException {
        DbSettings s = database.settings();
        Properties props = new Properties();
        if (!s.user().isEmpty()) {
            props.setProperty("user", s.user());
        }
        if (!s.password().isEmpty()) {
            props.setProperty("password", s.password());
        }
        props.setProperty("connectTimeout", String.valueOf(Math.max(1, (s.connectionTimeout().toMillis() + 999) / 1000)));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "loom-service listen " + channel);
        return DriverManager.getConnection(s.jdbcUrl(), props);
    }

    private boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            return false; // closed
        }
    }
}
