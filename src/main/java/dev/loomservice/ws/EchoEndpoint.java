package dev.loomservice.ws;

import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * {@code /ws/echo}: answers each text message with {@code prefix + message} (the async tutorials' {@code 收到: });
 * echoes each binary message as it came. One instance per connection; Helidon calls it on the connection's own
 * virtual thread only, so it keeps plain fields and replies with a plain blocking send: a client that stops
 * reading blocks only its own thread, which then stops reading its messages (backpressure, nothing queued).
 *
 * <p>What breaks the protocol (a message over {@code max-message-bytes}, text that is not UTF-8, ...) never gets
 * here: {@link FrameGuard} fails the connection first. Helidon 4.5 does not answer pings itself; this endpoint
 * does. An exception of ours closes with 1011 and a fixed reason ({@link #onError}).
 */
final class EchoEndpoint implements WsListener {
    static final String PATH = "/ws/echo";

    private final UpgradeGate gate;
    private final String prefix;
    private final Reassembler reassembler = new Reassembler();

    EchoEndpoint(UpgradeGate gate, WebSockets.Settings settings) {
        this.gate = gate;
        this.prefix = settings.echoPrefix();
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        gate.opened(PATH);
        return Optional.empty();
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        reassembler.text(text, last).ifPresent(message -> session.send(prefix + message, true));
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        reassembler.binary(buffer, last).ifPresent(message -> session.send(message, true));
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        session.pong(buffer);
    }

    /** A callback above threw: 1011 with a fixed reason ({@link WebSockets#closeOnError}). */
    @Override
    public void onError(WsSession session, Throwable t) {
        WebSockets.closeOnError(session, t);
    }
}
