package dev.loomservice.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Routes that misbehave on purpose, so tests (and a curious operator) can see the detectors work. Registered
 * only with {@code app.debug.routes: true}, under {@code /debug}; never on by default.
 *
 * <ul>
 *   <li>{@code GET /debug/pin?ms=N}: pins its carrier thread for N ms. It loads a class through a class loader
 *   that sleeps: {@link Class#forName} enters native code, which calls back into the loader, and a virtual thread
 *   with a native frame on its stack cannot unmount, on any JDK (on 24+ {@code synchronized} no longer pins).</li>
 *   <li>{@code GET /debug/fail}: throws an exception whose message must not reach the client.</li>
 *   <li>{@code GET /debug/header?value=V}: puts V, as given, in a response header ({@code X-Echo}), so a test can
 *   see a CR/LF refused before it splits the response.</li>
 * </ul>
 */
public final class DebugService implements HttpService {
    /** The message of {@code /debug/fail}'s exception; tests check it stays in the log. */
    public static final String SECRET = "internal detail: connection string jdbc:secret@10.0.0.1";

    @Override
    public void routing(HttpRules rules) {
        rules.get("/pin", this::pin)
                .get("/fail", this::fail)
                .get("/header", this::header);
    }

    private void pin(ServerRequest req, ServerResponse res) {
        int ms = Params.intIn(req, "ms", 0, 10_000);
        ClassLoader sleepy = new ClassLoader(null) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new ClassNotFoundException(name);
            }
        };
        try {
            Class.forName("dev.loomservice.debug.NoSuchClass", false, sleepy);
        } catch (ClassNotFoundException expected) {
            // the point was the wait inside the native frame
        }
        HelloService.text(res, "pinned " + ms + " ms");
    }

    private void fail(ServerRequest req, ServerResponse res) {
        throw new IllegalStateException(SECRET);
    }

    private void header(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.create("X-Echo"), req.query().first("value").orElse(""));
        HelloService.text(res, "echoed");
    }
}
