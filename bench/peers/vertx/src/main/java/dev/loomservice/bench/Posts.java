package dev.loomservice.bench;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * {@code POST /posts} and {@code GET /posts/{id}}: at most 10,000 posts in memory, the oldest evicted first, bodies
 * of at most 64 KiB, read without blocking (the body arrives in chunks on the event loop).
 */
final class Posts implements PostRoutes {
    static final int MAX_POSTS = 10_000, MAX_BODY = 65_536;

    private long lastId;
    private final Map<Long, JsonObject> posts = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, JsonObject> eldest) {
            return size() > MAX_POSTS;
        }
    };

    @Override
    public void create(HttpServerRequest req) {
        readObject(req, fields -> {
            JsonObject post;
            synchronized (this) { // one lock for all event loops; held for a map put, never across I/O
                post = new JsonObject().put("id", ++lastId).mergeIn(fields);
                posts.put(lastId, post);
            }
            req.response().setStatusCode(201).putHeader("Location", "/posts/" + post.getLong("id"))
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(post.encode());
        });
    }

    /**
     * Reads the body without blocking and hands {@code then} the JSON object it holds, without an {@code id}; or
     * answers the problem that says why not (415, 413, 400, 422) and never calls {@code then}.
     */
    static void readObject(HttpServerRequest req, Consumer<JsonObject> then) {
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase().replace(" ", "").matches("application/json(;charset=\"?utf-8\"?)?")) {
            Problem.send(req, 415, "the body must be application/json (UTF-8)");
            return;
        }
        Buffer body = Buffer.buffer();
        req.handler(chunk -> {
            if (body.length() <= MAX_BODY) {
                body.appendBuffer(chunk);
            }
        });
        req.endHandler(end -> parsed(req, body, then));
    }

    private static void parsed(HttpServerRequest req, Buffer body, Consumer<JsonObject> then) {
        if (body.length() > MAX_BODY) {
            Problem.send(req, 413, "the body must be at most " + MAX_BODY + " bytes");
            return;
        }
        Object value;
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body.getBytes()));
            value = Json.decodeValue(body);
        } catch (CharacterCodingException | DecodeException e) {
            Problem.send(req, 400, "malformed JSON: " + e.getMessage());
            return;
        }
        if (!(value instanceof JsonObject fields)) {
            Problem.send(req, 422, "the body must be a JSON object");
            return;
        }
        if (fields.containsKey("id")) {
            Problem.send(req, 422, "'id' is assigned by the server; leave it out");
            return;
        }
        then.accept(fields);
    }

    @Override
    public void find(HttpServerRequest req, String id) {
        JsonObject post = null;
        if (id.matches("[0-9]{1,18}")) {
            synchronized (this) {
                post = posts.get(Long.parseLong(id));
            }
        }
        if (post == null) {
            Problem.send(req, 404, "no post with id '" + id + "'");
        } else {
            req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(post.encode());
        }
    }
}
