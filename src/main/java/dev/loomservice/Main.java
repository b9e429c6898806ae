package dev.loomservice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.loomservice.cli.CrawlCommand;
import dev.loomservice.cli.FetchCommand;
import dev.loomservice.cli.PostCommand;
import dev.loomservice.guard.Drain;
import dev.loomservice.version.Version;

import io.helidon.config.ConfigException;
import io.helidon.common.mapper.Mappers;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.logging.common.LogConfig;
import io.helidon.service.registry.Services;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar loom-service.jar}: serves HTTP on virtual threads until SIGTERM.
 *
 * <p>Configuration is read from, first to last: system properties ({@code -Dapp.limiter.permits=...}), environment
 * variables, the YAML file given by {@code --config} or {@code $LOOM_CONFIG} (default {@code etc/application.yaml},
 * which may be absent), and the defaults on the classpath. {@code server:} configures Helidon, {@code app:} our
 * code; see {@link #setup}, which tests call too, so they run the production wiring.
 */
@Command(name = "loom-service", mixinStandardHelpOptions = true, versionProvider = Version.class,
         description = {"Serves HTTP and WebSocket on virtual threads until stopped with SIGTERM or Ctrl-C.",
                        "With a command, runs that instead: an HTTP client on the same virtual threads."},
         subcommands = {FetchCommand.class, PostCommand.class, CrawlCommand.class},
         exitCodeListHeading = "%nExit codes:%n",
         exitCodeList = {"0:stopped normally", "1:failed while running", "2:bad command line or configuration"})
public final class Main implements Callable<Integer> {
    static final Path DEFAULT_CONFIG = Path.of("etc", "application.yaml");
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration (default: $LOOM_CONFIG, else etc/application.yaml when present).")
    private Path configFile;

    private boolean serving;

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Main main = new Main();
        int code = commandLine(main).execute(args);
        // A running server keeps the JVM alive on its listener threads; the shutdown hook ends it.
        if (!main.serving) {
            System.exit(code);
        }
    }

    /**
     * The command tree of {@code main}, as {@link #main} runs it (tests run it too). {@code @FILE} arguments are
     * passed as they are, not expanded: {@code post --data @body.json} names a file for the command to read.
     */
    static CommandLine commandLine(Main main) {
        return new CommandLine(main)
                .setExpandAtFiles(false)
                .setExecutionExceptionHandler(Main::failed);
    }

    /**
     * Wires the service into {@code server}: listeners, filters, routes, sockets (see {@link Wiring}).
     *
     * @return the service, whose drain the caller drives at shutdown
     */
    public static Wiring setup(WebServerConfig.Builder server, Config config) {
        Wiring service = new Wiring(Settings.from(config.get("app")));
        service.applyTo(server);
        return service;
    }

    @Override
    public Integer call() {
        Config config = Config.builder()
                .sources(ConfigSources.file(configPath()).optional(), ConfigSources.classpath("application.yaml"))
                .build();
        WebServerConfig.Builder builder = WebServer.builder()
                .config(config.get("server"))
                .shutdownHook(false); // ours below decides the order of shutdown
        Wiring service = setup(builder, config);
        // Helidon builds its service registry on first use, which is the first request with a path parameter
        // (/greet/{name} reads the global Mappers): ~150 ms on that request, and every such request that arrives
        // meanwhile waits for it. Build it before the first request instead.
        Services.get(Mappers.class);
        WebServer server = builder.build().start();
        if (!server.isRunning()) {
            // Helidon logs why (e.g. "Address already in use") and hands back a stopped server.
            System.err.println("loom-service: the server did not start; the log above says why");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(server, service.drain()), "shutdown"));
        serving = true;
        LOG.log(System.Logger.Level.INFO, startupLine(server, config, service.settings()));
        OutOfMemoryExit.onUncaught();
        if (!OutOfMemoryExit.jvmFlagSet()) {
            LOG.log(System.Logger.Level.WARNING, "the JVM runs without " + OutOfMemoryExit.FLAG + " (./loom sets it):"
                    + " an OutOfMemoryError that Helidon catches itself will not end the process");
        }
        return 0;
    }

    /**
     * Drain first (readiness DOWN, new requests 503), then stop: Helidon's stop() alone cuts requests off.
     * Its lines go straight to stderr: JUL's own shutdown hook resets the log handlers while this one runs.
     */
    private static void shutdown(WebServer server, Drain drain) {
        long start = System.nanoTime();
        System.err.println("loom-service: stopping: refusing new requests, waiting up to "
                                   + drain.grace().toMillis() + " ms for running ones");
        drain.begin();
        boolean idle;
        try {
            idle = drain.awaitIdle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        System.err.println("loom-service: drained in " + (System.nanoTime() - start) / 1_000_000 + " ms"
                                   + (idle ? "" : "; grace period of " + drain.grace().toMillis()
                                           + " ms over, stopping anyway"));
        server.stop();
    }

    /** A bad configuration is exit code 2 and one line saying what is wrong; anything else is 1. No stack traces. */
    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof ConfigException) {
            cmd.getErr().println("loom-service: configuration error: " + e.getMessage());
            return 2;
        }
        LOG.log(System.Logger.Level.DEBUG, "startup failed", e);
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        cmd.getErr().println("loom-service: " + e.getMessage() + (root == e ? "" : " (" + root.getMessage() + ")"));
        return 1;
    }

    private Path configPath() {
        Path path = configFile;
        if (path == null && System.getenv("LOOM_CONFIG") != null) {
            path = Path.of(System.getenv("LOOM_CONFIG"));
        }
        if (path == null) {
            return DEFAULT_CONFIG;
        }
        if (!Files.isReadable(path)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "config file not readable: " + path);
        }
        return path;
    }

    private static String startupLine(WebServer server, Config config, Settings s) {
        String host = config.get("server.host").asString().orElse("0.0.0.0");
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        return "loom-service on " + (server.hasTls() ? "https" : "http") + "://" + shown + ":" + server.port()
                + (s.tls().enabled() ? " and https://" + shown + ":" + server.port("https") : "")
                + " | JDK " + Runtime.version()
                + " | limiter: " + s.limiter().permits() + " permits, queue " + s.limiter().queueLength()
                + ", timeout " + s.limiter().queueTimeout().toMillis() + " ms"
                + " | cpu pool: " + s.cpu().poolSize() + " threads, queue " + s.cpu().queueLength()
                + ", offload " + (s.cpu().offload() ? "on" : "off")
                + ", priority " + (s.cpu().idlePriority() ? "idle" : "normal")
                + " | db: " + s.db().display();
    }

    /** The version from the jar manifest ({@code dev} when run from classes). */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"loom-service " + (v == null ? "dev" : v) + ", JDK " + Runtime.version()};
        }
    }
}
