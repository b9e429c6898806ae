package dev.loomservice.ws;

import java.util.List;
import java.util.regex.Pattern;

import io.helidon.common.parameters.Parameters;

/**
 * The {@code room} and {@code name} of {@code /ws/chat?room=R&name=N}, each given exactly once.
 * <ul>
 *   <li>{@code room}: 1 to 64 characters from {@code A-Z a-z 0-9 . _ -}; it appears in URLs and logs, where plain
 *       ASCII cannot be mistaken for another room.</li>
 *   <li>{@code name}: 1 to 32 characters of any script ({@code 小明} is fine), surrounding spaces removed; no
 *       control or formatting characters (which could hide or reorder text on other members' screens), no
 *       U+FFFD (what an undecodable byte turns into). Names need not be unique.</li>
 * </ul>
 */
record ChatParams(String room, String name) {
    static final int MAX_ROOM = 64;
    static final int MAX_NAME = 32;
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_ROOM + "}");

    /** Reads and checks both parameters; the exception's message says what to fix. */
    static ChatParams from(Parameters query) {
        String room = one(query, "room");
        if (!ROOM.matcher(room).matches()) {
            throw new IllegalArgumentException("query parameter 'room' must be 1 to " + MAX_ROOM
                    + " characters from A-Z a-z 0-9 . _ -; got '" + abbreviate(room) + "'");
        }
        String name = one(query, "name").strip();
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_NAME || !name.codePoints().allMatch(ChatParams::printable)) {
            throw new IllegalArgumentException("query parameter 'name' must be 1 to " + MAX_NAME
                    + " printable characters; got '" + abbreviate(name) + "'");
        }
        return new ChatParams(room, name);
    }

    private static String one(Parameters query, String key) {
        List<String> values = query.contains(key) ? query.all(key) : List.of();
        if (values.size() != 1) {
            throw new IllegalArgumentException("query parameter '" + key + "' must be given once; it was given "
                    + values.size() + " times");
        }
        return values.getFirst();
    }

    private static boolean printable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> cp != '\uFFFD';
        };
    }

    private static String abbreviate(String s) {
        String visible = s.codePoints()
                .map(cp -> printable(cp) ? cp : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return visible.length() <= 40 ? visible : visible.substring(0, 40) + "...";
    }
}
