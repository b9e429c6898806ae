package dev.loomservice;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.loomservice.version.Version;

/**
 * A WebSocket client written frame by frame over a plain socket, for what the JDK client refuses to send: invalid
 * UTF-8, a text message split inside a character, any request method, repeated handshake headers, and frames that
 * break RFC 6455 (reserved opcodes and bits, unmasked frames, bad lengths: {@link #frame}, {@link #sendBytes}).
 * Frames from {@link #send} are masked (RFC 6455 5.3); every read has a timeout, so a silent server fails the test
 * instead of hanging it.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A frame from the server (never masked). */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        /** The status code of a close frame. */
        public int closeCode() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        public String text() {
            return new String(payload, opcode == CLOSE ? 2 : 0, payload.length - (opcode == CLOSE ? 2 : 0),
                              StandardCharsets.UTF_8);
        }
    }

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and sends a handshake with {@code method}; {@link #status} then reads the answer's status line. */
    public static RawWebSocket handshake(int port, String method, String pathAndQuery) {
        return handshake(port, method + " " + pathAndQuery + " HTTP/1.1", standardHeaders(port));
    }

    /**
     * Connects and sends {@code requestLine} with {@code headers} ("Name: value" lines, sent as given, repeats and
     * all); {@link #status} then reads the answer's status line.
     */
    public static RawWebSocket handshake(int port, String requestLine, List<String> headers) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("localhost", port), 10_000);
            socket.setSoTimeout(30_000);
            RawWebSocket ws = new RawWebSocket(socket);
            StringBuilder request = new StringBuilder(requestLine).append("\r\n");
            headers.forEach(header -> request.append(header).append("\r\n"));
            ws.sendBytes(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            return ws;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The headers of a valid handshake to {@code localhost:port}, with a fresh key. */
    public static List<String> standardHeaders(int port) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return List.of("Host: localhost:" + port,
                       "Upgrade: websocket",
                       "Connection: Upgrade",
                       "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key),
                       "Sec-WebSocket-Version: 13");
    }

    /** A connected WebSocket: the handshake answered 101. */
    public static RawWebSocket open(int port, String pathAndQuery) {
        RawWebSocket ws = handshake(port, "GET", pathAndQuery);
        String status = ws.status();
        if (!status.startsWith("HTTP/1.1 101")) {
            ws.close();
            throw new AssertionError("handshake answered " + status);
        }
        return ws;
    }

    /** Reads the response head; returns its status line. */
    public String status() {
        try {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                head.write(in.readByte());
            }
            return head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one masked frame. */
    public RawWebSocket send(int opcode, boolean fin, byte[] payload) {
        return sendBytes(frame((fin ? 0x80 : 0) | opcode, true, payload));
    }

    /**
     * The bytes of one frame: {@code firstByte} as given (FIN, RSV1-3, opcode), the payload length in the shortest
     * form, then, if {@code masked}, a random masking key and the masked payload, else the payload as is.
     */
    public static byte[] frame(int firstByte, boolean masked, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(mask);
            frame.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    /** Writes {@code bytes} as they are. */
    public RawWebSocket sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Reads the next frame from the server. */
    public Frame read() {
        try {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            return new Frame(first & 0x0F, (first & 0x80) != 0, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads frames until a close frame, which it returns; data and control frames before it are skipped. */
    public Frame readUntilClose() {
        while (true) {
            Frame frame = read();
            if (frame.opcode() == CLOSE) {
                return frame;
            }
        }
    }

    /**
     * Whether the server closes the TCP connection within {@code deadline}: the next read sees the end of the
     * stream (or a reset) instead of more bytes or a timeout.
     */
    public boolean endsWithin(Duration deadline) {
        try {
            socket.setSoTimeout(Math.toIntExact(deadline.toMillis()));
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the server
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
