package dev.loomservice.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import dev.loomservice.guard.ReadDeadline;
import dev.loomservice.problem.ClientGone;
import dev.loomservice.problem.Problems;

import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
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
 *   <li>415 or 400: a content type other than {@code application/json} (UTF-8), or a malformed one
 *   ({@link JsonMediaType});</li>
 *   <li>413: over {@code maxBytes}, checked against {@code Content-Length} before reading and by reading at most
 *   one byte more than allowed;</li>
 *   <li>408: not arrived within the body deadline ({@link ReadDeadline}, which has closed the socket already: the
 *   408 is recorded, it can not be delivered);</li>
 *   <li>no answer: the client reset the connection (recorded as 499);</li>
 *   <li>400: a body that ends before its declared length or its last chunk, broken chunked framing, invalid UTF-8,
 *   malformed JSON or content after it;</li>
 *   <li>422: valid JSON that is not an object, or that {@link JsonTree} refuses (too deep, a number too long, an
 *   unpaired surrogate, a repeated key).</li>
 * </ul>
 * The first two, and a body that did not arrive whole, close the connection: the body is unread or can not be
 * trusted.
 */
final class JsonBody {
    private final int maxBytes;
    private final ReadDeadline deadline;
    private final JsonParserFactory parsers = Json.createParserFactory(Map.of());
    private final JsonTree tree = new JsonTree();

    JsonBody(int maxBytes, ReadDeadline deadline) {
        this.maxBytes = maxBytes;
        this.deadline = deadline;
    }

    /** The body of {@code req} as a JSON object, or the problem that says why not. */
    JsonObject object(ServerRequest req) throws IOException {
        JsonMediaType.require(req);
        return parseObject(read(req));
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
            // the deadline has closed the socket: the 408 can not go out, but it is what happened, and what the
            // access log and metrics record (Problems.send drops the failed write quietly)
            throw Problems.closing(Status.REQUEST_TIMEOUT_408, e.getMessage());
        } catch (UncheckedIOException e) {
            // the client reset the connection: no answer can be sent, so none is tried (recorded as 499)
            throw new CloseConnectionException(e.getMessage(), e);
        } catch (RequestException e) {
            // Helidon's own limit, server.max-payload-size, on a chunk header; any other is broken framing
            throw Problems.closing(e.status() == Status.REQUEST_ENTITY_TOO_LARGE_413 ? e.status()
                                           : Status.BAD_REQUEST_400,
                                   e.status() == Status.REQUEST_ENTITY_TOO_LARGE_413 ? tooLarge
                                           : "the body's chunked framing is malformed");
        } catch (RuntimeException e) {
            if (ClientGone.is(e)) {
                throw e; // the client reset mid-body: nobody to answer (recorded as 499)
            }
            // the connection ended early, or (chunked) Helidon's decoder threw on a lying chunk header
            throw Problems.closing(Status.BAD_REQUEST_400, req.headers().contains(HeaderNames.TRANSFER_ENCODING)
                    ? "the body's chunked framing is malformed, or it ended before its last chunk"
                    : "the body ended before the " + req.headers().contentLength().orElse(0)
                            + " bytes its Content-Length declared");
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
            JsonValue value = tree.read(parser, parser.next());
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
        }
    }
}
