package dev.loomservice.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.loomservice.Http;
import dev.loomservice.Main;
import dev.loomservice.TestServer;

import io.helidon.config.Config;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

@ServerTest
class PostIT {
    private static final String JSON = "application/json";
    private final Http http;
    private final int port;

    PostIT(URI uri) {
        this.http = Http.to(uri);
        this.port = uri.getPort();
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) {
        Main.setup(server, Config.empty());
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
    void keepsAtMostMaxCountEvictingTheOldest() {
        try (TestServer server = TestServer.start(Map.of("app.posts.max-count", "2"))) {
            String first = server.http().post("/posts", JSON, "{\"n\":1}").headers().firstValue("Location").orElseThrow();
            String second = server.http().post("/posts", JSON, "{\"n\":2}").headers().firstValue("Location").orElseThrow();
            String third = server.http().post("/posts", JSON, "{\"n\":3}").headers().firstValue("Location").orElseThrow();
            assertThat(server.http().get(first).statusCode(), is(404));
            assertThat(server.http().get(second).body(), containsString("\"n\":2"));
            assertThat(server.http().get(third).body(), containsString("\"n\":3"));
        }
    }
}
