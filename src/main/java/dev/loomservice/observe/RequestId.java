package dev.loomservice.observe;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import dev.loomservice.stage.Stage;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerResponse;

/**
 * The first observing stage: every request gets an id, the client's {@code X-Request-Id} when it is a sane token
 * (1..64 of {@code A-Z a-z 0-9 . _ : -}), else a fresh random one. The id is set on the response at once, which
 * is also where the other stages and the error handler read it ({@link #of}). Log lines written while the request
 * runs carry it as the MDC's {@code requestId}, which {@link InFlight} provides.
 *
 * <p>Not in the request context: Helidon builds a request's context on first use, with a lock and a registry,
 * which would cost more than the rest of this stage.
 */
public final class RequestId implements Stage {
    /** {@code X-Request-Id}. */
    public static final HeaderName HEADER = HeaderNames.create("X-Request-Id");
    private static final HexFormat HEX = HexFormat.of();

    /** The id of the request {@code res} answers; {@code "-"} when this stage did not run. */
    public static String of(ServerResponse res) {
        return res.headers().first(HEADER).orElse("-");
    }

    @Override
    public Object enter(RoutingRequest req, RoutingResponse res) {
        String id = req.headers().first(HEADER).filter(RequestId::acceptable).orElseGet(RequestId::generate);
        res.header(HEADER, id);
        return null;
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
