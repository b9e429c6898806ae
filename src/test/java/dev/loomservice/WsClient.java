package dev.loomservice;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDK {@link WebSocket} client for tests: whole messages (text as {@code String}, binary as {@code byte[]})
 * land in a queue that {@link #next} takes from with a deadline, and the end of the connection (close frame or
 * error) completes {@link #closed}. With {@code reading = false} the client asks for no messages at all, so it
 * stops reading its socket and the server's writes back up: the slow member of the chat tests.
 */
public final class WsClient implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** What the JDK reports for a connection that ended without a close frame (RFC 6455 7.1.5). */
    public static final int ABNORMAL = 1006;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(TIMEOUT)
            .build();

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final WebSocket socket;

    /** How the connection ended: a close frame ({@code code}, {@code reason}) or an error (code 1006). */
    public record Closed(int code, String reason) {
    }

    private WsClient(URI uri, Map<String, String> headers, boolean reading) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        try {
            this.socket = builder.buildAsync(uri, new Collector(reading)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("WebSocket connect to " + uri + " failed", e);
        }
    }

    public static WsClient connect(URI uri) {
        return new WsClient(uri, Map.of(), true);
    }

    public static WsClient connect(URI uri, Map<String, String> headers) {
        return new WsClient(uri, headers, true);
    }

    /** A client that never reads what the server sends (until {@link #startReading}). */
    public static WsClient connectNotReading(URI uri) {
        return new WsClient(uri, Map.of(), false);
    }

    /**
     * The HTTP status of a refused handshake (and its body), or fails if the handshake succeeds.
     */
    public static WebSocketHandshakeException refused(URI uri, Map<String, String> headers) {
        try {
            new WsClient(uri, headers, true).close();
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused;
            }
            throw e;
        }
        throw new AssertionError("the handshake to " + uri + " succeeded; expected a refusal");
    }

    /** The body of a refused handshake's response, as text. */
    public static String body(WebSocketHandshakeException refused) {
        Object body = refused.getResponse().body();
        return body instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(body);
    }

    /**
     * Each of {@code members} sends {@code perMember} texts, {@code "NAME 0"}, {@code "NAME 1"}, ... with its name from
     * {@code names}, all members at once; returns when every text is sent.
     */
    public static void sendAtOnce(List<WsClient> members, List<String> names, int perMember) {
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < members.size(); i++) {
                WsClient member = members.get(i);
                String name = names.get(i);
                senders.submit(() -> {
                    for (int m = 0; m < perMember; m++) {
                        member.send(name + " " + m);
                    }
                    return null;
                });
            }
        }
    }

    public WsClient send(String text) {
        return send(text, true);
    }

    public WsClient send(String text, boolean last) {
        socket.sendText(text, last).join();
        return this;
    }

    public WsClient send(byte[] bytes, boolean last) {
        socket.sendBinary(ByteBuffer.wrap(bytes), last).join();
        return this;
    }

    public ByteBuffer ping(byte[] payload) {
        socket.sendPing(ByteBuffer.wrap(payload)).join();
        return pong.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The next whole message ({@code String} or {@code byte[]}); fails after {@link #TIMEOUT}. */
    public Object next() {
        try {
            Object message = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no message within " + TIMEOUT.toSeconds() + " s; connection "
                        + (closed.isDone() ? "ended: " + closed.join() : "open"));
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public String nextText() {
        Object message = next();
        if (message instanceof String text) {
            return text;
        }
        throw new AssertionError("expected a text message; got " + message);
    }

    /** Waits for the end of the connection. */
    public Closed closed() {
        return closed.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Pings received from the server (the JDK answers each with a pong by itself). */
    public int pings() {
        return pings.get();
    }

    /** Lets a client made by {@link #connectNotReading} read everything from now on. */
    public void startReading() {
        socket.request(Long.MAX_VALUE);
    }

    /** Closes normally and waits (briefly) for the server's close; then drops the connection either way. */
    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            }
            closed.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the connection is already gone, or the server does not answer: abort below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            socket.abort();
        }
    }

    private final class Collector implements WebSocket.Listener {
        private final boolean reading;
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        Collector(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            if (reading) {
                webSocket.request(Long.MAX_VALUE);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            return WebSocket.Listener.super.onPing(webSocket, message);
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pong.complete(message);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Closed(ABNORMAL, "error: " + error));
        }
    }
}
