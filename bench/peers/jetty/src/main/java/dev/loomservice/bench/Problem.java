package dev.loomservice.bench;

import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** An RFC 9457 problem+json answer, thrown by handlers and rendered by {@link #send}, as loom-service does. */
final class Problem extends RuntimeException {
    static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    private final int status;

    Problem(int status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    void send(String path, Response res, Callback callback) {
        String title = switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
        String body = JSON.createObjectBuilder().add("type", "about:blank").add("title", title).add("status", status)
                .add("detail", getMessage()).add("instance", path).build().toString();
        Routes.send(res, callback, status, "application/problem+json", body);
    }
}
