package dev.loomservice;

import java.util.List;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Several HTTP/1 connection listeners as one. Helidon (4.2.6 to 4.5.0) composes two or more listeners into a list listener
 * that forwards nothing (its {@code ListFrameListener} overrides none of the methods), so we register exactly
 * one receive and one send listener: this, which calls each delegate in order.
 */
final class Http1Listeners implements Http1ConnectionListener {
    private final List<Http1ConnectionListener> delegates;

    Http1Listeners(List<Http1ConnectionListener> delegates) {
        this.delegates = List.copyOf(delegates);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        for (Http1ConnectionListener l : delegates) {
            l.prologue(ctx, prologue);
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        for (Http1ConnectionListener l : delegates) {
            l.headers(ctx, headers);
        }
    }

    @Override
    public void status(ConnectionContext ctx, Status status) {
        for (Http1ConnectionListener l : delegates) {
            l.status(ctx, status);
        }
    }

    @Override
    public void data(ConnectionContext ctx, BufferData data) {
        for (Http1ConnectionListener l : delegates) {
            l.data(ctx, data);
        }
    }

    @Override
    public void data(ConnectionContext ctx, byte[] data, int position, int length) {
        for (Http1ConnectionListener l : delegates) {
            l.data(ctx, data, position, length);
        }
    }
}
