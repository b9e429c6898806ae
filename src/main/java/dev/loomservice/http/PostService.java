package dev.loomservice.http;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.guard.ReadDeadline;
import dev.loomservice.problem.Problems;
import dev.loomservice.store.Database;
import dev.loomservice.store.PostStore;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.JsonObject;

/**
 * {@code /posts}, kept in the database ({@link PostStore}) until deleted. Register under {@code /posts}.
 * <ul>
 *   <li>{@code POST /posts}: stores a JSON object; {@code 201} with the object plus its server-assigned {@code id}
 *   and a {@code Location}, sent only once the row is committed;</li>
 *   <li>{@code GET /posts/{id}}: that post, byte for byte what the {@code 201} carried; unknown id: 404;</li>
 *   <li>{@code GET /posts?after=ID&limit=N}: {@code {"posts":[...],"next":"/posts?after=..."}}, ids above
 *   {@code after} (default 0) in order, at most {@code limit} (default {@value #DEFAULT_LIMIT}, at most
 *   {@value #MAX_LIMIT}); {@code next} is there when more follow;</li>
 *   <li>{@code DELETE /posts/{id}}: 204, or 404 if there is no such post.</li>
 * </ul>
 * Bad input is a problem+json, never a 500: the body is read by {@link JsonBody} (415, 413, 408, 400, 422 as it
 * says), an object that brings its own {@code id} is 422, bad {@code after}/{@code limit} are 400. A database that
 * is down or slow is a 503 with {@code Retry-After}, within {@code app.db.connection-timeout} or
 * {@code query-timeout}.
 */
public final class PostService implements HttpService {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    private static final long MAX_ID = 999_999_999_999_999_999L;

    private final PostStore store;
    private final JsonBody body;

    /** What {@code app.posts} configures. */
    public record Settings(int maxBodyBytes) {
        /** Reads {@code app.posts}; an absent key takes the default (64 KiB bodies). */
        public static Settings from(Config posts) {
            return new Settings(ConfigValues.intAtLeast(posts.get("max-body-bytes"), 2, 64 * 1024));
        }
    }

    /** Bodies are read under {@code deadline}, so a client trickling one can not hold a permit for long. */
    public PostService(Settings settings, ReadDeadline deadline, PostStore store) {
        this.store = store;
        this.body = new JsonBody(settings.maxBodyBytes(), deadline);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", guarded(this::create))
                .get("/", guarded(this::page))
                .get("/{id}", guarded(this::find))
                .delete("/{id}", guarded(this::delete));
    }

    private void create(ServerRequest req, ServerResponse res) throws IOException {
        JsonObject fields = body.object(req);
        if (fields.containsKey("id")) {
            throw Problems.of(Status.UNPROCESSABLE_CONTENT_422, "'id' is assigned by the server; leave it out");
        }
        String stored = fields.toString();
        long id = store.add(stored);
        res.status(Status.CREATED_201)
                .header(HeaderNames.LOCATION, "/posts/" + id)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .send(withId(id, stored));
    }

    private void find(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        String post = parseId(id)
                .flatMap(n -> store.find(n).map(fields -> withId(n, fields)))
                .orElseThrow(() -> Problems.notFound("no post with id '" + id + "'"));
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(post);
    }

    private void page(ServerRequest req, ServerResponse res) {
        long after = Params.longIn(req, "after", 0, MAX_ID, 0);
        int limit = (int) Params.longIn(req, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        List<PostStore.Row> rows = store.page(after, limit + 1); // one more: is there a next page?
        StringBuilder json = new StringBuilder("{\"posts\":[");
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            json.append(i == 0 ? "" : ",").append(withId(rows.get(i).id(), rows.get(i).body()));
        }
        json.append(']');
        if (rows.size() > limit) {
            json.append(",\"next\":\"/posts?after=").append(rows.get(limit - 1).id()).append("&limit=").append(limit)
                    .append('"');
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(json.append('}').toString());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!parseId(id).map(store::delete).orElse(false)) {
            throw Problems.notFound("no post with id '" + id + "'");
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    /** {@code {"id":N,...fields}}: the stored object with the id put first, as the 201 showed it. */
    private static String withId(long id, String fields) {
        return "{\"id\":" + id + (fields.equals("{}") ? "}" : "," + fields.substring(1));
    }

    private static Optional<Long> parseId(String id) {
        try {
            return Optional.of(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A database that is down or slow is the client's cue to retry: 503 with {@code Retry-After}, never a 500. */
    private static Handler guarded(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (Database.Unavailable e) {
                throw unavailable();
            }
        };
    }

    private static HttpException unavailable() {
        return Problems.of(Status.SERVICE_UNAVAILABLE_503, "the posts database is not answering; retry in 1 s")
                .header(HeaderValues.create(HeaderNames.RETRY_AFTER, 1));
    }
}
