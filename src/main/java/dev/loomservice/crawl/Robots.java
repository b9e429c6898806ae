package dev.loomservice.crawl;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules of one robots.txt (RFC 9309) that apply to one user agent.
 *
 * <p>The groups whose {@code User-agent} is our product token (case-insensitive) apply; without one, the
 * {@code *} groups; without those, everything is allowed. Within the group the longest matching
 * {@code Allow}/{@code Disallow} path wins, {@code Allow} on a tie; {@code *} matches any run of characters and a
 * trailing {@code $} anchors the end. Paths are compared with the URL's raw path and query. Other lines
 * ({@code Sitemap}, {@code Crawl-delay}, comments, junk) are ignored.
 */
public final class Robots {
    private record Rule(boolean allow, String path, Pattern pattern) {
    }

    private final List<Rule> rules;
    private final String source;

    private Robots(List<Rule> rules, String source) {
        this.rules = rules;
        this.source = source;
    }

    /** Allows everything: there is no robots.txt ({@code source} says why, e.g. "404 Not Found"). */
    public static Robots allowAll(String source) {
        return new Robots(List.of(), source);
    }

    /** Allows nothing (RFC 9309 2.3.1.3: an unreachable robots.txt means "assume complete disallow"). */
    public static Robots disallowAll(String source) {
        return new Robots(List.of(new Rule(false, "/", Pattern.compile("/"))), source);
    }

    /**
     * The rules in {@code text} for the agent whose product token is {@code agent} (e.g. {@code loom-service});
     * {@code source} names where they came from.
     */
    public static Robots parse(String text, String agent, String source) {
        String token = agent.toLowerCase(Locale.ROOT);
        List<Rule> mine = new ArrayList<>();
        List<Rule> star = new ArrayList<>();
        List<String> groupAgents = new ArrayList<>();
        boolean inRules = false;
        boolean sawMine = false;
        for (String raw : text.split("\r\n|\r|\n")) {
            String line = raw.replaceFirst("#.*", "").strip();
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (key.equals("user-agent")) {
                if (inRules) { // a user-agent line after rules starts a new group
                    groupAgents.clear();
                    inRules = false;
                }
                groupAgents.add(value.toLowerCase(Locale.ROOT));
                sawMine |= groupAgents.contains(token);
            } else if (key.equals("allow") || key.equals("disallow")) {
                inRules = true;
                if (value.isEmpty()) {
                    continue; // "Disallow:" with no path allows everything: it adds no rule
                }
                Rule rule = new Rule(key.equals("allow"), value, compile(value));
                if (groupAgents.contains(token)) {
                    mine.add(rule);
                }
                if (groupAgents.contains("*")) {
                    star.add(rule);
                }
            }
        }
        return new Robots(sawMine ? mine : star, source);
    }

    /** Whether the rules let us fetch {@code url}. */
    public boolean allows(URI url) {
        String target = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        Rule best = null;
        for (Rule rule : rules) {
            if (rule.pattern().matcher(target).lookingAt()
                    && (best == null || rule.path().length() > best.path().length()
                        || rule.path().length() == best.path().length() && rule.allow())) {
                best = rule;
            }
        }
        return best == null || best.allow();
    }

    /** Where these rules came from, and for {@link #allowAll}/{@link #disallowAll} why; for messages. */
    public String source() {
        return source;
    }

    /** A robots path as a regex matched from the start: {@code *} is any run, a final {@code $} the end. */
    private static Pattern compile(String path) {
        boolean anchored = path.endsWith("$");
        String body = anchored ? path.substring(0, path.length() - 1) : path;
        StringBuilder regex = new StringBuilder();
        for (String literal : body.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.compile(regex + (anchored ? "$" : ""));
    }
}
