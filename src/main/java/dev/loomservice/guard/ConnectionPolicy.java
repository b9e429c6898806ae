package dev.loomservice.guard;

import java.io.IOException;

import dev.loomservice.stage.Stage;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * Decides, once a response is written, what happens to its connection. Installed as the outermost stage, so it
 * acts after every other stage is done (and after the access log and metrics saw the response).
 *
 * <ul>
 *   <li><b>Close</b> after every response that says {@code Connection: close}. Helidon (4.5 too) sends that header
 *   (the request asked for it, or a handler refused a request without reading its body) and then goes on reading
 *   the connection; worse, it skips the unread body, as it would for a closing connection, so the body's bytes are
 *   parsed as the next request: a 415 or 413 for a POST would let a request hidden in its body through (request
 *   smuggling). Helidon's {@link CloseConnectionException} reaches its connection handler, which closes the
 *   socket.
 *   <p>The close is staged (RFC 9112, section 9.6): a request refused before its body was read (a 413 on
 *   {@code Content-Length}, a 415) leaves the client still sending it, and a socket closed with unread bytes in
 *   its receive buffer sends a reset, which can reach the client before it reads the response: the client then
 *   sees the connection fail instead of the 413. So what is left of the body is read and dropped first, for at
 *   most {@link ReadDeadline}'s {@code linger} (and no more than Helidon's {@code max-payload-size}), then the
 *   socket is closed.</li>
 *   <li><b>Bound</b> every body the route did not read. Helidon (4.5 too) reads such a body itself after the
 *   response, to reach the next request, and with no deadline: a request that declares a body and never sends it (or
 *   trickles it) held its connection for as long as the client liked, on any route, exempt ones included. Here it
 *   is read and dropped within {@link ReadDeadline}'s {@code linger}, and the connection closes if it does not end
 *   by then; the response has gone out before.</li>
 *   <li><b>Close</b> after a request that asked {@code Expect: 100-continue} and was answered without its body being
 *   read. Helidon then forgets the body, as if the client would never send it, and parses whatever comes next as a
 *   new request; but a client may send the body anyway (RFC 9110, section 10.1.1), and a body that holds a request
 *   would be served as one (request smuggling).</li>
 *   <li><b>Pause</b> for {@code Retry-After} after a request refused for load: a 503 that carries
 *   {@code Retry-After} in seconds (the limiter's, the CPU pool's, the WebSocket gate's). The 503 has gone out at once; the connection's next request is read only after the delay the client was asked to wait.
 *   A client that retries at once on the same connection (a retry storm, or a closed-loop load generator) then
 *   cannot keep the service busy refusing it: on one core, such a storm of instant retries starved the admitted
 *   requests completely (their wake-ups queued behind it). A paused connection costs one parked virtual thread.
 *   Clients that honour {@code Retry-After} lose nothing.</li>
 * </ul>
 */
public final class ConnectionPolicy implements Stage {
    private final ReadDeadline deadline;

    public ConnectionPolicy(ReadDeadline deadline) {
        this.deadline = deadline;
    }

    @Override
    public Object enter(RoutingRequest req, RoutingResponse res) {
        return null;
    }

    @Override
    public void exit(RoutingRequest req, RoutingResponse res, Object state, Throwable failure) {
        if (failure != null) {
            return; // it goes on to Helidon, which answers it and decides what becomes of the connection
        }
        // first(...), not contains(CONNECTION_CLOSE): that joins all of a header's values into a new String
        boolean close = res.headers().first(HeaderNames.CONNECTION).map("close"::equalsIgnoreCase).orElse(false);
        if (!req.content().consumed()) {
            if (!req.continueSent()) {
                // Helidon has reset the body to nothing; the client may still send it (see the class comment)
                throw new CloseConnectionException("a body awaiting 100-continue was not read");
            }
            close |= !dropUnreadBody(req);
        }
        if (close) {
            throw new CloseConnectionException("the response said Connection: close, or the body did not end in time");
        }
        long pause = res.status() == Status.SERVICE_UNAVAILABLE_503 ? retryAfterSeconds(res) : 0;
        if (pause > 0) {
            try {
                Thread.sleep(pause * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CloseConnectionException("interrupted while pausing the connection");
            }
        }
    }

    /**
     * Reads and drops what the client still sends of the body, within the linger deadline.
     *
     * @return true if the body ended in time; false if it did not, or failed (past the deadline, over
     *         max-payload-size, broken framing, the client gone): the connection must close
     */
    private boolean dropUnreadBody(ServerRequest req) {
        try {
            deadline.linger(() -> {
                req.content().consume();
                return null;
            });
            return req.content().consumed();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The response's {@code Retry-After} in seconds; 0 if it has none, or gives a date. */
    private static long retryAfterSeconds(RoutingResponse res) {
        String value = res.headers().first(HeaderNames.RETRY_AFTER).orElse("");
        if (value.isEmpty() || value.length() > 6 || !value.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Long.parseLong(value);
    }
}
