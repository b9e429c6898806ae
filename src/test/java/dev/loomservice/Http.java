package dev.loomservice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * A JDK {@link HttpClient} bound to one server, on virtual threads. Every request has a timeout, so a hung server
 * fails a test instead of hanging the build.
 */
public record Http(HttpClient client, URI base) {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    public static Http to(URI base) {
        return new Http(HttpClient.newBuilder()
                                .executor(Executors.newVirtualThreadPerTaskExecutor())
                                .connectTimeout(TIMEOUT)
                                .build(),
                        base);
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return client.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String contentType, String body) {
        return send(request(path).header("Content-Type", contentType)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT);
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
