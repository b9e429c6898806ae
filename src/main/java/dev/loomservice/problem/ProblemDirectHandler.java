package dev.loomservice.problem;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Renders the errors Helidon answers before routing (malformed request line or headers, oversized ones, a
 * request our framing guard refused) as problem+json, like every other error of the service.
 *
 * <p>Helidon's own messages may end in a hex dump of the offending bytes, so only their first line is kept, and
 * capped; 5xx get a fixed sentence. Three Helidon 4.2.6 answers are corrected, so that client garbage is always a
 * 4xx (a 5xx says the server is at fault, and is what alerts watch):
 * <ul>
 *   <li>headers over {@code max-headers-size}: 400 becomes 431 (Request Header Fields Too Large, RFC 6585);</li>
 *   <li>a request its parser throws on (e.g. {@code G<T / HTTP/1.1}, or TLS bytes on the plain port): an
 *   "internal error" becomes 400 (routing errors never come here: {@link Problems} handles those);</li>
 *   <li>HTTP/1.0, which Helidon 4 does not implement: 505 becomes 400 with a detail saying to use HTTP/1.1.</li>
 * </ul>
 * Helidon closes these connections itself. An answer to HEAD carries no body.
 */
public final class ProblemDirectHandler implements DirectHandler {
    /**
     * An internal header: the length a HEAD answer's body would have had. The send listener of
     * {@code guard.HeadRequests} turns it into {@code Content-Length} and removes it; it never leaves the server.
     */
    public static final HeaderName HEAD_LENGTH = HeaderNames.create("Loom-Head-Content-Length");

    private static final Status HEADERS_TOO_LARGE = Status.create(431, "Request Header Fields Too Large");
    private static final int MAX_DETAIL = 200;

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        String text = message == null ? "" : message;
        Status status = defaultStatus;
        String detail;
        if (text.startsWith("Header size exceeded")) {
            status = HEADERS_TOO_LARGE;
            detail = "the request headers are larger than this server accepts";
        } else if (status.code() == 505) {
            status = Status.BAD_REQUEST_400;
            detail = "this server speaks HTTP/1.1 only; got HTTP/" + request.protocolVersion();
        } else if (eventType == EventType.INTERNAL_ERROR) {
            // Before routing, Helidon only fails this way when its parser throws on the client's bytes; it logs
            // the stack itself (WARNING), so nothing is hidden from the operator.
            status = Status.BAD_REQUEST_400;
            detail = "malformed request";
        } else if (status.code() == 501) {
            detail = firstLine(text); // a transfer coding we do not implement: the client's to fix
        } else if (status.code() >= 500) {
            detail = "the server failed to handle this request; see its log";
        } else {
            detail = firstLine(text).isEmpty() ? status.reasonPhrase() : firstLine(text);
        }
        String path = request.path();
        byte[] body = Problems.json(status, detail, path.isEmpty() ? null : path).getBytes(StandardCharsets.UTF_8);
        TransportResponse.Builder response = TransportResponse.builder()
                .status(status)
                .headers(responseHeaders)
                .header(Problems.CONTENT_TYPE);
        if (request.method().equals("HEAD")) {
            // no body for HEAD; the length it would have had goes to Content-Length (see HeadRequests)
            return response.header(HEAD_LENGTH, String.valueOf(body.length)).build();
        }
        return response.entity(body).build();
    }

    private static String firstLine(String message) {
        String line = message.lines().findFirst().orElse("").strip();
        if (line.endsWith(":")) {
            line = line.substring(0, line.length() - 1).strip();
        }
        line = line.length() > MAX_DETAIL ? line.substring(0, MAX_DETAIL) + "..." : line;
        return line.toLowerCase(Locale.ROOT).startsWith("bad request") ? "malformed request" : line;
    }
}
