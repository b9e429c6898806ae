package dev.loomservice;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A small real web server whose pages a test defines (robots.txt, redirects, links to another host name), for
 * client and crawler tests that need more than the service's own routes. It listens on the loopback interface,
 * so {@code 127.0.0.1} and {@code localhost} reach it under two different host names. It records the path (and
 * query) of every request, so a test can show what was never fetched.
 */
public final class StubSite implements AutoCloseable {
    private final Map<String, Handler> pages = new ConcurrentHashMap<>();
    private final Queue<String> requested = new ConcurrentLinkedQueue<>();
    private final WebServer server;

    private StubSite() {
        this.server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                .routing(r -> r.any(this::dispatch))
                .build()
                .start();
    }

    public static StubSite start() {
        return new StubSite();
    }

    /** Serves {@code body} as HTML at {@code target} (a path, with its query if any). */
    public StubSite html(String target, String body) {
        return route(target, (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8").send(body));
    }

    /** Serves {@code body} as plain text at {@code target}. */
    public StubSite text(String target, String body) {
        return route(target, (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "text/plain").send(body));
    }

    /** Answers {@code target} with a 302 to {@code location}. */
    public StubSite redirect(String target, String location) {
        return route(target, (req, res) -> res.status(Status.FOUND_302).header(HeaderNames.LOCATION, location).send());
    }

    public StubSite route(String target, Handler handler) {
        pages.put(target, handler);
        return this;
    }

    /** {@code http://127.0.0.1:PORT} + {@code target}. */
    public URI uri(String target) {
        return URI.create("http://127.0.0.1:" + server.port() + target);
    }

    /** The same server under its other name, {@code http://localhost:PORT} + {@code target}. */
    public URI otherHostUri(String target) {
        return URI.create("http://localhost:" + server.port() + target);
    }

    /** Every request so far, as {@code host-header-name target}, e.g. {@code 127.0.0.1 /a?x=1}. */
    public List<String> requested() {
        return List.copyOf(requested);
    }

    @Override
    public void close() {
        server.stop();
    }

    private void dispatch(ServerRequest req, ServerResponse res) throws Exception {
        String target = req.path().rawPath() + (req.query().rawValue().isEmpty() ? "" : "?" + req.query().rawValue());
        String host = req.authority().replaceFirst(":\\d+$", "");
        requested.add(host + " " + target);
        Handler page = pages.get(target);
        if (page == null) {
            res.status(Status.NOT_FOUND_404).send("no such page");
        } else {
            page.handle(req, res);
        }
    }
}
