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

/**
 * {@code POST /posts} stores a JSON object and answers 201 with it, its server-assigned {@code id} first, and a
 * {@code Location}; {@code GET /posts/{id}} returns it. The posts live in a {@link Store}: in memory (at most
 * 10,000, the oldest evicted first, as in the other peers) or, with {@code --db}, in PostgreSQL ({@link PgStore}).
 * The body is read with a plain blocking read of at most 64 KiB + 1 byte.
 *
 * <p>Bad input is a problem: 415 (not {@code application/json} in UTF-8), 413 (over 64 KiB), 400 (not UTF-8, or
 * malformed JSON), 422 (valid JSON that is not an object, or brings its own {@code id}); an unknown id is 404.
 */
final class Posts {
    static final int MAX_POSTS = 10_000, MAX_BODY = 65_536;
    private static final JsonReaderFactory READERS = Json.createReaderFactory(Map.of());

    /** Where posts live: each holds its fields as compact JSON (JSON-P's, key order kept), without the id. */
    interface Store {
        long insert(String fields);

        /** The fields of post {@code id}, or null if there is none. */
        String find(long id);
    }

    private final Store store;

    Posts(Store store) {
        this.store = store;
    }

    /** The in-memory store. */
    static Store inMemory() {
        AtomicLong lastId = new AtomicLong();
        // Guarded by itself, held for a map operation only, never across blocking calls.
        Map<Long, String> posts = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > MAX_POSTS;
            }
        };
        return new Store() {
            @Override
            public long insert(String fields) {
                long id = lastId.incrementAndGet();
                synchronized (posts) {
                    posts.put(id, fields);
                }
                return id;
            }

            @Override
            public String find(long id) {
                synchronized (posts) {
                    return posts.get(id);
                }
            }
        };
    }

    void create(Request req, Response res, Callback callback) throws IOException {
        JsonObject fields = object(req);
        if (fields.containsKey("id")) {
            throw new Problem(422, "'id' is assigned by the server; leave it out");
        }
        String stored = fields.toString();
        long id = store.insert(stored);
        res.getHeaders().put(HttpHeader.LOCATION, "/posts/" + id);
        Routes.send(res, callback, 201, Routes.JSON, withId(id, stored));
    }

    void find(String id, Response res, Callback callback) {
        String stored = id.matches("[0-9]{1,18}") ? store.find(Long.parseLong(id)) : null;
        if (stored == null) {
            throw new Problem(404, "no post with id '" + id + "'");
        }
        Routes.send(res, callback, 200, Routes.JSON, withId(Long.parseLong(id), stored));
    }

    /** {"id":N,...fields}: the stored object with the id put first, as loom-service composes it. */
    private static String withId(long id, String stored) {
        return "{\"id\":" + id + (stored.equals("{}") ? "}" : "," + stored.substring(1));
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
