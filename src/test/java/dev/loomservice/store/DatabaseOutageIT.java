package dev.loomservice.store;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.loomservice.Await;
import dev.loomservice.Http;
import dev.loomservice.Postgres;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * A real PostgreSQL that goes away under load, or stalls: the service answers 503 with {@code Retry-After} in
 * bounded time (never a 500, never a hang), readiness follows the database down and back up by itself, and no
 * post that was answered 201 is lost.
 */
class DatabaseOutageIT {
    private static final String JSON = "application/json";
    private static final Duration AWAIT = Duration.ofSeconds(15);
    /** connection-timeout (1 s) + the Retry-After pause a refused connection's next request waits (1 s) + slack. */
    private static final long MAX_ANSWER_MILLIS = 3_000;

    private record Answer(int status, String retryAfter, String contentType, String body, String location,
                          long millis) {
    }

    @Test
    void postgresStoppedMidLoadGives503sThenRecoversAndEvery201IsReadable() throws Exception {
        try (Postgres pg = Postgres.start(); TestServer server = TestServer.start(pg.config())) {
            Http http = server.http();
            Queue<Answer> answers = new ConcurrentLinkedQueue<>();
            AtomicBoolean loading = new AtomicBoolean(true);
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < 8; w++) {
                    int worker = w;
                    clients.submit(() -> load(http, worker, loading, answers));
                }
                try {
                    Await.until("100 posts stored", AWAIT, () -> count(answers, 201) >= 100);
                    pg.stop();
                    Await.until("readiness DOWN", AWAIT, () -> http.get("/observe/health/ready").statusCode() == 503);
                    Await.until("503s while the database is down", AWAIT, () -> count(answers, 503) >= 10);
                    pg.begin();
                    Await.until("readiness UP again", AWAIT, () -> http.get("/observe/health/ready").statusCode() == 200);
                    long before = count(answers, 201);
                    Await.until("posts stored again", AWAIT, () -> count(answers, 201) >= before + 100);
                } finally {
                    loading.set(false); // else closing the executor waits for the load for ever
                }
            }
            Map<String, String> acknowledged = new HashMap<>();
            for (Answer a : answers) {
                assertThat(a.toString(), a.status() == 201 || a.status() == 503, is(true));
                assertThat(a.toString(), a.millis(), lessThan(MAX_ANSWER_MILLIS));
                if (a.status() == 503) {
                    assertThat(a.toString(), a.retryAfter(), is("1"));
                    assertThat(a.contentType(), is("application/problem+json"));
                    assertThat(a.body(), containsString("database"));
                } else {
                    acknowledged.put(a.location(), a.body());
                }
            }
            for (Map.Entry<String, String> post : acknowledged.entrySet()) {
                HttpResponse<String> read = http.get(post.getKey());
                assertThat(post.getKey(), read.statusCode(), is(200));
                assertThat(read.body(), is(post.getValue()));
            }
            assertThat(server.http().get("/observe/metrics").body(), containsString("loom_db_up 1"));
        }
    }

    @Test
    void aStatementStuckBehindALockIs503AfterTheQueryTimeout() throws Exception {
        try (Postgres pg = Postgres.start()) {
            Map<String, String> config = new HashMap<>(pg.config());
            config.put("app.db.query-timeout", "PT1S");
            try (TestServer server = TestServer.start(config);
                 Connection holder = DriverManager.getConnection(config.get("app.db.url"), "loom", "")) {
                Http http = server.http();
                assertThat(http.post("/posts", JSON, "{}").statusCode(), is(201));
                holder.setAutoCommit(false);
                try (Statement lock = holder.createStatement()) {
                    lock.execute("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE");
                }
                long start = System.nanoTime();
                HttpResponse<String> stuck = http.post("/posts", JSON, "{}");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(stuck.body(), stuck.statusCode(), is(503));
                assertThat(stuck.headers().firstValue("Retry-After").orElseThrow(), is("1"));
                assertThat(millis, greaterThan(900L));
                assertThat(millis, lessThan(MAX_ANSWER_MILLIS));
                assertThat("the database answers: still ready", http.get("/observe/health/ready").statusCode(), is(200));
                holder.rollback();
                assertThat(http.post("/posts", JSON, "{}").statusCode(), is(201));
            }
        }
    }

    @Test
    void aServiceStartedWhileTheDatabaseIsDownMigratesAndTurnsReadyWhenItComes() {
        try (Postgres pg = Postgres.start()) {
            pg.stop();
            try (TestServer server = TestServer.start(pg.config())) {
                Http http = server.http();
                assertThat(http.get("/observe/health/ready").statusCode(), is(503));
                HttpResponse<String> refused = http.post("/posts", JSON, "{}");
                assertThat(refused.statusCode(), is(503));
                assertThat(refused.headers().firstValue("Retry-After").orElseThrow(), is("1"));
                pg.begin();
                Await.until("readiness UP", AWAIT, () -> http.get("/observe/health/ready").statusCode() == 200);
                HttpResponse<String> created = http.post("/posts", JSON, "{\"late\":true}");
                assertThat(created.statusCode(), is(201));
                assertThat(http.get(created.headers().firstValue("Location").orElseThrow()).body(), is(created.body()));
            }
        }
    }

    private static void load(Http http, int worker, AtomicBoolean loading, Queue<Answer> answers) {
        for (int i = 0; loading.get(); i++) {
            long start = System.nanoTime();
            HttpResponse<String> res = http.post("/posts", JSON, "{\"worker\":" + worker + ",\"i\":" + i + "}");
            answers.add(new Answer(res.statusCode(), res.headers().firstValue("Retry-After").orElse(null),
                                   res.headers().firstValue("Content-Type").orElse(null), res.body(),
                                   res.headers().firstValue("Location").orElse(null),
                                   (System.nanoTime() - start) / 1_000_000));
        }
    }

    private static long count(Queue<Answer> answers, int status) {
        return answers.stream().filter(a -> a.status() == status).count();
    }
}
