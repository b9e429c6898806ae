package dev.loomservice.crawl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import dev.loomservice.client.Fetched;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * What the crawler takes from an HTML page: its title and its links, parsed by jsoup (an HTML5 parser, so
 * unclosed tags, odd quoting and {@code <base href>} work as they do in a browser).
 *
 * @param title the {@code <title>} text, when not blank
 * @param links every distinct link of {@code <a href>} and {@code <area href>}, resolved and normalized by
 *              {@link UrlNormalizer}, in document order; non-http(s) links ({@code mailto:}, ...) are left out
 */
record HtmlPage(Optional<String> title, Set<URI> links) {

    /** True when {@code answer} says it is HTML, or says nothing about its type. */
    static boolean isHtml(Fetched answer) {
        return answer.contentType().map(t -> t.equals("text/html") || t.equals("application/xhtml+xml"))
                .orElse(true);
    }

    /** Parses the kept body; the charset is the declared one, else what the document says, else UTF-8. */
    static HtmlPage parse(Fetched answer) {
        Document doc;
        try {
            doc = Jsoup.parse(new ByteArrayInputStream(answer.head()),
                              answer.knownCharset().map(Charset::name).orElse(null),
                              answer.url().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: the body is in memory", e);
        }
        Set<URI> links = new LinkedHashSet<>();
        for (Element a : doc.select("a[href], area[href]")) {
            UrlNormalizer.absolute(a.absUrl("href")).ifPresent(links::add);
        }
        String title = doc.title().strip();
        return new HtmlPage(title.isEmpty() ? Optional.empty() : Optional.of(title), links);
    }
}
