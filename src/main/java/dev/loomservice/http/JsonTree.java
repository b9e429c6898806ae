package dev.loomservice.http;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

import dev.loomservice.problem.Problems;

import io.helidon.http.Status;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;

/**
 * Builds a JSON value from a parser's events, refusing with 422 what it would not store exactly or safely:
 * <ul>
 *   <li>nesting deeper than {@link #MAX_DEPTH} objects and arrays (Parsson's own limit, 1,000, fails with a
 *   plain RuntimeException and its stack; building recursively is how that stack got deep);</li>
 *   <li>a number longer than {@link #MAX_NUMBER_LENGTH} characters, or whose exponent a {@link BigDecimal} can not
 *   hold ({@code 1e-2147483649}): Parsson fails on both with an exception of its own;</li>
 *   <li>a string (key or value) with an unpaired UTF-16 surrogate ({@code "\ud800"}), which UTF-8 can not encode:
 *   it would be stored, and answered, as {@code "?"};</li>
 *   <li>a key given twice in one object.</li>
 * </ul>
 * Without recursion: the open objects and arrays are an explicit stack, at most {@link #MAX_DEPTH} deep.
 */
final class JsonTree {
    /** The deepest nesting of objects and arrays accepted; documented in etc/application.yaml (app.posts). */
    static final int MAX_DEPTH = 64;
    /** The longest number accepted, in characters; documented in etc/application.yaml (app.posts). */
    static final int MAX_NUMBER_LENGTH = 100;

    /** Looked up once: {@code Json.createValue} and the like look the provider up on every call. */
    private final JsonProvider json = JsonProvider.provider();

    /** An object or array still open: its builder, and for an object the key awaiting its value. */
    private static final class Open {
        private final JsonObjectBuilder object;
        private final JsonArrayBuilder array;
        private final Set<String> keys;
        private String key;

        private Open(JsonObjectBuilder object, JsonArrayBuilder array) {
            this.object = object;
            this.array = array;
            this.keys = object == null ? null : new HashSet<>();
        }
    }

    /** The value that starts with {@code first}, the event just read from {@code parser}. */
    JsonValue read(JsonParser parser, JsonParser.Event first) {
        Deque<Open> open = new ArrayDeque<>();
        JsonParser.Event event = first;
        while (true) {
            JsonValue done = switch (event) {
                case START_OBJECT, START_ARRAY -> {
                    if (open.size() == MAX_DEPTH) {
                        throw refused("objects and arrays are nested deeper than " + MAX_DEPTH + " levels");
                    }
                    open.push(event == JsonParser.Event.START_OBJECT
                                      ? new Open(json.createObjectBuilder(), null)
                                      : new Open(null, json.createArrayBuilder()));
                    yield null;
                }
                case KEY_NAME -> {
                    Open object = open.element();
                    object.key = string(parser.getString());
                    if (!object.keys.add(object.key)) {
                        throw refused("the key '" + abbreviate(object.key) + "' appears twice in one object");
                    }
                    yield null;
                }
                case END_OBJECT -> open.pop().object.build();
                case END_ARRAY -> open.pop().array.build();
                case VALUE_STRING -> json.createValue(string(parser.getString()));
                case VALUE_NUMBER -> json.createValue(number(parser.getString()));
                case VALUE_TRUE -> JsonValue.TRUE;
                case VALUE_FALSE -> JsonValue.FALSE;
                case VALUE_NULL -> JsonValue.NULL;
            };
            if (done != null) {
                Open parent = open.peek();
                if (parent == null) {
                    return done;
                }
                if (parent.object != null) {
                    parent.object.add(parent.key, done);
                } else {
                    parent.array.add(done);
                }
            }
            event = parser.next();
        }
    }

    private static BigDecimal number(String text) {
        if (text.length() > MAX_NUMBER_LENGTH) {
            throw refused("a number has " + text.length() + " characters; at most " + MAX_NUMBER_LENGTH
                                  + " are accepted");
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw refused("the exponent of the number " + text + " is out of range");
        }
    }

    /** {@code s}, if UTF-8 can encode it: every surrogate in a pair. */
    private static String string(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw refused(String.format("a string holds an unpaired UTF-16 surrogate (\\u%04x), which UTF-8 can"
                                                    + " not encode", (int) c));
            }
        }
        return s;
    }

    private static RuntimeException refused(String why) {
        return Problems.of(Status.UNPROCESSABLE_CONTENT_422, "JSON not accepted: " + why);
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
