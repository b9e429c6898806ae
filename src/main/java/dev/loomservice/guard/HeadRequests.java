package dev.loomservice.guard;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import dev.loomservice.problem.ProblemDirectHandler;
import dev.loomservice.stage.Stage;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * HEAD as RFC 9110 (section 9.3.2) defines it: the response GET would get, without its content. Helidon (4.5 too)
 * routes HEAD only to HEAD routes, so every GET route answered HEAD with a 404, and it writes the body of any
 * response to a HEAD request, which the client does not read: the next response on the connection then starts in
 * the middle of that body.
 *
 * <p>Three parts, installed by the composition root:
 * <ul>
 *   <li>{@link #discard()}, a stage as far out as possible, so that it covers every response, refusals of the
 *   limiter and the drain included: for a HEAD request the response's bytes are counted and dropped;</li>
 *   <li>{@link #asGet()}, the innermost stage: a HEAD request is routed as GET (the prologue is put back
 *   afterwards, so what runs outside sees HEAD);</li>
 *   <li>{@link #sender()}, an HTTP/1 send listener: Helidon gives a response whose body was dropped
 *   {@code Content-Length: 0}, which for HEAD must be the length GET would have sent, or absent (RFC 9110, section
 *   8.6); it puts back the counted length, handed over in {@link #LENGTH}, an internal header it removes.</li>
 * </ul>
 * Errors answered before routing (a malformed request) are left to the direct handler, which drops the body of
 * those itself and sets {@link #LENGTH} too.
 */
public final class HeadRequests {
    /** The length of the dropped body, from the discarding stage to the send listener; never sent. */
    private static final HeaderName LENGTH = ProblemDirectHandler.HEAD_LENGTH;

    /** The stage that drops the body of every response to HEAD. */
    public Stage discard() {
        return (req, res) -> {
            if (Method.HEAD.equals(req.prologue().method())) {
                res.streamFilter(out -> new Discarding(out, res));
            }
            return null;
        };
    }

    /** The stage that routes HEAD as GET; innermost, so that limits and logs still see HEAD. */
    public Stage asGet() {
        return new Stage() {
            @Override
            public Object enter(RoutingRequest req, RoutingResponse res) {
                HttpPrologue head = req.prologue();
                if (!Method.HEAD.equals(head.method())) {
                    return null;
                }
                req.prologue(HttpPrologue.create(head.rawProtocol(), head.protocol(), head.protocolVersion(),
                                                 Method.GET, head.uriPath(), head.query(), head.fragment()));
                return head;
            }

            @Override
            public void exit(RoutingRequest req, RoutingResponse res, Object head, Throwable failure) {
                if (head != null) {
                    req.prologue((HttpPrologue) head);
                }
            }
        };
    }

    /** The send listener that puts the dropped body's length into {@code Content-Length}. */
    public Http1ConnectionListener sender() {
        return new Http1ConnectionListener() {
            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                if (headers instanceof WritableHeaders<?> writable && writable.contains(LENGTH)) {
                    String length = writable.get(LENGTH).get();
                    writable.remove(LENGTH);
                    writable.set(HeaderNames.CONTENT_LENGTH, length);
                }
            }
        };
    }

    /** Counts what is written and drops it; on close, hands the count to the send listener. */
    private static final class Discarding extends FilterOutputStream {
        private final RoutingResponse res;
        private long count;

        Discarding(OutputStream out, RoutingResponse res) {
            super(out);
            this.res = res;
        }

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }

        @Override
        public void flush() {
            // nothing written, nothing to flush: a flush would send the headers before the length is known
        }

        @Override
        public void close() throws IOException {
            res.headers().set(LENGTH, String.valueOf(count));
            super.close();
        }
    }
}
