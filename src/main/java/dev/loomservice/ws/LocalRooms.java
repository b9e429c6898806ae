package dev.loomservice.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chat rooms of one process, when there is no shared database: who is in which room, and delivery of events to
 * them. A room exists while it has members.
 *
 * <p>Each room has a lock, held while an event is queued to every member. Queuing never blocks
 * ({@link Member#offer}), so the lock is held for microseconds, and every member of a room receives the room's
 * events in one and the same order. A member whose queue is full is removed from the room at once, the others
 * are told ({@code "bob was disconnected: too slow"}), and it is disconnected with close code 1008 (policy
 * violation: it did not read its messages); see {@link Member#disconnect}.
 */
final class LocalRooms implements ChatRooms {
    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final LongAdder slowDisconnects = new LongAdder();

    private static final class Room {
        final ReentrantLock lock = new ReentrantLock();
        final List<Member> members = new ArrayList<>();
        boolean closed; // removed from the map; a joiner that finds it closed takes a new room
    }

    @Override
    public void join(String name, Member member) {
        while (true) {
            Room room = rooms.computeIfAbsent(name, n -> new Room());
            room.lock.lock();
            try {
                if (!room.closed) {
                    room.members.add(member);
                    deliver(name, room, ChatEvent.joined(name, member.name(), room.members.size()));
                    return;
                }
            } finally {
                room.lock.unlock();
            }
        }
    }

    @Override
    public void say(String name, Member member, String text) {
        Room room = rooms.get(name);
        if (room == null) {
            return;
        }
        room.lock.lock();
        try {
            if (room.members.contains(member)) { // a member removed as too slow may still be sending
                deliver(name, room, ChatEvent.message(name, member.name(), text));
            }
        } finally {
            room.lock.unlock();
        }
    }

    @Override
    public void leave(String name, Member member) {
        Room room = rooms.get(name);
        if (room == null) {
            return;
        }
        room.lock.lock();
        try {
            if (room.members.remove(member)) {
                deliver(name, room, ChatEvent.left(name, member.name(), "left", room.members.size()));
                closeIfEmpty(name, room);
            }
        } finally {
            room.lock.unlock();
        }
    }

    @Override
    public int count() {
        return rooms.size();
    }

    @Override
    public long slowDisconnects() {
        return slowDisconnects.sum();
    }

    /**
     * Queues {@code event} to every member, under the room's lock. Members whose queue is full are removed, which
     * is an event too; that one may overflow other queues, hence the loop (it ends: each round removes members).
     */
    private void deliver(String name, Room room, ChatEvent event) {
        List<ChatEvent> events = new ArrayList<>(List.of(event));
        List<Member> slow = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String json = events.get(i).toJson();
            List<Member> overflowed = new ArrayList<>();
            for (Member m : room.members) {
                if (!m.offer(json)) {
                    overflowed.add(m);
                }
            }
            room.members.removeAll(overflowed);
            for (Member m : overflowed) {
                events.add(ChatEvent.left(name, m.name(), "was disconnected: too slow", room.members.size()));
            }
            slow.addAll(overflowed);
        }
        for (Member m : slow) {
            slowDisconnects.increment();
            m.disconnect(TOO_SLOW, "too slow: " + m.queueLength() + " messages waiting for it");
        }
        closeIfEmpty(name, room);
    }

    private void closeIfEmpty(String name, Room room) {
        if (room.members.isEmpty() && !room.closed) {
            room.closed = true;
            rooms.remove(name, room);
        }
    }
}
