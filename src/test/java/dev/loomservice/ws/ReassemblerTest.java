package dev.loomservice.ws;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsCloseException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReassemblerTest {
    @ParameterizedTest(name = "'{0}'")
    @ValueSource(strings = {"", "ascii", "Zoë", "你好，世界", "😀 and 👨‍👩‍👧", "\u07FF\u0800\uFFFF"})
    void countsUtf8BytesWithoutEncoding(String text) {
        assertThat(Reassembler.utf8Length(text), is((long) text.getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void joinsTextFragmentsAndStartsAfreshAfterEachMessage() {
        Reassembler r = new Reassembler(100);
        assertThat(r.text("你好", false), is(Optional.empty()));
        assertThat(r.text("，世界", true), is(Optional.of("你好，世界")));
        assertThat(r.text("next", true), is(Optional.of("next")));
    }

    @Test
    void joinsBinaryFragments() {
        Reassembler r = new Reassembler(100);
        assertThat(r.binary(BufferData.create(new byte[] {1, 2}), false), is(Optional.empty()));
        assertThat(r.binary(BufferData.create(new byte[] {3}), true).orElseThrow().readBytes(),
                   is(new byte[] {1, 2, 3}));
        assertThat(r.binary(BufferData.create(new byte[] {4}), true).orElseThrow().readBytes(), is(new byte[] {4}));
    }

    @Test
    void joinsManyBinaryFragmentsAsTheBufferGrows() {
        Reassembler r = new Reassembler(10_000);
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

    @Test
    void acceptsExactlyTheMaximumAndRefusesOneByteMoreWith1009() {
        Reassembler r = new Reassembler(6);
        assertThat(r.text("你好", true), is(Optional.of("你好"))); // 6 bytes
        r.text("你", false);
        WsCloseException e = assertThrows(WsCloseException.class, () -> r.text("好!", true));
        assertThat(e.closeCode(), is(1009));
        assertThat(e.getMessage(), is("message over 6 bytes"));
    }

    @Test
    void countsFragmentsOfBinaryMessagesAgainstTheMaximum() {
        Reassembler r = new Reassembler(4);
        r.binary(BufferData.create(new byte[3]), false);
        assertThat(assertThrows(WsCloseException.class, () -> r.binary(BufferData.create(new byte[2]), true))
                           .closeCode(), is(1009));
    }

    @Test
    void replacementCharacterIsTakenForInvalidUtf8And1007() {
        // what Helidon hands over for the bytes 6F 6B C3 28: "ok\uFFFD("
        String decoded = new String(new byte[] {'o', 'k', (byte) 0xC3, 0x28}, StandardCharsets.UTF_8);
        WsCloseException e = assertThrows(WsCloseException.class, () -> new Reassembler(100).text(decoded, true));
        assertThat(e.closeCode(), is(1007));
    }
}
