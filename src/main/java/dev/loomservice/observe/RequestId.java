package dev.loomservice.observe;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.logging.common.HelidonMdc;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * The first filter: every request gets an id, the client's {@code X-Request-Id} when it is a sane token
 * (1..64 of {@code A-Z a-z 0-9 . _ : -}), else a fresh random one. The id is echoed in the response, kept in the
 * request context ({@link #of}) and put in the logging MDC as {@code requestId}, so every log line written while
 * the request runs carries it.
 */
public final class RequestId implements Filter {
    /** {@code X-Request-Id}. */
    public static final HeaderName HEADER = HeaderNames.create("X-Request-Id");
    static final String MDC_KEY = "requestId";
    private static final HexFormat HEX = HexFormat.of();

    /** The id of {@code req}; {@code "-"} when this filter did not run (e.g. a WebSocket upgrade). */
    public static String of(ServerRequest req) {
        return req.context().get(RequestId.class, String.class).orElse("-");
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String id = req.headers().first(HEADER).filter(RequestId::acceptable).orElseGet(RequestId::generate);
        req.context().register(RequestId.class, id);
        res.header(HEADER, id);
        HelidonMdc.set(MDC_KEY, id);
        try {
            chain.proceed();
        } finally {
            HelidonMdc.remove(MDC_KEY);
        }
    }

    static boolean acceptable(String id) {
        if (id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 64 random bits as 16 hex digits: unique enough to find a request in the logs, and cheap (no SecureRandom). */
    private static String generate() {
        return HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
    }
}
