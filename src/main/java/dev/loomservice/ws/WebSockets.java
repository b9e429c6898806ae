package dev.loomservice.ws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.loomservice.ConfigValues;
import dev.loomservice.http.Problems;

import dev.loomservice.observe.Metered;
import dev.loomservice.observe.PrometheusText;

import io.helidon.common.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;

/**
 * The WebSocket side of the service: {@code /ws/echo}, {@code /ws/chat} and the chat page {@code /chat.html}.
 *
 * <p>{@link #addTo} registers the endpoints with Helidon. As an {@link HttpService} this class serves the page and
 * answers the requests that reach HTTP routing on the endpoints' paths: a request that is no WebSocket upgrade gets
 * 426, and an upgrade the {@link UpgradeGate} refused gets the gate's verdict (403, 400, 405, 503) as a problem+json
 * body. Register it before {@code HelloService}, whose {@code /{name}} would answer {@code /chat.html}.
 */
public final class WebSockets implements HttpService, Metered {
    static final String PAGE = "/chat.html";

    private final Settings settings;
    private final UpgradeGate gate;
    private final ChatRooms rooms = new ChatRooms();
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

    public WebSockets(Settings settings) {
        this.settings = settings;
        this.gate = new UpgradeGate(settings.allowedOrigins(), settings.maxConnections(),
                                    List.of(EchoEndpoint.PATH, ChatEndpoint.PATH));
        this.page = resource("web/chat.html");
    }

    /**
     * Adds the endpoints to {@code server}, each connection with a listener of its own, and sets Helidon's frame
     * limit to {@code max-message-bytes}, so a larger frame is refused (1009) before its payload is read. That
     * replaces any {@code server.protocols.websocket} configuration; origins are checked by the gate instead.
     */
    public void addTo(WebServerConfig.Builder server) {
        server.addProtocol(WsConfig.builder().maxFrameLength(settings.maxMessageBytes()).build());
        server.addRouting(WsRouting.builder()
                                  .endpoint(EchoEndpoint.PATH, () -> new EchoEndpoint(gate, settings))
                                  .endpoint(ChatEndpoint.PATH, () -> new ChatEndpoint(gate, rooms, settings)));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PAGE, this::page)
                .any(EchoEndpoint.PATH, refuse(UpgradeGate.Check.NONE))
                .any(ChatEndpoint.PATH, refuse(ChatEndpoint::check));
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
    }

    private void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8")
                .header(HeaderValues.CACHE_NO_CACHE)
                .send(page);
    }

    /**
     * Requests on an endpoint's path that Helidon did not upgrade: those that are no WebSocket handshake, and
     * those the gate refused in {@code onHttpUpgrade}. The gate's checks are a pure function of the request, so
     * they are run again here for the answer; a request that passes them is told 426 if it is no handshake, and
     * otherwise was refused for the only other reason, capacity (503). Plain HTTP requests get the gate's verdict
     * too, which lets the chat page learn why its WebSocket was refused: browsers do not tell.
     */
    private Handler refuse(UpgradeGate.Check check) {
        return (req, res) -> {
            UpgradeGate.Refusal refusal = gate.refusal(req.prologue(), req.headers(), check).orElse(null);
            if (refusal == null && !handshake(req.headers())) {
                throw Problems.of(Status.UPGRADE_REQUIRED_426, req.path().path() + " is a WebSocket endpoint;"
                                + " connect with a WebSocket client (Upgrade: websocket)")
                        .header(HeaderValues.create(HeaderNames.UPGRADE, "websocket"));
            }
            if (refusal == null) {
                refusal = gate.full();
            }
            HttpException problem = Problems.of(refusal.status(), refusal.detail());
            refusal.headers().forEach(problem::header);
            throw problem;
        };
    }

    /** What Helidon 4.2.6 takes for a WebSocket handshake (its header lookup is case-sensitive: "websocket"). */
    private static boolean handshake(Headers headers) {
        return headers.first(HeaderNames.UPGRADE).map("websocket"::equals).orElse(false)
                && headers.contains(HeaderNames.create("Sec-WebSocket-Key"))
                && (!headers.contains(HeaderNames.CONTENT_LENGTH)
                            || headers.contains(HeaderValues.CONTENT_LENGTH_ZERO))
                && !headers.contains(HeaderValues.TRANSFER_ENCODING_CHUNKED);
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
