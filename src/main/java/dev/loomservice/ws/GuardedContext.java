package dev.loomservice.ws;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

/**
 * A connection's context as Helidon made it, except its data reader: that one reads what the connection's own reader
 * reads (bytes already buffered after the handshake included), through {@code guard}. Made for each upgrade attempt;
 * the reader exists only if Helidon upgrades and asks for it, and it is read only by the connection's thread.
 */
final class GuardedContext implements ConnectionContext {
    private final ConnectionContext ctx;
    private final FrameGuard guard;
    private DataReader reader;

    GuardedContext(ConnectionContext ctx, FrameGuard guard) {
        this.ctx = ctx;
        this.guard = guard;
    }

    @Override
    public DataReader dataReader() {
        if (reader == null) {
            DataReader socket = ctx.dataReader();
            reader = DataReader.create(() -> {
                guard.rethrow(); // before blocking: the violation may have come with the frames passed last time
                socket.ensureAvailable(); // blocks; at the end of the stream it throws as Helidon expects
                return guard.pass(socket.readBytes(socket.available()));
            });
        }
        return reader;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public DataWriter dataWriter() {
        return ctx.dataWriter();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }
}
