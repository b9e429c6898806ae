package dev.loomservice.observe;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    private static final long BATCH_MILLIS = 20;

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final PrintStream out;
    private final Thread writer;
    private long lastMillis = -1;      // writer thread only
    private String lastTimestamp = "";  // writer thread only

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
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One line; plain appends (String.format and Instant.toString per line cost more than serving a hello). */
    private void append(StringBuilder text, Entry e) {
        if (e.epochMillis() != lastMillis) {
            lastMillis = e.epochMillis();
            lastTimestamp = Instant.ofEpochMilli(lastMillis).toString();
        }
        text.append("ts=").append(lastTimestamp).append(" access method=").append(e.method())
                .append(" path=").append(e.rawPath()).append(" status=").append(e.status())
                .append(" bytes=").append(e.bytes()).append(" ms=");
        ServerTiming.millis(text, e.nanos())
                .append(" id=").append(e.id()).append('\n');
    }

    /**
     * Writes a batch every {@value #BATCH_MILLIS} ms. It sleeps rather than waiting on the queue: a waiting writer
     * would have to be woken by nearly every request (a futex wake and a context switch each, tens of thousands a
     * second), while a sleeping one leaves nobody to signal. Lines appear at most that much later.
     */
    private void drain() {
        List<Entry> batch = new ArrayList<>(4096);
        StringBuilder text = new StringBuilder(256 * 1024);
        boolean running = true;
        while (running) {
            try {
                Thread.sleep(BATCH_MILLIS);
            } catch (InterruptedException e) {
                running = false; // closing: write what is left, then stop
            }
            while (queue.drainTo(batch, 4096) > 0) {
                for (Entry e : batch) {
                    append(text, e);
                }
                // encoded once per batch and written as bytes: print(CharSequence) goes through the stream's
                // charset encoder and its buffered writer, chunk by chunk
                byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                batch.clear();
                text.setLength(0);
            }
            out.flush();
        }
    }
}
