package dev.loomservice.ws;

import java.util.Arrays;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;

/**
 * Joins the fragments of one connection's messages into whole messages. Helidon hands a listener each frame as it
 * comes ({@code last} marks a message's final frame); our endpoints answer whole messages.
 *
 * <p>What it may assume, because {@link FrameGuard} has failed the connection otherwise: a message's fragments
 * come in order and are all text or all binary, a message has at most {@code max-message-bytes}, text is valid UTF-8
 * and no fragment ends inside a character. Not thread-safe: one instance per connection, used by its thread only.
 */
final class Reassembler {
    private static final byte[] NONE = new byte[0];

    private final StringBuilder text = new StringBuilder();
    private byte[] binary = NONE; // a fragmented binary message so far: binary[0, size)
    private int size;

    /** Adds a text fragment; returns the whole message once {@code last} arrives. */
    Optional<String> text(String fragment, boolean last) {
        if (last && text.isEmpty()) {
            return Optional.of(fragment); // the common case, one frame: no copy
        }
        text.append(fragment);
        if (!last) {
            return Optional.empty();
        }
        String message = text.toString();
        text.setLength(0);
        return Optional.of(message);
    }

    /** Adds a binary fragment; returns the whole message once {@code last} arrives. */
    Optional<BufferData> binary(BufferData fragment, boolean last) {
        int length = fragment.available();
        if (last && size == 0) {
            return Optional.of(fragment); // the common case, one frame: no copy
        }
        if (binary.length < size + length) {
            binary = Arrays.copyOf(binary, Math.max(size + length, 2 * binary.length));
        }
        fragment.read(binary, size, length);
        size += length;
        if (!last) {
            return Optional.empty();
        }
        BufferData message = BufferData.create(binary, 0, size);
        binary = NONE;
        size = 0;
        return Optional.of(message);
    }
}
