package dev.loomservice.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.loomservice.problem.Problems;

import io.helidon.webserver.http.ServerRequest;

/**
 * Strict query-parameter parsing: a parameter that is missing, repeated, not an integer or out of range is a 400
 * whose detail names the parameter and the accepted range, so a client can fix its request from the answer alone.
 * The raw query is read here, not Helidon's parameters, which list no value for a parameter without one: so
 * {@code ?ms} is given once, empty, as {@code ?ms=} is, and {@code ?ms&ms} twice, as {@code ?ms=1&ms=2} is.
 */
final class Params {
    private Params() {
    }

    /** The integer value of query parameter {@code name}, which must be given once and lie in {@code [min, max]}. */
    static int intIn(ServerRequest req, String name, int min, int max) {
        List<String> values = values(req.query().rawValue(), name);
        if (values.isEmpty()) {
            throw Problems.badRequest(expected(name, min, max) + "; it is missing");
        }
        return (int) parse(values, name, min, max, 9);
    }

    /** Like {@link #intIn}, for a parameter that may be left out: then {@code dflt}. */
    static long longIn(ServerRequest req, String name, long min, long max, long dflt) {
        List<String> values = values(req.query().rawValue(), name);
        return values.isEmpty() ? dflt : parse(values, name, min, max, 18);
    }

    /**
     * The one value in {@code values}, at most {@code digits} digits, so it fits (int: 9, long: 18) before its range
     * is checked.
     */
    private static long parse(List<String> values, String name, long min, long max, int digits) {
        if (values.size() != 1) {
            throw Problems.badRequest(expected(name, min, max) + "; it was given " + values.size() + " times");
        }
        String raw = values.getFirst();
        // ASCII digits only: Long.parseLong would also take "+5" and non-Latin digits such as "٥".
        if (raw.isEmpty() || raw.length() > digits || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Problems.badRequest(expected(name, min, max) + "; got '" + abbreviate(raw) + "'");
        }
        long value = Long.parseLong(raw);
        if (value < min || value > max) {
            throw Problems.badRequest(expected(name, min, max) + "; got " + value);
        }
        return value;
    }

    private static String expected(String name, long min, long max) {
        return "query parameter '" + name + "' must be one integer from " + min + " to " + max;
    }

    /** True if the query names {@code name}, with or without a value. */
    static boolean given(ServerRequest req, String name) {
        return !values(req.query().rawValue(), name).isEmpty();
    }

    /** Every value of {@code name} in the raw query, in order; "" for each occurrence without '='. */
    private static List<String> values(String rawQuery, String name) {
        List<String> values = new ArrayList<>(1);
        for (int start = 0; start < rawQuery.length(); ) {
            int end = rawQuery.indexOf('&', start);
            end = end < 0 ? rawQuery.length() : end;
            int eq = rawQuery.indexOf('=', start);
            int keyEnd = eq < 0 || eq > end ? end : eq;
            if (decode(rawQuery.substring(start, keyEnd)).equals(name)) {
                values.add(keyEnd == end ? "" : decode(rawQuery.substring(keyEnd + 1, end)));
            }
            start = end + 1;
        }
        return values;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a stray '%': taken as written, so the detail shows what was sent
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
