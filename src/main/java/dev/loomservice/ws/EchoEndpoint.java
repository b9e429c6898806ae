package dev.loomservice.ws;

import java.time.Duration;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * {@code /ws/echo}: answers each text message with {@code prefix + message} (the async tutorials' {@code 收到: });
 * echoes each binary message as it came. One instance per connection; Helidon calls it on the connection's own
 * virtual thread only, so it keeps plain fields and replies with a plain blocking send: a client that stops
 * reading blocks only its own thread, which then stops reading its messages (backpressure, nothing queued).
 *
 * <p>A message over {@code max-message-bytes} closes with 1009, invalid UTF-8 with 1007 ({@link Reassembler}).
 * After such a close, further messages are ignored, and the connection is dropped if the client has not answered
 * the close within {@code close-timeout}. Helidon 4.2.6 does not answer pings itself; this endpoint does.
 */
final class EchoEndpoint implements WsListener {
    static final String PATH = "/ws/echo";
    /** Control frames carry at most 125 bytes (RFC 6455 5.5); Helidon 4.2.6 does not check. */
    static final int MAX_CONTROL_PAYLOAD = 125;

    private final UpgradeGate gate;
    private final String prefix;
    private final Duration closeTimeout;
    private final Reassembler reassembler;
    private ConnectionThread connection;
    private boolean closing;

    EchoEndpoint(UpgradeGate gate, WebSockets.Settings settings) {
        this.gate = gate;
        this.prefix = settings.echoPrefix();
        this.closeTimeout = settings.closeTimeout();
        this.reassembler = new Reassembler(settings.maxMessageBytes());
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        connection = gate.opened(PATH);
        return Optional.empty();
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        if (closing) {
            return;
        }
        try {
            reassembler.text(text, last).ifPresent(message -> session.send(prefix + message, true));
        } catch (WsCloseException e) {
            fail(session, e);
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        if (closing) {
            return;
        }
        try {
            reassembler.binary(buffer, last).ifPresent(message -> session.send(message, true));
        } catch (WsCloseException e) {
            fail(session, e);
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        if (closing) {
            return;
        }
        if (buffer.available() > MAX_CONTROL_PAYLOAD) {
            fail(session, new WsCloseException("ping over 125 bytes", WsCloseCodes.PROTOCOL_ERROR));
            return;
        }
        session.pong(buffer);
    }

    private void fail(WsSession session, WsCloseException e) {
        closing = true;
        session.close(e.closeCode(), e.getMessage());
        connection.abortUnlessEndedWithin(closeTimeout);
    }
}
