package dev.loomservice.observe;

import dev.loomservice.stage.Stage;

import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The stage right after {@link RequestId}: it sees every routed request, including the ones the drain and the
 * limiter refuse, and records each in the in-flight registry (for the slow-request and pinning detectors and the
 * drain), in the request histogram, and in the access log; and it times each response ({@link ServerTiming}).
 */
final class RequestObserver implements Stage {
    private final InFlight inFlight;
    private final HttpMetrics metrics;
    private final SlowRequests slow;
    private final AccessLog accessLog;

    /** {@code accessLog} may be null: then no access lines are written. */
    RequestObserver(InFlight inFlight, HttpMetrics metrics, SlowRequests slow, AccessLog accessLog) {
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.slow = slow;
        this.accessLog = accessLog;
    }

    @Override
    public Object enter(RoutingRequest req, RoutingResponse res) {
        InFlight.Request request = inFlight.begin(req, RequestId.of(res));
        ServerTiming.addTo(res, request.startNanos());
        return request;
    }

    @Override
    public void exit(RoutingRequest req, RoutingResponse res, Object state, Throwable failure) {
        InFlight.Request request = (InFlight.Request) state;
        long nanos = inFlight.end(request);
        int status = failure == null ? res.status().code() : escapedStatus(failure, res);
        String method = request.method();
        metrics.record(method, request.route(), status, nanos);
        slow.completed(request, nanos);
        if (accessLog != null) {
            accessLog.log(new AccessLog.Entry(System.currentTimeMillis(), method, request.path(), status,
                                              res.bytesWritten(), nanos, request.requestId()));
        }
    }

    /**
     * What an exception escaping the route or an inner stage means for the client. Helidon closes the connection
     * on its own connection exceptions (a write to a client that reset, among others) without a response:
     * recorded as 499, "client closed request", or as the 408 already set when the read deadline cut the client
     * off. Anything else is answered 500 after we return: record what will be sent.
     */
    private static int escapedStatus(Throwable e, RoutingResponse res) {
        if (!(e instanceof CloseConnectionException)) {
            return 500;
        }
        return res.status().code() == 408 ? 408 : 499;
    }
}
