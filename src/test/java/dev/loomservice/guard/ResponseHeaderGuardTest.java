package dev.loomservice.guard;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The header rules {@link ResponseHeaderGuard} checks in place of Helidon's: names are RFC 9110 tokens, values
 * carry no control character but tab. Here on headers built in memory; ObserveIT sends a CR LF value through a
 * real server and sees a 500 with nothing of the header in it.
 */
class ResponseHeaderGuardTest {
    private final ResponseHeaderGuard guard = new ResponseHeaderGuard();

    private static WritableHeaders<?> with(String name, String value) {
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.set(HeaderValues.create(HeaderNames.CONTENT_LENGTH, "2"));
        headers.set(HeaderValues.create(HeaderNames.create(name), value));
        return headers;
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Request-Id", "Server-Timing", "x!#$%&'*+-.^_`|~09", "A"})
    void tokenNamesAndPlainValuesPass(String name) {
        WritableHeaders<?> headers = with(name, "text\twith a tab and \u00e9");
        guard.headers(null, headers);
        assertThat(headers.contains(HeaderNames.create(name)), is(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bad Name", "Bad:Name", "Bad(Name)", "Bad/Name", "Bad\"Name", "Bad{Name}", "Bad\u00e4",
                            "Bad\u007fName", "Bad\tName"})
    void aNameThatIsNotATokenIsRemovedAndRefused(String name) {
        WritableHeaders<?> headers = with(name, "v");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> guard.headers(null, headers));
        assertThat(e.getMessage(), containsString("not a token"));
        assertThat(headers.contains(HeaderNames.create(name)), is(false));
        assertThat(headers.contains(HeaderNames.CONTENT_LENGTH), is(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nSet-Cookie: x=1", "a\nb", "a\u0000b", "a\u007fb"})
    void aValueWithAControlCharacterIsRemovedAndRefused(String value) {
        WritableHeaders<?> headers = with("X-Echo", value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> guard.headers(null, headers));
        assertThat(e.getMessage(), containsString("control character"));
        assertThat(headers.contains(HeaderNames.create("X-Echo")), is(false));
    }
}
