package dev.loomservice.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.loomservice.ConfigValues;
import dev.loomservice.limit.ReadDeadline;

import io.helidon.common.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;

/**
 * {@code POST /posts} stores a JSON object and answers {@code 201} with the object plus its server-assigned
 * {@code id} and a {@code Location}; {@code GET /posts/{id}} returns it. Register under {@code /posts}.
 *
 * <p>Bad input is a problem+json, never a 500: a content type other than {@code application/json} (UTF-8) is 415,
 * a body over {@code max-body-bytes} is 413 (checked against {@code Content-Length} before reading, and by
 * reading at most one byte more than allowed), invalid UTF-8 or malformed JSON is 400, and valid JSON that is not
 * an object, repeats a key or brings its own {@code id} is 422.
 */
public final class PostService implements HttpService {
    private final PostStore store;
    private final int maxBodyBytes;
    private final ReadDeadline deadline;
    private final JsonParserFactory parsers =
            Json.createParserFactory(Map.of("org.eclipse.parsson.rejectDuplicateKeys", true));
    private final JsonBuilderFactory builders = Json.createBuilderFactory(Map.of());

    /** What {@code app.posts} configures. */
    public record Settings(int maxCount, int maxBodyBytes) {
        /** Reads {@code app.posts}; absent keys take the defaults (10,000 posts, 64 KiB bodies). */
        public static Settings from(Config posts) {
            return new Settings(ConfigValues.intAtLeast(posts.get("max-count"), 1, 10_000),
                                ConfigValues.intAtLeast(posts.get("max-body-bytes"), 2, 64 * 1024));
        }
    }

    /** Bodies are read under {@code deadline}, so a client trickling one can not hold a permit for long. */
    public PostService(Settings settings, ReadDeadline deadline) {
        this.store = new PostStore(settings.maxCount());
        this.maxBodyBytes = settings.maxBodyBytes();
        this.deadline = deadline;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::create)
                .get("/{id}", this::find);
    }

    private void create(ServerRequest req, ServerResponse res) throws IOException {
        requireJson(req);
        JsonObject fields = parseObject(readBody(req));
        if (fields.containsKey("id")) {
            throw Problems.of(Status.UNPROCESSABLE_CONTENT_422, "'id' is assigned by the server; leave it out");
        }
        JsonObject post = store.add(id -> builders.createObjectBuilder()
                .add("id", id)
                .addAll(builders.createObjectBuilder(fields))
                .build());
        res.status(Status.CREATED_201)
                .header(HeaderNames.LOCATION, "/posts/" + post.getJsonNumber("id").longValue())
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .send(post.toString());
    }

    private void find(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        JsonObject post = parseId(id)
                .flatMap(store::find)
                .orElseThrow(() -> Problems.notFound("no post with id '" + id + "'"));
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(post.toString());
    }

    private static Optional<Long> parseId(String id) {
        try {
            return Optional.of(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
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

    private String readBody(ServerRequest req) throws IOException {
        String tooLarge = "the body must be at most " + maxBodyBytes + " bytes";
        if (req.headers().contentLength().orElse(0) > maxBodyBytes) {
            throw Problems.closing(Status.REQUEST_ENTITY_TOO_LARGE_413, tooLarge);
        }
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = deadline.readBody(() -> in.readNBytes(maxBodyBytes + 1));
        } catch (ReadDeadline.Expired e) {
            throw Problems.closing(Status.REQUEST_TIMEOUT_408, e.getMessage());
        } catch (RuntimeException e) {
            // Helidon's chunked decoder throws NumberFormatException and the like on a lying chunk header
            throw Problems.closing(Status.BAD_REQUEST_400, "the body's chunked framing is malformed");
        }
        if (body.length > maxBodyBytes) {
            throw Problems.closing(Status.REQUEST_ENTITY_TOO_LARGE_413, tooLarge);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw Problems.badRequest("the body is not valid UTF-8");
        }
    }

    /**
     * Exactly one JSON object and nothing after it. Malformed JSON (trailing content included) is 400; valid JSON
     * that is not an object, or repeats a key, is 422.
     */
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
