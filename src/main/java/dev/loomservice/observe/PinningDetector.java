package dev.loomservice.observe;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;

/**
 * Streams the JFR event {@code jdk.VirtualThreadPinned} in-process: a virtual thread that blocked while it
 * could not unmount (a native frame on its stack; on JDK 21-23 also a held monitor) kept its carrier thread for
 * the whole time, which is what starves the other virtual threads. Each event over {@code threshold} is counted
 * and logged with its stack and, when it can be told, the request it happened on.
 *
 * <p>JFR is process-wide, so this sees every pinning of the JVM. It delivers events in batches, about a second
 * after they happen; the request is found through {@link InFlight}, which keeps a thread's last request a while.
 */
final class PinningDetector implements AutoCloseable {
    static final String EVENT = "jdk.VirtualThreadPinned";
    private static final System.Logger LOG = System.getLogger(PinningDetector.class.getName());
    private static final int STACK_FRAMES = 24;

    private final Duration threshold;
    private final InFlight inFlight;
    private final LongAdder events = new LongAdder();
    private final LongAdder pinnedNanos = new LongAdder();
    private RecordingStream stream;

    PinningDetector(Duration threshold, InFlight inFlight) {
        this.threshold = threshold;
        this.inFlight = inFlight;
    }

    void start() {
        stream = new RecordingStream();
        stream.enable(EVENT).withThreshold(threshold).withStackTrace();
        stream.onEvent(EVENT, this::onPinned);
        stream.startAsync();
    }

    long events() {
        return events.sum();
    }

    double pinnedSeconds() {
        return pinnedNanos.sum() / 1e9;
    }

    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
    }

    private void onPinned(RecordedEvent event) {
        events.increment();
        pinnedNanos.add(event.getDuration().toNanos());
        String on = event.getThread() == null ? "an unknown thread" : inFlight.ofThread(event.getThread().getJavaThreadId())
                .map(r -> r.method() + " " + r.path() + " (route " + r.route() + ", id " + r.requestId() + ")")
                .orElse("thread " + event.getThread().getJavaName() + ", outside any request");
        String stack = event.getStackTrace() == null ? "\t(no stack)" : event.getStackTrace().getFrames().stream()
                .limit(STACK_FRAMES)
                .map(PinningDetector::frame)
                .collect(Collectors.joining("\n"));
        LOG.log(System.Logger.Level.WARNING, "virtual thread pinned its carrier for " + event.getDuration().toMillis()
                + " ms on " + on + why(event) + "\n" + stack);
    }

    /**
     * What blocked and why the thread could not unmount, e.g. {@code : Object.wait (Waited for initialization of
     * io.helidon.http.DateTime by another thread)}: fields JDK 24 added to the event; empty on JDK 21-23.
     */
    private static String why(RecordedEvent event) {
        String operation = event.hasField("blockingOperation") ? event.getString("blockingOperation") : null;
        String reason = event.hasField("pinnedReason") ? event.getString("pinnedReason") : null;
        return (operation == null ? "" : ": " + operation) + (reason == null ? "" : " (" + reason + ")");
    }

    /** {@code at type.method(line N)}, or {@code (native)}, {@code (inlined)}... when JFR has no line for it. */
    private static String frame(RecordedFrame f) {
        String where = f.getLineNumber() >= 0 ? "line " + f.getLineNumber() : f.getType().toLowerCase(Locale.ROOT);
        return "\tat " + f.getMethod().getType().getName() + "." + f.getMethod().getName() + "(" + where + ")";
    }
}
