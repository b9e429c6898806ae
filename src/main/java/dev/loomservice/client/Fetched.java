package dev.loomservice.client;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The outcome of one request: either an answer ({@code status > 0}) or a {@link Failure} without one. An answer
 * with a 4xx/5xx status carries both: the status and a {@link Failure.Kind#STATUS} failure.
 *
 * @param url         what was requested
 * @param status      the status code; 0 when there was no answer
 * @param reason      the reason phrase ({@code ""} without an answer)
 * @param contentType the {@code Content-Type} media type without parameters, lower case, when present
 * @param charset     the {@code Content-Type} charset, when present
 * @param location    the {@code Location} header, when present
 * @param bytes       the number of body bytes received (all of them, not only those kept)
 * @param head        the first bytes of the body, as many as the caller asked to keep (shared, do not modify)
 * @param millis      from the start of the request to the end of the body, or to the failure
 * @param failure     why the request failed, or empty
 */
public record Fetched(URI url, int status, String reason, Optional<String> contentType, Optional<String> charset,
                      Optional<String> location, long bytes, byte[] head, long millis, Optional<Failure> failure) {

    /** No answer at all. */
    static Fetched failed(URI url, long millis, Failure failure) {
        return new Fetched(url, 0, "", Optional.empty(), Optional.empty(), Optional.empty(), 0, new byte[0], millis,
                           Optional.of(failure));
    }

    /** True for an answer with a status below 400. */
    public boolean ok() {
        return failure.isEmpty();
    }

    /** True for a 3xx answer with a {@code Location}. */
    public boolean redirect() {
        return status >= 300 && status < 400 && location.isPresent();
    }

    /** True when the body was longer than what was kept. */
    public boolean truncated() {
        return bytes > head.length;
    }

    /** The kept body as text, in the declared charset (UTF-8 when none is declared, or when it is unknown). */
    public String text() {
        return new String(head, knownCharset().orElse(StandardCharsets.UTF_8));
    }

    /** The declared charset, when there is one and this JDK knows it. */
    public Optional<Charset> knownCharset() {
        try {
            return charset.map(Charset::forName);
        } catch (IllegalArgumentException e) { // an illegal or unsupported name: the server is wrong, not us
            return Optional.empty();
        }
    }
}
