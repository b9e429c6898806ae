package dev.loomservice.observe;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The filter right after {@link RequestId}: it sees every routed request, including the ones the drain and the
 * limiter refuse, and records each in the in-flight registry (for the slow-request and pinning detectors and the
 * drain), in the request histogram, and in the access log.
 */
final class RequestObserver implements Filter {
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
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        InFlight.Request request = inFlight.begin(req, RequestId.of(res));
        boolean escaped = true;
        try {
            chain.proceed();
            escaped = false;
        } finally {
            long nanos = inFlight.end(request);
            // An exception that escapes the chain is answered 500 after we return: record what will be sent.
            int status = escaped ? 500 : res.status().code();
            String method = request.method();
            metrics.record(method, request.route(), status, nanos);
            slow.completed(request, nanos);
            if (accessLog != null) {
                accessLog.log(new AccessLog.Entry(System.currentTimeMillis(), method, request.path(), status,
                                                  res.bytesWritten(), nanos, request.requestId()));
            }
        }
    }
}
