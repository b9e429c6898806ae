package dev.loomservice.ws;

import java.util.Arrays;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;

/**
 * Joins the fragments of one connection's messages into whole messages, and enforces what Helidon 4.2.6 leaves to
 * the application. Not thread-safe: one instance per connection, used by its thread only.
 *
 * <ul>
 *   <li><b>Size.</b> Helidon bounds each <em>frame</em> ({@code max-frame-length}, which we set to
 *       {@code max-message-bytes}: a larger frame is refused with 1009 before its payload is read). A fragmented
 *       message can still grow without bound, so fragments are counted here: past {@code maxBytes}, 1009.</li>
 *   <li><b>UTF-8.</b> Helidon decodes each text frame with {@code new String(bytes, UTF_8)}, which turns invalid
 *       bytes into U+FFFD and never reports them, and hands us only the decoded text. A U+FFFD in a text message is
 *       therefore taken as invalid UTF-8: 1007 (RFC 6455 8.1). The price: a message that really contains U+FFFD is
 *       refused too, and so is a text message fragmented in the middle of a character (RFC 6455 allows it; browsers
 *       and the JDK client split at character boundaries).</li>
 * </ul>
 * Violations are thrown as {@link WsCloseException} with the close code; the caller closes the connection.
 */
final class Reassembler {
    private static final char REPLACEMENT = '\uFFFD';
    private static final byte[] NONE = new byte[0];

    private final int maxBytes;
    private final StringBuilder text = new StringBuilder();
    private byte[] binary = NONE; // a fragmented binary message so far: binary[0, size)
    private long size; // bytes of the message being assembled

    Reassembler(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Adds a text fragment; returns the whole message once {@code last} arrives. */
    Optional<String> text(String fragment, boolean last) {
        if (fragment.indexOf(REPLACEMENT) >= 0) {
            throw new WsCloseException("text message is not valid UTF-8", WsCloseCodes.NOT_CONSISTENT);
        }
        count(utf8Length(fragment));
        if (last && text.isEmpty()) {
            size = 0;
            return Optional.of(fragment); // the common case, one frame: no copy
        }
        text.append(fragment);
        if (!last) {
            return Optional.empty();
        }
        String message = text.toString();
        text.setLength(0);
        size = 0;
        return Optional.of(message);
    }

    /** Adds a binary fragment; returns the whole message once {@code last} arrives. */
    Optional<BufferData> binary(BufferData fragment, boolean last) {
        int length = fragment.available();
        count(length);
        if (last && size == length) {
            size = 0;
            return Optional.of(fragment); // the common case, one frame: no copy
        }
        if (binary.length < size) {
            binary = Arrays.copyOf(binary, (int) Math.min(maxBytes, Math.max(size, 2L * binary.length)));
        }
        fragment.read(binary, (int) size - length, length);
        if (!last) {
            return Optional.empty();
        }
        BufferData message = BufferData.create(binary, 0, (int) size);
        binary = NONE;
        size = 0;
        return Optional.of(message);
    }

    private void count(long bytes) {
        size += bytes;
        if (size > maxBytes) {
            throw new WsCloseException("message over " + maxBytes + " bytes", WsCloseCodes.TOO_BIG);
        }
    }

    /** The length of {@code s} in UTF-8, without encoding it. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4; // a pair: one code point above U+FFFF
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
