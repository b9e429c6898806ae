package dev.loomservice.crawl;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;

/**
 * One spelling per page, so the frontier can tell URLs it has seen: {@code HTTP://Example.COM:80/a/./b/../c#x}
 * becomes {@code http://example.com/a/c}.
 *
 * <p>Rules: http and https only (everything else, {@code mailto:} or {@code javascript:} included, is not a page);
 * scheme and host lower case; the scheme's default port dropped; the fragment dropped (it never reaches the
 * server); dot-segments resolved (RFC 3986 5.2.4, also above the root: {@code /../a} is {@code /a}); an empty path
 * is {@code /}. The query is kept as it is: its order and encoding can matter to the server. Characters that are
 * illegal in a URI but common in real {@code href}s (spaces, non-ASCII) are percent-encoded as UTF-8 first.
 */
public final class UrlNormalizer {
    private static final String ALLOWED_PUNCTUATION = "-._~:/?#[]@!$&'()*+,;=%";

    private UrlNormalizer() {
    }

    /**
     * {@code href} (e.g. a {@code Location} header) resolved against {@code base} and normalized; empty when it is
     * not an http(s) URL. {@link URI#resolve} gets two RFC 3986 cases wrong, which are handled here: an empty
     * reference and a query-only one ({@code ?page=2}) keep the base's path.
     */
    public static Optional<URI> resolve(URI base, String href) {
        String ref = href.strip();
        try {
            if (ref.isEmpty() || ref.startsWith("?")) {
                String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
                return normalize(new URI(base.getScheme() + "://" + base.getRawAuthority() + path
                                         + (ref.isEmpty() ? queryOf(base) : ref)));
            }
            return normalize(base.resolve(parse(ref)));
        } catch (IllegalArgumentException | URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** An absolute URL (as an HTML parser resolved it), normalized; empty when it is not an http(s) URL. */
    public static Optional<URI> absolute(String url) {
        try {
            return normalize(parse(url.strip()));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** {@code url} normalized; empty when it is not an absolute http(s) URL with a host. */
    public static Optional<URI> normalize(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getRawAuthority() == null
                || url.getHost() == null) {
            return Optional.empty();
        }
        int port = url.getPort();
        if (port == 80 && scheme.equals("http") || port == 443 && scheme.equals("https")) {
            port = -1;
        }
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        StringBuilder s = new StringBuilder(scheme).append("://");
        if (url.getRawUserInfo() != null) {
            s.append(url.getRawUserInfo()).append('@');
        }
        s.append(url.getHost().toLowerCase(Locale.ROOT));
        if (port != -1) {
            s.append(':').append(port);
        }
        s.append(removeDotSegments(path));
        if (url.getRawQuery() != null) {
            s.append('?').append(url.getRawQuery());
        }
        try {
            return Optional.of(new URI(s.toString()));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static String queryOf(URI base) {
        return base.getRawQuery() == null ? "" : "?" + base.getRawQuery();
    }

    /** RFC 3986 section 5.2.4, for an absolute path. */
    static String removeDotSegments(String path) {
        String[] segments = path.split("/", -1);
        ArrayDeque<String> out = new ArrayDeque<>();
        for (int i = 1; i < segments.length; i++) {
            String seg = segments[i];
            boolean last = i == segments.length - 1;
            if (seg.equals(".")) {
                if (last) {
                    out.addLast("");
                }
            } else if (seg.equals("..")) {
                out.pollLast();
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(seg);
            }
        }
        return "/" + String.join("/", out);
    }

    /** A URI from an href as browsers take it: illegal characters percent-encoded rather than rejected. */
    private static URI parse(String href) throws URISyntaxException {
        try {
            return new URI(href);
        } catch (URISyntaxException e) {
            return new URI(encodeIllegal(href));
        }
    }

    private static String encodeIllegal(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F && (Character.isLetterOrDigit(c) || ALLOWED_PUNCTUATION.indexOf(c) >= 0)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
