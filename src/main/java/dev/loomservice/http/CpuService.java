package dev.loomservice.http;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.guard.CpuPool;
import dev.loomservice.problem.Problems;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /cpu?work=N} (register under {@code /cpu}): N rounds of a SHA-256 hash chain ({@code h0} = 32 zero bytes,
 * {@code h(i+1) = SHA-256(h(i))}), answered as the hex of {@code hN}. Deterministic, so peers in {@code bench/}
 * can compute the same thing and tests can check the answer.
 *
 * <p>With {@code offload} (the default) the chain runs on the bounded {@link CpuPool} while the request's virtual
 * thread waits; a full pool is a 503 with {@code Retry-After}. With {@code offload: false} it runs on the virtual
 * thread itself, which occupies a carrier thread for the whole computation: that mode exists so the benchmark can
 * show what the pool is for. This service owns the pool and closes it when the server stops.
 */
public final class CpuService implements HttpService {
    private final Settings settings;
    private final CpuPool pool;

    /** What {@code app.cpu} configures. */
    public record Settings(int poolSize, int queueLength, boolean offload, int maxWork, boolean idlePriority) {
        /** Reads {@code app.cpu}; the pool size defaults to the number of cores. */
        public static Settings from(Config cpu) {
            return new Settings(ConfigValues.intAtLeast(cpu.get("pool-size"), 1,
                                                        Runtime.getRuntime().availableProcessors()),
                                ConfigValues.intAtLeast(cpu.get("queue-length"), 0, 64),
                                cpu.get("offload").asBoolean().orElse(true),
                                ConfigValues.intAtLeast(cpu.get("max-work"), 0, 10_000_000),
                                idle(cpu.get("priority")));
        }

        private static boolean idle(Config priority) {
            String value = priority.asString().orElse("idle");
            return switch (value) {
                case "idle" -> true;
                case "normal" -> false;
                default -> throw new ConfigException(priority.key() + " must be idle or normal; got '" + value + "'");
            };
        }
    }

    public CpuService(Settings settings) {
        this.settings = settings;
        this.pool = new CpuPool(settings.poolSize(), settings.queueLength(), settings.idlePriority());
    }

    /** The pool, for stats and metrics. */
    public CpuPool pool() {
        return pool;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::cpu);
    }

    @Override
    public void afterStop() {
        pool.close();
    }

    /** The hex of the N-th link of the SHA-256 chain; checks for interruption so a cancelled task stops early. */
    public static String chain(int work) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] h = new byte[32];
        for (int i = 0; i < work; i++) {
            h = sha256.digest(h);
            if ((i & 0xFFF) == 0 && Thread.currentThread().isInterrupted()) {
                throw new CancellationException("interrupted after " + i + " rounds");
            }
        }
        return HexFormat.of().formatHex(h);
    }

    private void cpu(ServerRequest req, ServerResponse res) throws InterruptedException {
        int work = Params.intIn(req, "work", 0, settings.maxWork());
        HelloService.text(res, settings.offload() ? onPool(work) : chain(work));
    }

    private String onPool(int work) throws InterruptedException {
        try {
            return pool.call(() -> chain(work));
        } catch (RejectedExecutionException e) {
            throw Problems.of(Status.SERVICE_UNAVAILABLE_503, "the CPU pool is full (" + settings.poolSize()
                            + " running, " + settings.queueLength() + " waiting); retry in 1 s")
                    .header(HeaderValues.create(HeaderNames.RETRY_AFTER, 1));
        } catch (ExecutionException e) {
            throw new IllegalStateException("CPU task failed", e.getCause());
        }
    }
}
