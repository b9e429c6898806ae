package dev.loomservice.observe;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * One line per request, written by a single background thread so request threads never wait for the terminal
 * or the disk: they put a small record in a bounded queue and go on. When the queue is full the line is dropped
 * and counted ({@link #dropped}), so a slow log sink can cost log lines but never latency or memory.
 *
 * <p>Line format ({@code logfmt}): {@code ts=... access method=GET path=/greet/Bob status=200 bytes=11 ms=0.42
 * id=...}. The path is the raw, still percent-encoded one, so a line can not be split or forged by the client.
 */
final class AccessLog implements AutoCloseable {
    private static final int CAPACITY = 65_536;

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final PrintStream out;
    private final Thread writer;

    record Entry(long epochMillis, String method, String rawPath, int status, long bytes, long nanos, String id) {
    }

    AccessLog(PrintStream out) {
        this.out = out;
        this.writer = Thread.ofPlatform().name("access-log").daemon(true).unstarted(this::drain);
    }

    void start() {
        writer.start();
    }

    void log(Entry entry) {
        if (!queue.offer(entry)) {
            dropped.increment();
        }
    }

    long dropped() {
        return dropped.sum();
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        writer.interrupt();
        try {
            writer.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(1024);
        StringBuilder text = new StringBuilder(64 * 1024);
        boolean running = true;
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                running = false;
            }
            if (running) {
                queue.drainTo(batch, 1023);
            } else {
                queue.drainTo(batch); // closing: whatever is left, in one go
            }
            for (Entry e : batch) {
                text.append("ts=").append(Instant.ofEpochMilli(e.epochMillis())).append(" access method=")
                        .append(e.method()).append(" path=").append(e.rawPath()).append(" status=")
                        .append(e.status()).append(" bytes=").append(e.bytes()).append(" ms=")
                        .append(String.format("%.2f", e.nanos() / 1e6)).append(" id=").append(e.id()).append('\n');
            }
            out.print(text);
            if (queue.isEmpty()) {
                out.flush();
            }
            batch.clear();
            text.setLength(0);
        }
        out.flush();
    }
}
