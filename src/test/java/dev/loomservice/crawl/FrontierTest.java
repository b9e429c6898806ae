package dev.loomservice.crawl;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrontierTest {
    private static URI url(String host, int n) {
        return URI.create("http://" + host + "/" + n);
    }

    @Test
    void admitsEachUrlOnceAndHandsThemOutInOrder() throws InterruptedException {
        Frontier f = new Frontier(10, 5, 10);
        assertThat(f.offer(url("a", 1), 0), is(Frontier.Offer.ADMITTED));
        assertThat(f.offer(url("a", 1), 1), is(Frontier.Offer.SEEN));
        assertThat(f.offer(url("a", 2), 1), is(Frontier.Offer.ADMITTED));
        assertThat(f.take(), is(new Frontier.Task(url("a", 1), 0)));
        assertThat(f.take(), is(new Frontier.Task(url("a", 2), 1)));
    }

    @Test
    void refusesBeyondMaxPagesAndMaxDepth() {
        Frontier f = new Frontier(2, 1, 10);
        assertThat(f.offer(url("a", 1), 2), is(Frontier.Offer.TOO_DEEP));
        assertThat(f.offer(url("a", 1), 1), is(Frontier.Offer.ADMITTED));
        assertThat(f.offer(url("a", 2), 0), is(Frontier.Offer.ADMITTED));
        assertThat(f.offer(url("a", 3), 0), is(Frontier.Offer.FULL));
        assertThat(f.wants(url("a", 3), 0), is(false));
        assertThat(f.snapshot(), is(new Frontier.Snapshot(2, 2, 0)));
    }

    @Test
    void endsWhenNothingIsQueuedAndNothingIsInFlight() throws InterruptedException {
        Frontier f = new Frontier(10, 5, 10);
        f.offer(url("a", 1), 0);
        Frontier.Task task = f.take();
        f.offer(url("a", 2), 1); // found by the page in flight
        f.done(task);
        Frontier.Task next = f.take();
        assertThat(next.url(), is(url("a", 2)));
        f.done(next);
        assertThat(f.take(), is(nullValue()));
    }

    @Test
    void aTakeWaitsWhileAPageInFlightMayFindMore() throws Exception {
        Frontier f = new Frontier(10, 5, 10);
        f.offer(url("a", 1), 0);
        Frontier.Task first = f.take();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Frontier.Task> waiting = threads.submit(f::take);
            assertThrows(TimeoutException.class, () -> waiting.get(200, TimeUnit.MILLISECONDS),
                         "nothing queued but a page in flight: take() must wait, not end the crawl");
            f.offer(url("a", 2), 1);
            assertThat(waiting.get(5, TimeUnit.SECONDS).url(), is(url("a", 2)));
            f.done(first);
        }
    }

    @Test
    void aBusyHostDoesNotBlockAnotherHostsWork() throws InterruptedException {
        Frontier f = new Frontier(10, 5, 1);
        f.offer(url("a", 1), 0);
        f.offer(url("a", 2), 0);
        f.offer(url("b", 1), 0);
        List<URI> order = new ArrayList<>();
        Frontier.Task a1 = f.take();
        order.add(a1.url());
        order.add(f.take().url()); // a is at its limit of 1: b goes next, not a/2
        f.done(a1);
        order.add(f.take().url());
        assertThat(order, contains(url("a", 1), url("b", 1), url("a", 2)));
    }

    @Test
    void stopEndsEveryWaitingTake() throws Exception {
        Frontier f = new Frontier(10, 5, 10);
        f.offer(url("a", 1), 0);
        f.take(); // in flight, so a second take would wait
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var waiting = threads.submit(f::take);
            f.stop();
            assertThat(waiting.get(5, TimeUnit.SECONDS), is(nullValue()));
            assertThat(f.offer(url("a", 2), 0), is(Frontier.Offer.STOPPED));
        }
    }
}
