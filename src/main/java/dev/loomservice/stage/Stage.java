package dev.loomservice.stage;

import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * One step in front of the routes, a guard or an observer: entered before the route and exited after it, like a
 * filter that wraps the rest of the chain, but without wrapping. {@link Stages} calls every stage from one frame,
 * so a request's stack does not grow with the number of stages while its route runs (why that matters: there).
 *
 * <p>A stage that does all its work before the route is a lambda: {@code (req, res) -> { ...; return null; }}.
 */
@FunctionalInterface
public interface Stage {
    /** What {@link #enter} returns when the stage has answered the request itself (sent its response). */
    Object ANSWERED = new Object() {
        @Override
        public String toString() {
            return "ANSWERED";
        }
    };

    /**
     * Runs before the route, outer stages first.
     *
     * @return {@link #ANSWERED} when this stage has sent the response: the inner stages and the route then do not
     *         run, and the outer stages exit seeing that response; otherwise what {@link #exit} is to get back
     *         (null when it needs nothing)
     */
    Object enter(RoutingRequest req, RoutingResponse res);

    /**
     * Runs after the route, or after an inner stage answered or failed, for every stage whose {@link #enter}
     * returned normally and did not answer, inner stages first: the place for what a filter does after
     * {@code proceed()} or in its {@code finally}.
     *
     * @param state   what {@link #enter} returned
     * @param failure what the route or an inner stage threw, thrown on once the outer stages have exited; null
     *                when nothing was thrown
     */
    default void exit(RoutingRequest req, RoutingResponse res, Object state, Throwable failure) {
    }
}
