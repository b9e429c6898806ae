package dev.loomservice.client;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * Why a request got no usable answer, in words a user can act on: {@code kind} is one of a small, stable set
 * (printed by {@code fetch} and written to the crawl's JSON lines), {@code detail} is the specific reason.
 *
 * @param kind   the class of failure
 * @param detail what happened, e.g. {@code "Connection refused"} or {@code "404 Not Found"}
 */
public record Failure(Kind kind, String detail) {

    /** The classes of failure; their lower-case names are part of the output formats. */
    public enum Kind {
        /** The host name did not resolve. */
        DNS,
        /** Nothing listens on that port (or a firewall said no). */
        REFUSED,
        /** No complete answer within the deadline. */
        TIMEOUT,
        /** The TLS handshake failed (certificate, protocol). */
        TLS,
        /** Any other network or protocol error. */
        IO,
        /** The server answered with a 4xx or 5xx status. */
        STATUS,
        /** The crawler's robots.txt rules forbid the URL. */
        ROBOTS;

        /** The name used in the output formats. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** No complete answer within {@code deadline}. */
    public static Failure timeout(Duration deadline) {
        return new Failure(Kind.TIMEOUT, "no complete answer within " + deadline.toMillis() + " ms");
    }

    /** An answer with an error status. */
    public static Failure status(int code, String reason) {
        return new Failure(Kind.STATUS, (code + " " + reason).strip());
    }

    /** Classifies {@code e} by the most specific cause in its chain that says what went wrong. */
    public static Failure of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Kind kind = kindOf(t);
            if (kind != null) {
                return new Failure(kind, message(t));
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new Failure(Kind.IO, message(root));
    }

    @Override
    public String toString() {
        return kind.label() + " (" + detail + ")";
    }

    private static Kind kindOf(Throwable t) {
        return switch (t) {
            case UnknownHostException e -> Kind.DNS;
            case ConnectException e -> Kind.REFUSED;
            case NoRouteToHostException e -> Kind.REFUSED;
            case SocketTimeoutException e -> Kind.TIMEOUT;
            case InterruptedIOException e -> Kind.TIMEOUT;
            case SSLException e -> Kind.TLS;
            default -> null;
        };
    }

    private static String message(Throwable t) {
        String text = t.getMessage();
        if (t instanceof UnknownHostException) {
            return "unknown host " + text;
        }
        return text == null || text.isBlank() ? t.getClass().getSimpleName() : text;
    }
}
