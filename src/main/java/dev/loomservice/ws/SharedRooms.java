package dev.loomservice.ws;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import dev.loomservice.observe.PrometheusText;
import dev.loomservice.store.Database;
import dev.loomservice.store.Notifications;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;

/**
 * Chat rooms shared by every instance on one PostgreSQL database, over its {@code LISTEN/NOTIFY}
 * ({@link Notifications}, channel {@value #CHANNEL}). Every event, a local member's too, is published as a
 * {@link Notice} and delivered only when it comes back on the channel, so each room has one order, the database's
 * commit order, on every instance. A member receives its room's events from its own join notice on ({@link Seats}).
 *
 * <p>Delivery ({@link #received}) runs on the one listening thread, under the lock, and only queues, as in
 * {@link LocalRooms}. Publishing runs on the member's own thread, outside the lock, through the database pool.
 *
 * <p>What a member is told instead of losing events silently: it cannot join while this instance is not listening
 * (503 at the upgrade, {@link #refusal}); a join or message that the database does not take closes its member with
 * 1013 (try again later); losing the listening connection closes every member of this instance with 1013, since
 * events sent meanwhile will never arrive here. A message too big for one notification closes its sender with
 * 1009, like one over {@code max-message-bytes}. Join and leave notices carry no member count: no instance sees
 * the whole room.
 */
final class SharedRooms implements ChatRooms, Notifications.Listener {
    static final String CHANNEL = "loom_chat";
    static final int UNAVAILABLE = WsCloseCodes.TRY_AGAIN_LATER;
    private static final System.Logger LOG = System.getLogger(SharedRooms.class.getName());

    private final Notifications channel;
    private final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final AtomicLong numbers = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Seats seats = new Seats();
    private final LongAdder slowDisconnects = new LongAdder();
    private final LongAdder refused = new LongAdder();

    SharedRooms(Database database) {
        this.channel = new Notifications(database, CHANNEL, this);
    }

    @Override
    public void join(String room, Member member) {
        long number = numbers.incrementAndGet();
        locked(() -> {
            if (!channel.listening()) {
                throw unavailable("the chat is not connected to its database");
            }
            seats.add(room, member, number);
            return null;
        });
        if (!publish(Notice.of(instance, number, ChatEvent.joined(room, member.name(), -1)))) {
            locked(() -> seats.remove(room, member));
            throw unavailable("the chat's database is not answering; join again later");
        }
        if (locked(() -> seats.number(room, member)) == null) { // the listening connection was lost meanwhile
            publish(Notice.of(instance, number, ChatEvent.left(room, member.name(), "was disconnected", -1)));
        }
    }

    @Override
    public void say(String room, Member member, String text) {
        Long number = locked(() -> seats.number(room, member));
        if (number == null) {
            return; // removed as too slow, or after a lost connection, and still sending
        }
        Notice notice = Notice.of(instance, number, ChatEvent.message(room, member.name(), text));
        if (!Notifications.fits(notice.payload())) {
            throw new WsCloseException("message too big for a shared room (PostgreSQL NOTIFY: under 8000 bytes)",
                                       WsCloseCodes.TOO_BIG);
        }
        if (!publish(notice)) {
            throw unavailable("not sent: the chat's database is not answering");
        }
    }

    @Override
    public void leave(String room, Member member) {
        Long number = locked(() -> seats.remove(room, member));
        if (number != null) {
            publish(Notice.of(instance, number, ChatEvent.left(room, member.name(), "left", -1)));
        }
    }

    @Override
    public Optional<UpgradeGate.Refusal> refusal() {
        return channel.listening() ? Optional.empty()
                : Optional.of(new UpgradeGate.Refusal(Status.SERVICE_UNAVAILABLE_503,
                        "the chat is not connected to its database; retry later",
                        List.of(HeaderValues.create(HeaderNames.RETRY_AFTER, 1))));
    }

    @Override
    public void listening() {
        // nothing to do: joins ask the channel
    }

    @Override
    public void received(String payload) {
        Notice notice = Notice.parse(payload).orElse(null);
        if (notice == null) {
            LOG.log(System.Logger.Level.WARNING, "ignored a notification on " + CHANNEL + " that is not a chat event");
            return;
        }
        List<Member> slow = locked(() -> seats.deliver(notice, instance));
        for (Member m : slow) {
            slowDisconnects.increment();
            m.disconnect(TOO_SLOW, "too slow: " + m.queueLength() + " messages waiting for it");
        }
        if (!slow.isEmpty()) { // not on this thread: it must not wait for the database
            Thread.ofVirtual().name("chat-slow-notice").start(() -> slow.forEach(m -> publish(
                    Notice.of(instance, 0, ChatEvent.left(notice.room(), m.name(), "was disconnected: too slow", -1)))));
        }
    }

    /** Every member here may have missed events: all are closed, and their rooms told if the database answers. */
    @Override
    public void lost(String why) {
        List<Seats.Seat> all = locked(seats::clear);
        all.forEach(s -> s.member().disconnect(UNAVAILABLE, "the chat lost its database connection; join again"));
        Thread.ofVirtual().name("chat-lost-notice").start(() -> {
            for (Seats.Seat s : all) {
                if (!publish(Notice.of(instance, s.number(),
                                       ChatEvent.left(s.room(), s.member().name(), "was disconnected", -1)))) {
                    return;
                }
            }
        });
    }

    @Override
    public int count() {
        return locked(seats::rooms);
    }

    @Override
    public long slowDisconnects() {
        return slowDisconnects.sum();
    }

    @Override
    public void start() {
        channel.start();
    }

    @Override
    public void stop() {
        channel.close();
    }

    @Override
    public void writeMetrics(PrometheusText out) {
        out.gauge("loom_websocket_chat_listening",
                  "Whether this instance listens to the shared chat's PostgreSQL channel (1) or not (0).",
                  channel.listening() ? 1 : 0)
                .counter("loom_websocket_chat_unavailable_total",
                         "Chat events the database did not take (a join or message is then refused with 1013).",
                         refused.sum());
    }

    /** Publishes; {@code false} if the database did not take it (down, or busy beyond its timeouts). */
    private boolean publish(Notice notice) {
        try {
            channel.publish(notice.payload());
            return true;
        } catch (Database.Unavailable e) {
            refused.increment();
            return false;
        }
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private static WsCloseException unavailable(String reason) {
        return new WsCloseException(reason, UNAVAILABLE);
    }
}
