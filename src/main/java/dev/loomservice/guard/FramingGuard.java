package dev.loomservice.guard;

import java.util.Locale;

import dev.loomservice.stage.Stage;

import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.common.uri.UriPath;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.DirectTransportRequest;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Refuses the two malformed requests that Helidon 4.5 lets through: a request target that is neither a path nor
 * an absolute URI (it routes {@code GET abc} as a path, a 404) and a header with an empty name ({@code ": value"},
 * accepted and ignored). Two requests it refuses or misroutes are made to work, as RFC 9112 asks: an absolute-form
 * target ({@code GET http://host/path}, section 3.2.2), which {@link #originForm()} routes by its path, and an
 * {@code Upgrade} protocol name in another case ({@code WebSocket}), which Helidon looks up case-sensitively. Helidon 4.5 itself refuses the framings that let two parties disagree on where a request ends
 * (RFC 9112 section 6.3: repeated, listed, signed or non-numeric {@code Content-Length}, {@code Transfer-Encoding}
 * with {@code Content-Length}; a transfer coding other than {@code chunked} is its 501).
 *
 * <p>It runs as an HTTP/1 receive listener, on the connection's thread, right after the request line and the
 * headers are parsed, before anything is routed. A refusal is a {@link RequestException} without keep-alive: Helidon
 * answers 400 through the listener's direct handler and closes the connection, so what follows is never read as
 * another request.
 */
public final class FramingGuard implements Http1ConnectionListener {
    /** The request line being read on this connection's thread, for the refusal of its headers (HEAD: no body). */
    private final ThreadLocal<HttpPrologue> current = new ThreadLocal<>();

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        current.set(prologue);
        String target = prologue.uriPath().rawPath();
        if (!target.startsWith("/") && absolutePathStart(target) < 0) {
            throw refusal(DirectTransportRequest.create(prologue, WritableHeaders.create()),
                          "the request target must be a path starting with '/', or an absolute http(s) URI");
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        for (Header header : headers) {
            if (header.name().isEmpty()) {
                HttpPrologue prologue = current.get();
                throw refusal(prologue == null ? DirectHandler.TransportRequest.empty()
                                      : DirectTransportRequest.create(prologue, WritableHeaders.create()),
                              "a header has an empty name");
            }
        }
        if (headers instanceof WritableHeaders<?> writable && writable.contains(HeaderNames.UPGRADE)) {
            String upgrade = writable.get(HeaderNames.UPGRADE).get();
            String lower = upgrade.toLowerCase(Locale.ROOT);
            if (!lower.equals(upgrade)) {
                writable.set(HeaderNames.UPGRADE, lower); // protocol names are case-insensitive (RFC 6455, 4.2.1)
            }
        }
    }

    /**
     * The stage that routes an absolute-form request by its path: {@code GET http://host:8080/io?ms=5} as
     * {@code GET /io?ms=5}. Install it before the stages that log or count requests, so they see the path.
     */
    public Stage originForm() {
        return (req, res) -> {
            HttpPrologue prologue = req.prologue();
            String target = prologue.uriPath().rawPath();
            int path = target.startsWith("/") ? -1 : absolutePathStart(target);
            if (path >= 0) {
                String rawPath = path == target.length() ? "/" : target.substring(path);
                req.prologue(prologue.withUriPath(UriPath.create(rawPath)));
            }
            return null;
        };
    }

    /**
     * Where the path starts in an absolute {@code http} or {@code https} URI with an authority (the scheme in any
     * case); the length of {@code target} if it has no path; -1 if it is no such URI.
     */
    private static int absolutePathStart(String target) {
        int colon = target.indexOf("://");
        String scheme = colon < 0 ? "" : target.substring(0, colon);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            return -1;
        }
        int authority = colon + 3;
        int slash = target.indexOf('/', authority);
        int end = slash < 0 ? target.length() : slash;
        if (end == authority || target.substring(authority, end).indexOf('@') >= 0) {
            return -1; // no host, or user information, which RFC 9110 (4.2.4) forbids in http(s) URIs
        }
        return end;
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
