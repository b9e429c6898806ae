package dev.loomservice.http;

import java.util.List;

import io.helidon.common.parameters.Parameters;
import io.helidon.webserver.http.ServerRequest;

/**
 * Strict query-parameter parsing: a parameter that is missing, repeated, not an integer or out of range is a 400
 * whose detail names the parameter and the accepted range, so a client can fix its request from the answer alone.
 * A parameter without a value ({@code ?ms}) is given once, empty, as {@code ?ms=} is (Helidon lists no value for
 * it).
 */
final class Params {
    private Params() {
    }

    /** The integer value of query parameter {@code name}, which must be given once and lie in {@code [min, max]}. */
    static int intIn(ServerRequest req, String name, int min, int max) {
        Parameters query = req.query();
        String expected = "query parameter '" + name + "' must be one integer from " + min + " to " + max;
        if (!query.contains(name)) {
            throw Problems.badRequest(expected + "; it is missing");
        }
        List<String> values = query.all(name);
        if (values.isEmpty()) {
            values = List.of(""); // ?ms, without '=': present, with an empty value
        }
        if (values.size() != 1) {
            throw Problems.badRequest(expected + "; it was given " + values.size() + " times");
        }
        String raw = values.getFirst();
        // ASCII digits only: Integer.parseInt would also take "+5" and non-Latin digits such as "٥".
        if (raw.isEmpty() || raw.length() > 9 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Problems.badRequest(expected + "; got '" + abbreviate(raw) + "'");
        }
        int value = Integer.parseInt(raw);
        if (value < min || value > max) {
            throw Problems.badRequest(expected + "; got " + value);
        }
        return value;
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
