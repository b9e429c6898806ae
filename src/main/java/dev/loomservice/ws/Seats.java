package dev.loomservice.ws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who of this instance sits in which shared room ({@link SharedRooms}), and the delivery of a room's events to
 * them. A member is seated at its join and receives the room's events from its own join notice on. Not
 * thread-safe: {@link SharedRooms} holds its lock around every call.
 */
final class Seats {
    private final Map<String, Room> rooms = new HashMap<>();

    /** A member of this instance, with the number its notices carry. */
    record Seat(String room, Member member, long number) {
    }

    private static final class Room {
        final Map<Member, Long> present = new HashMap<>(); // seated, by their number
        final List<Member> receiving = new ArrayList<>(); // those whose join notice came back
    }

    void add(String room, Member member, long number) {
        rooms.computeIfAbsent(room, r -> new Room()).present.put(member, number);
    }

    /** The member's number, or null if it is not (or no longer) seated in {@code room}. */
    Long number(String room, Member member) {
        Room r = rooms.get(room);
        return r == null ? null : r.present.get(member);
    }

    /** Unseats the member; returns its number, or null if it was not seated. A room without members goes. */
    Long remove(String room, Member member) {
        Room r = rooms.get(room);
        Long number = r == null ? null : r.present.remove(member);
        if (number != null) {
            r.receiving.remove(member);
            if (r.present.isEmpty()) {
                rooms.remove(room);
            }
        }
        return number;
    }

    /**
     * Queues the notice's event to the room's receivers, after adding the member whose join notice it is, if it
     * sits here. Queuing never blocks ({@link Member#offer}); members whose queue is full are unseated and returned.
     */
    List<Member> deliver(Notice notice, String instance) {
        Room r = rooms.get(notice.room());
        if (r == null) {
            return List.of();
        }
        r.present.forEach((member, number) -> {
            if (notice.joinOf(instance, number)) {
                r.receiving.add(member);
            }
        });
        List<Member> full = new ArrayList<>();
        for (Member member : r.receiving) {
            if (!member.offer(notice.json())) {
                full.add(member);
            }
        }
        full.forEach(member -> remove(notice.room(), member));
        return full;
    }

    /** Unseats everyone; returns who sat where. */
    List<Seat> clear() {
        List<Seat> all = new ArrayList<>();
        rooms.forEach((room, r) -> r.present.forEach((member, number) -> all.add(new Seat(room, member, number))));
        rooms.clear();
        return all;
    }

    /** Rooms with a member here. */
    int rooms() {
        return rooms.size();
    }
}
