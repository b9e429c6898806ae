package dev.loomservice.crawl;

import java.net.URI;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class UrlNormalizerTest {
    private static final URI BASE = URI.create("http://example.com/dir/page?x=1");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            HTTP://Example.COM/a                  | http://example.com/a
            http://example.com:80/a               | http://example.com/a
            https://example.com:443/a             | https://example.com/a
            http://example.com:8080/a             | http://example.com:8080/a
            https://example.com:80/a              | https://example.com:80/a
            http://example.com                    | http://example.com/
            http://example.com/a#frag             | http://example.com/a
            http://example.com/a/./b/../c         | http://example.com/a/c
            http://example.com/a/b/..             | http://example.com/a/
            http://example.com/../../a            | http://example.com/a
            http://example.com/a?q=B&p=1#x        | http://example.com/a?q=B&p=1
            http://example.com/A%2fb              | http://example.com/A%2fb
            http://user@example.com/a             | http://user@example.com/a
            """)
    void normalizesCaseDefaultPortFragmentAndDotSegments(String in, String out) {
        assertThat(UrlNormalizer.absolute(in), is(Optional.of(URI.create(out))));
    }

    @ParameterizedTest(name = "{0} against http://example.com/dir/page?x=1 -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            other                  | http://example.com/dir/other
            ./other#top            | http://example.com/dir/other
            ../up                  | http://example.com/up
            /root                  | http://example.com/root
            ?y=2                   | http://example.com/dir/page?y=2
            #top                   | http://example.com/dir/page?x=1
            //other.org/x          | http://other.org/x
            https://Other.org:443  | https://other.org/
            a b/ü                  | http://example.com/dir/a%20b/%C3%BC
            """)
    void resolvesReferencesAsRfc3986Says(String href, String out) {
        assertThat(UrlNormalizer.resolve(BASE, href), is(Optional.of(URI.create(out))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mailto:a@example.com", "javascript:void(0)", "ftp://example.com/a", "data:text/plain,x",
                            "http://", "http:///path"})
    void rejectsWhatIsNotAnHttpPage(String href) {
        assertThat(UrlNormalizer.resolve(BASE, href), is(Optional.empty()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /            | /
            /a/b/c/./../../g | /a/g
            /a/..        | /
            /..          | /
            /a/.         | /a/
            """)
    void removesDotSegments(String in, String out) {
        assertThat(UrlNormalizer.removeDotSegments(in), is(out));
    }
}
