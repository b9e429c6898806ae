package dev.loomservice.guard;

import io.helidon.http.Header;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Refuses to send a response header that could split the response: a value with a control character other than
 * tab (CR and LF above all), or a name that is not an RFC 9110 token. The same rules as Helidon's
 * {@code validate-response-headers}, checked in place: Helidon's check copies every header name into a new char
 * array on every response, which made it one of the larger costs of a small response (bench/README).
 *
 * <p>An HTTP/1 send listener, so it sees the final headers just before they are written. A refused header is
 * removed and an {@link IllegalArgumentException} thrown, as Helidon's check throws: the handler's failure is then
 * answered like any other, a generic 500 (whose own headers pass), and nothing of the header is sent.
 */
public final class ResponseHeaderGuard implements Http1ConnectionListener {
    /** RFC 9110 tchar, by ASCII code: visible ASCII except the separators. A table: every response looks it up. */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '!'; c < 0x7f; c++) {
            TCHAR[c] = "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        for (Header header : headers) {
            String why = refusal(header);
            if (why != null) {
                if (headers instanceof WritableHeaders<?> writable) {
                    writable.remove(header.headerName());
                }
                throw new IllegalArgumentException(why);
            }
        }
    }

    /** Why {@code header} may not be sent, or null. */
    private static String refusal(Header header) {
        String name = header.name();
        if (!token(name)) {
            return "response header name is not a token: " + printable(name);
        }
        if (header.valueCount() == 1) {
            return refusal(name, header.get());
        }
        for (String value : header.allValues()) {
            String why = refusal(name, value);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    private static boolean token(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= TCHAR.length || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    private static String refusal(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                return "response header " + name + " has a control character at " + (i + 1);
            }
        }
        return null;
    }

    /** The name with anything outside printable ASCII shown as '?', so the message itself can not split a log line. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.chars().forEach(c -> out.append(c > ' ' && c < 0x7f ? (char) c : '?'));
        return out.toString();
    }
}
