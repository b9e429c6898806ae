package dev.loomservice;

import dev.loomservice.http.CpuService;
import dev.loomservice.http.FanOutService;
import dev.loomservice.http.PostService;
import dev.loomservice.http.SiteService;
import dev.loomservice.limit.ConcurrencyLimiter;

import io.helidon.common.config.Config;

/**
 * Everything under {@code app:} in the configuration, read once at startup. Each part reads its own section and
 * keeps its defaults in code; {@code etc/application.yaml} lists the same defaults for people to read, and a
 * test keeps the two in step.
 */
public record Settings(ConcurrencyLimiter.Settings limiter,
                       CpuService.Settings cpu,
                       FanOutService.Settings fanOut,
                       PostService.Settings posts,
                       SiteService.Settings site) {

    /** Reads the {@code app} node; a missing node means all defaults. */
    public static Settings from(Config app) {
        return new Settings(ConcurrencyLimiter.Settings.from(app.get("limiter")),
                            CpuService.Settings.from(app.get("cpu")),
                            FanOutService.Settings.from(app.get("fanout")),
                            PostService.Settings.from(app.get("posts")),
                            SiteService.Settings.from(app.get("site")));
    }
}
