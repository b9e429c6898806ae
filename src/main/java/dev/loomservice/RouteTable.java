package dev.loomservice;

import java.util.ArrayList;
import java.util.List;

import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * The one routing table: services registered under their prefixes, <em>flattened</em> onto the routing, exact
 * paths first. Metrics label requests by the pattern that matched ({@code /greet/{name}}, not {@code /greet/Bob}),
 * which Helidon keeps as {@code ServerRequest.matchingPattern()}; flattened, that is the whole pattern.
 *
 * <p>Flattened: {@code register("/io", service)} puts the service's routes on the routing itself, as {@code /io...}
 * patterns, instead of nesting a service route, which costs a parameter-map merge on every request it serves. The
 * services keep their lifecycle ({@code beforeStart}, {@code afterStop}): each is registered as a routing feature
 * that has no routes.
 *
 * <p>Exact paths first: Helidon tries routes one after another, and a pattern ({@code /posts/{id}}) costs a regex
 * match to try, an exact path a string comparison. So every route whose path has no parameter or wildcard is
 * tried before every pattern; among each kind, registration order is matching order. A pattern can therefore never
 * shadow an exact path, whatever the order of registration. Call {@link #apply} once, after the last
 * registration, to add the patterns.
 */
public final class RouteTable implements HttpRules {
    private final HttpRouting.Builder routing;
    private final String prefix;
    private final List<Runnable> patterns;

    private RouteTable(HttpRouting.Builder routing, String prefix, List<Runnable> patterns) {
        this.routing = routing;
        this.prefix = prefix;
        this.patterns = patterns;
    }

    /** A view of {@code routing} for registering services; {@link #apply} when done. */
    public static RouteTable rules(HttpRouting.Builder routing) {
        return new RouteTable(routing, "", new ArrayList<>());
    }

    /** Adds the pattern routes held back so far, after the exact ones. */
    public void apply() {
        patterns.forEach(Runnable::run);
        patterns.clear();
    }

    @Override
    public RouteTable register(HttpService... services) {
        return register("/", services);
    }

    @Override
    public RouteTable register(String pathPattern, HttpService... services) {
        for (HttpService service : services) {
            service.routing(new RouteTable(routing, join(prefix, pathPattern), patterns));
            routing.addFeature(new Lifecycle(service));
        }
        return this;
    }

    @Override
    public HttpRules route(HttpRoute route) {
        routing.route(route); // a built route's path is not readable: added now, unprefixed
        return this;
    }

    @Override
    public HttpRules route(Method method, String pathPattern, Handler handler) {
        String pattern = join(prefix, pathPattern);
        if (exact(pattern)) {
            routing.route(method, pattern, handler);
        } else {
            patterns.add(() -> routing.route(method, pattern, handler));
        }
        return this;
    }

    /** No parameter, optional part or wildcard: Helidon matches it by string comparison. */
    private static boolean exact(String pattern) {
        return pattern.indexOf('{') < 0 && pattern.indexOf('[') < 0 && pattern.indexOf('*') < 0;
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
            // routes were registered flat by RouteTable
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
