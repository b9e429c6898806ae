package dev.loomservice.observe;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class LogBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsTheLimitPerSecondAndHandsOverTheRestOnceTheirSecondHasEnded() {
        LogBudget budget = new LogBudget(3);
        long t0 = 42 * SECOND;
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += budget.tryLog(t0 + i * 1_000_000L) ? 1 : 0;
        }
        assertThat(allowed, is(3));
        assertThat("the window has not ended", budget.takeSuppressed(t0 + SECOND / 2), is(0L));
        assertThat(budget.takeSuppressed(t0 + SECOND), is(7L));
        assertThat("handed over once", budget.takeSuppressed(t0 + 3 * SECOND), is(0L));
    }

    @Test
    void aNewSecondHasAFreshBudget() {
        LogBudget budget = new LogBudget(1);
        long t0 = -5 * SECOND; // nanoTime may be negative
        assertThat(budget.tryLog(t0), is(true));
        assertThat(budget.tryLog(t0 + 1), is(false));
        assertThat(budget.tryLog(t0 + SECOND), is(true));
        assertThat(budget.tryLog(t0 + SECOND + 1), is(false));
        assertThat(budget.takeSuppressed(t0 + 2 * SECOND), is(2L));
    }

    @Test
    void zeroLogsNothingButCountsEverything() {
        LogBudget budget = new LogBudget(0);
        assertThat(budget.tryLog(0), is(false));
        assertThat(budget.tryLog(1), is(false));
        assertThat(budget.takeSuppressed(SECOND), is(2L));
    }
}
