import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * N virtual threads, each sleeping one second, all at once: {@code java MillionTasks.java 1000000}.
 * Prints one JSON line with the wall time from the first start to the last end. The loop is JEP 444's own
 * example; the executor's close() waits for every thread.
 */
public class MillionTasks {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        long start = System.nanoTime();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                executor.submit(() -> {
                    Thread.sleep(Duration.ofSeconds(1));
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("{\"tasks\": %d, \"wall_s\": %.3f}%n", n, seconds);
    }
}
