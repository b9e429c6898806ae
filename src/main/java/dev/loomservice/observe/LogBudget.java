package dev.loomservice.observe;

/**
 * At most {@code perSecond} log reports in any one-second window; the rest are only counted, and
 * {@link #takeSuppressed} hands that count over once its window has ended, for one summary line.
 *
 * <p>Why: the reports this guards (slow requests) multiply exactly when the server is overloaded, and each is
 * written synchronously: unbounded, the log feeds the overload (the README's Observability section has the run that
 * showed it). Metrics still count every event; only the lines are bounded. Thread-safe; the lock is held for a few instructions.
 */
final class LogBudget {
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final int perSecond;
    private long windowStart;
    private boolean windowOpen;
    private int logged;
    private long suppressed;
    private long suppressedBefore;

    /** @param perSecond reports allowed per window; 0 suppresses every report (they are still counted) */
    LogBudget(int perSecond) {
        this.perSecond = perSecond;
    }

    /** True when a report at {@code nowNanos} may be logged; otherwise it is counted as suppressed. */
    synchronized boolean tryLog(long nowNanos) {
        roll(nowNanos);
        if (logged < perSecond) {
            logged++;
            return true;
        }
        suppressed++;
        return false;
    }

    /** Reports suppressed in windows that have ended by {@code nowNanos}, and not handed over before; then 0. */
    synchronized long takeSuppressed(long nowNanos) {
        roll(nowNanos);
        long n = suppressedBefore;
        suppressedBefore = 0;
        return n;
    }

    int perSecond() {
        return perSecond;
    }

    private void roll(long nowNanos) {
        if (!windowOpen || nowNanos - windowStart >= WINDOW_NANOS) {
            suppressedBefore += suppressed;
            suppressed = 0;
            logged = 0;
            windowStart = nowNanos;
            windowOpen = true;
        }
    }
}
