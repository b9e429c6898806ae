package dev.loomservice.ws;

import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;

/**
 * What a client's close frame may carry (RFC 6455 5.5.1, 7.4): nothing, or a status code that may be sent on the
 * wire followed by a UTF-8 reason. Helidon 4.5 reads a 1-byte payload as a code and fails with exception text in its
 * close reason, and passes any code and a reason decoded with U+FFFD replacements on to the listener.
 */
final class ClosePayload {
    private static final int CLOSE = 0x8;

    private ClosePayload() {
    }

    /**
     * Checks the unmasked payload of a control frame with {@code opcode}; only close frames have rules.
     *
     * @throws WsCloseException 1002 for a 1-byte payload or a code not allowed on the wire, 1007 for a reason that is
     *                          not UTF-8
     */
    static void check(int opcode, byte[] payload) {
        if (opcode != CLOSE || payload.length == 0) {
            return;
        }
        if (payload.length == 1) {
            throw new WsCloseException("close frame with a 1-byte payload", WsCloseCodes.PROTOCOL_ERROR);
        }
        int code = (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        if (!allowed(code)) {
            throw new WsCloseException("close code " + code + " is not allowed", WsCloseCodes.PROTOCOL_ERROR);
        }
        Utf8Check reason = new Utf8Check();
        for (int i = 2; i < payload.length; i++) {
            if (!reason.accept(payload[i] & 0xFF)) {
                throw notUtf8();
            }
        }
        if (reason.pending() > 0) {
            throw notUtf8();
        }
    }

    /**
     * Codes a peer may send: 1000-1003 and 1007-1014 (RFC 6455 7.4.1 and the IANA registry: 1012-1014 were added
     * there), 3000-4999 (libraries and applications). Not 1004 (reserved), 1005, 1006, 1015 (never on the wire),
     * 1016-2999 (reserved for the RFC and for extensions; we negotiate none), nor 0-999 or 5000 and above.
     */
    static boolean allowed(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    private static WsCloseException notUtf8() {
        return new WsCloseException("close reason is not valid UTF-8", WsCloseCodes.NOT_CONSISTENT);
    }
}
