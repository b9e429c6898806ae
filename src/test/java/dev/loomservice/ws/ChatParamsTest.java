package dev.loomservice.ws;

import io.helidon.common.uri.UriQuery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChatParamsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            room=lobby&name=alice                       | lobby        | alice
            room=a.b_c-D9&name=%E5%B0%8F%E6%98%8E       | a.b_c-D9     | 小明
            room=r&name=%20%20bob%20                    | r            | bob
            room=r&name=Zo%C3%AB%20Smith                | r            | Zoë Smith
            room=r&name=%F0%9F%98%80                    | r            | 😀
            """)
    void acceptsRoomsOfSafeAsciiAndNamesOfAnyScript(String query, String room, String name) {
        assertThat(parse(query), is(new ChatParams(room, name)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            name=alice                                  | 'room' must be given once; it was given 0 times
            room=r&name=a&name=b                        | 'name' must be given once; it was given 2 times
            room=caf%C3%A9&name=alice                   | 'room' must be 1 to 64 characters
            room=a/b&name=alice                         | 'room' must be 1 to 64 characters
            room=r&name=                                | 'name' must be 1 to 32 printable characters
            room=r&name=a%0Ab                           | 'name' must be 1 to 32 printable characters; got 'a?b'
            room=r&name=a%E2%80%AEb                     | 'name' must be 1 to 32 printable characters
            room=r&name=a%FFb                           | 'name' must be 1 to 32 printable characters
            """)
    void refusesWithAMessageSayingWhatToFix(String query, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(query));
        assertThat(e.getMessage(), containsString(message));
    }

    @Test
    void limitsRoomsTo64AndNamesTo32Characters() {
        String room = "r".repeat(64);
        String name = "名".repeat(32);
        assertThat(parse("room=" + room + "&name=" + name).name(), is(name));
        assertThrows(IllegalArgumentException.class, () -> parse("room=" + room + "r&name=a"));
        assertThrows(IllegalArgumentException.class, () -> parse("room=r&name=" + name + "名"));
    }

    private static ChatParams parse(String query) {
        return ChatParams.from(UriQuery.create(query));
    }

    @Test
    void eventsAreJsonWithTextEscaped() {
        ChatEvent message = new ChatEvent("message", "lobby", "小明", "say \"hi\"\n</script>", 42, -1);
        assertThat(message.toJson(), is("""
                {"type":"message","room":"lobby","from":"小明","text":"say \\"hi\\"\\n</script>","ts":42}\
                """));
        assertThat(ChatEvent.joined("lobby", "bob", 2).toJson(), containsString("\"text\":\"bob joined\""));
        assertThat(ChatEvent.joined("lobby", "bob", 2).toJson(), containsString("\"members\":2}"));
    }
}
