package dev.loomservice;

import java.util.ArrayList;
import java.util.List;

import dev.loomservice.guard.ConcurrencyLimiter;
import dev.loomservice.guard.ConnectionPolicy;
import dev.loomservice.guard.Drain;
import dev.loomservice.guard.FramingGuard;
import dev.loomservice.guard.HeadRequests;
import dev.loomservice.guard.ReadDeadline;
import dev.loomservice.guard.ResponseHeaderGuard;
import dev.loomservice.http.CpuService;
import dev.loomservice.http.DebugService;
import dev.loomservice.http.FanOutService;
import dev.loomservice.http.HelloService;
import dev.loomservice.http.IoService;
import dev.loomservice.http.PostService;
import dev.loomservice.http.SiteService;
import dev.loomservice.observe.InFlight;
import dev.loomservice.observe.ObserveService;
import dev.loomservice.problem.ProblemDirectHandler;
import dev.loomservice.problem.Problems;
import dev.loomservice.stage.Stage;
import dev.loomservice.stage.Stages;
import dev.loomservice.store.Database;
import dev.loomservice.store.PostStore;
import dev.loomservice.ws.WebSockets;

import io.helidon.http.DirectHandler;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;

/**
 * The service's components, built once from {@link Settings}, and how they are installed into a Helidon server:
 * the HTTP/1 listeners that guard the connection, the problem+json direct handler, the stages in front of the
 * routes in order (connection policy, origin-form, HEAD bodies, request id, observer, drain, limiter, WebSocket
 * upgrade gate, HEAD as GET), the routes, and the optional HTTPS socket with the same routes. Components are shared by
 * both sockets, so there is one limiter, one CPU pool and one set of metrics per process.
 */
public final class Wiring {
    private final Settings settings;
    private final InFlight inFlight = new InFlight();
    private final Drain drain;
    private final ConcurrencyLimiter limiter;
    private final ReadDeadline deadline;
    private final CpuService cpu;
    private final FanOutService fanOut;
    private final Database database;
    private final PostService posts;
    private final WebSockets webSockets;
    private final ObserveService observe;
    private final FramingGuard framing = new FramingGuard();
    private final HeadRequests head = new HeadRequests();

    Wiring(Settings settings) {
        this.settings = settings;
        this.drain = new Drain(settings.shutdown(), inFlight::running);
        this.limiter = new ConcurrencyLimiter(settings.limiter());
        this.deadline = new ReadDeadline(settings.readDeadline());
        this.cpu = new CpuService(settings.cpu());
        this.fanOut = new FanOutService(settings.fanOut());
        this.database = new Database(settings.db());
        this.posts = new PostService(settings.posts(), deadline, new PostStore(database));
        this.webSockets = new WebSockets(settings.websocket(), database);
        // ready: not draining, and the database answers (so a balancer stops sending while it does not)
        this.observe = new ObserveService(settings.observe(), inFlight, () -> !drain.draining() && database.up(),
                                          List.of(limiter, cpu.pool(), deadline, drain, webSockets, database));
    }

    public Settings settings() {
        return settings;
    }

    /** Shutdown drives it: stop taking requests, let the running ones finish. */
    public Drain drain() {
        return drain;
    }

    void applyTo(WebServerConfig.Builder server) {
        webSockets.addTo(server);
        server.protocols(http1(server.protocols()))
                .directHandlers(problemHandlers())
                // our direct handler decides what of Helidon's messages a client may see
                .errorHandling(ErrorHandling.builder().includeEntity(true).build())
                .routing(this::routing);
        if (settings.tls().enabled()) {
            server.putSocket("https", ListenerConfig.builder()
                    .from(server)
                    .name("https")
                    .port(settings.tls().port())
                    .tls(settings.tls().tls())
                    .routing(this::routing)
                    .build());
        }
    }

    private void routing(HttpRouting.Builder routing) {
        Problems.register(routing);
        OutOfMemoryExit.onRequests(routing);
        List<Stage> stages = new ArrayList<>();
        stages.add(new ConnectionPolicy(deadline)); // outermost: it acts after every other stage is done
        stages.add(framing.originForm()); // before anything reads the path
        stages.add(head.discard()); // outside every stage that may answer
        stages.addAll(observe.stages());
        stages.add(drain);
        stages.add(limiter);
        stages.add(webSockets.gate()); // upgrades pass the filters too, this one admits them
        stages.add(head.asGet()); // innermost: everything outside sees HEAD
        routing.addFilter(new Stages(stages)) // one filter for all: see Stages for why
                .addFeature(deadline)
                .addFeature(new Lifecycle(database, webSockets));
        // Each service under its own prefix, flattened into this one routing table, exact paths before patterns
        // (see RouteTable); within each, the order here is the order of matching.
        var rules = RouteTable.rules(routing)
                .register("/observe", observe)
                .register("/admin", new StatsService(limiter, cpu.pool(), webSockets))
                .register("/io", new IoService())
                .register("/cpu", cpu)
                .register("/fanout", fanOut)
                .register("/site", new SiteService(settings.site()))
                .register("/posts", posts);
        if (settings.debugRoutes()) {
            rules.register("/debug", new DebugService());
        }
        rules.register(webSockets)
                .register(new HelloService())
                .apply();
    }

    /** Helidon's HTTP/1 settings from configuration, plus our listeners (framing, deadlines, HEAD, response headers). */
    private List<ProtocolConfig> http1(List<ProtocolConfig> configured) {
        List<ProtocolConfig> protocols = new ArrayList<>(configured);
        Http1Config base = protocols.stream()
                .filter(Http1Config.class::isInstance)
                .map(Http1Config.class::cast)
                .findFirst()
                .orElseGet(Http1Config::create);
        protocols.removeIf(Http1Config.class::isInstance);
        protocols.add(Http1Config.builder()
                              .from(base)
                              // the name Helidon's service discovery knows, or it adds a default http_1_1 beside it
                              .name("http_1_1")
                              // checked by ResponseHeaderGuard instead, in place (Helidon's check allocates)
                              .validateResponseHeaders(false)
                              // one listener each way, replacing Helidon's wire-log listeners (see Http1Listeners)
                              .receiveListeners(List.of(new Http1Listeners(List.of(framing,
                                                                                  deadline.listener()))))
                              .sendListeners(List.of(new Http1Listeners(List.of(head.sender(),
                                                                               new ResponseHeaderGuard()))))
                              .build());
        return protocols;
    }

    /**
     * The database, then the chat's use of it, open before the server takes requests; both close after it has
     * stopped, in reverse order (once, however many sockets).
     */
    private record Lifecycle(Database database, WebSockets webSockets) implements HttpFeature {
        @Override
        public void setup(HttpRouting.Builder routing) {
            // no routes
        }

        @Override
        public void beforeStart() {
            database.start();
            webSockets.start();
        }

        @Override
        public void afterStop() {
            webSockets.stop();
            database.close();
        }
    }

    private static DirectHandlers problemHandlers() {
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        ProblemDirectHandler problems = new ProblemDirectHandler();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, problems);
        }
        return handlers.build();
    }
}
