package dev.loomservice;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real HAProxy (Debian package {@code haproxy}) running the project's own {@code etc/haproxy.cfg}, with one
 * {@code server iN} line appended per instance port, as {@code ./loom cluster} does. Its public and stats ports
 * are free loopback ports. Not installed: the test fails when {@code CI} is set, and is skipped otherwise.
 */
public final class HaProxy implements AutoCloseable {
    private final Process process;
    private final Path config;
    private final int port;
    private final int statsPort;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private HaProxy(Process process, Path config, int port, int statsPort) {
        this.process = process;
        this.config = config;
        this.port = port;
        this.statsPort = statsPort;
        Thread.ofVirtual().start(this::collect);
    }

    /** Starts it in front of instances on {@code ports} (named i1, i2, ...); returns once it accepts connections. */
    public static HaProxy start(List<Integer> ports) {
        Path binary = Path.of("/usr/sbin/haproxy");
        if (!Files.isExecutable(binary) && System.getenv("CI") != null) {
            throw new AssertionError("CI must install HAProxy (Debian package haproxy): see .ci/packages");
        }
        Assumptions.assumeTrue(Files.isExecutable(binary), "HAProxy not installed (apt-get install haproxy); skipped");
        try {
            StringBuilder cfg = new StringBuilder(Files.readString(Path.of("etc/haproxy.cfg")));
            for (int i = 0; i < ports.size(); i++) {
                cfg.append("    server i").append(i + 1).append(" 127.0.0.1:").append(ports.get(i)).append('\n');
            }
            Path config = Files.writeString(Files.createTempFile("loom-haproxy-", ".cfg"), cfg);
            int port = freePort();
            int statsPort = freePort();
            ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
                    .redirectErrorStream(true);
            builder.environment().put("LOOM_LB_PORT", String.valueOf(port));
            builder.environment().put("LOOM_LB_STATS_PORT", String.valueOf(statsPort));
            HaProxy haproxy = new HaProxy(builder.start(), config, port, statsPort);
            Await.until("HAProxy accepts connections; its output:\n" + haproxy.output(), Duration.ofSeconds(10),
                        haproxy::accepting);
            return haproxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public address. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** Waits until HAProxy's own health check counts {@code server} (i1, i2, ...) UP. */
    public void awaitUp(String server, Duration deadline) {
        Await.until("HAProxy sees " + server + " UP", deadline, () -> status(server).startsWith("UP"));
    }

    /** The server's status column on the stats page: UP, DOWN, "UP 1/2" while rising... */
    public String status(String server) {
        String csv = Http.to(URI.create("http://127.0.0.1:" + statsPort + "/")).get("/;csv").body();
        return csv.lines().map(l -> l.split(",", -1))
                .filter(f -> f.length > 17 && f[0].equals("loom") && f[1].equals(server))
                .map(f -> f[17]).findFirst().orElse("missing");
    }

    /** Everything it logged: one line per request (instance, status, retries, X-Request-Id), and server state changes. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean accepting() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void collect() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
