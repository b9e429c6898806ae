package dev.loomservice.bench;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/** An RFC 9457 problem+json answer, thrown by handlers and rendered by {@link #send}, as loom-service does. */
final class Problem extends RuntimeException {
    final int status;

    Problem(int status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    static void send(HttpServerRequest req, int status, String detail) {
        String title = switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
        JsonObject body = new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", detail).put("instance", req.path());
        req.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(body.encode());
    }
}
