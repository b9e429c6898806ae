package dev.loomservice.ws;

import java.util.Optional;

import io.helidon.common.Weight;
import io.helidon.common.Weighted;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrade;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrader;
import io.helidon.webserver.http1.spi.Http1UpgradeProvider;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;

/**
 * Helidon's WebSocket upgrade with a {@link FrameGuard} under its frame parser: the one place where our code can see
 * a client's frames before Helidon does without replacing Helidon's WebSocket implementation. Helidon builds a
 * connection's {@code WsConnection} from the {@link ConnectionContext} it upgrades; this upgrader hands Helidon's
 * own one a context whose data reader passes every chunk from the socket through a new guard
 * ({@link GuardedContext}). Handshake, Origin check, routing, filters and listeners stay Helidon's.
 *
 * <p>Installed through Helidon's upgrade SPI ({@code META-INF/services}), with a higher weight than Helidon's own
 * provider, so that it is the upgrader for {@code websocket}; it reads the same {@code WsConfig} ({@code
 * max-frame-length}, which {@link WebSockets} sets to {@code max-message-bytes}, bounds frames and messages).
 */
@Weight(Weighted.DEFAULT_WEIGHT + 10)
public final class GuardedUpgrades implements Http1UpgradeProvider<WsConfig> {
    /** For {@link java.util.ServiceLoader}. */
    public GuardedUpgrades() {
    }

    @Override
    public String protocolType() {
        return "websocket";
    }

    @Override
    public Class<WsConfig> protocolConfigType() {
        return WsConfig.class;
    }

    @Override
    public Http1Upgrader create(WsConfig config, ProtocolConfigs configs) {
        return new Upgrader((Http1RoutedUpgrader) WsUpgrader.create(config), config.maxFrameLength());
    }

    /** Helidon's upgrader, given guarded contexts. */
    private record Upgrader(Http1RoutedUpgrader helidon, int maxBytes) implements Http1RoutedUpgrader {
        @Override
        public String supportedProtocol() {
            return helidon.supportedProtocol();
        }

        @Override
        public Optional<Http1RoutedUpgrade> routedUpgrade(ConnectionContext ctx, HttpPrologue prologue,
                                                         WritableHeaders<?> headers) {
            return helidon.routedUpgrade(guarded(ctx), prologue, headers);
        }

        @Override
        public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            return helidon.upgrade(guarded(ctx), prologue, headers);
        }

        private GuardedContext guarded(ConnectionContext ctx) {
            return new GuardedContext(ctx, new FrameGuard(maxBytes, maxBytes));
        }
    }
}
