package dev.loomservice.observe;

import java.util.Arrays;
import java.util.Optional;

import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
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
 * {@link #route(Method, String, Handler)}, so that one method sees every pattern; {@code register(prefix, ...)}
 * carries the prefix into the nested services. Services keep their lifecycle ({@code beforeStart},
 * {@code afterStop}): they are registered wrapped, not replaced.
 */
public final class RouteTags implements HttpRules {
    private final HttpRules delegate;
    private final String prefix;

    private RouteTags(HttpRules delegate, String prefix) {
        this.delegate = delegate;
        this.prefix = prefix;
    }

    /** A view of {@code routing} through which registered services get their handlers tagged. */
    public static HttpRules rules(HttpRules routing) {
        return new RouteTags(routing, "");
    }

    /** The pattern of the route that handled {@code req}, if one did. */
    public static Optional<String> route(ServerRequest req) {
        return req.context().get(RouteTags.class, String.class);
    }

    @Override
    public HttpRules register(HttpService... services) {
        delegate.register(Arrays.stream(services).map(s -> tagged(prefix, s)).toArray(HttpService[]::new));
        return this;
    }

    @Override
    public HttpRules register(String pathPattern, HttpService... services) {
        delegate.register(pathPattern,
                          Arrays.stream(services).map(s -> tagged(prefix + pathPattern, s)).toArray(HttpService[]::new));
        return this;
    }

    @Override
    public HttpRules route(HttpRoute route) {
        delegate.route(route); // built routes carry no pattern we can read; left untagged
        return this;
    }

    @Override
    public HttpRules route(Method method, String pathPattern, Handler handler) {
        String pattern = join(prefix, pathPattern);
        delegate.route(method, pathPattern, (req, res) -> {
            req.context().register(RouteTags.class, pattern);
            handler.handle(req, res);
        });
        return this;
    }

    private static String join(String prefix, String pattern) {
        if (prefix.isEmpty()) {
            return pattern;
        }
        return pattern.equals("/") ? prefix : prefix + pattern;
    }

    private static HttpService tagged(String prefix, HttpService service) {
        return new HttpService() {
            @Override
            public void routing(HttpRules rules) {
                service.routing(new RouteTags(rules, prefix));
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
        };
    }
}
