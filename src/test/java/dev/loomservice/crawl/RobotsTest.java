package dev.loomservice.crawl;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class RobotsTest {
    private static final String FILE = """
            # comments and junk are ignored
            Sitemap: http://example.com/sitemap.xml
            this line is junk

            User-agent: *
            Disallow: /private/
            Disallow: /*.pdf$
            Allow: /private/open
            Disallow: /search?q=

            User-agent: other-bot
            Disallow: /
            """;

    @ParameterizedTest(name = "{0} allowed: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /                     | true
            /public/page          | true
            /private/             | false
            /private/secret       | false
            /private/open         | true
            /private/open/more    | true
            /docs/a.pdf           | false
            /docs/a.pdf?x=1       | true
            /search?q=loom        | false
            /search               | true
            """)
    void longestMatchWinsWithWildcardsAndEndAnchor(String path, boolean allowed) {
        Robots robots = Robots.parse(FILE, "loom-service", "test");
        assertThat(robots.allows(URI.create("http://example.com" + path)), is(allowed));
    }

    @Test
    void ourOwnGroupReplacesTheStarGroup() {
        Robots robots = Robots.parse(FILE + "\nUser-agent: LOOM-SERVICE\nDisallow: /public/\n", "loom-service", "t");
        assertThat(robots.allows(URI.create("http://example.com/public/x")), is(false));
        assertThat("the * group no longer applies", robots.allows(URI.create("http://example.com/private/x")),
                   is(true));
    }

    @Test
    void groupsNamingSeveralAgentsApplyToEach() {
        Robots robots = Robots.parse("User-agent: a\nUser-agent: loom-service\nDisallow: /x\n", "loom-service", "t");
        assertThat(robots.allows(URI.create("http://example.com/x")), is(false));
    }

    @Test
    void emptyDisallowAllowsEverything() {
        Robots robots = Robots.parse("User-agent: *\nDisallow:\n", "loom-service", "t");
        assertThat(robots.allows(URI.create("http://example.com/anything")), is(true));
    }

    @Test
    void allowWinsATieOfEqualLength() {
        Robots robots = Robots.parse("User-agent: *\nDisallow: /a\nAllow: /a\n", "loom-service", "t");
        assertThat(robots.allows(URI.create("http://example.com/a")), is(true));
    }

    @Test
    void disallowAllRefusesEverythingAndSaysWhy() {
        Robots robots = Robots.disallowAll("http://h/robots.txt answered 503");
        assertThat(robots.allows(URI.create("http://h/")), is(false));
        assertThat(robots.source(), is("http://h/robots.txt answered 503"));
    }
}
