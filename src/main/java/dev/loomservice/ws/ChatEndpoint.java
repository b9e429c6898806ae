package dev.loomservice.ws;

import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * {@code /ws/chat?room=R&name=N}: every text message a member sends goes to all members of room R (the sender
 * included) as a {@link ChatEvent}; joins and leaves are announced. A {@code room} or {@code name} that
 * {@link ChatParams} refuses is a 400 to the upgrade request. Binary messages are refused with 1003; then the member
 * leaves. So is a join or a message that the {@link ChatRooms} refuse (with 1013 or 1009, across instances). What
 * breaks the protocol (a message over {@code max-message-bytes}, text that is not UTF-8, ...) never gets here:
 * {@link FrameGuard} fails the connection first.
 *
 * <p>One instance per connection. Helidon calls it on the connection's virtual thread, which only reads: what the
 * member receives is written by its own sender thread ({@link Member}), so a slow reader never blocks the room.
 * The member leaves when the client closes ({@link #onClose}) or, whatever else ends the connection, when its
 * thread ends ({@link ConnectionThread#whenEnded}); leaving twice is harmless.
 */
final class ChatEndpoint implements WsListener {
    static final String PATH = "/ws/chat";

    private final UpgradeGate gate;
    private final ChatRooms rooms;
    private final WebSockets.Settings settings;
    private final Reassembler reassembler;
    private ConnectionThread connection;
    private ChatParams params;
    private Member member;
    private boolean closing;

    ChatEndpoint(UpgradeGate gate, ChatRooms rooms, WebSockets.Settings settings) {
        this.gate = gate;
        this.rooms = rooms;
        this.settings = settings;
        this.reassembler = new Reassembler();
    }

    /**
     * The chat's own upgrade check: {@code room} and {@code name} as {@link ChatParams} accepts them, then whether
     * {@code rooms} take members now.
     */
    static Optional<UpgradeGate.Refusal> check(ChatRooms rooms, HttpPrologue prologue, Headers headers) {
        try {
            ChatParams.from(prologue.query());
        } catch (IllegalArgumentException e) {
            return Optional.of(new UpgradeGate.Refusal(Status.BAD_REQUEST_400, e.getMessage()));
        }
        return rooms.refusal();
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        connection = gate.opened(PATH);
        params = ChatParams.from(prologue.query());
        return Optional.empty();
    }

    /** Helidon closes with the exception's message if this throws: close first, with a fixed reason. */
    @Override
    public void onOpen(WsSession session) {
        try {
            member = new Member(params.name(), session, connection, settings);
            try {
                rooms.join(params.room(), member);
            } catch (WsCloseException refused) {
                closing = true;
                member.disconnect(refused.closeCode(), refused.getMessage());
            }
            connection.whenEnded(this::leave);
        } catch (RuntimeException e) {
            WebSockets.closeOnError(session, e);
            throw e;
        }
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        if (!closing) {
            reassembler.text(text, last).ifPresent(this::say);
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        if (!closing) {
            fail(new WsCloseException("the chat takes text messages only", WsCloseCodes.CANNOT_ACCEPT));
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        if (!closing) {
            member.pong(buffer);
        }
    }

    /** A callback of ours threw: 1011 with a fixed reason ({@link WebSockets#closeOnError}). */
    @Override
    public void onError(WsSession session, Throwable t) {
        WebSockets.closeOnError(session, t);
    }

    /** The client closed: leave, and stop the sender so that Helidon's close reply is the only write. */
    @Override
    public void onClose(WsSession session, int status, String reason) {
        leave();
    }

    private void say(String message) {
        try {
            rooms.say(params.room(), member, message);
        } catch (WsCloseException refused) {
            fail(refused);
        }
    }

    private void fail(WsCloseException e) {
        closing = true;
        rooms.leave(params.room(), member);
        member.disconnect(e.closeCode(), e.getMessage());
    }

    private void leave() {
        rooms.leave(params.room(), member);
        member.stop();
    }
}
