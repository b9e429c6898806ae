package dev.loomservice.http;

import java.util.List;

import dev.loomservice.problem.Problems;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * Checks that a request's {@code Content-Type} is {@code application/json}, with no {@code charset} or
 * {@code charset=utf-8}, reading the header by RFC 9110's grammar (section 8.3.1) itself:
 * {@code type "/" subtype *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )}, names and the charset in any
 * case. So {@code application/json ; charset=utf-8} and {@code application/json;} are accepted (Helidon's parser
 * refuses both, or reads the first as another type), and a malformed value is a 400 that says so, never an
 * exception of the parser's.
 *
 * <ul>
 *   <li>400: no single {@code Content-Type}, a value that does not parse, a parameter given twice;</li>
 *   <li>415: another media type, or another charset.</li>
 * </ul>
 */
final class JsonMediaType {
    private static final String SEPARATORS = "()<>@,;:\\\"/[]?={}";

    private final String value;
    private int at;

    private JsonMediaType(String value) {
        this.value = value;
    }

    /** Returns if {@code req} declares a JSON body in UTF-8; throws the problem that says why not otherwise. */
    static void require(ServerRequest req) {
        List<String> values = req.headers().all(HeaderNames.CONTENT_TYPE, List::of);
        if (values.isEmpty()) {
            throw unsupported("no Content-Type");
        }
        if (values.size() > 1) {
            throw malformed("Content-Type is given " + values.size() + " times");
        }
        new JsonMediaType(values.getFirst()).check();
    }

    private void check() {
        String type = token("a type");
        expect('/');
        String subtype = token("a subtype");
        if (!type.equalsIgnoreCase("application") || !subtype.equalsIgnoreCase("json")) {
            throw unsupported("'" + printable(value) + "'");
        }
        String charset = null;
        while (true) {
            skipWhitespace();
            if (at == value.length()) {
                break;
            }
            expect(';');
            skipWhitespace();
            if (at == value.length() || value.charAt(at) == ';') {
                continue; // an empty parameter: allowed
            }
            String name = token("a parameter name");
            expect('=');
            String parameter = at < value.length() && value.charAt(at) == '"' ? quoted() : token("a parameter value");
            if (name.equalsIgnoreCase("charset")) {
                if (charset != null) {
                    throw malformed("Content-Type gives charset twice");
                }
                charset = parameter;
            }
        }
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw unsupported("charset '" + printable(charset) + "'");
        }
    }

    private String token(String what) {
        int start = at;
        while (at < value.length() && tokenChar(value.charAt(at))) {
            at++;
        }
        if (at == start) {
            throw malformed("Content-Type '" + printable(value) + "' lacks " + what + " at character " + (at + 1));
        }
        return value.substring(start, at);
    }

    private String quoted() {
        StringBuilder text = new StringBuilder();
        at++; // the opening quote
        while (at < value.length() && value.charAt(at) != '"') {
            char c = value.charAt(at++);
            if (c == '\\' && at < value.length()) {
                c = value.charAt(at++);
            }
            text.append(c);
        }
        if (at == value.length()) {
            throw malformed("Content-Type '" + printable(value) + "' has an unterminated quoted string");
        }
        at++; // the closing quote
        return text.toString();
    }

    private void expect(char c) {
        if (at == value.length() || value.charAt(at) != c) {
            throw malformed("Content-Type '" + printable(value) + "' lacks '" + c + "' at character " + (at + 1));
        }
        at++;
    }

    private void skipWhitespace() {
        while (at < value.length() && (value.charAt(at) == ' ' || value.charAt(at) == '\t')) {
            at++;
        }
    }

    private static boolean tokenChar(char c) {
        return c > ' ' && c < 0x7f && SEPARATORS.indexOf(c) < 0;
    }

    private static RuntimeException unsupported(String got) {
        return Problems.closing(Status.UNSUPPORTED_MEDIA_TYPE_415,
                                "the body must be application/json (UTF-8); got " + got);
    }

    private static RuntimeException malformed(String why) {
        return Problems.closing(Status.BAD_REQUEST_400, why + "; expected application/json");
    }

    /** At most 64 characters of {@code s}, anything outside printable ASCII as '?'. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().limit(64).forEach(c -> out.append(c >= ' ' && c < 0x7f ? (char) c : '?'));
        return s.length() > 64 ? out + "..." : out.toString();
    }
}
