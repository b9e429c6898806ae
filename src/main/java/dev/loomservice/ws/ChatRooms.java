package dev.loomservice.ws;

import java.util.Optional;

import dev.loomservice.observe.PrometheusText;

import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;

/**
 * The chat rooms: who is in which room, and how a room's events reach its members, each member receiving them in
 * the room's one order, from its own join notice on. {@link LocalRooms} keeps them in this process (no shared
 * database); {@link SharedRooms} shares them with every instance on the same PostgreSQL.
 *
 * <p>Methods that throw {@link WsCloseException} refuse the member: the caller closes its connection with the
 * exception's code and message (a close reason, at most 123 bytes).
 */
interface ChatRooms {
    /** A member whose queue is full: it did not read its messages (policy violation). */
    int TOO_SLOW = WsCloseCodes.VIOLATED_POLICY;

    /** Adds {@code member} to {@code room} and tells the room, the new member included. */
    void join(String room, Member member);

    /** Sends {@code text} from {@code member} to everyone in {@code room}, the sender included. */
    void say(String room, Member member, String text);

    /** Removes {@code member} from {@code room} and tells the others; does nothing if it is no longer there. */
    void leave(String room, Member member);

    /** Why a new member could not join now (checked at the upgrade); empty when it can. */
    default Optional<UpgradeGate.Refusal> refusal() {
        return Optional.empty();
    }

    /** Rooms with at least one member in this process. */
    int count();

    /** Members disconnected since start because their queue was full. */
    long slowDisconnects();

    /** Before the server takes requests; the database is started. */
    default void start() {
    }

    /** After the server has stopped; before the database closes. */
    default void stop() {
    }

    default void writeMetrics(PrometheusText out) {
    }
}
