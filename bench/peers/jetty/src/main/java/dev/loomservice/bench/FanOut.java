package dev.loomservice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import static dev.loomservice.bench.Problem.JSON;

/**
 * {@code GET /fanout?n=K&ms=M}: K concurrent GETs of this server's own {@code /io?ms=M} and their JSON summary.
 *
 * <p>The K exchanges run on Jetty's {@link HttpClient}, which needs no thread per call; the request's own thread
 * blocks until all K have ended. That thread is what the two Jetty peers differ in: a platform thread held out of
 * the pool of 200 for the whole fan-out, or a virtual thread that unmounts while it waits. The calls land on this
 * same server, so on the platform pool a fan-out and its K calls compete for the same 200 threads.
 */
final class FanOut {
    static final int MAX_CALLS = 100, CALL_TIMEOUT_MS = 5_000;

    private final HttpClient client;

    FanOut(HttpClient client) {
        this.client = client;
    }

    void handle(Request req, Response res, Callback callback) {
        int n = Routes.intParam(req, "n", 1, MAX_CALLS);
        int ms = Routes.intParam(req, "ms", 0, Routes.MAX_MS);
        String url = "http://" + Request.getLocalAddr(req) + ":" + Request.getLocalPort(req) + "/io?ms=" + ms;
        long start = System.nanoTime();
        List<CompletableFuture<JsonObject>> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            calls.add(call(url));
        }
        JsonArrayBuilder each = JSON.createArrayBuilder();
        int ok = 0;
        for (CompletableFuture<JsonObject> call : calls) {
            JsonObject outcome = call.join(); // never fails: call() turns every failure into an outcome
            each.add(outcome);
            ok += outcome.getInt("status", 0) / 100 == 2 ? 1 : 0;
        }
        JsonObject summary = JSON.createObjectBuilder().add("n", n).add("ms", ms)
                .add("totalMillis", millisSince(start)).add("succeeded", ok).add("failed", n - ok)
                .add("calls", each).build();
        Routes.send(res, callback, 200, Routes.JSON, summary.toString());
    }

    /** One downstream GET, bounded by CALL_TIMEOUT_MS in all: url, status, bytes and millis, or url, error, millis. */
    private CompletableFuture<JsonObject> call(String url) {
        long start = System.nanoTime();
        var request = client.newRequest(url).timeout(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return new CompletableResponseListener(request).send().handle((ContentResponse response, Throwable e) -> {
            JsonObjectBuilder outcome = JSON.createObjectBuilder().add("url", url);
            if (e == null) {
                outcome.add("status", response.getStatus()).add("bytes", response.getContent().length);
            } else {
                outcome.add("error", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            return outcome.add("millis", millisSince(start)).build();
        });
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
