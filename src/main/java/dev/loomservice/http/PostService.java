package dev.loomservice.http;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import dev.loomservice.ConfigValues;
import dev.loomservice.limit.ReadDeadline;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;

/**
 * {@code POST /posts} stores a JSON object and answers {@code 201} with the object plus its server-assigned
 * {@code id} and a {@code Location}; {@code GET /posts/{id}} returns it. Register under {@code /posts}.
 *
 * <p>Bad input is a problem+json, never a 500: the body is read by {@link JsonBody} (415, 413, 408, 400, 422 as it
 * says), and an object that brings its own {@code id} is 422.
 */
public final class PostService implements HttpService {
    private final PostStore store;
    private final JsonBody body;
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
        this.body = new JsonBody(settings.maxBodyBytes(), deadline);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::create)
                .get("/{id}", this::find);
    }

    private void create(ServerRequest req, ServerResponse res) throws IOException {
        JsonObject fields = body.object(req);
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
}
