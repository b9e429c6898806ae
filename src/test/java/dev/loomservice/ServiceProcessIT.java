package dev.loomservice;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The packaged jar, started as users start it. */
class ServiceProcessIT {
    private static final Duration STARTUP = Duration.ofSeconds(30);

    @Test
    void startsFromConfigFilePrintsOneStartupLineAndStopsOnSigterm(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("app.yaml"), """
                server:
                  port: 0
                  host: 127.0.0.1
                app:
                  limiter:
                    permits: 42
                    queue-length: 7
                  cpu:
                    pool-size: 3
                    queue-length: 9
                """);
        try (ServiceProcess service = ServiceProcess.start(List.of(), List.of("--config", config.toString()))) {
            URI uri = service.awaitStarted(STARTUP);
            String line = service.awaitLine(l -> l.contains("loom-service on "), STARTUP);
            assertThat(line, containsString("JDK " + Runtime.version().feature()));
            assertThat(line, containsString("limiter: 42 permits, queue 7, timeout 1000 ms"));
            assertThat(line, containsString("cpu pool: 3 threads, queue 9, offload on"));

            assertThat(Http.to(uri).get("/").body(), is("Hello, World!"));

            service.terminate();
            assertThat("SIGTERM exit status", service.awaitExit(Duration.ofSeconds(10)), is(143));
        }
    }

    @Test
    void systemPropertiesOverrideTheFile() {
        try (ServiceProcess service = ServiceProcess.start(
                List.of("-Dserver.port=0", "-Dapp.limiter.permits=5"), List.of())) {
            service.awaitStarted(STARTUP);
            assertThat(service.output(), containsString("limiter: 5 permits"));
        }
    }

    @Test
    void outOfRangeValueIsExitCode2WithTheKeyAndNoStackTrace() {
        try (ServiceProcess service = ServiceProcess.start(
                List.of("-Dserver.port=0", "-Dapp.limiter.permits=0"), List.of())) {
            assertThat(service.awaitExit(STARTUP), is(2));
            assertThat(service.output(), containsString("app.limiter.permits must be at least 1; got 0"));
            assertThat(service.output(), not(containsString("\tat ")));
        }
    }

    @Test
    void missingConfigFileIsExitCode2() {
        try (ServiceProcess service = ServiceProcess.start(List.of(), List.of("--config", "/no/such.yaml"))) {
            assertThat(service.awaitExit(STARTUP), is(2));
            assertThat(service.output(), containsString("config file not readable: /no/such.yaml"));
        }
    }

    @Test
    void portInUseIsExitCode1WithAClearLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0);
             ServiceProcess service = ServiceProcess.start(List.of("-Dserver.port=" + taken.getLocalPort()), List.of())) {
            assertThat(service.awaitExit(STARTUP), is(1));
            assertThat(service.output(), containsString("Address already in use"));
            assertThat(service.output(), containsString("loom-service: the server did not start"));
            assertThat(service.output(), not(containsString("loom-service on ")));
        }
    }

    @Test
    void helpDescribesOptionsAndExitsZero() {
        try (ServiceProcess service = ServiceProcess.start(List.of(), List.of("--help"))) {
            assertThat(service.awaitExit(STARTUP), is(0));
            assertThat(service.output(), containsString("--config=FILE"));
        }
    }

    @Test
    void tenThousandConcurrentBlockingWaitsAllSucceedInSeconds() {
        int n = 10_000;
        try (ServiceProcess service = ServiceProcess.start(List.of("-Dserver.port=0"), List.of())) {
            Http http = Http.to(service.awaitStarted(STARTUP));
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(http.getAsync("/io?ms=200"));
            }
            long ok = all.stream().map(CompletableFuture::join)
                    .filter(r -> r.statusCode() == 200).count();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(ok, is((long) n));
            System.out.printf("%d concurrent /io?ms=200: all 200 in %d ms%n", n, millis);
        }
    }
}
