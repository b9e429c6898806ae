package dev.loomservice.limit;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.Headers;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.DirectTransportRequest;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Refuses request framings that let two parties disagree on where a request ends (request smuggling, RFC 9112
 * section 6.3), which Helidon 4.2.6 accepts: repeated or comma-separated {@code Content-Length}, a length that is
 * not plain digits (signed, spaced, hex, too long), {@code Transfer-Encoding} together with {@code Content-Length},
 * a transfer coding other than exactly {@code chunked}, and {@code Transfer-Encoding} on HTTP/1.0; and two more
 * things it lets through: a header with an empty name, and a request target that is not a path.
 *
 * <p>It runs as an HTTP/1 receive listener, on the connection's thread, right after the headers are parsed and
 * before Helidon decides how to read the body or routes anything. A refusal is a {@link RequestException}
 * without keep-alive: Helidon answers 400 through the listener's direct handler and closes the connection, so the
 * bytes after the headers are never read as a second request.
 */
public final class FramingGuard implements Http1ConnectionListener {
    private static final int MAX_LENGTH_DIGITS = 18; // fits a long, far beyond any payload limit
    private final ThreadLocal<HttpPrologue> prologue = new ThreadLocal<>();

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        this.prologue.set(prologue); // one connection, one thread: remembered for the headers() of this request
        if (!prologue.uriPath().rawPath().startsWith("/")) {
            refuse(null, "the request target must be a path starting with '/'");
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        for (Header header : headers) {
            if (header.name().isEmpty()) {
                refuse(headers, "a header has an empty name");
            }
        }
        List<String> lengths = headers.all(HeaderNames.CONTENT_LENGTH, List::of);
        List<String> codings = headers.all(HeaderNames.TRANSFER_ENCODING, List::of);
        if (lengths.size() > 1 || (lengths.size() == 1 && lengths.getFirst().contains(","))) {
            refuse(headers, "Content-Length must be given once, as one number");
        }
        if (lengths.size() == 1 && !digits(lengths.getFirst())) {
            refuse(headers, "Content-Length must be plain decimal digits");
        }
        if (!codings.isEmpty()) {
            if (!lengths.isEmpty()) {
                refuse(headers, "Transfer-Encoding and Content-Length must not both be given");
            }
            HttpPrologue p = prologue.get();
            if (p != null && "1.0".equals(p.protocolVersion())) {
                refuse(headers, "Transfer-Encoding is not allowed in HTTP/1.0");
            }
            if (!onlyChunked(codings)) {
                refuse(headers, "the only transfer coding accepted is 'chunked'");
            }
        }
    }

    private static boolean digits(String value) {
        return !value.isEmpty() && value.length() <= MAX_LENGTH_DIGITS
                && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Exactly one coding in total, and it is {@code chunked} (any other coding we would not be able to decode). */
    private static boolean onlyChunked(List<String> values) {
        List<String> all = values.stream()
                .flatMap(v -> Arrays.stream(v.split(",", -1)))
                .map(v -> v.strip().toLowerCase(Locale.ROOT))
                .toList();
        return all.size() == 1 && all.getFirst().equals("chunked");
    }

    private void refuse(Headers headers, String why) {
        HttpPrologue p = prologue.get();
        throw RequestException.builder()
                .type(DirectHandler.EventType.BAD_REQUEST)
                .status(Status.BAD_REQUEST_400)
                .setKeepAlive(false)
                .message(why)
                .request(p == null ? DirectHandler.TransportRequest.empty()
                                 : DirectTransportRequest.create(p, headers == null ? WritableHeaders.create() : headers))
                .build();
    }
}
