package dev.loomservice.limit;

import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.DirectTransportRequest;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Refuses the two malformed requests that Helidon 4.5 lets through: a request target that is not a path (it
 * routes {@code GET abc} as a path, a 404) and a header with an empty name ({@code ": value"}, accepted and
 * ignored). Helidon 4.5 itself refuses the framings that let two parties disagree on where a request ends
 * (RFC 9112 section 6.3: repeated, listed, signed or non-numeric {@code Content-Length}, {@code Transfer-Encoding}
 * with {@code Content-Length}; a transfer coding other than {@code chunked} is its 501).
 *
 * <p>It runs as an HTTP/1 receive listener, on the connection's thread, right after the request line and the
 * headers are parsed, before anything is routed. A refusal is a {@link RequestException} without keep-alive: Helidon
 * answers 400 through the listener's direct handler and closes the connection, so what follows is never read as
 * another request.
 */
public final class FramingGuard implements Http1ConnectionListener {
    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        if (!prologue.uriPath().rawPath().startsWith("/")) {
            throw refusal(DirectTransportRequest.create(prologue, WritableHeaders.create()),
                          "the request target must be a path starting with '/'");
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        for (Header header : headers) {
            if (header.name().isEmpty()) {
                throw refusal(DirectHandler.TransportRequest.empty(), "a header has an empty name");
            }
        }
    }

    private static RequestException refusal(DirectHandler.TransportRequest request, String why) {
        return RequestException.builder()
                .type(DirectHandler.EventType.BAD_REQUEST)
                .status(Status.BAD_REQUEST_400)
                .setKeepAlive(false)
                .message(why)
                .request(request)
                .build();
    }
}
