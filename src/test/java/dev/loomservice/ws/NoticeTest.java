package dev.loomservice.ws;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class NoticeTest {
    @Test
    void aPayloadReadsBackAsTheSameNoticeWithTheMembersJsonUntouched() {
        Notice notice = Notice.of("3f9a0c1e", 17, ChatEvent.message("lobby", "小明", "line one\nline two"));
        Notice read = Notice.parse(notice.payload()).orElseThrow();
        assertThat(read, is(notice));
        assertThat(read.json(), is(notice.json()));
        assertThat(read.joinOf("3f9a0c1e", 17), is(false));
    }

    @Test
    void aJoinIsRecognisedOnlyForItsInstanceAndMember() {
        Notice join = Notice.of("3f9a0c1e", 17, ChatEvent.joined("lobby", "alice", -1));
        assertThat(join.joinOf("3f9a0c1e", 17), is(true));
        assertThat(join.joinOf("3f9a0c1e", 18), is(false));
        assertThat(join.joinOf("00000000", 17), is(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hello", "a b c\n{}", "a x join lobby\n{}", "a 1 join lobby extra\n{}"})
    void aPayloadThatIsNotOursIsIgnored(String payload) {
        assertThat(Notice.parse(payload), is(Optional.empty()));
    }
}
