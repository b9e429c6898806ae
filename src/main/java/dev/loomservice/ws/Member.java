package dev.loomservice.ws;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;

/**
 * One chat connection's outbound side: a bounded queue and one sender virtual thread that writes it to the socket
 * with plain blocking sends. Broadcasting only {@link #offer}s (never blocks), so a member that reads slowly, or
 * not at all, delays nobody but itself; when its queue is full the room disconnects it ({@link #disconnect}).
 *
 * <p>Writes: Helidon 4.5 writes each frame whole under a lock of its own ({@code WsConnection.sendLocked}), but it
 * does not stop writing data frames after a close frame. So every frame we write to this session is written under
 * {@code writeLock}, by the sender or, for pongs, by the connection's thread; and before Helidon answers a client's
 * close on the connection's thread, {@link #stop} makes that thread the only writer. One write stays outside our
 * control: when a client breaks the protocol, Helidon writes the close frame ({@link FrameGuard}'s code) from the
 * connection's thread at once; a broadcast being written then can follow it, just before the socket closes.
 */
final class Member {
    private static final String WAKE = ""; // a queue entry that only wakes the sender; events are never empty

    private final String name;
    private final WsSession session;
    private final ConnectionThread connection;
    private final BlockingQueue<String> outbox;
    private final int queueLength;
    private final Duration pingInterval;
    private final Duration closeTimeout;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Thread sender;
    private volatile boolean stopped;
    private volatile Close close;

    private record Close(int code, String reason) {
    }

    Member(String name, WsSession session, ConnectionThread connection, WebSockets.Settings settings) {
        this.name = name;
        this.session = session;
        this.connection = connection;
        this.queueLength = settings.chatQueueLength();
        this.outbox = new ArrayBlockingQueue<>(queueLength);
        this.pingInterval = settings.pingInterval();
        this.closeTimeout = settings.closeTimeout();
        this.sender = Thread.ofVirtual().name("ws-chat-sender").start(this::send);
    }

    String name() {
        return name;
    }

    /** Queues {@code event} for this member; {@code false} (at once) if its queue is full. */
    boolean offer(String event) {
        return outbox.offer(event);
    }

    /** How many events may wait for this member. */
    int queueLength() {
        return queueLength;
    }

    /**
     * Sends a close frame with {@code code} after the frame being written, dropping what is queued; if the peer
     * has not completed the close within {@code close-timeout} (e.g. it does not read, so the close frame cannot
     * even be written), the connection is dropped. Returns at once.
     */
    void disconnect(int code, String reason) {
        close = new Close(code, reason);
        outbox.clear();
        outbox.offer(WAKE);
        connection.abortUnlessEndedWithin(closeTimeout);
    }

    /** Answers a ping; on the connection's thread. */
    void pong(BufferData payload) {
        if (!stopped && lock()) {
            try {
                session.pong(payload);
            } finally {
                writeLock.unlock();
            }
        }
    }

    /**
     * Stops the sender, waiting up to {@code close-timeout} for a write in progress, so that the calling
     * (connection) thread is the only writer afterwards. A sender still stuck in a write to a peer that does not
     * read is interrupted, which closes the socket: nothing else can unblock it.
     */
    void stop() {
        boolean locked = lock();
        try {
            stopped = true;
            sender.interrupt(); // it is not writing: it waits for the queue or the lock, or it is stuck (see above)
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
    }

    private void send() {
        try {
            while (!stopped) {
                String event = pingInterval.isZero() ? outbox.take()
                        : outbox.poll(pingInterval.toNanos(), TimeUnit.NANOSECONDS);
                Close request = close;
                if (request != null) {
                    write(s -> s.close(request.code(), request.reason()));
                    return;
                }
                if (event == null) {
                    write(s -> s.ping(BufferData.empty())); // keeps a quiet member's connection under the idle timeout
                } else if (!event.isEmpty()) {
                    write(s -> s.send(event, true));
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (RuntimeException e) {
            // the socket failed (peer gone, or closed under us): end the connection, its thread cleans up
            connection.abort();
        }
    }

    private void write(Consumer<WsSession> frame) throws InterruptedException {
        writeLock.lockInterruptibly();
        try {
            if (stopped) {
                throw new InterruptedException("stopped");
            }
            frame.accept(session);
        } finally {
            writeLock.unlock();
        }
    }

    private boolean lock() {
        try {
            return writeLock.tryLock(closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
