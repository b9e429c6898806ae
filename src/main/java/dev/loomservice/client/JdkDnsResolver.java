package dev.loomservice.client;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

import io.helidon.webclient.api.DnsAddressLookup;
import io.helidon.webclient.spi.DnsResolver;

/**
 * The JDK resolver, like Helidon's default, except that a name which does not resolve fails with the JDK's
 * {@link UnknownHostException} (inside an {@link UncheckedIOException}). Helidon 4.2.6's default resolver
 * replaces it with a bare {@code IllegalArgumentException}, which would leave {@link Failure#of} unable to tell
 * "no such host" from any other bug.
 */
final class JdkDnsResolver implements DnsResolver {
    @Override
    public InetAddress resolveAddress(String hostname, DnsAddressLookup lookup) {
        try {
            InetAddress[] addresses = lookup.filter(InetAddress.getAllByName(hostname));
            if (addresses.length > 0) {
                return addresses[0];
            }
            throw new UnknownHostException(hostname + " (no address of the configured IP version)");
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }
}
