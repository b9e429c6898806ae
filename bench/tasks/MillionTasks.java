import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * N virtual threads, each sleeping one second, all at once: {@code java MillionTasks.java 1000000 [WARMUP]}.
 * Prints one JSON line with the wall time from the first start to the last end. The loop is JEP 444's own
 * example; the executor's close() waits for every thread.
 *
 * <p>With WARMUP, the same loop first runs that many threads sleeping 10 ms each, untimed, so that the JIT has
 * seen a thread come back from its sleep before it compiles the sleep; without it, the compiled code can lack
 * that path, and each of the million threads is deoptimized when it wakes (bench/README, "Why a million Java
 * tasks take 7 s or 16 s").
 */
public class MillionTasks {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        if (args.length > 1) {
            run(Integer.parseInt(args[1]), Duration.ofMillis(10));
        }
        long start = System.nanoTime();
        run(n, Duration.ofSeconds(1));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("{\"tasks\": %d, \"wall_s\": %.3f}%n", n, seconds);
    }

    private static void run(int n, Duration sleep) {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                executor.submit(() -> {
                    Thread.sleep(sleep);
                    return null;
                });
            }
        }
    }
}
