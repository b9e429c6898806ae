package dev.loomservice.ws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

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
 * commit order, on every instance. A member receives its room's events from its own join notice on: it is added
 * to the receivers when that notice comes back.
 *
 * <p>Delivery ({@link #received}) runs on the one listening thread, under the lock, and only queues
 * ({@link Member#offer}), as in {@link LocalRooms}. Publishing runs on the member's own thread, outside the lock,
 * through the database pool.
 *
 * <p>What a member is told instead of losing events silently: it cannot join while the instance is not listening
 * (503 at the upgrade, {@link #refusal}); a message that the database does not take closes its sender with 1013 (try
 * again later); losing the listening connection closes every member of this instance with 1013, since events sent
 * meanwhile will never arrive here. A message too big for one notification closes its sender with 1009, like one
 * over {@code max-message-bytes}. Join and leave notices carry no member count: no instance sees the whole room.
 */
final class SharedRooms implements ChatRooms, Notifications.Listener {
    static final String CHANNEL = "loom_chat";
    static final int UNAVAILABLE = WsCloseCodes.TRY_AGAIN_LATER;
    private static final System.Logger LOG = System.getLogger(SharedRooms.class.getName());

    private final Notifications channel;
    private final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final AtomicLong numbers = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Room> rooms = new HashMap<>();
    private final LongAdder slowDisconnects = new LongAdder();
    private final LongAdder unavailable = new LongAdder();

    private static final class Room {
        final Map<Member, Long> present = new HashMap<>(); // this instance's members, by their number
        final List<Member> receiving = new ArrayList<>(); // those whose join notice came back
    }

    SharedRooms(Database database) {
        this.channel = new Notifications(database, CHANNEL, this);
    }

    @Override
    public void join(String name, Member member) {
        long number = numbers.incrementAndGet();
        lock.lock();
        try {
            if (!channel.listening()) {
                throw unavailable("the chat is not connected to its database");
            }
            rooms.computeIfAbsent(name, n -> new Room()).present.put(member, number);
        } finally {
            lock.unlock();
        }
        if (!publish(Notice.of(instance, number, ChatEvent.joined(name, member.name(), -1)))) {
            remove(name, member);
            throw unavailable("the chat's database is not answering; join again later");
        }
        if (number(name, member) == null) { // the listening connection was lost meanwhile ({@link #lost})
            publish(Notice.of(instance, number, ChatEvent.left(name, member.name(), "was disconnected", -1)));
        }
    }

    @Override
    public void say(String name, Member member, String text) {
        Long number = number(name, member);
        if (number == null) {
            return; // removed as too slow, or after a lost connection, and still sending
        }
        Notice notice = Notice.of(instance, number, ChatEvent.message(name, member.name(), text));
        if (!Notifications.fits(notice.payload())) {
            throw new WsCloseException("message too big for a shared room (PostgreSQL NOTIFY: under 8000 bytes)",
                                       WsCloseCodes.TOO_BIG);
        }
        if (!publish(notice)) {
            throw unavailable("not sent: the chat's database is not answering");
        }
    }

    @Override
    public void leave(String name, Member member) {
        Long number = remove(name, member);
        if (number != null) {
            publish(Notice.of(instance, number, ChatEvent.left(name, member.name(), "left", -1)));
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
        // nothing to do: joins check the channel themselves
    }

    @Override
    public void received(String payload) {
        Notice notice = Notice.parse(payload).orElse(null);
        if (notice == null) {
            LOG.log(System.Logger.Level.WARNING, "ignored a notification on " + CHANNEL + " that is not a chat event");
            return;
        }
        List<Member> slow = new ArrayList<>();
        lock.lock();
        try {
            Room room = rooms.get(notice.room());
            if (room == null) {
                return;
            }
            if (notice.instance().equals(instance)) {
                room.present.forEach((m, n) -> {
                    if (notice.joinOf(instance, n)) {
                        room.receiving.add(m);
                    }
                });
            }
            for (Member m : room.receiving) {
                if (!m.offer(notice.json())) {
                    slow.add(m);
                }
            }
            slow.forEach(m -> removeLocked(notice.room(), m));
        } finally {
            lock.unlock();
        }
        for (Member m : slow) {
            slowDisconnects.increment();
            m.disconnect(TOO_SLOW, "too slow: " + m.queueLength() + " messages waiting for it");
        }
        if (!slow.isEmpty()) {
            Thread.ofVirtual().name("chat-slow-notice").start(() -> slow.forEach(
                    m -> publish(Notice.of(instance, 0, ChatEvent.left(notice.room(), m.name(),
                                                                    "was disconnected: too slow", -1)))));
        }
    }

    /** Every member here may have missed events: all are closed, and the rooms are told if the database answers. */
    @Override
    public void lost(String why) {
        List<Notice> leaves = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        lock.lock();
        try {
            rooms.forEach((name, room) -> room.present.forEach((m, n) -> {
                members.add(m);
                leaves.add(Notice.of(instance, n, ChatEvent.left(name, m.name(), "was disconnected", -1)));
            }));
            rooms.clear();
        } finally {
            lock.unlock();
        }
        members.forEach(m -> m.disconnect(UNAVAILABLE, "the chat lost its database connection; join again"));
        Thread.ofVirtual().name("chat-lost-notice").start(() -> {
            for (Notice leave : leaves) {
                if (!publish(leave)) {
                    return;
                }
            }
        });
    }

    @Override
    public int count() {
        lock.lock();
        try {
            return rooms.size();
        } finally {
            lock.unlock();
        }
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
                         unavailable.sum());
    }

    /** Publishes; {@code false} if the database did not take it (down, or busy beyond its timeouts). */
    private boolean publish(Notice notice) {
        try {
            channel.publish(notice.payload());
            return true;
        } catch (Database.Unavailable e) {
            unavailable.increment();
            return false;
        }
    }

    private Long number(String name, Member member) {
        lock.lock();
        try {
            Room room = rooms.get(name);
            return room == null ? null : room.present.get(member);
        } finally {
            lock.unlock();
        }
    }

    private Long remove(String name, Member member) {
        lock.lock();
        try {
            return removeLocked(name, member);
        } finally {
            lock.unlock();
        }
    }

    private Long removeLocked(String name, Member member) {
        Room room = rooms.get(name);
        Long number = room == null ? null : room.present.remove(member);
        if (number != null) {
            room.receiving.remove(member);
            if (room.present.isEmpty()) {
                rooms.remove(name);
            }
        }
        return number;
    }

    private WsCloseException unavailable(String reason) {
        return new WsCloseException(reason, UNAVAILABLE);
    }
}
