package dev.loomservice.ws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Headless Chromium driven over its DevTools protocol (CDP) with the JDK WebSocket client: the few commands a
 * page test needs (open a page, evaluate JavaScript, take a screenshot), no Node.js, no driver download.
 * Every command has a deadline; {@link #close} ends the browser process.
 */
final class Chromium implements AutoCloseable {
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                              "--disable-background-networking");
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final long TIMEOUT_SECONDS = 30;

    private final Process process;
    private final Path profile;
    private final WebSocket devtools;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, Path profile, URI endpoint) {
        this.process = process;
        this.profile = profile;
        this.devtools = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(endpoint, new Replies())
                .orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .join();
    }

    /** {@code $CHROMIUM} if set, else the first of chromium, chromium-browser, google-chrome on the PATH. */
    static Optional<Path> find() {
        String configured = System.getenv("CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Starts the browser with a fresh profile under {@code workDir}. */
    static Chromium launch(Path executable, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        command.addAll(FLAGS);
        command.add("--remote-debugging-port=0");
        Path profile = Files.createTempDirectory(workDir, "profile-");
        command.add("--user-data-dir=" + profile);
        command.add("about:blank");
        Process process = new ProcessBuilder(command)
                .redirectOutput(workDir.resolve("chromium.out").toFile())
                .start();
        CompletableFuture<URI> endpoint = new CompletableFuture<>();
        Thread.ofVirtual().name("chromium-stderr").start(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                                                                               StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        endpoint.complete(URI.create(m.group(1)));
                    }
                }
                endpoint.completeExceptionally(new IllegalStateException("Chromium exited: " + process.exitValue()));
            } catch (IOException | IllegalThreadStateException e) {
                endpoint.completeExceptionally(e);
            }
        });
        try {
            return new Chromium(process, profile, endpoint.orTimeout(60, TimeUnit.SECONDS).join());
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Opens {@code url} in a new tab. */
    Page open(String url) {
        String target = call(null, "Target.createTarget", Json.createObjectBuilder().add("url", url))
                .getString("targetId");
        String session = call(null, "Target.attachToTarget", Json.createObjectBuilder()
                .add("targetId", target).add("flatten", true)).getString("sessionId");
        return new Page(session);
    }

    /** A tab; commands go to it through the browser's one DevTools connection. */
    final class Page {
        private final String session;

        private Page(String session) {
            this.session = session;
        }

        /** The value of a JavaScript expression (awaited if it is a promise); fails on a JavaScript exception. */
        JsonValue eval(String expression) {
            JsonObject result = call(session, "Runtime.evaluate", Json.createObjectBuilder()
                    .add("expression", expression).add("returnByValue", true).add("awaitPromise", true));
            if (result.containsKey("exceptionDetails")) {
                throw new AssertionError("JavaScript failed: " + result.getJsonObject("exceptionDetails"));
            }
            return result.getJsonObject("result").getOrDefault("value", JsonValue.NULL);
        }

        String text(String expression) {
            JsonValue value = eval(expression);
            return value.getValueType() == JsonValue.ValueType.STRING ? ((JsonString) value).getString()
                    : value.toString();
        }

        void screenshot(Path png) throws IOException {
            String data = call(session, "Page.captureScreenshot", Json.createObjectBuilder()).getString("data");
            Files.write(png, Base64.getDecoder().decode(data));
        }
    }

    @Override
    public void close() {
        try {
            call(null, "Browser.close", Json.createObjectBuilder());
        } catch (RuntimeException e) {
            // it may already be gone; the process is ended below either way
        }
        devtools.abort();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover profile under target/ is harmless
        }
    }

    private JsonObject call(String session, String method, JsonObjectBuilder params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        JsonObjectBuilder message = Json.createObjectBuilder().add("id", id).add("method", method)
                .add("params", params);
        if (session != null) {
            message.add("sessionId", session);
        }
        devtools.sendText(message.build().toString(), true).join();
        JsonObject answer = reply.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
        if (answer.containsKey("error")) {
            throw new IllegalStateException(method + " failed: " + answer.getJsonObject("error"));
        }
        return answer.getJsonObject("result");
    }

    /** Routes replies to their commands by id; events (no id) are not needed and dropped. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                JsonObject message = Json.createReader(new StringReader(text.toString())).readObject();
                text.setLength(0);
                if (message.containsKey("id")) {
                    CompletableFuture<JsonObject> reply = pending.remove(message.getInt("id"));
                    if (reply != null) {
                        reply.complete(message);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(new UncheckedIOException(
                    new IOException("DevTools connection failed", error))));
        }
    }
}
