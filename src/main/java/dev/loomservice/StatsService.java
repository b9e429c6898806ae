package dev.loomservice;

import java.util.Map;

import dev.loomservice.guard.ConcurrencyLimiter;
import dev.loomservice.guard.CpuPool;
import dev.loomservice.ws.WebSockets;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code GET /admin/stats} (register under {@code /admin}): the live state of the limiter, the CPU pool and the WebSocket endpoints as one small
 * JSON object. Not behind the limiter, so it answers while the service sheds load.
 */
public final class StatsService implements HttpService {
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    private final ConcurrencyLimiter limiter;
    private final CpuPool pool;
    private final WebSockets webSockets;

    public StatsService(ConcurrencyLimiter limiter, CpuPool pool, WebSockets webSockets) {
        this.limiter = limiter;
        this.pool = pool;
        this.webSockets = webSockets;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/stats", this::stats);
    }

    private void stats(ServerRequest req, ServerResponse res) {
        ConcurrencyLimiter.Snapshot l = limiter.snapshot();
        CpuPool.Snapshot p = pool.snapshot();
        WebSockets.Snapshot w = webSockets.snapshot();
        JsonObjectBuilder open = JSON.createObjectBuilder();
        w.open().forEach((path, count) -> open.add(path, count.intValue()));
        String body = JSON.createObjectBuilder()
                .add("limiter", JSON.createObjectBuilder()
                        .add("permits", l.permits())
                        .add("inFlight", l.inFlight())
                        .add("queued", l.queued())
                        .add("rejected", l.rejected()))
                .add("cpuPool", JSON.createObjectBuilder()
                        .add("size", p.size())
                        .add("active", p.active())
                        .add("queued", p.queued())
                        .add("rejected", p.rejected())
                        .add("completed", p.completed()))
                .add("websocket", JSON.createObjectBuilder()
                        .add("maxConnections", w.maxConnections())
                        .add("open", open)
                        .add("rooms", w.rooms())
                        .add("rejectedUpgrades", w.rejectedUpgrades())
                        .add("slowMembersDisconnected", w.slowMembersDisconnected()))
                .build()
                .toString();
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(body);
    }
}
