package dev.loomservice;

import dev.loomservice.http.CpuService;
import dev.loomservice.http.FanOutService;
import dev.loomservice.http.PostService;
import dev.loomservice.http.SiteService;
import dev.loomservice.guard.ConcurrencyLimiter;
import dev.loomservice.guard.Drain;
import dev.loomservice.guard.ReadDeadline;
import dev.loomservice.observe.ObserveService;
import dev.loomservice.store.DbSettings;
import dev.loomservice.ws.WebSockets;

import io.helidon.config.Config;

/**
 * Everything under {@code app:} in the configuration, read once at startup. Each part reads its own section and
 * keeps its defaults in code; {@code etc/application.yaml} lists the same defaults for people to read, and a
 * test keeps the two in step.
 */
public record Settings(ConcurrencyLimiter.Settings limiter,
                       CpuService.Settings cpu,
                       FanOutService.Settings fanOut,
                       PostService.Settings posts,
                       DbSettings db,
                       ObserveService.Settings observe,
                       ReadDeadline.Settings readDeadline,
                       Drain.Settings shutdown,
                       TlsSettings tls,
                       boolean debugRoutes,
                       WebSockets.Settings websocket,
                       SiteService.Settings site) {

    /** Reads the {@code app} node; a missing node means all defaults. */
    public static Settings from(Config app) {
        return new Settings(ConcurrencyLimiter.Settings.from(app.get("limiter")),
                            CpuService.Settings.from(app.get("cpu")),
                            FanOutService.Settings.from(app.get("fanout")),
                            PostService.Settings.from(app.get("posts")),
                            DbSettings.from(app.get("db")),
                            ObserveService.Settings.from(app.get("observe")),
                            ReadDeadline.Settings.from(app.get("read-deadline")),
                            Drain.Settings.from(app.get("shutdown")),
                            TlsSettings.from(app.get("tls")),
                            app.get("debug.routes").asBoolean().orElse(false),
                            WebSockets.Settings.from(app.get("websocket")),
                            SiteService.Settings.from(app.get("site")));
    }
}
