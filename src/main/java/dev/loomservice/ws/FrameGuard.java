package dev.loomservice.ws;

import java.io.ByteArrayOutputStream;

import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsCloseException;

/**
 * Checks the bytes a WebSocket client sends against RFC 6455 before Helidon's frame parser reads them, because
 * that parser lets through what the RFC says must fail the connection (see the README's hardening table), and some
 * of it never reaches a listener: a reserved opcode, a fragmented control frame, a new message inside a fragmented
 * one, a continuation after a whole message, a close frame with a 1-byte payload, a bad close code or reason.
 *
 * <p>{@link #pass} takes each chunk read from the socket and returns what Helidon may read. A violation is thrown
 * as a {@link WsCloseException} with the RFC's code (1002, 1007, 1009) and a fixed reason; Helidon then writes that
 * close frame and closes the connection, without waiting for the client's close (RFC 6455 7.1.7). The frames
 * before the bad one are passed on first, so they are still answered.
 *
 * <p>Binary frames pass as they came, without a copy. Control frames (at most 125 bytes) and text frames (at most
 * {@code maxFrameBytes}) are held until complete, unmasked and checked, then passed on rewritten with a zero
 * masking key. Text is checked as UTF-8 across the fragments of a message; a fragment that ends inside a character
 * gives the rest of that character to the next fragment, because Helidon decodes each frame on its own. Not
 * thread-safe: one instance per connection, used by its thread.
 */
final class FrameGuard {
    static final int MAX_CONTROL_PAYLOAD = 125; // RFC 6455 5.5
    private static final int HEADER = 0, LENGTH = 1, EXTENDED_LENGTH = 2, MASK = 3, PAYLOAD = 4;

    private final int maxFrameBytes;
    private final int maxMessageBytes;
    private final byte[] mask = new byte[4];
    private final Utf8Check utf8 = new Utf8Check();
    private final byte[] carry = new byte[3]; // the start of a character the last text fragment ended in
    private int carried;
    private int phase = HEADER;
    private int first; // the frame's first byte: FIN and opcode
    private boolean control;
    private boolean held; // a control or text frame: held until complete
    private boolean text; // the current (or last) message is text
    private boolean fragmented; // a message is open: its last frame had FIN clear
    private long messageBytes;
    private int lengthBytes; // of the extended payload length still to read
    private long length;
    private int maskBytes;
    private long position; // payload bytes read
    private int offset; // where the payload goes in payload[]: after the carried bytes
    private byte[] payload;
    private ByteArrayOutputStream out; // what pass() returns, while it runs
    private WsCloseException failure;

