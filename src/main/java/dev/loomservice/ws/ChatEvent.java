package dev.loomservice.ws;

import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;

/**
 * What the chat sends to a room's members, one JSON object per WebSocket text message:
 * <pre>
 * {"type":"message","room":"lobby","from":"alice","text":"hi","ts":1718000000123}
 * {"type":"join","room":"lobby","from":"bob","text":"bob joined","ts":...,"members":2}
 * {"type":"leave","room":"lobby","from":"bob","text":"bob left","ts":...,"members":1}
 * </pre>
 * {@code ts} is the server's time in epoch milliseconds; notices carry the member count after the change.
 *
 * @param members the room's size after a join or leave; {@code -1} for messages (then left out)
 */
record ChatEvent(String type, String room, String from, String text, long ts, int members) {
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    static ChatEvent message(String room, String from, String text) {
        return new ChatEvent("message", room, from, text, System.currentTimeMillis(), -1);
    }

    static ChatEvent joined(String room, String name, int members) {
        return new ChatEvent("join", room, name, name + " joined", System.currentTimeMillis(), members);
    }

    static ChatEvent left(String room, String name, String why, int members) {
        return new ChatEvent("leave", room, name, name + " " + why, System.currentTimeMillis(), members);
    }

    String toJson() {
        JsonObjectBuilder json = JSON.createObjectBuilder()
                .add("type", type)
                .add("room", room)
                .add("from", from)
                .add("text", text)
                .add("ts", ts);
        if (members >= 0) {
            json.add("members", members);
        }
        return json.build().toString();
    }
}
