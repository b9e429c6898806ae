package dev.loomservice.http;

import java.nio.charset.StandardCharsets;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The greetings of the aiohttp tutorial: {@code GET /}, {@code GET /greet/{name}} and {@code GET /{name}}.
 *
 * <p>Path parameters arrive URL-decoded, so names can be any Unicode text; answers are UTF-8 plain text.
 * A blank name (e.g. {@code /%20}, or {@code /greet} with none) greets {@code Anonymous}.
 *
 * <p>Register this service last: {@code /{name}} matches every one-segment path, so a one-segment pattern
 * registered after it would never be reached (exact paths are tried before any pattern: see {@code RouteTable}).
 */
public final class HelloService implements HttpService {
    static final String ANONYMOUS = "Anonymous";
    private static final Header TEXT_UTF_8 = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::world)
                .get("/greet[/{name}]", this::greet)
                .get("/greet/", this::greet)
                .get("/{name}", this::hello);
    }

    private void world(ServerRequest req, ServerResponse res) {
        text(res, "Hello, World!");
    }

    private void greet(ServerRequest req, ServerResponse res) {
        text(res, "Hello, " + name(req) + "!");
    }

    private void hello(ServerRequest req, ServerResponse res) {
        text(res, "Hello, " + name(req));
    }

    private static String name(ServerRequest req) {
        String name = req.path().pathParameters().first("name").orElse("");
        return name.isBlank() ? ANONYMOUS : name;
    }

    /**
     * Sends {@code body} as UTF-8 plain text; the other text routes answer through this too. As bytes: a String
     * would go through Helidon's media writer, which parses the Content-Type for its charset on every response.
     */
    static void text(ServerResponse res, String body) {
        res.header(TEXT_UTF_8).send(body.getBytes(StandardCharsets.UTF_8));
    }
}
