package dev.loomservice.problem;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.loomservice.observe.RequestId;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;

/**
 * RFC 9457 problem details: every error this service answers is an {@code application/problem+json} body.
 *
 * <p>Handlers signal client errors by throwing Helidon's {@link HttpException} (with the status, a detail message
 * meant for the client, and optional headers such as {@code Retry-After}); {@link #register} installs the one
 * error handler that renders it. The detail of a 5xx is never the exception text: that could leak internals, so
 * it goes to the log and the client gets a generic sentence.
 */
public final class Problems {
    /** Stateless and thread-safe; looking the provider up per call would cost a ServiceLoader scan. */
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());
    /** {@code application/problem+json}, the media type of RFC 9457. */
    public static final Header CONTENT_TYPE = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
                                                                               "application/problem+json");

    private static final System.Logger LOG = System.getLogger(Problems.class.getName());

    /**
     * What the access log and the request metrics record when the client left before its answer was delivered
     * (nginx's 499, "client closed request"): nobody received a 500, and an alert on 5xx must not count it.
     */
    public static final Status CLIENT_CLOSED_499 = Status.create(499, "Client Closed Request");

    private Problems() {
    }

    /** Routes every exception that reaches the routing through {@link #send}. */
    public static void register(HttpRouting.Builder routing) {
        routing.error(HttpException.class, Problems::httpError)
                .error(InterruptedException.class, Problems::interrupted)
                .error(Exception.class, Problems::unexpected);
    }

    /**
     * An error with the given status; the message is shown to the client. The connection is kept alive (Helidon's
     * two-argument constructor would close it, turning every 404 or 503 into a reconnect).
     */
    public static HttpException of(Status status, String detail) {
        return new HttpException(detail, status, true);
    }

    /**
     * An error after which the connection is closed: the request's body is unread or its framing broken, so what
     * follows on the connection can not be trusted (nor is it worth reading).
     */
    public static HttpException closing(Status status, String detail) {
        return new HttpException(detail, status, false).header(HeaderValues.CONNECTION_CLOSE);
    }

    /** A 400 whose detail says what was wrong with the request. */
    public static HttpException badRequest(String detail) {
        return of(Status.BAD_REQUEST_400, detail);
    }

    /** A 404 for a resource that does not exist. */
    public static HttpException notFound(String detail) {
        return of(Status.NOT_FOUND_404, detail);
    }

    /**
     * Writes a problem body with the given status and detail, and sends it. It carries the request id (header and
     * {@code requestId} member), so a client reporting an error hands over what finds it in the log.
     */
    public static void send(ServerRequest req, ServerResponse res, Status status, String detail) {
        String id = RequestId.of(res); // the response carries it already: Helidon's error handling keeps headers
        JsonObjectBuilder body = body(status, detail, req.path().absolute().path());
        if (!id.equals("-")) {
            body.add("requestId", id);
        }
        res.status(status).header(CONTENT_TYPE);
        try {
            res.send(body.build().toString().getBytes(StandardCharsets.UTF_8)); // bytes: no media writer
        } catch (RuntimeException e) {
            if (!ClientGone.is(e)) {
                throw e;
            }
            undelivered(res);
        }
    }

    /**
     * Ends a response the client can not receive. Not yet sent: an empty 499 with {@code Connection: close}, which
     * is what the access log and metrics then record (a half-closed client may still read it; most will not).
     * Already sent (its write failed): the status stays the one we meant to send, since Helidon allows no change
     * after sending; a refusal or a 408 from the read deadline is then recorded as what it was. Either way,
     * returning normally with the response sent keeps Helidon from trying a 500 of its own, and from a warning
     * with a stack trace.
     */
    private static void undelivered(ServerResponse res) {
        if (res.isSent()) {
            return;
        }
        res.status(CLIENT_CLOSED_499).header(HeaderValues.CONNECTION_CLOSE);
        try {
            res.send();
        } catch (RuntimeException gone) {
            // as expected
        }
    }

    /** The RFC 9457 body: {@code type}, {@code title}, {@code status}, {@code detail}, and {@code instance} if known. */
    public static String json(Status status, String detail, String instance) {
        return body(status, detail, instance).build().toString();
    }

    private static JsonObjectBuilder body(Status status, String detail, String instance) {
        JsonObjectBuilder body = JSON.createObjectBuilder()
                .add("type", "about:blank")
                .add("title", status.reasonPhrase())
                .add("status", status.code())
                .add("detail", detail);
        if (instance != null) {
            body.add("instance", instance);
        }
        return body;
    }

    private static void httpError(ServerRequest req, ServerResponse res, HttpException e) {
        // Connection: close only when the exception says so in its headers (closing() does): Helidon's own
        // exceptions (e.g. a 404 for an unknown path) carry keepAlive=false by default, yet the connection is
        // fine, Helidon reads any unread body before the next request.
        e.headers().forEach(res::header);
        if (e.status().code() >= 500 && e.status() != Status.SERVICE_UNAVAILABLE_503) {
            unexpected(req, res, e);
            return;
        }
        String detail = e.getMessage() == null || e.getMessage().isBlank() ? e.status().reasonPhrase() : e.getMessage();
        send(req, res, e.status(), detail);
    }

    /** Helidon's stop() interrupts what still runs after the drain's grace period: expected, not an error. */
    private static void interrupted(ServerRequest req, ServerResponse res, InterruptedException e) {
        LOG.log(System.Logger.Level.INFO, "Interrupted while serving " + req.prologue().method().text() + " "
                + req.path().absolute().path() + ": the server is stopping");
        res.header(HeaderValues.CONNECTION_CLOSE);
        send(req, res, Status.SERVICE_UNAVAILABLE_503, "the server stopped before this request finished");
    }

    private static void unexpected(ServerRequest req, ServerResponse res, Exception e) {
        if (ClientGone.is(e)) {
            undelivered(res); // the client left: not our error, and no stack for the log
            return;
        }
        // the request id is in the line already: the log format prints the MDC's requestId
        LOG.log(System.Logger.Level.ERROR, "Unhandled error on " + req.prologue().method().text() + " "
                + req.path().absolute().path(), e);
        send(req, res, Status.INTERNAL_SERVER_ERROR_500, "The server failed to handle this request; see its log.");
    }
}
