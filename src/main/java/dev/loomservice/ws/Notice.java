package dev.loomservice.ws;

import java.util.Optional;

/**
 * A chat event as it travels between instances: one PostgreSQL notification payload, a header line and then the
 * event's JSON exactly as members receive it ({@link ChatEvent#toJson}), so a receiving instance routes it by the
 * header and forwards the JSON without parsing it:
 * <pre>
 * 3f9a0c1e 17 join lobby
 * {"type":"join","room":"lobby","from":"alice","text":"alice joined","ts":1718000000123}
 * </pre>
 *
 * @param instance the sending instance's id, random per start
 * @param member   the member's number on that instance: the sender finds its own joins by it
 * @param type     the event's type ({@code message}, {@code join}, {@code leave})
 * @param room     the event's room ({@link ChatParams}: no spaces or line breaks)
 * @param json     what the room's members receive
 */
record Notice(String instance, long member, String type, String room, String json) {
    static Notice of(String instance, long member, ChatEvent event) {
        return new Notice(instance, member, event.type(), event.room(), event.toJson());
    }

    String payload() {
        return instance + " " + member + " " + type + " " + room + "\n" + json;
    }

    /** The notice in {@code payload}; empty if it is not one of ours (anyone who may connect can NOTIFY). */
    static Optional<Notice> parse(String payload) {
        int eol = payload.indexOf('\n');
        String[] header = eol < 0 ? new String[0] : payload.substring(0, eol).split(" ", -1);
        if (header.length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Notice(header[0], Long.parseLong(header[1]), header[2], header[3],
                                          payload.substring(eol + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean joinOf(String instance, long member) {
        return type.equals("join") && this.instance.equals(instance) && this.member == member;
    }
}
