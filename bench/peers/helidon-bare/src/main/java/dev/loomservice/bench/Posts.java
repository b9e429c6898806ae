package dev.loomservice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;

import static dev.loomservice.bench.HelidonBare.JSON;
import static dev.loomservice.bench.HelidonBare.problem;

/**
 * {@code POST /posts} stores a JSON object and answers 201 with it, its server-assigned {@code id} first, and a
 * {@code Location}; {@code GET /posts/{id}} returns it. At most 10,000 posts are kept, the oldest evicted first,
 * as in loom-service and the other peers. The body is read with a plain blocking read of at most 64 KiB + 1 byte.
 *
 * <p>Bad input is a problem: 415 (not {@code application/json} in UTF-8), 413 (over 64 KiB), 400 (not UTF-8, or
 * malformed JSON), 422 (valid JSON that is not an object, or brings its own {@code id}); an unknown id is 404.
 */
final class Posts implements PostRoutes {
    static final int MAX_POSTS = 10_000, MAX_BODY = 65_536;
    private static final JsonReaderFactory READERS = Json.createReaderFactory(Map.of());

    private final AtomicLong lastId = new AtomicLong();
    /** Guarded by {@code this}, held for a map operation only, never across blocking calls. */
    private final Map<Long, JsonObject> posts = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, JsonObject> eldest) {
            return size() > MAX_POSTS;
        }
    };

    @Override
    public void create(ServerRequest req, ServerResponse res) throws IOException {
        JsonObject fields = object(req);
        if (fields.containsKey("id")) {
            throw problem(Status.UNPROCESSABLE_CONTENT_422, "'id' is assigned by the server; leave it out");
        }
        long id = lastId.incrementAndGet();
        JsonObject post = JSON.createObjectBuilder().add("id", id).addAll(JSON.createObjectBuilder(fields)).build();
        synchronized (this) {
            posts.put(id, post);
        }
        res.status(Status.CREATED_201)
                .header(HeaderNames.LOCATION, "/posts/" + id)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .send(post.toString());
    }

    @Override
    public void find(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        JsonObject post = null;
        if (id.matches("[0-9]{1,18}")) {
            synchronized (this) {
                post = posts.get(Long.parseLong(id));
            }
        }
        if (post == null) {
            throw problem(Status.NOT_FOUND_404, "no post with id '" + id + "'");
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(post.toString());
    }

    /** The body as one JSON object, or the problem that says why not (an {@code id} in it is still allowed). */
    static JsonObject object(ServerRequest req) throws IOException {
        HttpMediaType type = req.headers().contentType().orElse(null);
        if (type == null || !type.mediaType().type().equalsIgnoreCase("application")
                || !type.mediaType().subtype().equalsIgnoreCase("json")
                || !type.charset().map("utf-8"::equalsIgnoreCase).orElse(true)) {
            throw problem(Status.UNSUPPORTED_MEDIA_TYPE_415, "the body must be application/json (UTF-8)");
        }
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw problem(Status.REQUEST_ENTITY_TOO_LARGE_413, "the body must be at most " + MAX_BODY + " bytes");
        }
        JsonValue value;
        try (JsonReader reader = READERS.createReader(new StringReader(
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString()))) {
            value = reader.readValue();
        } catch (CharacterCodingException e) {
            throw problem(Status.BAD_REQUEST_400, "the body is not valid UTF-8");
        } catch (JsonException e) {
            throw problem(Status.BAD_REQUEST_400, "malformed JSON: " + e.getMessage());
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw problem(Status.UNPROCESSABLE_CONTENT_422, "the body must be a JSON object");
        }
        return value.asJsonObject();
    }
}
