package dev.loomservice.http;

import java.time.Duration;

import dev.loomservice.config.ConfigValues;
import dev.loomservice.problem.Problems;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /site/{n}} (register under {@code /site}): page {@code n} of a synthetic web site of {@code S} pages, for crawler tests and
 * benchmarks. {@code S} is {@code ?pages=S} or {@code app.site.pages}; each page first waits {@code ?ms=M} or
 * {@code app.site.delay} (a plain sleep, like {@code /io}), so a crawl can be made I/O-bound at will.
 *
 * <p>The links form a ternary tree: page {@code n} links to its children {@code 3n+1}, {@code 3n+2},
 * {@code 3n+3} (those below {@code S}), except <em>hidden</em> ones, {@code c % 10 == 7}. Hidden pages exist
 * (they answer 200) but nothing links to them, so neither they nor their subtrees are reachable. Every page also
 * links to the home page, its parent and itself, and spells links differently (absolute path, relative, with
 * {@code ./}, {@code ../} and fragments), so a crawler must normalize to fetch each page once. As those extra
 * links all point up or to the page itself, a page's depth from page 0 is its level in the tree.
 *
 * <p>Links carry the request's query string unchanged, so a crawl started at {@code /site/0?pages=S&ms=M} stays
 * on that graph with every page spelled one way. This route sits behind the limiter like any application route:
 * a delayed page holds a virtual thread and a socket just as {@code /io} does, and a crawl benchmark should
 * measure the server as it runs in production, load shedding included.
 */
public final class SiteService implements HttpService {
    /** The largest {@code S} a client may ask for. */
    public static final int MAX_PAGES = 100_000_000;

    private final Settings settings;

    /** What {@code app.site} configures: the default size and per-page delay. */
    public record Settings(int pages, Duration delay) {
        /** Reads {@code app.site}; absent keys take the defaults (1,000 pages, no delay). */
        public static Settings from(Config site) {
            return new Settings(ConfigValues.intAtLeast(site.get("pages"), 1, 1_000),
                                ConfigValues.duration(site.get("delay"), Duration.ZERO));
        }
    }

    public SiteService(Settings settings) {
        this.settings = settings;
    }

    /** Whether page {@code n} is one that no page links to. */
    public static boolean hidden(int n) {
        return n % 10 == 7;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{n}", this::page);
    }

    private void page(ServerRequest req, ServerResponse res) throws InterruptedException {
        int pages = Params.given(req, "pages") ? Params.intIn(req, "pages", 1, MAX_PAGES) : settings.pages();
        int ms = Params.given(req, "ms") ? Params.intIn(req, "ms", 0, IoService.MAX_MS)
                                            : (int) Math.min(settings.delay().toMillis(), IoService.MAX_MS);
        int n = pageNumber(req.path().pathParameters().get("n"), pages);
        Thread.sleep(ms);
        String query = req.query().rawValue().isEmpty() ? "" : "?" + escape(req.query().rawValue());
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8"))
                .send(html(n, pages, query));
    }

    private static int pageNumber(String raw, int pages) {
        if (raw.isEmpty() || raw.length() > 9 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(raw) >= pages) {
            throw Problems.notFound("no page '" + raw + "' on this site of " + pages + " pages (0 to "
                                            + (pages - 1) + ")");
        }
        return Integer.parseInt(raw);
    }

    /** For an attribute value: the raw query may hold '&' (and, from a careless client, worse). */
    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String html(int n, int pages, String q) {
        StringBuilder b = new StringBuilder(768)
                .append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Page ").append(n)
                .append("</title></head>\n<body><h1 id=\"top\">Page ").append(n).append(" of ").append(pages)
                .append("</h1>\n<ul>\n");
        for (int i = 1; i <= 3; i++) {
            long child = 3L * n + i;
            if (child < pages && !hidden((int) child)) {
                // Three spellings of a child link: absolute path, relative, and relative with ./ and a fragment.
                String href = switch (i) {
                    case 1 -> "/site/" + child + q;
                    case 2 -> child + q;
                    default -> "./" + child + q + "#top";
                };
                b.append("<li><a href=\"").append(href).append("\">page ").append(child).append("</a></li>\n");
            }
        }
        b.append("</ul>\n<p><a href=\"../site/0").append(q).append("\">home</a> ");
        if (n > 0) {
            b.append("<a href=\"/site/").append((n - 1) / 3).append(q).append("#top\">up</a> ");
        }
        return b.append("<a href=\"#top\">top</a> <a href=\"mailto:site@example.invalid\">mail</a></p>\n")
                .append("</body></html>\n")
                .toString();
    }
}
