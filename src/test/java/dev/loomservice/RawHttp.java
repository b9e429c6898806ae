package dev.loomservice;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a bare {@link Socket}, for what well-behaved clients refuse to send: malformed and hostile
 * requests, and pipelined ones. {@link #exchange} writes the bytes and reads until the server closes the
 * connection or stays silent for {@code quiet}; the result tells how many responses came back and whether the
 * server closed.
 */
public final class RawHttp {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) [^\r\n]*\r\n");
    private static final Pattern LENGTH = Pattern.compile("(?im)^content-length:[ \\t]*(\\d+)[ \\t]*\r?$");
    private static final Pattern CHUNKED = Pattern.compile("(?im)^transfer-encoding:[ \\t]*chunked[ \\t]*\r?$");

    private RawHttp() {
    }

    /** What came back: the raw text, the status of each response, and whether the server closed the connection. */
    public record Reply(String text, List<Integer> statuses, boolean closed) {
        @Override
        public String toString() {
            return statuses + (closed ? " then closed" : " connection left open") + ":\n" + text;
        }
    }

    public static Reply exchange(int port, byte[] request, Duration quiet) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) quiet.toMillis());
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (SocketException e) {
                // the server may close before it has read everything (e.g. after a 413); what it said still counts
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean closed = read(socket.getInputStream(), got);
            String text = got.toString(StandardCharsets.ISO_8859_1);
            return new Reply(text, statuses(text), closed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Reply exchange(int port, String request, Duration quiet) {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), quiet);
    }

    /**
     * The status of each response in {@code text}, read one after another: status line, headers, then a body of
     * {@code Content-Length} bytes or of chunks. A body need not end in a newline, so the next response may start
     * right after it: that is why this parses instead of searching. Whatever does not parse ends the list.
     */
    static List<Integer> statuses(String text) {
        List<Integer> statuses = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            Matcher status = STATUS_LINE.matcher(text).region(at, text.length());
            int headersEnd = text.indexOf("\r\n\r\n", at);
            if (!status.lookingAt() || headersEnd < 0) {
                break;
            }
            statuses.add(Integer.parseInt(status.group(1)));
            String headers = text.substring(at, headersEnd + 2);
            at = headersEnd + 4;
            Matcher length = LENGTH.matcher(headers);
            if (length.find()) {
                at += Integer.parseInt(length.group(1));
            } else if (CHUNKED.matcher(headers).find()) {
                at = afterChunks(text, at);
            }
        }
        return statuses;
    }

    private static int afterChunks(String text, int at) {
        while (true) {
            int eol = text.indexOf("\r\n", at);
            if (eol < 0) {
                return text.length();
            }
            int size = Integer.parseInt(text.substring(at, eol).split(";")[0].trim(), 16);
            at = eol + 2 + size + 2;
            if (size == 0) {
                return at;
            }
        }
    }

    /** Reads until end of stream (true), a reset (true) or {@code quiet} without data (false). */
    private static boolean read(InputStream in, ByteArrayOutputStream into) throws IOException {
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                into.write(buffer, 0, n);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // connection reset: closed, abruptly
        }
    }
}
