package dev.loomservice.limit;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Makes {@code Connection: close} true. Helidon 4.2.6 sends that header (because the request asked for it, or a
 * handler refused a request without reading its body) and then goes on reading the connection; worse, it skips
 * reading the unread body, as it would for a closing connection, so the body's bytes are parsed as the next
 * request: a 415 or 413 for a POST would let a request hidden in its body through (request smuggling).
 *
 * <p>Installed as the outermost filter, after every response that says {@code Connection: close} it throws
 * Helidon's {@link CloseConnectionException}, which its error handling passes up to the connection handler, which
 * closes the socket. The response has been written by then.
 */
public final class CloseAfterResponse implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        chain.proceed();
        if (res.headers().contains(HeaderValues.CONNECTION_CLOSE)) {
            throw new CloseConnectionException("the response said Connection: close");
        }
    }
}
