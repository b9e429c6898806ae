package dev.loomservice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import static dev.loomservice.bench.Problem.JSON;

/**
 * {@code POST /posts} stores a JSON object and answers 201 with it, its server-assigned {@code id} first, and a
 * {@code Location}; {@code GET /posts/{id}} returns it. At most 10,000 posts are kept, the oldest evicted first,
 * as in loom-service and the other peers. The body is read with a plain blocking read of at most 64 KiB + 1 byte.
 *
 * <p>Bad input is a problem: 415 (not {@code application/json} in UTF-8), 413 (over 64 KiB), 400 (not UTF-8, or
 * malformed JSON), 422 (valid JSON that is not an object, or brings its own {@code id}); an unknown id is 404.
 */
final class Posts {
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

    void create(Request req, Response res, Callback callback) throws IOException {
        JsonObject fields = object(req);
        if (fields.containsKey("id")) {
            throw new Problem(422, "'id' is assigned by the server; leave it out");
        }
        long id = lastId.incrementAndGet();
        JsonObject post = JSON.createObjectBuilder().add("id", id).addAll(JSON.createObjectBuilder(fields)).build();
        synchronized (this) {
            posts.put(id, post);
        }
        res.getHeaders().put(HttpHeader.LOCATION, "/posts/" + id);
        Routes.send(res, callback, 201, Routes.JSON, post.toString());
    }

    void find(String id, Response res, Callback callback) {
        JsonObject post = null;
        if (id.matches("[0-9]{1,18}")) {
            synchronized (this) {
                post = posts.get(Long.parseLong(id));
            }
        }
        if (post == null) {
            throw new Problem(404, "no post with id '" + id + "'");
        }
        Routes.send(res, callback, 200, Routes.JSON, post.toString());
    }

    /** The body as one JSON object, or the problem that says why not. */
    private static JsonObject object(Request req) throws IOException {
        String type = req.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String charset = type == null ? null : MimeTypes.getCharsetFromContentType(type);
        if (type == null || !MimeTypes.getContentTypeWithoutCharset(type).trim().toLowerCase(Locale.ROOT)
                .equals("application/json") || (charset != null && !charset.equalsIgnoreCase("utf-8"))) {
            throw new Problem(415, "the body must be application/json (UTF-8)");
        }
        byte[] body;
        try (InputStream in = Request.asInputStream(req)) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new Problem(413, "the body must be at most " + MAX_BODY + " bytes");
        }
        JsonValue value;
        try (JsonReader reader = READERS.createReader(new StringReader(
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString()))) {
            value = reader.readValue();
        } catch (CharacterCodingException e) {
            throw new Problem(400, "the body is not valid UTF-8");
        } catch (JsonException e) {
            throw new Problem(400, "malformed JSON: " + e.getMessage());
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new Problem(422, "the body must be a JSON object");
        }
        return value.asJsonObject();
    }
}
