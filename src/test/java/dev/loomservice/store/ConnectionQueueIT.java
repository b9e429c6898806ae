package dev.loomservice.store;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.loomservice.Await;
import dev.loomservice.Http;
import dev.loomservice.Postgres;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * A real server on a real PostgreSQL with one pooled connection: requests that find it taken wait in the order they
 * came, which {@code loom_db_pool_waiting} shows, and are served in that order once it comes back. The order is
 * read from the database itself: the ids PostgreSQL gives the posts they store.
 */
class ConnectionQueueIT {
    private static final String JSON = "application/json";
    private static final Duration AWAIT = Duration.ofSeconds(15);
    private static final String ACTIVE = "loom_db_pool_connections{state=\"active\"}";
    private static final String WAITING = "loom_db_pool_waiting";

    @Test
    void requestsWaitingForTheConnectionAreServedInTheOrderTheyCame() throws Exception {
        try (Postgres pg = Postgres.start()) {
            Map<String, String> config = new HashMap<>(pg.config());
            config.put("app.db.pool-size", "1");
            config.put("app.db.connection-timeout", "PT20S");
            config.put("app.db.query-timeout", "PT20S");
            try (TestServer server = TestServer.start(config);
                 Connection holder = DriverManager.getConnection(config.get("app.db.url"), "loom", "")) {
                Http http = server.http();
                assertThat(http.post("/posts", JSON, "{}").statusCode(), is(201)); // the schema is in place
                holder.setAutoCommit(false);
                try (Statement lock = holder.createStatement()) {
                    lock.execute("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE");
                }
                // the first takes the one connection and waits behind the lock; the others queue for it, one by one
                List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
                posts.add(post(http, "{\"n\":0}"));
                Await.until("the connection taken", AWAIT, () -> metric(http, ACTIVE) == 1);
                for (int i = 1; i < 4; i++) {
                    posts.add(post(http, "{\"n\":" + i + "}"));
                    int queued = i;
                    Await.until(queued + " requests waiting for the connection", AWAIT,
                                () -> metric(http, WAITING) == queued);
                }
                holder.rollback();
                long previous = 0;
                for (CompletableFuture<HttpResponse<String>> post : posts) {
                    HttpResponse<String> created = post.get(30, TimeUnit.SECONDS);
                    assertThat(created.body(), created.statusCode(), is(201));
                    long id = Long.parseLong(created.headers().firstValue("Location").orElseThrow()
                                                     .replaceFirst(".*/", ""));
                    assertThat("stored after the one before it", id > previous, is(true));
                    previous = id;
                }
                assertThat(metric(http, WAITING), is(0));
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> post(Http http, String body) {
        HttpRequest request = http.request("/posts").header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the metric line that starts with {@code name} (labels included) and a space. */
    private static int metric(Http http, String name) {
        return http.get("/observe/metrics").body().lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToInt(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }
}
