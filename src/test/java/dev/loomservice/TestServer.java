package dev.loomservice;

import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;

/**
 * A real server on a free loopback port, wired by {@link Main#setup} with the given {@code app.*} settings, for
 * tests that need a configuration of their own (small limits, short timeouts). {@code extraRoutes} may add
 * test-only routes after the production ones; they must have two or more path segments, as {@code /{name}}
 * answers every one-segment path.
 */
public final class TestServer implements AutoCloseable {
    private final WebServer server;
    private final Http http;

    private TestServer(WebServer server) {
        this.server = server;
        this.http = Http.to(URI.create("http://localhost:" + server.port() + "/"));
    }

    public static TestServer start(Map<String, String> config) {
        return start(config, routing -> { });
    }

    public static TestServer start(Map<String, String> config, Consumer<HttpRouting.Builder> extraRoutes) {
        WebServerConfig.Builder builder = WebServer.builder().host("localhost").port(0).shutdownHook(false);
        Main.setup(builder, Config.just(ConfigSources.create(config)));
        extraRoutes.accept(builder.routing().orElseThrow());
        return new TestServer(builder.build().start());
    }

    public Http http() {
        return http;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
