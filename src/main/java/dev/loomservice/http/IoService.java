package dev.loomservice.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /io?ms=N} (register under {@code /io}): waits N milliseconds with a plain {@link Thread#sleep}, then answers {@code slept N ms}.
 *
 * <p>This is the {@code await asyncio.sleep(n)} of the service. The sleep parks only the request's virtual
 * thread; its carrier thread goes on running other requests, which is why ten thousand of these can wait at once.
 */
public final class IoService implements HttpService {
    /** The longest wait a client may ask for, in milliseconds. */
    public static final int MAX_MS = 60_000;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::io);
    }

    private void io(ServerRequest req, ServerResponse res) throws InterruptedException {
        int ms = Params.intIn(req, "ms", 0, MAX_MS);
        Thread.sleep(ms);
        HelloService.text(res, "slept " + ms + " ms");
    }
}
