package dev.loomservice.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import dev.loomservice.limit.ReadDeadline;

import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;

/**
 * Reads a request body that must be exactly one JSON object, strictly, and turns every way it can be wrong into
 * the problem that says so:
 * <ul>
 *   <li>415: a content type other than {@code application/json} (UTF-8);</li>
 *   <li>413: over {@code maxBytes}, checked against {@code Content-Length} before reading and by reading at most
 *   one byte more than allowed;</li>
 *   <li>408: not arrived within the body deadline ({@link ReadDeadline});</li>
 *   <li>400: broken chunked framing, invalid UTF-8, malformed JSON or content after it;</li>
 *   <li>422: valid JSON that is not an object, or repeats a key.</li>
 * </ul>
 * The first three, and broken framing, close the connection: the body is unread or can not be trusted.
 */
final class JsonBody {
    private final int maxBytes;
    private final ReadDeadline deadline;
    private final JsonParserFactory parsers =
            Json.createParserFactory(Map.of("org.eclipse.parsson.rejectDuplicateKeys", true));

    JsonBody(int maxBytes, ReadDeadline deadline) {
        this.maxBytes = maxBytes;
        this.deadline = deadline;
    }

    /** The body of {@code req} as a JSON object, or the problem that says why not. */
    JsonObject object(ServerRequest req) throws IOException {
        requireJson(req);
        return parseObject(read(req));
    }

    private static void requireJson(ServerRequest req) {
        HttpMediaType type = req.headers().contentType().orElse(null);
        boolean json = type != null
                && type.mediaType().type().equalsIgnoreCase("application")
                && type.mediaType().subtype().equalsIgnoreCase("json")
                && type.charset().map(c -> c.equalsIgnoreCase("utf-8")).orElse(true);
        if (!json) {
            throw Problems.closing(Status.UNSUPPORTED_MEDIA_TYPE_415, "the body must be application/json (UTF-8); got "
                    + (type == null ? "no Content-Type" : "'" + type.text() + "'"));
        }
    }

    private String read(ServerRequest req) throws IOException {
        String tooLarge = "the body must be at most " + maxBytes + " bytes";
        if (req.headers().contentLength().orElse(0) > maxBytes) {
            throw Problems.closing(Status.REQUEST_ENTITY_TOO_LARGE_413, tooLarge);
        }
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = deadline.readBody(() -> in.readNBytes(maxBytes + 1));
        } catch (ReadDeadline.Expired e) {
            throw Problems.closing(Status.REQUEST_TIMEOUT_408, e.getMessage());
        } catch (RuntimeException e) {
            if (ClientGone.is(e)) {
                throw e; // the client reset or closed mid-body: nobody to answer (Problems records a 499)
            }
            // Helidon's chunked decoder throws NumberFormatException and the like on a lying chunk header
            throw Problems.closing(Status.BAD_REQUEST_400, "the body's chunked framing is malformed");
        }
        if (body.length > maxBytes) {
            throw Problems.closing(Status.REQUEST_ENTITY_TOO_LARGE_413, tooLarge);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw Problems.badRequest("the body is not valid UTF-8");
        }
    }

    /** Exactly one JSON object and nothing after it. */
    private JsonObject parseObject(String body) {
        if (body.isBlank()) {
            throw Problems.badRequest("the body is empty; expected a JSON object");
        }
        try (JsonParser parser = parsers.createParser(new StringReader(body))) {
            JsonParser.Event first = parser.next();
            JsonValue value = first == JsonParser.Event.START_OBJECT ? parser.getObject() : parser.getValue();
            if (parser.hasNext()) {
                throw Problems.badRequest("malformed JSON: content after the end of the object");
            }
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw Problems.of(Status.UNPROCESSABLE_CONTENT_422, "the body must be a JSON object; got "
                        + value.getValueType().name().toLowerCase(Locale.ROOT));
            }
            return value.asJsonObject();
        } catch (JsonParsingException e) {
            // Parsson reports a bogus column for a premature end of input, so that case gets its own words.
            throw Problems.badRequest(e.getMessage().contains("token=EOF")
                                              ? "malformed JSON: the body ends before the JSON does"
                                              : "malformed JSON at line " + e.getLocation().getLineNumber()
                                                      + ", column " + e.getLocation().getColumnNumber());
        } catch (JsonException e) {
            throw Problems.badRequest("malformed JSON: " + e.getMessage());
        } catch (IllegalStateException e) {
            // Parsson's rejectDuplicateKeys: "Duplicate key 'a' is not allowed".
            throw Problems.of(Status.UNPROCESSABLE_CONTENT_422, "invalid JSON object: " + e.getMessage());
        }
    }
}
