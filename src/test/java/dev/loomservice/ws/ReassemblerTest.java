package dev.loomservice.ws;

import java.util.Optional;

import io.helidon.common.buffers.BufferData;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class ReassemblerTest {
    @Test
    void joinsTextFragmentsAndStartsAfreshAfterEachMessage() {
        Reassembler r = new Reassembler();
        assertThat(r.text("你好", false), is(Optional.empty()));
        assertThat(r.text("", false), is(Optional.empty()));
        assertThat(r.text("，世界", true), is(Optional.of("你好，世界")));
        assertThat(r.text("next", true), is(Optional.of("next")));
    }

    @Test
    void joinsBinaryFragments() {
        Reassembler r = new Reassembler();
        assertThat(r.binary(BufferData.create(new byte[] {1, 2}), false), is(Optional.empty()));
        assertThat(r.binary(BufferData.create(new byte[] {3}), true).orElseThrow().readBytes(),
                   is(new byte[] {1, 2, 3}));
        assertThat(r.binary(BufferData.create(new byte[] {4}), true).orElseThrow().readBytes(), is(new byte[] {4}));
    }

    @Test
    void joinsManyBinaryFragmentsAsTheBufferGrows() {
        Reassembler r = new Reassembler();
        byte[] expected = new byte[10_000];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (i * 7);
        }
        for (int from = 0; from < expected.length; from += 1_000) {
            Optional<BufferData> message = r.binary(BufferData.create(expected, from, 1_000), from == 9_000);
            if (from == 9_000) {
                assertThat(message.orElseThrow().readBytes(), is(expected));
            } else {
                assertThat(message, is(Optional.empty()));
            }
        }
    }
}
