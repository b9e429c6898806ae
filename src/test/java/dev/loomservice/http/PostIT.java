package dev.loomservice.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.loomservice.Http;
import dev.loomservice.Postgres;
import dev.loomservice.TestServer;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * {@code /posts} over real sockets, once per database: the embedded H2 and a real PostgreSQL ({@link Postgres},
 * skipped outside CI when it is not installed). Each run has a server and a database of its own.
 */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {"h2", "postgresql"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostIT {
    private static final String JSON = "application/json";
    @Parameter
    private String database;
    private Postgres postgres;
    private TestServer server;
    private Http http;
    private int port;

    @BeforeParameterizedClassInvocation
    void start() {
        postgres = database.equals("postgresql") ? Postgres.start() : null;
        server = TestServer.start(databaseConfig());
        http = server.http();
        port = server.port();
    }

    @AfterParameterizedClassInvocation
    void stop() {
        if (server != null) {
            server.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /**
     * This run's database: PostgreSQL's URL, or nothing (each server then gets a fresh in-memory H2). The wait for a
     * pooled connection is raised from 1 s: 1,000 concurrent POSTs queue for 10 connections, and on a busy machine
     * some would wait longer and be (rightly) refused with 503. This suite is about storing; DatabaseOutageIT is
     * about refusing.
     */
    private Map<String, String> databaseConfig() {
        Map<String, String> config = new HashMap<>(postgres == null ? Map.of() : postgres.config());
        config.put("app.db.connection-timeout", "PT30S");
        return config;
    }

    @Test
    void createsWithServerIdAndLocationThenGetReturnsIt() {
        HttpResponse<String> created = http.post("/posts", JSON, "{\"title\":\"你好\",\"userId\":1,\"tags\":[\"a\"]}");
        assertThat(created.statusCode(), is(201));
        String location = created.headers().firstValue("Location").orElseThrow();
        assertThat(location, location.matches("/posts/\\d+"), is(true));
        String id = location.substring("/posts/".length());
        assertThat(created.body(), is("{\"id\":" + id + ",\"title\":\"你好\",\"userId\":1,\"tags\":[\"a\"]}"));

        HttpResponse<String> fetched = http.get(location);
        assertThat(fetched.statusCode(), is(200));
        assertThat(fetched.headers().firstValue("Content-Type").orElseThrow(), is(JSON));
        assertThat(fetched.body(), is(created.body()));
    }

    @Test
    void acceptsJsonWithExplicitUtf8Charset() {
        assertThat(http.post("/posts", "application/json; charset=utf-8", "{}").statusCode(), is(201));
    }

    @Test
    void unknownIdIsProblem404() {
        for (String id : new String[] {"999999", "abc"}) {
            HttpResponse<String> res = http.get("/posts/" + id);
            assertThat(res.statusCode(), is(404));
            assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
            assertThat(res.body(), containsString("no post with id '" + id + "'"));
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            application/json       | {"a":1                | 400 | the body ends before the JSON does
            application/json       | {"a":1} x             | 400 | malformed JSON at line 1, column 9
            application/json       | {"a":1}{"b":2}        | 400 | malformed JSON at line 1, column 8
            application/json       | `  `                  | 400 | the body is empty
            application/json       | nul                   | 400 | malformed JSON
            application/json       | [1,2]                 | 422 | the body must be a JSON object; got array
            application/json       | "text"                | 422 | the body must be a JSON object; got string
            application/json       | 42                    | 422 | the body must be a JSON object; got number
            application/json       | {"a":1,"a":2}         | 422 | the key 'a' appears twice
            application/json       | {"id":7}              | 422 | 'id' is assigned by the server
            text/plain             | {}                    | 415 | got 'text/plain'
            application/xml        | {}                    | 415 | got 'application/xml'
            application/json; charset=latin1 | {}          | 415 | (UTF-8)
            """)
    void rejectsBadInputWithProblem(String contentType, String body, int status, String detail) {
        HttpResponse<String> res = http.post("/posts", contentType, body);
        assertThat(res.statusCode(), is(status));
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
        assertThat(res.body(), containsString("\"status\":" + status));
        assertThat(res.body(), containsString(detail));
    }

    @Test
    void missingContentTypeIs415() {
        HttpResponse<String> res = http.send(http.request("/posts")
                                                     .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(res.statusCode(), is(415));
        assertThat(res.body(), containsString("got no Content-Type"));
    }

    @Test
    void invalidUtf8Is400() {
        HttpResponse<String> res = http.send(http.request("/posts").header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', (byte) 0xff, '"', '}'})).build());
        assertThat(res.statusCode(), is(400));
        assertThat(res.body(), containsString("not valid UTF-8"));
    }

    @Test
    void bodyOverTheLimitIs413WithOrWithoutContentLength() {
        String big = "{\"a\":\"" + "x".repeat(64 * 1024) + "\"}";
        HttpResponse<String> sized = http.post("/posts", JSON, big);
        assertThat(sized.statusCode(), is(413));
        assertThat(sized.body(), containsString("at most 65536 bytes"));

        // ofInputStream has no known length, so the JDK client sends it chunked, without Content-Length.
        HttpResponse<String> chunked = http.send(http.request("/posts").header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build());
        assertThat(chunked.statusCode(), is(413));
        assertThat(chunked.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
    }

    /**
     * The 413 on {@code Content-Length} goes out before the body is read. Closing the socket then, with the body
     * still arriving, resets the connection, and the client's write fails before it reads the answer. 900 KB is
     * far more than the socket buffers hold while nobody reads (and under the server's 1 MiB max-payload-size), so
     * without the staged close this write fails every time.
     */
    @Test
    void refusedBodyIsReadToTheEndSoTheClientGetsThe413() throws IOException {
        byte[] body = ("{\"a\":\"" + "x".repeat(900 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        String head = "POST /posts HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.setSendBufferSize(8192);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout((int) Http.TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(reply, startsWith("HTTP/1.1 413 "));
            assertThat(reply, containsString("at most 65536 bytes"));
        }
    }

    @Test
    void deleteIs204ThenThePostIsGoneAnd404() {
        String location = http.post("/posts", JSON, "{\"n\":1}").headers().firstValue("Location").orElseThrow();
        HttpResponse<String> deleted = http.send(http.request(location).DELETE().build());
        assertThat(deleted.statusCode(), is(204));
        assertThat(deleted.body(), is(""));
        assertThat(http.get(location).statusCode(), is(404));
        for (String gone : new String[] {location, "/posts/abc"}) {
            HttpResponse<String> again = http.send(http.request(gone).DELETE().build());
            assertThat(again.statusCode(), is(404));
            assertThat(again.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
        }
    }

    @Test
    void pagesGoInIdOrderAndNextLeadsToTheRest() {
        long first = id(http.post("/posts", JSON, "{\"n\":1}"));
        id(http.post("/posts", JSON, "{\"n\":2}"));
        long third = id(http.post("/posts", JSON, "{}"));

        HttpResponse<String> page = http.get("/posts?after=" + (first - 1) + "&limit=2");
        assertThat(page.statusCode(), is(200));
        assertThat(page.headers().firstValue("Content-Type").orElseThrow(), is(JSON));
        assertThat(page.body(), is("{\"posts\":[{\"id\":" + first + ",\"n\":1},{\"id\":" + (first + 1) + ",\"n\":2}],"
                                     + "\"next\":\"/posts?after=" + (first + 1) + "&limit=2\"}"));
        HttpResponse<String> last = http.get("/posts?after=" + (first + 1) + "&limit=2");
        assertThat("no next: nothing follows", last.body(), is("{\"posts\":[{\"id\":" + third + "}]}"));
        assertThat(http.get("/posts?after=" + third).body(), is("{\"posts\":[]}"));
        assertThat("defaults: from the start, 20 at most", http.get("/posts").body(), startsWith("{\"posts\":[{\"id\":"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            limit=0               | 'limit' must be one integer from 1 to 100; got 0
            limit=101             | 'limit' must be one integer from 1 to 100; got 101
            limit=x               | 'limit' must be one integer from 1 to 100; got 'x'
            after=-1              | 'after' must be one integer from 0 to 999999999999999999; got '-1'
            after=1&after=2       | 'after' must be one integer from 0 to 999999999999999999; it was given 2 times
            after=9999999999999999999 | got '9999999999999999999'
            """)
    void badPagingParametersAre400(String query, String detail) {
        HttpResponse<String> res = http.get("/posts?" + query);
        assertThat(res.statusCode(), is(400));
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
        assertThat(res.body(), containsString(detail));
    }

    @Test
    void aPostOutlivesItsServer(@TempDir Path dir) {
        Map<String, String> config = postgres == null ? Map.of("app.db.url", "jdbc:h2:file:" + dir.resolve("loom"))
                                                      : postgres.config();
        HttpResponse<String> created;
        try (TestServer first = TestServer.start(config)) {
            created = first.http().post("/posts", JSON, "{\"kept\":true}");
            assertThat(created.statusCode(), is(201));
        }
        try (TestServer second = TestServer.start(config)) {
            HttpResponse<String> read = second.http().get(created.headers().firstValue("Location").orElseThrow());
            assertThat(read.statusCode(), is(200));
            assertThat(read.body(), is(created.body()));
        }
    }

    @Test
    void aThousandConcurrentPostsGetDistinctIdsAndAreAllReadable() throws Exception {
        int n = 1_000;
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                String body = "{\"i\":" + i + "}";
                answers.add(clients.submit(() -> http.post("/posts", JSON, body)));
            }
        }
        Map<Long, String> byId = new HashMap<>();
        for (Future<HttpResponse<String>> answer : answers) {
            HttpResponse<String> res = answer.get();
            assertThat(res.body(), res.statusCode(), is(201));
            byId.put(id(res), res.body());
        }
        assertThat("distinct ids", byId.size(), is(n));
        long after = byId.keySet().stream().mapToLong(Long::longValue).min().orElseThrow() - 1;
        Map<Long, String> read = new HashMap<>();
        for (String next = "/posts?after=" + after + "&limit=100"; next != null; ) {
            JsonObject page = Json.createReader(new StringReader(http.get(next).body())).readObject();
            page.getJsonArray("posts").forEach(p -> read.put(p.asJsonObject().getJsonNumber("id").longValue(), p.toString()));
            next = page.containsKey("next") ? page.getString("next") : null;
        }
        assertThat(read, is(byId));
    }

    private static long id(HttpResponse<String> created) {
        return Long.parseLong(created.headers().firstValue("Location").orElseThrow().substring("/posts/".length()));
    }
}
