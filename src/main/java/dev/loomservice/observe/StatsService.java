package dev.loomservice.observe;

import java.util.Map;

import dev.loomservice.limit.ConcurrencyLimiter;
import dev.loomservice.limit.CpuPool;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;

/**
 * {@code GET /admin/stats}: the live state of the limiter and the CPU pool as one small JSON object. Not behind
 * the limiter, so it answers while the service sheds load.
 */
public final class StatsService implements HttpService {
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    private final ConcurrencyLimiter limiter;
    private final CpuPool pool;

    public StatsService(ConcurrencyLimiter limiter, CpuPool pool) {
        this.limiter = limiter;
        this.pool = pool;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/stats", this::stats);
    }

    private void stats(ServerRequest req, ServerResponse res) {
        ConcurrencyLimiter.Snapshot l = limiter.snapshot();
        CpuPool.Snapshot p = pool.snapshot();
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
                .build()
                .toString();
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(body);
    }
}
