package dev.loomservice.observe;

import java.util.Optional;

import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

/**
 * Remembers, for every request, the route pattern that matched it ({@code /greet/{name}}, not {@code /greet/Bob}),
 * so metrics can be labelled per route with a bounded number of series. Helidon 4.2 does not expose the
 * matched pattern, so services are registered through {@link #rules}, a view of the routing that wraps each
 * handler with one that records its pattern in the request context.
 *
 * <p>Every {@code get/post/...(pattern, handler)} of {@link HttpRules} goes through
 * {@link #route(Method, String, Handler)}, so that one method sees every pattern.
 *
 * <p>Services are <em>flattened</em>: {@code register("/io", service)} puts the service's routes on the routing
 * itself, as {@code /io...} patterns, instead of nesting a service route. Helidon 4.2.6 pays for a route found
 * inside a nested service on every request: it merges the path parameters of both levels into a new parameter
 * map, and each such map looks up the global mapper manager in the service registry. Flat, a {@code GET /}
 * allocates 7.5 KB instead of 10.8 KB and takes 17% less CPU time ({@code bench/ab}, bench/README.md). The
 * services keep their lifecycle ({@code beforeStart}, {@code afterStop}): each is registered as a routing
 * feature that has no routes.
 * The order of registration is the order of matching, as before.
 */
public final class RouteTags implements HttpRules {
    private final HttpRouting.Builder routing;
    private final String prefix;

    private RouteTags(HttpRouting.Builder routing, String prefix) {
        this.routing = routing;
        this.prefix = prefix;
    }

    /** A view of {@code routing} through which registered services get their handlers tagged. */
    public static HttpRules rules(HttpRouting.Builder routing) {
        return new RouteTags(routing, "");
    }

    /** The pattern of the route that handled {@code req}, if one did. */
    public static Optional<String> route(ServerRequest req) {
        return req.context().get(RouteTags.class, String.class);
    }

    @Override
    public HttpRules register(HttpService... services) {
        return register("/", services);
    }

    @Override
    public HttpRules register(String pathPattern, HttpService... services) {
        for (HttpService service : services) {
            service.routing(new RouteTags(routing, join(prefix, pathPattern)));
            routing.addFeature(new Lifecycle(service));
        }
        return this;
    }

    @Override
    public HttpRules route(HttpRoute route) {
        routing.route(route); // built routes carry no pattern we can read; left untagged (and unprefixed)
        return this;
    }

    @Override
    public HttpRules route(Method method, String pathPattern, Handler handler) {
        String pattern = join(prefix, pathPattern);
        routing.route(method, pattern, (req, res) -> {
            req.context().register(RouteTags.class, pattern);
            handler.handle(req, res);
        });
        return this;
    }

    /** {@code /io} + {@code /} is {@code /io}; {@code /posts} + {@code /{id}} is {@code /posts/{id}}. */
    private static String join(String prefix, String pattern) {
        if (prefix.isEmpty() || prefix.equals("/")) {
            return pattern;
        }
        return pattern.equals("/") ? prefix : prefix + pattern;
    }

    /** A service's lifecycle without its routes, which are already on the routing. */
    private record Lifecycle(HttpService service) implements HttpFeature {
        @Override
        public void setup(HttpRouting.Builder routing) {
            // routes were registered flat by RouteTags
        }

        @Override
        public void beforeStart() {
            service.beforeStart();
        }

        @Override
        public void afterStart(WebServer webServer) {
            service.afterStart(webServer);
        }

        @Override
        public void afterStop() {
            service.afterStop();
        }
    }
}
