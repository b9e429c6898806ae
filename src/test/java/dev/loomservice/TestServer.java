package dev.loomservice;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server on a free loopback port, wired by {@link Main#setup} with the given settings ({@code app.*} and
 * {@code server.*} keys) over the built-in defaults, for tests that need a configuration of their own (small
 * limits, short timeouts). {@code extraRoutes} may add
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
        Config all = config(config);
        WebServerConfig.Builder builder = WebServer.builder()
                .config(all.get("server"))
                .host("localhost")
                .port(0)
                .shutdownHook(false);
        Main.setup(builder, all);
        extraRoutes.accept(builder.routing().orElseThrow());
        return new TestServer(builder.build().start());
    }

    /**
     * {@code config} over the built-in defaults, as a test server sees it. Unless {@code config} names a database
     * ({@code app.db.url}), each call gets an in-memory H2 database of its own, gone when its server stops: tests
     * never write into the repository's {@code data/}, and never see each other's posts.
     */
    public static Config config(Map<String, String> config) {
        Map<String, String> all = new HashMap<>(config);
        all.putIfAbsent("app.db.url", "jdbc:h2:mem:test-" + UUID.randomUUID());
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.create(all), ConfigSources.classpath("application.yaml"))
                .build();
    }

    public Http http() {
        return http;
    }

    public int port() {
        return server.port();
    }

    /** The port of a named socket, e.g. {@code https}. */
    public int port(String socket) {
        return server.port(socket);
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * One server for all the tests of a class, started before the first and stopped after the last:
     * {@code @RegisterExtension static final TestServer.PerClass server = TestServer.perClass(Map.of());}
     */
    public static PerClass perClass(Map<String, String> config) {
        return new PerClass(config);
    }

    /** See {@link #perClass}. */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private final Map<String, String> config;
        private TestServer server;

        private PerClass(Map<String, String> config) {
            this.config = config;
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            server = start(config);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            server.close();
        }

        public Http http() {
            return server.http();
        }

        public int port() {
            return server.port();
        }
    }
}
