package dev.loomservice.guard;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.loomservice.observe.Metered;
import dev.loomservice.observe.PrometheusText;

/**
 * A fixed pool of platform threads with a bounded queue, for CPU-heavy work.
 *
 * <p>Virtual threads are scheduled on a handful of carrier threads (one per core by default) and are not
 * preempted: a virtual thread that computes for a second holds its carrier for that second, and with every carrier
 * busy no other request runs, not even {@code GET /}. Work sent here runs on its own platform threads instead,
 * which the OS schedules beside the carriers, so CPU work slows the service down but cannot stall it; at
 * {@code SCHED_IDLE} (the default, {@code app.cpu.priority}) it only uses what the carriers leave over.
 *
 * <p>Exactly {@code size + queueLength} tasks are admitted at a time: a semaphore counts them, because a
 * {@link ThreadPoolExecutor}'s own bounded queue can refuse a task while an idle thread has not yet taken the
 * previous one. {@link #call} on a full pool throws {@link RejectedExecutionException} at once (the caller answers
 * 503), so there is never an unbounded backlog. {@link #close} stops the threads, interrupting running tasks.
 */
public final class CpuPool implements AutoCloseable, Metered {
    private final int size;
    private final Semaphore admitted;
    private final ThreadPoolExecutor executor;
    private final LongAdder rejected = new LongAdder();

    /** A moment's state, for stats and metrics. */
    public record Snapshot(int size, int active, int queued, long rejected, long completed) {
    }

    /**
     * Starts {@code size} threads. With {@code idlePriority} each first moves itself to Linux's {@code SCHED_IDLE}
     * ({@link IdlePriority}), so that a carrier thread woken by a request never waits behind CPU work.
     */
    public CpuPool(int size, int queueLength, boolean idlePriority) {
        this.size = size;
        this.admitted = new Semaphore(size + queueLength);
        ThreadFactory platform = Thread.ofPlatform().name("cpu-", 0).daemon(true).factory();
        ThreadFactory threads = !idlePriority ? platform : work -> platform.newThread(() -> {
            IdlePriority.applyToCurrentThread();
            work.run();
        });
        // The queue itself needs no bound: the semaphore never lets more than queueLength tasks wait in it.
        this.executor = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                                               threads);
        executor.prestartAllCoreThreads();
    }

    /**
     * Runs {@code task} on the pool and blocks the calling (virtual) thread until it finishes.
     *
     * @throws RejectedExecutionException at once, when {@code size} tasks run and {@code queueLength} wait
     * @throws InterruptedException       if the caller is interrupted; the task is then cancelled
     */
    public <T> T call(Callable<T> task) throws InterruptedException, ExecutionException {
        if (!admitted.tryAcquire()) {
            rejected.increment();
            throw new RejectedExecutionException("CPU pool is full");
        }
        FutureTask<T> future = new FutureTask<>(task) {
            @Override
            protected void done() {
                admitted.release(); // runs once, whether the task completed, failed or was cancelled
            }
        };
        try {
            executor.execute(future);
        } catch (RejectedExecutionException e) {
            future.cancel(false); // the pool is shut down; done() gives the permit back
            throw e;
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            executor.remove(future);
            throw e;
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(size, executor.getActiveCount(), executor.getQueue().size(), rejected.sum(),
                            executor.getCompletedTaskCount());
    }

    @Override
    public void writeMetrics(PrometheusText out) {
        Snapshot s = snapshot();
        out.gauge("loom_cpu_pool_threads", "Platform threads of the CPU pool.", s.size())
                .gauge("loom_cpu_pool_active", "CPU pool threads computing now.", s.active())
                .gauge("loom_cpu_pool_queued", "CPU tasks waiting for a thread now.", s.queued())
                .counter("loom_cpu_pool_rejected_total", "CPU tasks refused (503) because the pool was full.",
                         s.rejected())
                .counter("loom_cpu_pool_completed_total", "CPU tasks completed.", s.completed());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
