package dev.loomservice.ws;

import java.time.Duration;

/**
 * The virtual thread Helidon runs one WebSocket connection on: it reads the upgrade request, calls
 * {@code onHttpUpgrade}, then reads frames and calls the listener until the connection ends, and it closes the
 * socket just before it ends.
 *
 * <p>Why we watch the thread: Helidon 4.5.0 calls {@code WsListener.onClose} only when the client sends a close
 * frame (or its request limit refuses a frame; {@code WsConnection.handle}). A peer that vanishes, a protocol error
 * ({@link FrameGuard}'s or Helidon's), an idle timeout or a server stop end the connection without it. The end of
 * this thread is the one signal every path gives, so slots, room membership and sender threads are released when
 * it ends ({@link #whenEnded}), whatever the cause.
 */
final class ConnectionThread {
    private final Thread thread;

    private ConnectionThread(Thread thread) {
        this.thread = thread;
    }

    /** The calling thread; call from {@code onHttpUpgrade}, which Helidon runs on the connection's thread. */
    static ConnectionThread current() {
        return new ConnectionThread(Thread.currentThread());
    }

    /** Runs {@code action} once, on a new virtual thread, after the connection's thread has ended. */
    void whenEnded(Runnable action) {
        Thread.ofVirtual().name("ws-end-watch").start(() -> {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true; // nobody interrupts this thread; if someone does, the release still happens
                }
            }
            action.run();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Drops the connection unless it has ended within {@code grace}: for a close handshake the peer does not
     * finish, or a close frame that cannot be written because the peer does not read. Returns at once.
     */
    void abortUnlessEndedWithin(Duration grace) {
        Thread.ofVirtual().name("ws-close-deadline").start(() -> {
            try {
                if (!thread.join(grace)) {
                    abort();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Drops the connection now. Interrupting a virtual thread blocked in socket I/O closes the socket (JDK 21+),
     * so the connection's read fails, Helidon ends the connection, and a write blocked on the same socket fails too.
     */
    void abort() {
        thread.interrupt();
    }
}
