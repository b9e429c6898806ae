package dev.loomservice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

import dev.loomservice.crawl.Crawler;

/**
 * A crawl's progress, redrawn in place on stderr every quarter second:
 * {@code pages 1234 | queued 456 | in flight 50 | errors 0 | 250.3 pages/s}. Only for a terminal: in a log
 * file, carriage returns make noise, not progress. {@link #close} stops it and clears the line.
 */
final class ProgressLine implements AutoCloseable {
    private static final Duration PERIOD = Duration.ofMillis(250);

    private final PrintWriter err;
    private final Supplier<Crawler.Progress> source;
    private final Thread painter;

    private ProgressLine(PrintWriter err, Supplier<Crawler.Progress> source) {
        this.err = err;
        this.source = source;
        this.painter = Thread.ofVirtual().name("crawl-progress").start(this::paint);
    }

    /** Starts painting {@code source} on {@code err}. */
    static ProgressLine start(PrintWriter err, Supplier<Crawler.Progress> source) {
        return new ProgressLine(err, source);
    }

    /** Whether this process's stderr is a terminal (Linux: fd 2 is a tty or pty device). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // not Linux, or no /proc: no progress line rather than a garbled log
        }
    }

    @Override
    public void close() {
        painter.interrupt();
        try {
            painter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.print("\r\033[2K");
        err.flush();
    }

    private void paint() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(PERIOD);
                err.print("\r\033[2K" + text(source.get()));
                err.flush();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    static String text(Crawler.Progress p) {
        double seconds = p.elapsed().toNanos() / 1e9;
        return String.format(Locale.ROOT, "pages %d | queued %d | in flight %d | errors %d | %.1f pages/s",
                             p.pages(), p.queued(), p.inFlight(), p.errors(), seconds > 0 ? p.pages() / seconds : 0);
    }
}
