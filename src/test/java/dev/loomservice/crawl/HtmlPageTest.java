package dev.loomservice.crawl;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.loomservice.client.Fetched;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

class HtmlPageTest {
    private static Fetched answer(String url, String contentType, String charset, byte[] body) {
        return new Fetched(URI.create(url), 200, "OK", Optional.ofNullable(contentType), Optional.ofNullable(charset),
                           Optional.empty(), body.length, body, 1, Optional.empty());
    }

    @Test
    void takesTitleAndDistinctNormalizedHttpLinksInDocumentOrder() {
        String html = """
                <html><head><title> Hello  </title></head><body>
                <a href="b">b</a> <A HREF='/dir/b#x'>same b</A> <a href="./c?q=1">c</a>
                <a href=../up>unquoted</a> <map><area href="HTTP://Other.ORG:80/x"></map>
                <a href="mailto:a@example.com">mail</a> <a href="javascript:go()">js</a> <a>no href</a>
                <p><a href="d">unclosed tags <b>everywhere
                """;
        HtmlPage page = HtmlPage.parse(answer("http://example.com/dir/a", "text/html", null,
                                              html.getBytes(StandardCharsets.UTF_8)));
        assertThat(page.title(), is(Optional.of("Hello")));
        assertThat(page.links(), contains(URI.create("http://example.com/dir/b"),
                                          URI.create("http://example.com/dir/c?q=1"),
                                          URI.create("http://example.com/up"),
                                          URI.create("http://other.org/x"),
                                          URI.create("http://example.com/dir/d")));
    }

    @Test
    void baseHrefChangesWhereRelativeLinksPoint() {
        String html = "<head><base href=\"http://cdn.example.com/root/\"></head><a href=\"x\">x</a>";
        HtmlPage page = HtmlPage.parse(answer("http://example.com/a", "text/html", null,
                                              html.getBytes(StandardCharsets.UTF_8)));
        assertThat(page.links(), contains(URI.create("http://cdn.example.com/root/x")));
    }

    @Test
    void decodesTheDeclaredCharsetElseTheMetaTag() {
        byte[] latin1 = "<title>café</title>".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(HtmlPage.parse(answer("http://e.com/", "text/html", "ISO-8859-1", latin1)).title(),
                   is(Optional.of("café")));
        byte[] meta = "<meta charset=\"iso-8859-1\"><title>café</title>".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(HtmlPage.parse(answer("http://e.com/", "text/html", null, meta)).title(),
                   is(Optional.of("café")));
    }

    @Test
    void onlyHtmlOrUntypedAnswersAreParsed() {
        assertThat(HtmlPage.isHtml(answer("http://e.com/", "text/html", null, new byte[0])), is(true));
        assertThat(HtmlPage.isHtml(answer("http://e.com/", "application/xhtml+xml", null, new byte[0])), is(true));
        assertThat(HtmlPage.isHtml(answer("http://e.com/", null, null, new byte[0])), is(true));
        assertThat(HtmlPage.isHtml(answer("http://e.com/", "application/json", null, new byte[0])), is(false));
    }
}
