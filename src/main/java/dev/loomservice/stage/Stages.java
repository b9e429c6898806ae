package dev.loomservice.stage;

import java.util.List;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The stages in front of the routes, run as one Helidon filter: enter each in order, then the route, then exit
 * each entered stage in reverse order, exactly as nested filters would, exceptions included.
 *
 * <p>Why not one filter per stage: each Helidon filter calls the next one from inside itself, so with n filters a
 * request's stack holds some 3n more frames while its route runs. On a virtual thread those frames are heap: a
 * request that parks (a sleep, a socket read, a database call) keeps its stack in a heap object, and each young
 * collection copies the stacks of every parked request. With thousands of requests parked at once, filter depth
 * became a large share of the CPU per request (bench/README, "Filter depth at 10,000 connections"). Here the
 * stages run from one frame, whatever their number.
 */
public final class Stages implements Filter {
    private final Stage[] stages;

    /** @param stages outermost first */
    public Stages(List<Stage> stages) {
        this.stages = stages.toArray(Stage[]::new);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Object[] states = new Object[stages.length];
        int entered = 0;
        Throwable failure = null;
        try {
            for (; entered < stages.length; entered++) {
                Object state = stages[entered].enter(req, res);
                if (state == Stage.ANSWERED) {
                    break;
                }
                states[entered] = state;
            }
            if (entered == stages.length) {
                chain.proceed();
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int i = entered - 1; i >= 0; i--) {
            try {
                stages[i].exit(req, res, states[i], failure);
            } catch (RuntimeException | Error e) {
                failure = e; // as with nested filters: an exception thrown on the way out replaces the one before
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }
}
