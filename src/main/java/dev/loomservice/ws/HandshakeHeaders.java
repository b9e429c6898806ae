package dev.loomservice.ws;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import dev.loomservice.version.Version;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.Status;

/** The handshake headers {@link UpgradeGate} checks before an endpoint's own check. */
final class HandshakeHeaders {
    private static final HeaderName WS_KEY = HeaderNames.create("Sec-WebSocket-Key");
    private static final HeaderName WS_VERSION = HeaderNames.create("Sec-WebSocket-Version");

    private HandshakeHeaders() {
    }

    /**
     * The refusal of a handshake that Helidon 4.5 would read ambiguously or answer wrongly: it reads only the first
     * of repeated headers (so a second {@code Origin} goes unchecked; RFC 6454 7.3 allows one), answers a key that
     * is not base64 with a 500, and takes a missing version for 13 (RFC 6455 4.2.1 requires it).
     */
    static Optional<UpgradeGate.Refusal> refusal(Headers headers) {
        if (headers.contains(HeaderNames.ORIGIN) && headers.get(HeaderNames.ORIGIN).valueCount() > 1) {
            return refusal(Status.FORBIDDEN_403, "an upgrade may carry one Origin header only");
        }
        if (!headers.contains(WS_KEY) || headers.get(WS_KEY).valueCount() != 1 || !key(headers.get(WS_KEY).get())) {
            return refusal(Status.BAD_REQUEST_400,
                           "an upgrade needs one Sec-WebSocket-Key: 16 random bytes in base64 (RFC 6455 4.1)");
        }
        if (!headers.contains(WS_VERSION) || headers.get(WS_VERSION).valueCount() != 1) {
            return Optional.of(new UpgradeGate.Refusal(Status.BAD_REQUEST_400,
                                                       "an upgrade needs one Sec-WebSocket-Version: 13",
                                                       List.of(HeaderValues.create(WS_VERSION, "13")))); // RFC 6455 4.4
        }
        return Optional.empty();
    }

    private static Optional<UpgradeGate.Refusal> refusal(Status status, String detail) {
        return Optional.of(new UpgradeGate.Refusal(status, detail));
    }

    private static boolean key(String value) {
        try {
            return Base64.getDecoder().decode(value).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
