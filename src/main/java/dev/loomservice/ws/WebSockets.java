package dev.loomservice.ws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.observe.Metered;
import dev.loomservice.observe.PrometheusText;
import dev.loomservice.problem.Problems;
import dev.loomservice.stage.Stage;
import dev.loomservice.store.Database;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;

/**
 * The WebSocket side of the service: {@code /ws/echo}, {@code /ws/chat} and the chat page {@code /chat.html}.
 *
 * <p>{@link #addTo} registers the endpoints with Helidon. As an {@link HttpService} this class serves the page and
 * answers the requests that reach HTTP routing on the endpoints' paths without being upgraded (426, or the
 * endpoint's 400). Its {@link #gate} stage admits the upgrades.
 */
public final class WebSockets implements HttpService, Metered {
    static final String PAGE = "/chat.html";
    private static final System.Logger LOG = System.getLogger(WebSockets.class.getName());

    private final Settings settings;
    private final UpgradeGate gate;
    private final ChatRooms rooms;
    private final byte[] page;

    /** What {@code app.websocket} configures. */
    public record Settings(String echoPrefix, int maxMessageBytes, int maxConnections, List<String> allowedOrigins,
                           int chatQueueLength, Duration pingInterval, Duration closeTimeout) {
        /** Reads {@code app.websocket}; every absent key takes the default documented in etc/application.yaml. */
        public static Settings from(Config ws) {
            return new Settings(ws.get("echo-prefix").asString().orElse("收到: "),
                                ConfigValues.intAtLeast(ws.get("max-message-bytes"), 125, 64 * 1024),
                                ConfigValues.intAtLeast(ws.get("max-connections"), 1, 5_000),
                                ws.get("allowed-origins").asList(String.class).orElse(List.of()),
                                ConfigValues.intAtLeast(ws.get("chat-queue-length"), 1, 256),
                                ConfigValues.duration(ws.get("ping-interval"), Duration.ofSeconds(30)),
                                ConfigValues.duration(ws.get("close-timeout"), Duration.ofSeconds(5)));
        }
    }

    /**
     * A moment's state, for stats and metrics.
     *
     * @param open open connections per endpoint path
     * @param rejectedUpgrades upgrades refused by the gate since start
     * @param slowMembersDisconnected chat members disconnected since start because their queue was full
     */
    public record Snapshot(int maxConnections, Map<String, Integer> open, int rooms, long rejectedUpgrades,
                           long slowMembersDisconnected) {
    }

    /**
     * @param database on PostgreSQL (a shared database), chat rooms span every instance on it ({@link SharedRooms});
     *                 otherwise they live in this process ({@link LocalRooms})
     */
    public WebSockets(Settings settings, Database database) {
        this.settings = settings;
        this.rooms = database.settings().postgres() ? new SharedRooms(database) : new LocalRooms();
        Map<String, UpgradeGate.Check> checks = new LinkedHashMap<>();
        checks.put(EchoEndpoint.PATH, UpgradeGate.Check.NONE);
        checks.put(ChatEndpoint.PATH, (prologue, headers) -> ChatEndpoint.check(rooms, prologue, headers));
        this.gate = new UpgradeGate(settings.maxConnections(), checks);
        this.page = resource("web/chat.html");
    }

    /**
     * Adds the endpoints to {@code server}, each connection with a listener of its own, and sets Helidon's frame
     * limit to {@code max-message-bytes}, so a larger frame is refused (1009) before its payload is read, and its
     * Origin allow-list to {@code allowed-origins}. That replaces any {@code server.protocols.websocket}
     * configuration.
     */
    public void addTo(WebServerConfig.Builder server) {
        server.addProtocol(WsConfig.builder()
                                   .maxFrameLength(settings.maxMessageBytes())
                                   .origins(Set.copyOf(settings.allowedOrigins()))
                                   .build());
        server.addRouting(WsRouting.builder()
                                  .endpoint(EchoEndpoint.PATH, () -> new EchoEndpoint(gate, settings))
                                  .endpoint(ChatEndpoint.PATH, () -> new ChatEndpoint(gate, rooms, settings)));
    }

    /** Starts what the chat needs beside the server (the shared rooms' listening connection); the database is started. */
    public void start() {
        rooms.start();
    }

    /** After the server has stopped, before the database closes. */
    public void stop() {
        rooms.stop();
    }

    /** The stage that admits upgrades to the endpoints ({@link UpgradeGate}): install after the limiter. */
    public Stage gate() {
        return gate;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PAGE, this::page)
                .any(EchoEndpoint.PATH, this::refuse)
                .any(ChatEndpoint.PATH, this::refuse);
    }

    /** The current counts; cheap enough to call on every scrape. */
    public Snapshot snapshot() {
        return new Snapshot(gate.maxConnections(), gate.open(), rooms.count(), gate.rejected(),
                            rooms.slowDisconnects());
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void writeMetrics(PrometheusText out) {
        Snapshot s = snapshot();
        s.open().forEach((endpoint, n) -> out.gauge("loom_websocket_sessions", "Open WebSocket sessions.", n,
                                                    "endpoint", endpoint));
        out.gauge("loom_websocket_sessions_max", "Most WebSocket sessions allowed at once.", s.maxConnections())
                .gauge("loom_websocket_chat_rooms", "Chat rooms with at least one member.", s.rooms())
                .counter("loom_websocket_upgrades_rejected_total",
                         "Upgrades refused (method, origin, parameters or connection maximum).", s.rejectedUpgrades())
                .counter("loom_websocket_slow_members_disconnected_total",
                         "Chat members dropped because their outbound queue was full.", s.slowMembersDisconnected());
        rooms.writeMetrics(out);
    }

    private void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8")
                .header(HeaderValues.CACHE_NO_CACHE)
                .send(page);
    }

    /**
     * Requests on an endpoint's path that Helidon did not upgrade: those that are no WebSocket handshake (Helidon
     * wants {@code Upgrade: websocket}, {@code Connection: Upgrade} and a {@code Sec-WebSocket-Key}). They get the
     * endpoint's verdict on their parameters if it refuses them, which lets the chat page learn why its WebSocket
     * was refused (browsers do not tell), and otherwise 426.
     */
    private void refuse(ServerRequest req, ServerResponse res) {
        UpgradeGate.Refusal refusal = gate.refusal(req.path().path(), req.prologue(), req.headers())
                .orElse(null);
        if (refusal == null) {
            throw Problems.of(Status.UPGRADE_REQUIRED_426, req.path().path() + " is a WebSocket endpoint;"
                            + " connect with a WebSocket client (Upgrade: websocket)")
                    .header(HeaderValues.create(HeaderNames.UPGRADE, "websocket"));
        }
        HttpException problem = Problems.of(refusal.status(), refusal.detail());
        refusal.headers().forEach(problem::header);
        throw problem;
    }

    /**
     * For {@code WsListener.onError}, which Helidon 4.5 calls when a listener callback threw, before it closes with
     * 1011 and the exception's message as the reason (WsConnection.handle): closes first with a fixed reason, so no
     * exception text reaches the client (Helidon's close then does nothing). A failed write (the peer is gone) is
     * expected; anything else is our bug and is logged.
     */
    static void closeOnError(WsSession session, Throwable error) {
        if (!(error instanceof ServerConnectionException || error instanceof UncheckedIOException)) {
            LOG.log(Level.ERROR, "WebSocket listener failed; closing with 1011", error);
        }
        try {
            session.close(WsCloseCodes.UNEXPECTED_CONDITION, "internal error");
        } catch (RuntimeException e) {
            // the socket failed too: the connection ends anyway
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebSockets.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
