package dev.loomservice.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line URLs: absolute {@code http} or {@code https} with a host, else a usage error (exit code 2). */
final class HttpUrl implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            throw new TypeConversionException("'" + value + "' is not a valid URL: " + e.getReason());
        }
        throw new TypeConversionException("'" + value + "' is not an absolute http:// or https:// URL with a host");
    }
}
