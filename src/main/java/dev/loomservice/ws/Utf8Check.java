package dev.loomservice.ws;

/**
 * Checks a byte stream for well-formed UTF-8 (RFC 3629, the Unicode standard's table 3-7): no overlong forms, no
 * surrogates, nothing above U+10FFFF. Fed one byte at a time, so a text message is checked across its fragments,
 * and a bad byte is seen at once (RFC 6455 8.1 wants the connection failed then, not at the end of the message).
 * Not thread-safe.
 */
final class Utf8Check {
    private int need; // continuation bytes still to come in the current character
    private int seen; // bytes of the current character so far
    private int lower = 0x80;
    private int upper = 0xBF;

    /** Takes the next byte; {@code false} if the stream can no longer be UTF-8. */
    boolean accept(int b) {
        if (need > 0) {
            if (b < lower || b > upper) {
                return false;
            }
            lower = 0x80;
            upper = 0xBF;
            seen = --need == 0 ? 0 : seen + 1;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            lower = b == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
            upper = b == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            lower = b == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
            upper = b == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
        } else {
            return false; // a continuation byte, C0, C1 (overlong), F5..FF
        }
        seen = 1;
        return true;
    }

    /** Bytes of a character begun but not finished: 0 at a character boundary. */
    int pending() {
        return seen;
    }
}
