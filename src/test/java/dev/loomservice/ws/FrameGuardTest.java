package dev.loomservice.ws;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.loomservice.RawWebSocket;

import io.helidon.websocket.WsCloseException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link FrameGuard}, {@link Utf8Check} and {@link ClosePayload} without a socket (the rules: ProtocolViolationIT). */
class FrameGuardTest {
    private static final int FIN = 0x80;

    @Test
    void binaryFramesPassAsTheyCameWithoutACopy() {
        byte[] chunk = concat(RawWebSocket.frame(0x2, true, new byte[300]), RawWebSocket.frame(FIN, true, new byte[1]));
        assertThat(new FrameGuard(1000, 1000).pass(chunk), sameInstance(chunk));
    }

    @Test
    void aCharacterSplitBetweenFragmentsIsRejoinedInTheLaterFragment() {
        byte[] ni = "你".getBytes(StandardCharsets.UTF_8);
        byte[] in = concat(RawWebSocket.frame(0x1, true, new byte[] {'a', ni[0], ni[1]}),
                           RawWebSocket.frame(0x9 | FIN, true, new byte[] {'p'}), // a ping between fragments
                           RawWebSocket.frame(FIN, true, new byte[] {ni[2], 'b'}));
        assertThat(texts(new FrameGuard(1000, 1000).pass(in)), is(List.of("1:a", "9:p", "0:你b")));
    }

    @Test
    void anyChunkingGivesTheSameBytes() {
        byte[] in = concat(RawWebSocket.frame(0x1, true, "Zoë 😀 ".repeat(40).getBytes(StandardCharsets.UTF_8)),
                           RawWebSocket.frame(0xA | FIN, true, new byte[] {1, 2}),
                           RawWebSocket.frame(FIN, true, "你好".getBytes(StandardCharsets.UTF_8)),
                           RawWebSocket.frame(0x2 | FIN, true, new byte[70_000]),
                           RawWebSocket.frame(0x8 | FIN, true, new byte[] {0x03, (byte) 0xE8, 'o', 'k'}));
        byte[] whole = new FrameGuard(100_000, 100_000).pass(in);
        for (int size : new int[] {1, 2, 3, 7, 125, 4096}) {
            FrameGuard guard = new FrameGuard(100_000, 100_000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int from = 0; from < in.length; from += size) {
                out.writeBytes(guard.pass(Arrays.copyOfRange(in, from, Math.min(in.length, from + size))));
            }
            assertThat("chunks of " + size, out.toByteArray(), is(whole));
        }
    }

    @Test
    void framesBeforeABadOnePassFirstThenTheFailure() {
        FrameGuard guard = new FrameGuard(1000, 1000);
        byte[] passed = guard.pass(concat(RawWebSocket.frame(0x1 | FIN, true, new byte[] {'h', 'i'}),
                                          RawWebSocket.frame(0x3 | FIN, true, new byte[0])));
        assertThat(texts(passed), is(List.of("1:hi")));
        WsCloseException e = assertThrows(WsCloseException.class, guard::rethrow); // before waiting for more bytes
        assertThat(e.closeCode(), is(1002));
        assertThat(e.getMessage(), is("reserved opcode"));
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {"", "ascii", "Zoë", "你好", "😀", "\uFFFD", "\u007F\u0080\u07FF\u0800\uD7FF\uE000\uFFFF",
            "\uD800\uDC00\uDBFF\uDFFF"}) // U+10000, U+10FFFF
    void utf8CheckAcceptsWellFormedText(String text) {
        Utf8Check check = new Utf8Check();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            assertThat(check.accept(b & 0xFF), is(true));
        }
        assertThat(check.pending(), is(0));
    }

    @Test
    void closeCodesAllowedOnTheWire() {
        List<Integer> allowed = new ArrayList<>();
        for (int code = 0; code < 65_536; code++) {
            if (ClosePayload.allowed(code)) {
                allowed.add(code);
            }
        }
        assertThat(allowed.size(), is(4 + 8 + 2000));
        assertThat(allowed.subList(0, 12), is(List.of(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012,
                                                      1013, 1014)));
        assertThat(allowed.getLast(), is(4999));
    }

    /** The frames FrameGuard passed on, each as "opcode:text" (they carry a zero masking key). */
    private static List<String> texts(byte[] bytes) {
        List<String> frames = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int opcode = bytes[i] & 0x0F;
            int length = bytes[i + 1] & 0x7F;
            assertThat("masking key 0", (bytes[i + 2] | bytes[i + 3] | bytes[i + 4] | bytes[i + 5]) == 0, is(true));
            frames.add(opcode + ":" + new String(bytes, i + 6, length, StandardCharsets.UTF_8));
            i += 6 + length;
        }
        return frames;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
