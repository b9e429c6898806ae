package dev.loomservice.bench;

import io.vertx.core.http.HttpServerRequest;

/** {@code POST /posts} and {@code GET /posts/{id}}, kept in memory ({@link Posts}) or in PostgreSQL ({@link PgPosts}). */
interface PostRoutes {
    void create(HttpServerRequest req);

    void find(HttpServerRequest req, String id);
}
