package dev.loomservice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * {@code /posts} in PostgreSQL through Vert.x's reactive client ({@code vertx-pg-client}): loom-service's table,
 * the row holding the fields re-serialised as compact JSON (key order kept), and answers that are
 * {@code {"id":N,} then those fields, byte for byte what loom-service answers. Nothing blocks: a query's result
 * comes back as a callback on the event loop that sent it.
 *
 * <p>One pool of a fixed size for all verticles, as loom-service's; statements are prepared once per connection
 * and cached (the client's default is not to cache, unlike pgjdbc, asyncpg and node-postgres' named statements).
 * A failed query is a 503 problem, as in loom-service.
 */
final class PgPosts implements PostRoutes {
    private final Pool pool;

    PgPosts(Vertx vertx, String uri, int size) {
        PgConnectOptions options = PgConnectOptions.fromUri(uri).setCachePreparedStatements(true);
        this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(options).using(vertx)
                .build();
    }

    @Override
    public void create(HttpServerRequest req) {
        Posts.readObject(req, fields -> {
            String stored = fields.encode();
            pool.preparedQuery("INSERT INTO posts (body) VALUES ($1) RETURNING id").execute(Tuple.of(stored))
                    .onSuccess(rows -> {
                        long id = rows.iterator().next().getLong(0);
                        req.response().setStatusCode(201).putHeader("Location", "/posts/" + id)
                                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(withId(id, stored));
                    })
                    .onFailure(e -> failed(req, e));
        });
    }

    @Override
    public void find(HttpServerRequest req, String id) {
        if (!id.matches("[0-9]{1,18}")) {
            Problem.send(req, 404, "no post with id '" + id + "'");
            return;
        }
        long n = Long.parseLong(id);
        pool.preparedQuery("SELECT body FROM posts WHERE id = $1").execute(Tuple.of(n))
                .onSuccess((RowSet<Row> rows) -> {
                    if (rows.size() == 0) {
                        Problem.send(req, 404, "no post with id '" + id + "'");
                    } else {
                        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                .end(withId(n, rows.iterator().next().getString(0)));
                    }
                })
                .onFailure(e -> failed(req, e));
    }

    /** {"id":N,...fields}: the stored object with the id put first, as loom-service composes it. */
    private static String withId(long id, String stored) {
        return "{\"id\":" + id + (stored.equals("{}") ? "}" : "," + stored.substring(1));
    }

    private static void failed(HttpServerRequest req, Throwable e) {
        System.err.println("posts database: " + e);
        Problem.send(req, 503, "the posts database is not answering");
    }
}
