package dev.loomservice.stage;

import java.util.ArrayList;
import java.util.List;

import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What nested filters guarantee, {@link Stages} must keep: order, answers that stop the way in, exits on every way
 * out. The stages here only record what happens, so no request or response is needed (the real stages run over
 * real sockets in the guard, observe and ws ITs).
 */
class StagesTest {
    private final List<String> events = new ArrayList<>();

    /** Records enter and exit; enters with {@code enter}'s answer, or throws it. */
    private Stage stage(String name, Object answer) {
        return new Stage() {
            @Override
            public Object enter(RoutingRequest req, RoutingResponse res) {
                events.add("enter " + name);
                if (answer instanceof RuntimeException e) {
                    throw e;
                }
                return answer;
            }

            @Override
            public void exit(RoutingRequest req, RoutingResponse res, Object state, Throwable failure) {
                String why = failure == null ? "-" : failure.getMessage();
                events.add("exit " + name + " state=" + state + " failure=" + why);
            }
        };
    }

    @Test
    void entersOutermostFirstRunsTheRouteThenExitsInnermostFirstWithEachStagesOwnState() {
        new Stages(List.of(stage("a", "sa"), stage("b", null))).filter(() -> events.add("route"), null, null);
        assertThat(events, contains("enter a", "enter b", "route", "exit b state=null failure=-",
                                    "exit a state=sa failure=-"));
    }

    @Test
    void aStageThatAnswersSkipsTheInnerStagesAndTheRouteAndOnlyTheOuterOnesExit() {
        new Stages(List.of(stage("a", null), stage("b", Stage.ANSWERED), stage("c", null)))
                .filter(() -> events.add("route"), null, null);
        assertThat(events, contains("enter a", "enter b", "exit a state=null failure=-"));
    }

    @Test
    void whatTheRouteThrowsReachesEveryExitAndIsThrownOn() {
        Stages stages = new Stages(List.of(stage("a", null), stage("b", null)));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> stages.filter(() -> {
            throw new IllegalStateException("boom");
        }, null, null));
        assertThat(thrown.getMessage(), is("boom"));
        assertThat(events, contains("enter a", "enter b", "exit b state=null failure=boom",
                                    "exit a state=null failure=boom"));
    }

    @Test
    void aStageThatFailsToEnterDoesNotExitButTheOuterOnesDo() {
        Stages stages = new Stages(List.of(stage("a", null), stage("b", new IllegalArgumentException("refused")),
                                           stage("c", null)));
        assertThrows(IllegalArgumentException.class, () -> stages.filter(() -> events.add("route"), null, null));
        assertThat(events, contains("enter a", "enter b", "exit a state=null failure=refused"));
    }

    @Test
    void anExceptionThrownOnTheWayOutReplacesTheOneBeforeAndTheOuterStagesStillExit() {
        Stage throwsOnExit = new Stage() {
            @Override
            public Object enter(RoutingRequest req, RoutingResponse res) {
                return null;
            }

            @Override
            public void exit(RoutingRequest req, RoutingResponse res, Object state, Throwable failure) {
                throw new IllegalStateException("on the way out");
            }
        };
        Stages stages = new Stages(List.of(stage("a", null), throwsOnExit));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> stages.filter(() -> {
            throw new UnsupportedOperationException("route");
        }, null, null));
        assertThat(thrown.getMessage(), is("on the way out"));
        assertThat(events, contains("enter a", "exit a state=null failure=on the way out"));
    }
}
