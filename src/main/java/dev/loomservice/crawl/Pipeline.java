package dev.loomservice.crawl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;

/**
 * The last stage: pages go into a bounded queue, one writer thread turns them into JSON lines and writes them.
 * Workers block in {@link #put} while the queue is full, so a slow disk slows the crawl instead of growing memory.
 *
 * <p>Lines are written in batches of whole lines, each batch with one {@code write} and a flush, so the output
 * never ends in a torn line even when the process is stopped between batches. The counts are of pages written.
 * {@link #close} writes what is queued, then returns; it does not close the stream (the caller owns it).
 */
final class Pipeline implements AutoCloseable {
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());
    /** Queued by {@link #close} after the last page; compared by identity. */
    private static final Page END = new Page(URI.create("end:of-pages"), 0, 0, 0, Optional.empty(), 0, 0,
                                             Optional.empty(), Optional.empty());
    private static final int BATCH = 256;

    private final OutputStream out;
    private final BlockingQueue<Page> queue;
    private final Thread writer;
    private final LongAdder pages = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private volatile IOException failure;

    Pipeline(OutputStream out, int capacity) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofVirtual().name("crawl-pipeline").start(this::drain);
    }

    /** Queues {@code page} for writing; blocks while the queue is full. Fails once a write has failed. */
    void put(Page page) throws InterruptedException {
        if (failure != null) {
            throw new UncheckedIOException("cannot write the results", failure);
        }
        queue.put(page);
    }

    long pages() {
        return pages.sum();
    }

    long errors() {
        return errors.sum();
    }

    /** Writes everything queued, then stops the writer. Call once, after the last {@link #put}. */
    @Override
    public void close() throws IOException {
        try {
            queue.put(END);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void drain() {
        List<Page> batch = new ArrayList<>(BATCH);
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, BATCH - 1);
                boolean end = write(batch);
                batch.clear();
                if (end) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close() was interrupted: stop writing
        }
    }

    /** Writes the batch up to END, in one write; true when END was in it. */
    private boolean write(List<Page> batch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(batch.size() * 256);
        int written = 0;
        int failed = 0;
        boolean end = false;
        for (Page page : batch) {
            if (page == END) {
                end = true;
                break;
            }
            bytes.writeBytes(line(page).getBytes(StandardCharsets.UTF_8));
            written++;
            failed += page.error() ? 1 : 0;
        }
        if (failure == null && written > 0) {
            try {
                bytes.writeTo(out);
                out.flush();
                pages.add(written);
                errors.add(failed);
            } catch (IOException e) {
                failure = e; // later batches are dropped; put() and close() report it
            }
        }
        return end;
    }

    /** The JSON line of one page; the format is documented in the README ("Client and crawler"). */
    static String line(Page page) {
        JsonObjectBuilder o = JSON.createObjectBuilder()
                .add("url", page.url().toString())
                .add("depth", page.depth());
        if (page.status() > 0) {
            o.add("status", page.status());
        } else {
            o.addNull("status");
        }
        o.add("bytes", page.bytes());
        page.title().ifPresentOrElse(t -> o.add("title", t), () -> o.addNull("title"));
        o.add("links", page.links()).add("millis", page.millis());
        page.location().ifPresent(l -> o.add("location", l.toString()));
        page.failure().ifPresent(f -> o.add("error", f.kind().label()).add("detail", f.detail()));
        return o.build().toString() + "\n";
    }
}