    FrameGuard(int maxFrameBytes, int maxMessageBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * What Helidon may read of {@code chunk}, the next bytes from the client: {@code chunk} itself when it holds
     * binary data only, else a new array (maybe empty, while a held frame is incomplete).
     *
     * @throws WsCloseException when the client broke the protocol, once everything before the bad frame is passed
     */
    byte[] pass(byte[] chunk) {
        rethrow();
        out = new ByteArrayOutputStream(0);
        int copyFrom = held && phase != HEADER ? -1 : 0; // start of the bytes passed as they are
        int frameStart = -1;
        int i = 0;
        try {
            while (i < chunk.length) {
                int b = chunk[i] & 0xFF;
                switch (phase) {
                case HEADER -> {
                    frameStart = i;
                    header(b);
                    if (held && copyFrom >= 0) {
                        out.write(chunk, copyFrom, i - copyFrom);
                        copyFrom = -1;
                    }
                }
                case LENGTH -> length(b);
                case EXTENDED_LENGTH -> extendedLength(b);
                case MASK -> maskByte(b);
                default -> {
                    if (!held) { // binary: skip to the end of the frame or chunk
                        int n = (int) Math.min(length - position, chunk.length - i);
                        position += n;
                        i += n - 1;
                    } else {
                        payloadByte(b);
                    }
                    if (position == length) {
                        endOfFrame();
                    }
                }
                }
                i++;
                if (phase == HEADER && copyFrom < 0) {
                    copyFrom = i; // a held frame was passed on: what follows passes as it is again
                }
            }
        } catch (WsCloseException e) {
            failure = e;
            if (copyFrom >= 0 && frameStart >= copyFrom) {
                out.write(chunk, copyFrom, frameStart - copyFrom);
            }
            if (out.size() == 0) {
                throw e;
            }
            return out.toByteArray();
        }
        if (copyFrom == 0 && out.size() == 0) {
            return chunk;
        }
        if (copyFrom >= 0) {
            out.write(chunk, copyFrom, chunk.length - copyFrom);
        }
        byte[] passed = out.toByteArray();
        out = null;
        return passed;
    }

    /**
     * Throws the violation that {@link #pass} found after frames it passed on, if any: call before waiting for more
     * bytes, since the client may send none.
     */
    void rethrow() {
        if (failure != null) {
            throw failure;
        }
    }

    private void header(int b) {
        if ((b & 0x70) != 0) {
            throw protocolError("reserved bits set, no extension was negotiated");
        }
        int opcode = b & 0x0F;
        if (opcode > 0xA || (opcode > 0x2 && opcode < 0x8)) {
            throw protocolError("reserved opcode");
        }
        first = b;
        control = opcode >= 0x8;
        boolean fin = (b & 0x80) != 0;
        if (control && !fin) {
            throw protocolError("fragmented control frame");
        }
        if (!control) {
            if (opcode == 0 && !fragmented) {
                throw protocolError("continuation frame without a message to continue");
            }
            if (opcode != 0 && fragmented) {
                throw protocolError("new message inside a fragmented message");
            }
            if (opcode != 0) {
                text = opcode == 0x1;
                messageBytes = 0;
            }
            fragmented = !fin;
        }
        held = control || text;
        phase = LENGTH;
    }

    private void length(int b) {
        if ((b & 0x80) == 0) {
            throw protocolError("unmasked client frame");
        }
        int short7 = b & 0x7F;
        if (control && short7 > MAX_CONTROL_PAYLOAD) {
            throw protocolError("control frame over 125 bytes");
        }
        length = short7 < 126 ? short7 : 0;
        lengthBytes = short7 == 126 ? 2 : short7 == 127 ? 8 : 0;
        if (lengthBytes == 0) {
            lengthKnown();
        } else {
            phase = EXTENDED_LENGTH;
        }
    }

    private void extendedLength(int b) {
        if (lengthBytes == 8 && b >= 0x80) {
            throw protocolError("payload length with the top bit set");
        }
        length = length << 8 | b;
        if (--lengthBytes == 0) {
            lengthKnown();
        }
    }

    private void lengthKnown() {
        if (length > maxFrameBytes) {
            throw new WsCloseException("frame over " + maxFrameBytes + " bytes", WsCloseCodes.TOO_BIG);
        }
        if (!control) {
            messageBytes += length;
            if (messageBytes > maxMessageBytes) {
                throw new WsCloseException("message over " + maxMessageBytes + " bytes", WsCloseCodes.TOO_BIG);
            }
        }
        maskBytes = 0;
        phase = MASK;
    }

    private void maskByte(int b) {
        mask[maskBytes++] = (byte) b;
        if (maskBytes < 4) {
            return;
        }
        position = 0;
        phase = PAYLOAD;
        if (held) {
            offset = control ? 0 : carried;
            payload = new byte[offset + (int) length];
            System.arraycopy(carry, 0, payload, 0, offset);
        }
        if (length == 0) {
            endOfFrame();
        }
    }

    private void payloadByte(int b) {
        int unmasked = (b ^ mask[(int) (position & 3)]) & 0xFF;
        if (!control && !utf8.accept(unmasked)) {
            throw new WsCloseException("text message is not valid UTF-8", WsCloseCodes.NOT_CONSISTENT);
        }
        payload[offset + (int) position++] = (byte) unmasked;
    }

    /** The frame is complete: a held one is checked, then passed on rewritten (unmasked, zero masking key). */
    private void endOfFrame() {
        phase = HEADER;
        if (!held) {
            return;
        }
        int size = payload.length;
        if (control) {
            ClosePayload.check(first & 0x0F, payload);
        } else {
            carried = utf8.pending();
            if (!fragmented && carried > 0) {
                throw new WsCloseException("text message is not valid UTF-8", WsCloseCodes.NOT_CONSISTENT);
            }
            size -= carried;
            System.arraycopy(payload, size, carry, 0, carried);
        }
        out.write(first & 0x8F);
        if (size < 126) {
            out.write(0x80 | size);
        } else if (size < 65_536) {
            out.write(0x80 | 126);
            out.write(size >>> 8);
            out.write(size & 0xFF);
        } else {
            out.write(0x80 | 127);
            out.writeBytes(new byte[] {0, 0, 0, 0, (byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8),
                                       (byte) size});
        }
        out.writeBytes(new byte[4]); // masking key 0: the payload is already unmasked
        out.write(payload, 0, size);
        payload = null;
    }

    private static WsCloseException protocolError(String reason) {
        return new WsCloseException(reason, WsCloseCodes.PROTOCOL_ERROR);
    }
}
