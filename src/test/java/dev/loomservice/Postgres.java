package dev.loomservice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server of its own, in a temporary data directory, on a free loopback port: Debian's binaries
 * ({@code /usr/lib/postgresql/VERSION/bin}, package {@code postgresql}), run as the {@code postgres} user when the
 * tests run as root (PostgreSQL refuses root). Superuser {@code loom}, trust authentication, database
 * {@code postgres}; {@code fsync=off}, because the tests stop it cleanly and never the machine under it.
 *
 * <p>Not installed: the test fails when {@code CI} is set (.ci/packages lists it), and is skipped otherwise.
 */
public final class Postgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;

    private Postgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** initdb, then start; the caller closes it (stop, delete the directory). */
    public static Postgres start() {
        Path bin = binaries();
        try {
            Path dir = Files.createTempDirectory("loom-pg-");
            Postgres pg = new Postgres(bin, dir, freePort());
            if (root()) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            }
            pg.run("initdb", "-D", pg.data(), "-U", "loom", "-A", "trust", "-E", "UTF8", "--no-sync");
            pg.begin();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What points a server at it: {@code app.db.url} and {@code app.db.user}. */
    public Map<String, String> config() {
        return Map.of("app.db.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "app.db.user", "loom");
    }

    /** Stops it the way an operator would ({@code pg_ctl stop -m fast}): sessions are ended, data kept. */
    public void stop() {
        run("pg_ctl", "stop", "-D", data(), "-m", "fast", "-w", "-t", "30");
    }

    /** Starts it again, on the same port, with the same data; returns once it accepts connections. */
    public void begin() {
        run("pg_ctl", "start", "-D", data(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "30",
            "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off");
    }

    @Override
    public void close() {
        try {
            run("pg_ctl", "stop", "-D", data(), "-m", "immediate", "-w", "-t", "30");
        } catch (AssertionError alreadyStopped) {
            // stopped by the test itself
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    private void run(String tool, String... args) {
        List<String> command = new ArrayList<>();
        if (root()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + tool, e);
        }
    }

    /** The newest installed major version's bin directory; missing: fail on CI, skip elsewhere. */
    private static Path binaries() {
        Path installed = null;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            installed = versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException | NumberFormatException e) {
            // not installed
        }
        if (installed == null && System.getenv("CI") != null) {
            throw new AssertionError("CI must install PostgreSQL (Debian package postgresql): see .ci/packages");
        }
        Assumptions.assumeTrue(installed != null,
                               "PostgreSQL not installed (apt-get install postgresql); skipped outside CI");
        return installed;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
