package dev.loomservice.bench;

import java.io.IOException;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /posts} and {@code GET /posts/{id}}, kept in memory ({@link Posts}) or in PostgreSQL ({@link PgPosts}). */
interface PostRoutes {
    void create(ServerRequest req, ServerResponse res) throws IOException;

    void find(ServerRequest req, ServerResponse res);
}
