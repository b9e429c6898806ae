package dev.loomservice.problem;

import java.io.IOException;

import io.helidon.webserver.CloseConnectionException;

/**
 * Tells a failure of the client's connection (it reset it, or it is closing) from a failure of ours. The
 * difference decides what is recorded and logged: a client that leaves mid-request is nobody's 500, and its
 * departure is no stack trace in the log. A request cut short by an orderly close (FIN) is not this: that client
 * may still read, and is told its request was incomplete.
 */
public final class ClientGone {
    private ClientGone() {
    }

    /** True when {@code failure}, or a cause of it, is an I/O error or a connection Helidon is closing. */
    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof CloseConnectionException) {
                return true;
            }
        }
        return false;
    }
}
